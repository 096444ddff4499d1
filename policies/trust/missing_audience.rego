# METADATA
# title: Web-identity trust without an audience condition
# description: |
#   An IRSA trust statement constrains the provider's "sub" key but not its "aud" key. Without
#   the audience check the role accepts a ServiceAccount token minted for any audience, such as a
#   projected token meant for another service, instead of only tokens minted for AWS STS.
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
	some wi in irsa.web_identity
	entries := irsa.conditions(wi.statement)
	irsa.has_claim_condition(entries, wi.issuer, "sub")
	not irsa.has_claim_condition(entries, wi.issuer, "aud")
	finding := {
		"msg": sprintf(
			"statement trusting OIDC provider %q constrains %q but has no condition on %q, so tokens minted for any audience are accepted",
			[wi.provider, sprintf("%s:sub", [wi.issuer]), sprintf("%s:aud", [wi.issuer])],
		),
		"resource": wi.resource,
		"path": wi.path,
	}
}
