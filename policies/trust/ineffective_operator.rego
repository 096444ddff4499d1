# METADATA
# title: Subject or audience condition that does not restrict
# description: |
#   A condition on the provider's "sub" or "aud" key uses an operator that lets through more
#   than it seems to: an ...IfExists operator passes when the key is missing, a negated operator
#   (StringNotEquals, StringNotLike, ...) admits every value but the ones listed, ForAllValues on
#   these single-valued keys passes when the key is absent, and Null tests only whether the key is
#   present. The role is then open to ServiceAccounts (or audiences) it was meant to refuse.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
# custom:
#   id: IRSA-004
#   severity: high
#   recommended_action: |
#     Use plain StringEquals (or StringLike only where a pattern is really meant) on
#     "<issuer>:sub" and "<issuer>:aud", without IfExists, negation, ForAllValues or Null.
#   bad_example: |
#     "Condition": {
#       "StringEqualsIfExists": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api"},
#       "StringNotEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud": "other"}}
#   good_example: |
#     "Condition": {"StringEquals": {
#       "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api",
#       "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud": "sts.amazonaws.com"}}
package irsa_audit.rules.trust.ineffective_operator

import data.irsa_audit.lib.irsa

deny contains finding if {
	some n in irsa.lenient_conditions
	pc := irsa.provider_conditions[n]
	reasons := _reasons(pc.condition)
	count(reasons) > 0
	finding := {
		"msg": sprintf(
			"operator %q on %q does not restrict the %s claim as intended: %s",
			[pc.condition.operator, pc.condition.key, pc.claim, concat("; ", reasons)],
		),
		"resource": pc.resource,
		"path": pc.path,
	}
}

# _reasons lists, in a fixed order, why the operator of a condition entry lets tokens through.
# _suspect is a quick test for the conditions _reasons may have something to say about: most
# conditions have none of these properties, and building the list of reasons costs more.
_reasons(condition) := [reason |
	some check in [
		[object.get(condition, "negated", false), "a negated operator admits every value but the ones listed"],
		[object.get(condition, "if_exists", false), "IfExists passes when the key is missing"],
		[object.get(condition, "qualifier", "") == "ForAllValues", "ForAllValues on a single-valued key passes when the key is absent"],
		[condition.base_operator == "Null", "Null tests only whether the key is present, not its value"],
	]
	check[0] == true
	reason := check[1]
]
