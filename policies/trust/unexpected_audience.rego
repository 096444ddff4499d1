# METADATA
# title: EKS audience other than sts.amazonaws.com
# description: |
#   The "aud" condition for an EKS cluster's OIDC provider allows values other than
#   "sts.amazonaws.com". The EKS Pod Identity Webhook requests ServiceAccount tokens for the
#   audience "sts.amazonaws.com" by default, so a different value either breaks the role for the
#   pods or accepts tokens minted for another audience.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# custom:
#   id: IRSA-011
#   severity: low
#   recommended_action: |
#     Set "<issuer>:aud" to "sts.amazonaws.com" with StringEquals.
#   bad_example: |
#     "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud": "my-app"}}
#   good_example: |
#     "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud": "sts.amazonaws.com"}}
package irsa_audit.rules.trust.unexpected_audience

import data.irsa_audit.lib.irsa

_audience := "sts.amazonaws.com"

deny contains finding if {
	some n in irsa.other_audiences
	pc := irsa.provider_conditions[n]
	pc.condition.base_operator in {"StringEquals", "StringEqualsIgnoreCase", "StringLike"}
	other := {value |
		some value in pc.condition.values
		value != _audience
		not _any_audience(pc, value)
	}
	count(other) > 0
	irsa.is_eks_issuer(pc.issuer)
	finding := {
		"msg": _message(pc.condition, other),
		"resource": pc.resource,
		"path": pc.path,
	}
}

_message(condition, other) := sprintf(
	"%q allows audience %s but not %q, the audience EKS requests for IRSA tokens",
	[condition.key, _quoted(other), _audience],
) if {
	not _audience in condition.values
}

_message(condition, other) := sprintf(
	"%q allows audience %s besides %q",
	[condition.key, _quoted(other), _audience],
) if {
	_audience in condition.values
}

_quoted(names) := concat(", ", [sprintf("%q", [name]) | some name in sort(names)])

# A StringLike pattern through which the document admits any audience ("*") is not one other
# audience: IRSA-003 reports that tokens for any audience are accepted.
_any_audience(pc, value) if {
	pc.condition.base_operator == "StringLike"
	irsa.has_wildcard(value)
	some who in irsa.assumers_at(pc.path).web_identity
	who.provider == pc.provider
	who.any_audience
}
