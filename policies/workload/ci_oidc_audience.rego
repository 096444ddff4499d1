# METADATA
# title: CI OIDC trust with a missing or wrong audience condition
# description: |
#   A trust statement trusts a CI/CD platform's OIDC provider, and its "aud" condition either
#   admits tokens of any audience (no condition, or one that does not restrict) or refuses the
#   audience the platform's AWS integration requests (sts.amazonaws.com for GitHub Actions'
#   aws-actions/configure-aws-credentials, aws.workload.identity for HCP Terraform). Without an
#   audience condition, a token the job requested for another service (any audience the
#   provider's client id list accepts) also assumes the role; with the wrong one, the platform's
#   standard jobs cannot assume it. The subject condition remains the control that matters.
# related_resources:
#   - description: documentation
#     ref: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services#configuring-the-role-and-trust-policy
# custom:
#   id: IRSA-052
#   severity: medium
#   recommended_action: |
#     Add a StringEquals condition on "<issuer>:aud" with the audience the platform requests
#     (sts.amazonaws.com for GitHub Actions).
#   bad_example: |
#     "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}
#   good_example: |
#     "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main",
#       "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
package irsa_audit.rules.workload.ci_oidc_audience

import data.irsa_audit.lib.workload

deny contains finding if {
	some t in workload.ci
	t.audience == "missing"
	finding := {
		"msg": sprintf(
			"%s %s trusts %s tokens of %s with no condition that pins %s:aud: a token the job requested for any audience assumes it",
			[_kind(t), t.resource.id, t.platform_name, t.issuer, t.issuer],
		),
		"resource": t.resource,
		"path": t.path,
	}
}

deny contains finding if {
	some t in workload.ci
	t.audience == "wrong"
	finding := {
		"msg": sprintf(
			"%s %s trusts %s tokens of %s but its %s:aud condition refuses %s, the audience %s requests by default: jobs that do not choose another audience cannot assume it",
			[_kind(t), t.resource.id, t.platform_name, t.issuer, t.issuer, t.expected_audience, t.platform_name],
		),
		"resource": t.resource,
		"path": t.path,
	}
}

_kind(t) := "Role" if t.resource.kind == "role"

_kind(t) := "Trust policy" if t.resource.kind != "role"
