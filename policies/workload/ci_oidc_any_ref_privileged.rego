# METADATA
# title: CI OIDC trust admits any branch or pull request of a repository, for a privileged role
# description: |
#   A trust statement trusts a CI/CD platform's OIDC provider for one repository (project) but,
#   evaluated as IAM does, also admits tokens of runs it does not name: of any branch ("repo:
#   ORG/REPO:*", "ref:refs/heads/*") or of pull requests ("repo:ORG/REPO:pull_request"). The role
#   holds write, administrator or privilege-escalation permissions (the permission analysis'
#   dangerous grants, as IRSA-040 reads them). Whoever can push a branch to the repository, or
#   open a pull request whose workflow runs with an OIDC token, gets those permissions without a
#   review of what reaches the protected branch or the deployment environment.
# related_resources:
#   - description: documentation
#     ref: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#example-subject-claims
#   - ref: https://docs.gitlab.com/ci/cloud_services/#configure-a-conditional-role-with-oidc-claims
# custom:
#   id: IRSA-053
#   severity: high
#   recommended_action: |
#     Pin the "sub" condition to the protected branch or, better, to a deployment environment
#     with required reviewers ("repo:ORG/REPO:environment:production"); give the workflows of
#     other branches and pull requests a role without write permissions.
#   bad_example: |
#     "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}
#     (the role has AdministratorAccess)
#   good_example: |
#     "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/app:environment:production"}
package irsa_audit.rules.workload.ci_oidc_any_ref_privileged

import data.irsa_audit.lib.grants
import data.irsa_audit.lib.workload

deny contains finding if {
	some t in workload.ci
	t.role >= 0
	some r in t.refs
	some holder in object.get(input, ["permissions", "holders"], [])
	holder.role == t.role
	danger := holder.dangerous
	finding := {
		"msg": sprintf(
			"Role %s trusts %s tokens of %s for %s of %s, and holds %s permissions (%s): whoever can push a branch there%s gets them",
			[
				t.resource.id, t.platform_name, t.issuer, concat(" and ", r.admitted), r.repository,
				_kinds(danger.kinds), grants.names(danger.actions), _pull_requests(r),
			],
		),
		"resource": t.resource,
		"path": t.path,
		"key": r.repository,
	}
}

_pull_requests(r) := " or open a pull request" if "pull requests" in r.admitted

_pull_requests(r) := "" if not "pull requests" in r.admitted

# _kinds words the permission analysis' kinds of dangerous grants as IRSA-040 does.
_kinds(kinds) := concat(", ", [object.get(_kind_names, k, k) | some k in kinds])

_kind_names := {
	"admin": "administrator",
	"privilege_escalation": "privilege-escalation",
	"s3_all_resources": "S3-on-every-bucket",
	"s3_wildcard_write": "wildcard S3 write",
	"secrets_read": "secret-reading",
}
