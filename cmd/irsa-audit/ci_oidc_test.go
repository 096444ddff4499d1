package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/internal/fakeaws"
)

// ciAccount is the account of the CI OIDC estate (in no example).
const ciAccount = "135792468013"

func ciTrust(issuer, condition string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"Federated":"arn:aws:iam::` + ciAccount + `:oidc-provider/` + issuer + `"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":` + condition + `}]}`
}

// TestCIOIDCLive collects roles trusting GitHub Actions, GitLab and HCP Terraform from the
// loopback AWS and scans them live and as a saved snapshot: the shapes the issue names (repo:*,
// repo:ORG/*, no sub, the immutable form, an environment-pinned trust without aud, a GitLab
// and an HCP Terraform trust) give their findings, the pinned trusts none.
func TestCIOIDCLive(t *testing.T) {
	const gh = "token.actions.githubusercontent.com"
	aud := `"` + gh + `:aud":"sts.amazonaws.com"`
	roles := []*fakeaws.Role{
		{Name: "irsa-audit", TrustPolicy: auditRoleTrust},
		{Name: "gh-any", TrustPolicy: ciTrust(gh, `{"StringEquals":{`+aud+`},"StringLike":{"`+gh+`:sub":"repo:*"}}`)},
		{Name: "gh-org", TrustPolicy: ciTrust(gh, `{"StringEquals":{`+aud+`},"StringLike":{"`+gh+`:sub":"repo:acme/*"}}`)},
		{Name: "gh-nosub", TrustPolicy: ciTrust(gh, `{"StringEquals":{`+aud+`}}`)},
		{Name: "gh-immutable", TrustPolicy: ciTrust(gh, `{"StringEquals":{`+aud+`,"`+gh+`:sub":"repo:acme@1234/app@5678:ref:refs/heads/main"}}`)},
		{Name: "gh-env-noaud", TrustPolicy: ciTrust(gh, `{"StringEquals":{"`+gh+`:sub":"repo:acme/app:environment:production"}}`)},
		{Name: "gitlab-group", TrustPolicy: ciTrust("gitlab.com", `{"StringLike":{"gitlab.com:sub":"project_path:acme/*:ref_type:branch:ref:main"},"StringEquals":{"gitlab.com:aud":"https://gitlab.com"}}`)},
		{Name: "hcp-nosub", TrustPolicy: ciTrust("app.terraform.io", `{"StringEquals":{"app.terraform.io:aud":"aws.workload.identity"}}`)},
		{Name: "hcp-pinned", TrustPolicy: ciTrust("app.terraform.io", `{"StringEquals":{"app.terraform.io:aud":"aws.workload.identity","app.terraform.io:sub":"organization:acme:project:Default Project:workspace:prod:run_phase:apply"}}`)},
	}
	var providers []*fakeaws.OIDCProvider
	for _, issuer := range []string{gh, "gitlab.com", "app.terraform.io"} {
		providers = append(providers, &fakeaws.OIDCProvider{URL: issuer, ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{strings.Repeat("c", 40)}})
	}
	srv := fakeaws.New(&fakeaws.Estate{Accounts: []*fakeaws.Account{{
		ID: ciAccount, AccessKeyID: liveKey, Roles: roles, OIDCProviders: providers,
		Regions: []*fakeaws.Region{{Name: "us-east-1"}},
	}}})
	t.Cleanup(srv.Close)
	useFakeAWSServer(t, srv)

	role := func(name string) string { return "role arn:aws:iam::" + ciAccount + ":role/" + name }
	want := []string{
		"IRSA-050 critical " + role("gh-nosub"),
		"IRSA-050 critical " + role("hcp-nosub"),
		"IRSA-051 critical " + role("gh-any"),
		"IRSA-051 high " + role("gh-org"),
		"IRSA-051 high " + role("gitlab-group"),
		"IRSA-052 medium " + role("gh-env-noaud"),
	}
	ciFindings := func(stdout string) []string {
		var got []string
		for _, f := range decodeReport(t, stdout).Findings {
			if strings.HasPrefix(f.RuleID, "IRSA-05") {
				got = append(got, f.RuleID+" "+f.Severity.String()+" "+f.Resource.Kind+" "+f.Resource.ID)
			}
		}
		slices.Sort(got)
		return got
	}
	code, stdout, stderr := runCLI(t, "", "scan", "--aws", "--quiet", "--format", "json")
	if code != exitFindings {
		t.Fatalf("exit code = %d, want %d\nstderr:\n%s", code, exitFindings, stderr)
	}
	if diff := cmp.Diff(want, ciFindings(stdout)); diff != "" {
		t.Errorf("live findings (-want +got):\n%s", diff)
	}

	out := filepath.Join(t.TempDir(), "snapshot.json")
	if code, _, stderr := runCLI(t, "", "collect", "--aws", "--quiet", "-o", out); code != exitOK {
		t.Fatalf("collect: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
	code, saved, stderr := runCLI(t, "", "scan", "--format", "json", out)
	if code != exitFindings {
		t.Fatalf("scan snapshot: exit %d\n%s", code, stderr)
	}
	if diff := cmp.Diff(want, ciFindings(saved)); diff != "" {
		t.Errorf("saved snapshot findings (-want +got):\n%s", diff)
	}
}
