# METADATA
# title: Wildcard under a StringEquals operator
# description: |
#   A "sub" or "aud" value under StringEquals (or StringEqualsIgnoreCase, ForAnyValue:StringEquals,
#   ...) contains "*" or "?". These operators compare literally, so the value matches only a
#   token whose subject or audience is that exact text: the ServiceAccounts the pattern was meant
#   to admit are refused and the pods get access-denied errors.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
# custom:
#   id: IRSA-006
#   severity: low
#   recommended_action: |
#     List the exact ServiceAccounts under StringEquals; use StringLike only if a pattern is really
#     meant (and mind IRSA-002).
#   bad_example: |
#     "Condition": {"StringEquals": {
#       "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api-*"}}
#   good_example: |
#     "Condition": {"StringEquals": {
#       "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": ["system:serviceaccount:payments:api-web",
#                                                          "system:serviceaccount:payments:api-worker"]}}
package irsa_audit.rules.trust.literal_wildcard

import data.irsa_audit.lib.irsa

deny contains finding if {
	some n in irsa.wildcard_conditions
	pc := irsa.provider_conditions[n]
	pc.condition.base_operator in {"StringEquals", "StringEqualsIgnoreCase"}
	some value in pc.condition.values

	irsa.has_wildcard(value)
	finding := {
		"msg": sprintf(
			"%s value %q under %q is matched literally, not as a pattern, so the tokens it was meant to admit are refused",
			[pc.claim, value, pc.condition.operator],
		),
		"resource": pc.resource,
		"path": pc.path,
	}
}
