# METADATA
# title: Web-identity trust without an audience condition
# description: |
#   An IRSA trust statement constrains the provider's "sub" key but not its "aud" key. Without
#   the audience check the role accepts a ServiceAccount token minted for any audience, such as a
#   projected token meant for another service, instead of only tokens minted for AWS STS. The
#   finding is high when the snapshot shows the provider registering other client IDs (audiences)
#   than sts.amazonaws.com: STS then accepts tokens minted for those audiences too.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# custom:
#   id: IRSA-003
#   severity: medium
#   recommended_action: |
#     Add "<issuer>:aud": "sts.amazonaws.com" to the StringEquals block that holds the "sub"
#     condition.
#   bad_example: |
#     "Condition": {"StringEquals": {
#       "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api"}}
#   good_example: |
#     "Condition": {"StringEquals": {
#       "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api",
#       "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud": "sts.amazonaws.com"}}
package irsa_audit.rules.trust.missing_audience

import data.irsa_audit.lib.irsa

deny contains finding if {
	some n in irsa.audience_open
	wi := irsa.web_identity[n]
	"sub" in wi.claims
	_any_audience(wi)
	other := _other_audiences(wi.provider)
	finding := object.union(
		{
			"msg": sprintf(
				"statement trusting OIDC provider %q constrains %q but %s, so tokens minted for any audience are accepted%s",
				[wi.provider, sprintf("%s:sub", [wi.issuer]), _aud_clause(wi), _audience_clause(other)],
			),
			"resource": wi.resource,
			"path": wi.path,
		},
		_severity(other),
	)
}

# _other_audiences are the client IDs other than sts.amazonaws.com that the provider registers,
# sorted ([] when the provider is not in the snapshot or registers only sts.amazonaws.com).
# STS accepts a token whose aud is any of them, so without an aud condition a token minted for
# one of those audiences assumes the role.
_other_audiences(provider) := sort({id |
	some p in input.oidc_providers
	lower(p.arn) == lower(provider)
	some id in object.get(p, "client_ids", [])
	id != "sts.amazonaws.com"
})

_audience_clause(other) := "" if count(other) == 0

_audience_clause(other) := sprintf(
	" (the provider also registers %s: a token for any of them assumes the role)",
	[concat(", ", [sprintf("%q", [id]) | some id in other])],
) if {
	count(other) > 0
}

_severity(other) := {} if count(other) == 0

_severity(other) := {"severity": "high"} if count(other) > 0

# _any_audience: the statement has no condition on the provider's aud key, or its conditions on
# it are plain StringLike patterns that match any audience ("*"; a negated or IfExists one is
# IRSA-004's) and the trust model says the document admits any audience (which the entries of
# irsa.audience_open with an aud condition are).
_any_audience(wi) if not "aud" in wi.claims

_any_audience(wi) if {
	"aud" in wi.claims
	every condition in _aud_conditions(wi) {
		not condition.negated
		not condition.if_exists
		object.get(condition, "qualifier", "") == ""
		condition.base_operator == "StringLike"
		some value in condition.values
		iam.glob_match(value, "an audience no policy names")
	}
}

_aud_conditions(wi) := [condition |
	some condition in irsa.conditions(wi.statement)
	lower(condition.key) == lower(sprintf("%s:aud", [wi.issuer]))
]

_aud_clause(wi) := sprintf("has no condition on %q", [sprintf("%s:aud", [wi.issuer])]) if {
	not "aud" in wi.claims
} else := sprintf("its condition on %q admits any audience", [sprintf("%s:aud", [wi.issuer])])
