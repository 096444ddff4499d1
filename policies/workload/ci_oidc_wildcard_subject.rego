# METADATA
# title: CI OIDC trust admits any repository of a platform or an owner
# description: |
#   A trust statement trusts a CI/CD platform's OIDC provider, and its "sub" conditions,
#   evaluated as IAM does (values ORed, StringLike wildcards, ForAllValues and IfExists on a
#   claim, negated operators), admit tokens of repositories (projects, workspaces) it does not
#   name: of any owner on the platform ("repo:*", a pattern that matches every owner; critical),
#   or of any repository of an owner ("repo:ORG/*", "project_path:GROUP/*"; high), or, for an
#   issuer of one enterprise, one GitHub Enterprise Server, one CircleCI organization or one
#   Bitbucket workspace, any repository there. Whoever can
#   run a job in such a repository (create one, push to a fork of one, open a pull request
#   where workflows run) can assume the role. The rule probes the trust with tokens of every kind
#   of run the platform issues (branch, tag, environment, pull request; GitHub's immutable
#   "repo:OWNER@ID/REPO@ID" form) for an owner and a repository no one has. A trust that pins
#   a reusable workflow (GitHub's job_workflow_ref) but not the repository admits every
#   repository whose job calls that workflow: the finding names it (a public workflow can be
#   called by anyone).
# related_resources:
#   - description: documentation
#     ref: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#example-subject-claims
#   - ref: https://docs.gitlab.com/ci/cloud_services/aws/
#   - ref: https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration
# custom:
#   id: IRSA-051
#   severity: high
#   recommended_action: |
#     Name the repository (project, workspace) in the "sub" condition, with StringEquals, and
#     the branch or environment that deploys: "repo:ORG/REPO:environment:production",
#     "project_path:GROUP/PROJECT:ref_type:branch:ref:main",
#     "organization:ORG:project:P:workspace:W:run_phase:apply".
#   bad_example: |
#     "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}
#   good_example: |
#     "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}
package irsa_audit.rules.workload.ci_oidc_wildcard_subject

import data.irsa_audit.lib.workload

# Any owner of a shared platform, with a subject condition that does not pin one (the case
# without a subject condition is IRSA-050's).
deny contains finding if {
	some t in workload.ci
	t.any_tenant == true
	t.shared == true
	t.subject_condition == true
	finding := {
		"msg": sprintf(
			"%s %s trusts %s tokens of %s whose %s:sub condition admits any %s of %s%s",
			[_kind(t), t.resource.id, t.platform_name, t.issuer, t.issuer, t.project, t.space, workload.calling(t)],
		),
		"resource": t.resource,
		"path": t.path,
		"severity": "critical",
	}
}

# Any repository of one enterprise's or one server's issuer.
deny contains finding if {
	some t in workload.ci
	t.any_tenant == true
	t.shared == false
	finding := {
		"msg": sprintf(
			"%s %s trusts %s tokens of %s (%s) with %s: any %s there%s can assume it",
			[_kind(t), t.resource.id, t.platform_name, t.issuer, t.space, _subject(t), t.project, workload.calling(t)],
		),
		"resource": t.resource,
		"path": t.path,
	}
}

# Any repository of an owner the condition names.
deny contains finding if {
	some t in workload.ci
	t.any_tenant == false
	some owner in t.owners
	finding := {
		"msg": sprintf(
			"%s %s trusts %s tokens of %s whose %s:sub condition admits any %s of %s %s%s",
			[_kind(t), t.resource.id, t.platform_name, t.issuer, t.issuer, t.project, t.owner_kind, owner, workload.calling(t)],
		),
		"resource": t.resource,
		"path": t.path,
	}
}

_kind(t) := "Role" if t.resource.kind == "role"

_kind(t) := "Trust policy" if t.resource.kind != "role"

_subject(t) := "a sub condition that does not pin one" if t.subject_condition == true

_subject(t) := "no sub condition" if t.subject_condition == false
