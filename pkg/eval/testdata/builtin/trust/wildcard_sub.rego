# METADATA
# title: Wildcard in the sub condition
# description: |
#   A trust statement whose sub condition holds a wildcard lets more ServiceAccounts assume the
#   role than intended.
# related_resources:
#   - ref: https://example.com/docs/IRSA-901
#     description: documentation
# custom:
#   id: IRSA-901
#   severity: high
#   recommended_action: Name the exact ServiceAccount subject.
#   bad_example: |
#     "StringLike": {"oidc.example/id/X:sub": "system:serviceaccount:*"}
#   good_example: |
#     "StringEquals": {"oidc.example/id/X:sub": "system:serviceaccount:ns:app"}
package irsa_audit.rules.trust.wildcard_sub

import data.irsa_audit.lib.test

deny contains finding if {
	some ts in test.trust_statements
	some k, condition in object.get(ts.statement, "conditions", [])
	endswith(condition.key, ":sub")
	some value in condition.values
	contains(value, "*")
	finding := object.union(
		{
			"msg": sprintf("condition %s allows the subject pattern %q", [condition.key, value]),
			"resource": ts.resource,
			"path": array.concat(ts.path, ["conditions", k]),
		},
		_severity(value),
	)
}

# A bare "*" trusts every ServiceAccount of every namespace.
_severity(value) := {"severity": "critical"} if value == "*"

_severity(value) := {} if value != "*"
