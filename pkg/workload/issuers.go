package workload

import (
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/trust"
)

// Platform is a CI/CD service whose OIDC tokens AWS roles trust through an IAM OIDC provider:
// its issuers, whether one issuer serves every customer, the audience its AWS integration asks
// for, and the grammar of its "sub" claim (enough of it to build tokens of other tenants and
// projects to probe a trust with).
type Platform struct {
	// ID names the platform in the facts, e.g. "github-actions".
	ID string
	// Name is the platform's name for messages, e.g. "GitHub Actions".
	Name string
	// Project is what the platform calls what a token is issued to, in messages:
	// "repository", "project", "workspace", "pipeline".
	Project string
	// OwnerKind names a tenant in messages: "owner", "group", "organization".
	OwnerKind string
	// Audience is the audience the platform's AWS integration requests by default; "" when
	// every user chooses their own.
	Audience string
	// SubRequiredSince says since when IAM refuses to create or update a trust in the
	// platform's shared issuer that has no condition on its "sub" key ("" when it does not, or
	// the source is not known): such a trust still there is legacy, and IAM never removed it.
	// IAM added the check in June 2025 (IAM User Guide document history, 6 June 2025), not
	// retroactively; the platforms listed are those whose own documentation cites it.
	SubRequiredSince string
	// match recognises an issuer (as IAM keys it: no scheme) and says whether it is shared by
	// every customer of the platform, and what the tenant space is called ("github.com").
	match func(issuer string) (shared bool, space string, ok bool)
	// subjects are "sub" claims of tokens of owner's project project, one per kind of run the
	// platform issues tokens for (branch, tag, environment, pull request, ...).
	subjects func(owner, project string) []string
	// owner reads the owner out of a "sub" condition value; ok is false when the value names
	// none without a wildcard.
	owner func(sub string) (string, bool)
	// repository reads "OWNER/PROJECT" out of a "sub" condition value, when it names one
	// without a wildcard; nil for a platform whose subjects pin no branch.
	repository func(sub string) (string, bool)
	// refs are "sub" claims of runs of repository (OWNER/PROJECT) that its trust should not
	// admit by accident, by what they stand for ("any branch", "pull requests").
	refs func(repository string) []Ref
	// workflowClaim is the claim that names the reusable workflow a job runs, which AWS can
	// check (GitHub's job_workflow_ref); "" for none. A job of any repository that calls the
	// workflow carries it, so a trust that pins it, and not the repository, admits them all.
	workflowClaim string
}

// Ref is a kind of run of a repository, with the "sub" claim of a token of one no trust names.
type Ref struct {
	What, Subject string
}

