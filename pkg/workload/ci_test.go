package workload

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

func ciTrustDoc(t *testing.T, issuer, condition string) *snapshot.Document {
	t.Helper()
	c := ""
	if condition != "" {
		c = `, "Condition": ` + condition
	}
	return doc(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
		"Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/`+issuer+`"},
		"Action": "sts:AssumeRoleWithWebIdentity"`+c+`}]}`)
}

// ciVerdict is the part of a CITrust a case checks.
type ciVerdict struct {
	Platform, Space  string
	Shared, SubCond  bool
	AnyTenant        bool
	Owners           []string
	Audience         string
	ExpectedAudience string
}

func TestCITrusts(t *testing.T) {
	const gh = "token.actions.githubusercontent.com"
	const bb = "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"
	aud := `"` + gh + `:aud": "sts.amazonaws.com"`
	for _, tc := range []struct {
		name, issuer, condition string
		want                    []ciVerdict // nil: not a CI trust
	}{
		{"github no sub", gh, `{"StringEquals": {` + aud + `}}`,
			[]ciVerdict{{"github-actions", "github.com", true, false, true, []string{}, "pinned", "sts.amazonaws.com"}}},
		{"github repo:*", gh, `{"StringEquals": {` + aud + `}, "StringLike": {"` + gh + `:sub": "repo:*"}}`,
			[]ciVerdict{{"github-actions", "github.com", true, true, true, []string{}, "pinned", "sts.amazonaws.com"}}},
		{"github org wildcard", gh, `{"StringEquals": {` + aud + `}, "StringLike": {"` + gh + `:sub": ["repo:acme/*", "repo:other/app:ref:refs/heads/main"]}}`,
			[]ciVerdict{{"github-actions", "github.com", true, true, false, []string{"acme"}, "pinned", "sts.amazonaws.com"}}},
		{"github one repo any branch", gh, `{"StringEquals": {` + aud + `}, "StringLike": {"` + gh + `:sub": "repo:acme/app:*"}}`,
			[]ciVerdict{{"github-actions", "github.com", true, true, false, []string{}, "pinned", "sts.amazonaws.com"}}},
		{"github environment pinned, no aud", gh, `{"StringEquals": {"` + gh + `:sub": "repo:acme/app:environment:production"}}`,
			[]ciVerdict{{"github-actions", "github.com", true, true, false, []string{}, "missing", "sts.amazonaws.com"}}},
		{"github immutable form, owner-wide", gh, `{"StringEquals": {` + aud + `}, "StringLike": {"` + gh + `:sub": "repo:acme@123/*"}}`,
			[]ciVerdict{{"github-actions", "github.com", true, true, false, []string{"acme@123"}, "pinned", "sts.amazonaws.com"}}},
		{"github StringEquals with a literal star", gh, `{"StringEquals": {` + aud + `, "` + gh + `:sub": "repo:acme/*"}}`,
			[]ciVerdict{{"github-actions", "github.com", true, true, false, []string{}, "pinned", "sts.amazonaws.com"}}},
		{"github ForAllValues trap", gh, `{"StringEquals": {` + aud + `}, "ForAllValues:StringLike": {"` + gh + `:sub": "repo:acme/app:*"}}`,
			[]ciVerdict{{"github-actions", "github.com", true, true, false, []string{}, "pinned", "sts.amazonaws.com"}}},
		{"github wrong aud", gh, `{"StringEquals": {"` + gh + `:aud": "https://github.com/acme", "` + gh + `:sub": "repo:acme/app:ref:refs/heads/main"}}`,
			[]ciVerdict{{"github-actions", "github.com", true, true, false, []string{}, "wrong", "sts.amazonaws.com"}}},
		{"github enterprise issuer", gh + "/acme", `{"StringEquals": {"` + gh + `/acme:aud": "sts.amazonaws.com"}}`,
			[]ciVerdict{{"github-actions", "enterprise acme", false, false, true, []string{}, "pinned", "sts.amazonaws.com"}}},
		{"gitlab group wildcard", "gitlab.com", `{"StringLike": {"gitlab.com:sub": "project_path:acme/*:ref_type:branch:ref:main"}, "StringEquals": {"gitlab.com:aud": "https://gitlab.com"}}`,
			[]ciVerdict{{"gitlab", "gitlab.com", true, true, false, []string{"acme"}, "pinned", ""}}},
		{"hcp terraform no sub", "app.terraform.io", `{"StringEquals": {"app.terraform.io:aud": "aws.workload.identity"}}`,
			[]ciVerdict{{"hcp-terraform", "app.terraform.io", true, false, true, []string{}, "pinned", "aws.workload.identity"}}},
		{"hcp terraform workspace pinned", "app.terraform.io", `{"StringEquals": {"app.terraform.io:aud": "aws.workload.identity"}, "StringLike": {"app.terraform.io:sub": "organization:acme:project:*:workspace:prod:run_phase:*"}}`,
			[]ciVerdict{{"hcp-terraform", "app.terraform.io", true, true, false, []string{}, "pinned", "aws.workload.identity"}}},
		{"buildkite no sub", "agent.buildkite.com", `{"StringEquals": {"agent.buildkite.com:aud": "sts.amazonaws.com"}}`,
			[]ciVerdict{{"buildkite", "buildkite.com", true, false, true, []string{}, "pinned", ""}}},
		{"buildkite organization wildcard", "agent.buildkite.com", `{"StringEquals": {"agent.buildkite.com:aud": "sts.amazonaws.com"}, "StringLike": {"agent.buildkite.com:sub": "organization:acme:*"}}`,
			[]ciVerdict{{"buildkite", "buildkite.com", true, true, false, []string{"acme"}, "pinned", ""}}},
		{"circleci organization issuer without sub", "oidc.circleci.com/org/0f1e2d3c", `{"StringEquals": {"oidc.circleci.com/org/0f1e2d3c:aud": "0f1e2d3c"}}`,
			[]ciVerdict{{"circleci", "organization 0f1e2d3c", false, false, true, []string{}, "pinned", ""}}},
		{"circleci project pinned", "oidc.circleci.com/org/0f1e2d3c", `{"StringEquals": {"oidc.circleci.com/org/0f1e2d3c:aud": "0f1e2d3c"}, "StringLike": {"oidc.circleci.com/org/0f1e2d3c:sub": "org/0f1e2d3c/project/9a8b7c6d/user/*"}}`,
			[]ciVerdict{{"circleci", "organization 0f1e2d3c", false, true, false, []string{}, "pinned", ""}}},
		{"bitbucket workspace issuer without sub", bb, `{"StringEquals": {"` + bb + `:aud": "ari:cloud:bitbucket::workspace/0f1e"}}`,
			[]ciVerdict{{"bitbucket-pipelines", "workspace acme", false, false, true, []string{}, "pinned", ""}}},
		{"bitbucket any repository", bb, `{"StringEquals": {"` + bb + `:aud": "ari:cloud:bitbucket::workspace/0f1e"}, "StringLike": {"` + bb + `:sub": "{*}:{*}"}}`,
			[]ciVerdict{{"bitbucket-pipelines", "workspace acme", false, true, true, []string{}, "pinned", ""}}},
		{"bitbucket repository pinned", bb, `{"StringEquals": {"` + bb + `:aud": "ari:cloud:bitbucket::workspace/0f1e"}, "StringLike": {"` + bb + `:sub": "{9a8b7c6d-0000-4000-8000-000000000001}*:*"}}`,
			[]ciVerdict{{"bitbucket-pipelines", "workspace acme", false, true, false, []string{}, "pinned", ""}}},
		{"bitbucket issuer of another path", "api.bitbucket.org/2.0/workspaces/acme", ``, nil},
		{"unknown issuer", "example.com", ``, nil},
		{"eks issuer", "oidc.eks.us-east-1.amazonaws.com/id/ABC", ``, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := &snapshot.Snapshot{Roles: []snapshot.Role{{ARN: roleARN, TrustPolicy: ciTrustDoc(t, tc.issuer, tc.condition)}}}
			var got []ciVerdict
			for _, c := range CITrusts(snap) {
				got = append(got, ciVerdict{c.Platform, c.Space, c.Shared, c.SubjectCondition, c.AnyTenant, c.Owners, c.Audience, c.ExpectedAudience})
				if diff := cmp.Diff([]any{"roles", 0, "trust_policy", "statements", 0}, c.Path); diff != "" {
					t.Errorf("path (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ci trusts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCITrustTemplatePrincipal: a CloudFormation !If between two providers marks the principal
// unknown; the provider it names is still judged (the cloudformation example's deploy role).
func TestCITrustTemplatePrincipal(t *testing.T) {
	const provider = "arn:aws:iam::«AWS.AccountId»:oidc-provider/token.actions.githubusercontent.com"
	d := doc(t, `{"Statement": [{"Effect": "Allow", "Principal": {"Federated": "`+provider+`"}, "Action": "sts:AssumeRoleWithWebIdentity",
		"Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:example-org/*"}}}]}`)
	d.Statements[0].Unknown = []string{"principal"}
	got := CITrusts(&snapshot.Snapshot{Roles: []snapshot.Role{{ARN: roleARN, TrustPolicy: d}}})
	if len(got) != 1 || got[0].Provider != provider || !cmp.Equal(got[0].Owners, []string{"example-org"}) || got[0].Audience != "missing" {
		t.Errorf("ci trusts = %+v", got)
	}
}

func TestCIRefs(t *testing.T) {
	const gh = "token.actions.githubusercontent.com"
	aud := `"` + gh + `:aud": "sts.amazonaws.com"`
	for _, tc := range []struct {
		name, issuer, condition string
		want                    []RepositoryRefs
	}{
		{"any ref of one repository", gh, `{"StringEquals": {` + aud + `}, "StringLike": {"` + gh + `:sub": "repo:acme/app:*"}}`,
			[]RepositoryRefs{{"acme/app", []string{"any branch", "pull requests"}}}},
		{"branches only", gh, `{"StringEquals": {` + aud + `}, "StringLike": {"` + gh + `:sub": "repo:acme/app:ref:refs/heads/*"}}`,
			[]RepositoryRefs{{"acme/app", []string{"any branch"}}}},
		{"pull requests listed", gh, `{"StringEquals": {` + aud + `, "` + gh + `:sub": ["repo:acme/app:ref:refs/heads/main", "repo:acme/app:pull_request"]}}`,
			[]RepositoryRefs{{"acme/app", []string{"pull requests"}}}},
		{"environment pinned", gh, `{"StringEquals": {` + aud + `, "` + gh + `:sub": "repo:acme/app:environment:production"}}`,
			[]RepositoryRefs{}},
		{"gitlab any branch", "gitlab.com", `{"StringLike": {"gitlab.com:sub": "project_path:acme/app:ref_type:branch:ref:*"}}`,
			[]RepositoryRefs{{"acme/app", []string{"any branch"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CITrusts(&snapshot.Snapshot{Roles: []snapshot.Role{{ARN: roleARN, TrustPolicy: ciTrustDoc(t, tc.issuer, tc.condition)}}})
			if len(got) != 1 {
				t.Fatalf("ci trusts = %+v", got)
			}
			if diff := cmp.Diff(tc.want, got[0].Refs); diff != "" {
				t.Errorf("refs (-want +got):\n%s", diff)
			}
			if got[0].Role != 0 {
				t.Errorf("role = %d, want 0", got[0].Role)
			}
		})
	}
}

func TestOtherOIDCTrusts(t *testing.T) {
	for _, tc := range []struct {
		name, issuer, condition string
		want                    []bool // SubjectCondition of each entry
	}{
		{"no sub", "auth.example.com", `{"StringEquals": {"auth.example.com:aud": "my-app"}}`, []bool{false}},
		{"sub wildcard", "auth.example.com", `{"StringLike": {"auth.example.com:sub": "*"}}`, []bool{true}},
		{"sub negated", "auth.example.com", `{"StringNotEquals": {"auth.example.com:sub": "nobody"}}`, []bool{true}},
		{"sub pinned", "auth.example.com", `{"StringEquals": {"auth.example.com:sub": "svc-deploy"}}`, nil},
		{"kubernetes issuer", "k8s.example.com", `{"StringLike": {"k8s.example.com:sub": "system:serviceaccount:*"}}`, nil},
		{"eks issuer", "oidc.eks.us-east-1.amazonaws.com/id/ABC", ``, nil},
		{"ci platform", "token.actions.githubusercontent.com", ``, nil},
		{"unknown claim key", "auth.example.com", `{"StringEquals": {"auth.example.com:email": "a@example.com"}}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []bool
			for _, o := range OtherOIDCTrusts(&snapshot.Snapshot{Roles: []snapshot.Role{{ARN: roleARN, TrustPolicy: ciTrustDoc(t, tc.issuer, tc.condition)}}}) {
				got = append(got, o.SubjectCondition)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestCIRefusedSince: a trust without a subject condition in a shared issuer for which IAM
// refuses such trusts today is legacy; with a subject condition, or another platform, it is not.
func TestCIRefusedSince(t *testing.T) {
	const gh = "token.actions.githubusercontent.com"
	for _, tc := range []struct {
		name, issuer, condition, want string
	}{
		{"github no sub", gh, `{"StringEquals": {"` + gh + `:aud": "sts.amazonaws.com"}}`, "June 2025"},
		{"github repo:*", gh, `{"StringLike": {"` + gh + `:sub": "repo:*"}}`, ""},
		{"github enterprise issuer", gh + "/acme", `{"StringEquals": {"` + gh + `/acme:aud": "sts.amazonaws.com"}}`, ""},
		{"buildkite no sub", "agent.buildkite.com", `{"StringEquals": {"agent.buildkite.com:aud": "sts.amazonaws.com"}}`, "June 2025"},
		{"hcp terraform no sub", "app.terraform.io", `{"StringEquals": {"app.terraform.io:aud": "aws.workload.identity"}}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CITrusts(&snapshot.Snapshot{Roles: []snapshot.Role{{ARN: roleARN, TrustPolicy: ciTrustDoc(t, tc.issuer, tc.condition)}}})
			if len(got) != 1 || got[0].RefusedSince != tc.want {
				t.Errorf("ci trusts = %+v, want refused since %q", got, tc.want)
			}
		})
	}
}

// TestCIReusableWorkflow: a trust that pins GitHub's job_workflow_ref but not the repository
// admits any repository whose job calls that reusable workflow; pinned to a repository too, it
// does not. Without the workflow the probes' tokens carry, the condition would only make the
// verdict unknown and hide the first case.
func TestCIReusableWorkflow(t *testing.T) {
	const gh = "token.actions.githubusercontent.com"
	const wf = "acme/workflows/.github/workflows/deploy.yml@refs/heads/main"
	for _, tc := range []struct {
		name, sub string
		anyTenant bool
		owners    []string
	}{
		{"any repository", "repo:*", true, []string{}},
		{"any repository of an owner", "repo:acme/*", false, []string{"acme"}},
		{"one repository", "repo:acme/app:ref:refs/heads/main", false, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := ciTrustDoc(t, gh, `{"StringEquals": {"`+gh+`:aud": "sts.amazonaws.com", "`+gh+`:job_workflow_ref": "`+wf+`"}, "StringLike": {"`+gh+`:sub": "`+tc.sub+`"}}`)
			got := CITrusts(&snapshot.Snapshot{Roles: []snapshot.Role{{ARN: roleARN, TrustPolicy: d}}})
			if len(got) != 1 {
				t.Fatalf("ci trusts = %+v", got)
			}
			if got[0].AnyTenant != tc.anyTenant || !cmp.Equal(got[0].Owners, tc.owners) || !cmp.Equal(got[0].Workflows, []string{wf}) {
				t.Errorf("any tenant %v, owners %v, workflows %v; want %v, %v, [%s]", got[0].AnyTenant, got[0].Owners, got[0].Workflows, tc.anyTenant, tc.owners, wf)
			}
		})
	}
}
