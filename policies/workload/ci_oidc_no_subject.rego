# METADATA
# title: CI OIDC trust on a shared issuer without a subject condition
# description: |
#   A trust statement trusts the OIDC provider of a CI/CD platform whose issuer is shared by
#   every customer of the platform (GitHub Actions' token.actions.githubusercontent.com,
#   gitlab.com, HCP Terraform's app.terraform.io, Buildkite's agent.buildkite.com) and sets no
#   condition on the issuer's "sub" key. Every job of every customer of the platform gets tokens
#   from that issuer, so anyone with an account there (a free one, a fork, a pull request) can
#   assume the role. The audience condition does not help: a job chooses its token's audience.
#   Since June 2025 IAM refuses to create or update such a trust for some of these issuers
#   (GitHub Actions, Buildkite), not retroactively: the finding says so (an existing trust is
#   legacy, a new one fails to apply).
# related_resources:
#   - description: documentation
#     ref: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
# custom:
#   id: IRSA-050
#   severity: critical
#   recommended_action: |
#     Add a StringEquals condition on "<issuer>:sub" naming the repository (project, workspace)
#     and the branch or environment that deploys, e.g.
#     "repo:ORG/REPO:environment:production".
#   bad_example: |
#     {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
#      "Action": "sts:AssumeRoleWithWebIdentity",
#      "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}
#   good_example: |
#     {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
#      "Action": "sts:AssumeRoleWithWebIdentity",
#      "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
#        "token.actions.githubusercontent.com:sub": "repo:acme/app:environment:production"}}}
package irsa_audit.rules.workload.ci_oidc_no_subject

import data.irsa_audit.lib.workload

deny contains finding if {
	some t in workload.ci
	t.shared == true
	t.subject_condition == false
	t.any_tenant == true
	finding := {
		"msg": sprintf(
			"%s %s trusts %s tokens of %s with no condition on %s:sub: any %s of %s%s can assume it%s",
			[_kind(t), t.resource.id, t.platform_name, t.issuer, t.issuer, t.project, t.space, workload.calling(t), _legacy(t)],
		),
		"resource": t.resource,
		"path": t.path,
	}
}

_kind(t) := "Role" if t.resource.kind == "role"

_kind(t) := "Trust policy" if t.resource.kind != "role"

# _legacy says that IAM would refuse this trust today (it has since refused_since), so it is a
# legacy one that IAM left in place.
_legacy(t) := sprintf(" (IAM has refused to create or update such a trust since %s: an existing one is legacy, a new one fails to apply)", [t.refused_since]) if {
	object.get(t, "refused_since", "") != ""
} else := ""