// Platforms are the CI/CD platforms the registry knows.
var Platforms = []*Platform{
	{
		ID: "github-actions", Name: "GitHub Actions", Project: "repository", OwnerKind: "owner", Audience: "sts.amazonaws.com",
		SubRequiredSince: "June 2025",
		match: func(issuer string) (bool, string, bool) {
			low := strings.ToLower(issuer)
			switch {
			case low == "token.actions.githubusercontent.com":
				return true, "github.com", true
			case strings.HasPrefix(low, "token.actions.githubusercontent.com/"):
				// An enterprise's own issuer (include_enterprise_slug): its tokens come only
				// from the enterprise's repositories.
				return false, "enterprise " + issuer[len("token.actions.githubusercontent.com/"):], true
			case strings.HasSuffix(low, "/_services/token"):
				// GitHub Enterprise Server: https://HOSTNAME/_services/token.
				return false, issuer[:len(issuer)-len("/_services/token")], true
			}
			return false, "", false
		},
		subjects: func(owner, repo string) []string {
			base := "repo:" + owner + "/" + repo + ":"
			return []string{base + "ref:refs/heads/main", base + "ref:refs/tags/v1", base + "environment:production", base + "pull_request"}
		},
		owner: func(sub string) (string, bool) {
			rest, ok := strings.CutPrefix(sub, "repo:")
			return ownerBefore(rest, "/", ok)
		},
		repository: func(sub string) (string, bool) {
			rest, ok := strings.CutPrefix(sub, "repo:")
			return ownerBefore(rest, ":", ok && strings.Contains(rest, "/"))
		},
		refs: func(repo string) []Ref {
			return []Ref{
				{"any branch", "repo:" + repo + ":ref:refs/heads/" + witnessName},
				{"pull requests", "repo:" + repo + ":pull_request"},
			}
		},
		workflowClaim: "job_workflow_ref",
	},
	{
		ID: "gitlab", Name: "GitLab CI/CD", Project: "project", OwnerKind: "group",
		match: func(issuer string) (bool, string, bool) {
			if strings.EqualFold(issuer, "gitlab.com") {
				return true, "gitlab.com", true
			}
			return false, "", false
		},
		subjects: func(group, project string) []string {
			base := "project_path:" + group + "/" + project + ":ref_type:"
			return []string{base + "branch:ref:main", base + "tag:ref:v1"}
		},
		owner: func(sub string) (string, bool) {
			rest, ok := strings.CutPrefix(sub, "project_path:")
			return ownerBefore(rest, "/", ok)
		},
		repository: func(sub string) (string, bool) {
			rest, ok := strings.CutPrefix(sub, "project_path:")
			return ownerBefore(rest, ":", ok && strings.Contains(rest, "/"))
		},
		refs: func(project string) []Ref {
			return []Ref{{"any branch", "project_path:" + project + ":ref_type:branch:ref:" + witnessName}}
		},
	},
	{
		ID: "hcp-terraform", Name: "HCP Terraform", Project: "workspace", OwnerKind: "organization", Audience: "aws.workload.identity",
		match: func(issuer string) (bool, string, bool) {
			if strings.EqualFold(issuer, "app.terraform.io") {
				return true, "app.terraform.io", true
			}
			return false, "", false
		},
		subjects: func(org, workspace string) []string {
			base := "organization:" + org + ":project:Default Project:workspace:" + workspace + ":run_phase:"
			return []string{base + "plan", base + "apply"}
		},
		owner: func(sub string) (string, bool) {
			rest, ok := strings.CutPrefix(sub, "organization:")
			return ownerBefore(rest, ":", ok)
		},
	},
	{
		// Buildkite's AWS plugin documents the June 2025 requirement of agent.buildkite.com:sub.
		ID: "buildkite", Name: "Buildkite", Project: "pipeline", OwnerKind: "organization", SubRequiredSince: "June 2025",
		match: func(issuer string) (bool, string, bool) {
			if strings.EqualFold(issuer, "agent.buildkite.com") {
				return true, "buildkite.com", true
			}
			return false, "", false
		},
		subjects: func(org, pipeline string) []string {
			base := "organization:" + org + ":pipeline:" + pipeline + ":ref:"
			return []string{base + "refs/heads/main:commit:0000000000000000000000000000000000000000:step:deploy"}
		},
		owner: func(sub string) (string, bool) {
			rest, ok := strings.CutPrefix(sub, "organization:")
			return ownerBefore(rest, ":", ok)
		},
	},
	{
		// CircleCI gives every organization its own issuer (oidc.circleci.com/org/<id>), whose
		// tokens name the organization, project and user by id.
		ID: "circleci", Name: "CircleCI", Project: "project", OwnerKind: "organization",
		match: func(issuer string) (bool, string, bool) {
			if rest, ok := cutPrefixFold(issuer, "oidc.circleci.com/org/"); ok && rest != "" {
				return false, "organization " + rest, true
			}
			return false, "", false
		},
		subjects: func(org, project string) []string {
			return []string{"org/" + org + "/project/" + project + "/user/" + witnessName}
		},
		owner: func(sub string) (string, bool) {
			rest, ok := strings.CutPrefix(sub, "org/")
			return ownerBefore(rest, "/", ok)
		},
	},
	{
		// Bitbucket Pipelines gives every workspace its own issuer
		// (api.bitbucket.org/2.0/workspaces/<WORKSPACE>/pipelines-config/identity/oidc) and
		// audience (ari:cloud:bitbucket::workspace/<WORKSPACE_UUID>); the subject names the
		// repository, the deployment environment and the step by UUID: "{REPOSITORY}:{STEP}",
		// or "{REPOSITORY}{ENVIRONMENT}:{STEP}" in a deployment step.
		ID: "bitbucket-pipelines", Name: "Bitbucket Pipelines", Project: "repository", OwnerKind: "workspace",
		match: func(issuer string) (bool, string, bool) {
			rest, ok := cutPrefixFold(issuer, "api.bitbucket.org/2.0/workspaces/")
			const suffix = "/pipelines-config/identity/oidc"
			if !ok || len(rest) <= len(suffix) || !strings.EqualFold(rest[len(rest)-len(suffix):], suffix) {
				return false, "", false
			}
			return false, "workspace " + rest[:len(rest)-len(suffix)], true
		},
		subjects: func(_, repo string) []string {
			r, step := "{"+repo+"}", ":{"+witnessName+"-step}"
			return []string{r + step, r + "{" + witnessName + "-environment}" + step}
		},
		// The workspace is the issuer's; a subject names no owner.
		owner: func(string) (string, bool) { return "", false },
	},
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// ownerBefore is the part of rest before sep, when ok and it holds no wildcard.
func ownerBefore(rest, sep string, ok bool) (string, bool) {
	if !ok {
		return "", false
	}
	owner, _, found := strings.Cut(rest, sep)
	if !found || owner == "" || strings.ContainsAny(owner, "*?") {
		return "", false
	}
	return owner, true
}

// PlatformOf finds the platform of an issuer (no scheme).
func PlatformOf(issuer string) (p *Platform, shared bool, space string, ok bool) {
	for _, p := range Platforms {
		if shared, space, ok := p.match(issuer); ok {
			return p, shared, space, true
		}
	}
	return nil, false, "", false
}

// witnessName is the owner and project of the probe tokens: no real tenant has it.
const witnessName = trust.WitnessName
