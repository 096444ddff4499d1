package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

func decodeReport(t *testing.T, stdout string) findings.Report {
	t.Helper()
	var r findings.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("decode json report: %v\n%s", err, stdout)
	}
	return r
}

func ruleIDs(r findings.Report) []string {
	var ids []string
	for _, f := range r.Findings {
		if !slices.Contains(ids, f.RuleID) {
			ids = append(ids, f.RuleID)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestEveryRuleHasAnExample checks that each example shows exactly the rules it is meant to
// show, and that every built-in rule judging single files is shown by one of them.
func TestEveryRuleHasAnExample(t *testing.T) {
	examples := map[string][]string{
		"examples/irsa-s3":                       nil,
		"docs/permissions":                       nil, // the scanner's own permissions scan clean
		"examples/broken/no-sub":                 {"IRSA-001"},
		"examples/broken/wildcard-sub":           {"IRSA-002"},
		"examples/broken/no-aud":                 {"IRSA-003"},
		"examples/broken/permissive-operators":   {"IRSA-004"},
		"examples/broken/mismatched-issuer":      {"IRSA-005"},
		"examples/broken/literal-wildcard":       {"IRSA-006"},
		"examples/broken/public-principal":       {"IRSA-009"},
		"examples/broken/extra-actions":          {"IRSA-010"},
		"examples/broken/wrong-audience":         {"IRSA-011"},
		"examples/broken/default-serviceaccount": {"IRSA-023"},
		"examples/broken/bad-annotation":         {"IRSA-026"},
		"examples/broken/s3-full-access":         {"IRSA-030", "IRSA-031", "IRSA-035"},
		"examples/broken/admin-policy":           {"IRSA-032"},
		"examples/broken/not-action":             {"IRSA-033", "IRSA-035"},
		"examples/broken/escalation":             {"IRSA-034"},
		"examples/broken/s3-typo":                {"IRSA-036"},
		"examples/broken/secrets-everywhere":     {"IRSA-037"},
		// CI OIDC trusts (GitHub Actions, GitLab, HCP Terraform, Bitbucket); examples/ci-oidc are the pinned ones.
		"examples/broken/github-no-sub":          {"IRSA-050"},
		"examples/broken/terraform-cloud-no-sub": {"IRSA-050"},
		"examples/broken/ci-wildcard-subject":    {"IRSA-051"},
		"examples/broken/github-no-aud":          {"IRSA-052"},
		"examples/broken/oidc-any-subject":       {"IRSA-054"},
		// GitHub: a reusable workflow pinned, the repository not: any repository that calls it.
		"examples/broken/github-reusable-workflow": {"IRSA-051"},
		// A Bitbucket Pipelines workspace issuer with no sub: any repository of the workspace.
		"examples/broken/bitbucket-any-repository": {"IRSA-051"},
		// A role with administrator permissions trusting any branch and pull request of a repository.
		"examples/broken/github-any-branch": {"IRSA-032", "IRSA-040", "IRSA-053"},
		"examples/ci-oidc":                  nil,
		// An EKS Pod Identity estate as AWS CLI and kubectl exports: one association per rule.
		"examples/pod-identity": {"IRSA-060", "IRSA-061", "IRSA-062", "IRSA-063", "IRSA-064", "IRSA-065", "IRSA-066"},
		// Account and cluster exports: the cross-resource rules, one example each.
		"examples/inventory/stale-provider":      {"IRSA-008"},
		"examples/inventory/orphan-role":         {"IRSA-020"},
		"examples/inventory/dangling-annotation": {"IRSA-021"},
		"examples/inventory/binding-mismatch":    {"IRSA-022"},
		"examples/inventory/shared-role":         {"IRSA-025"},
		"examples/inventory/wrong-audience":      {"IRSA-011", "IRSA-027"},
		// A role in an account export, with an AWS managed policy attached by ARN only.
		"examples/permissions": {"IRSA-002", "IRSA-030", "IRSA-031", "IRSA-035", "IRSA-040"},
	}
	shown := map[string]bool{}
	for dir, want := range examples {
		t.Run(dir, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", "scan", "--format", "json", dir)
			wantCode := exitFindings
			if len(want) == 0 {
				wantCode = exitOK
			}
			if code != wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, wantCode, stderr)
			}
			r := decodeReport(t, stdout)
			if diff := cmp.Diff(want, ruleIDs(r)); diff != "" {
				t.Errorf("rule ids (-want +got):\n%s", diff)
			}
			if len(r.Errors) != 0 {
				t.Errorf("errors: %+v", r.Errors)
			}
			for _, f := range r.Findings {
				if f.Location.File == "" || f.Location.StartLine == 0 || f.Location.EndLine < f.Location.StartLine {
					t.Errorf("finding %s has no usable location: %+v", f.RuleID, f.Location)
				}
				if f.Fingerprint == "" {
					t.Errorf("finding %s has no fingerprint", f.RuleID)
				}
			}
		})
		for _, id := range want {
			shown[id] = true
		}
	}
	// The cross-resource rules (group inventory) need whole estates: examples/inventory and the
	// inventory and live tests show them. Every other built-in rule must have an example here.
	for _, r := range builtinRules(t) {
		if !strings.Contains(r.Package, ".inventory.") && !shown[r.ID] {
			t.Errorf("rule %s (%s) has no example under examples/", r.ID, r.Package)
		}
	}
}

func builtinRules(t *testing.T) []findings.Rule {
	t.Helper()
	code, stdout, _ := runCLI(t, "", "rules", "--format", "json")
	if code != exitOK {
		t.Fatalf("rules: exit %d", code)
	}
	var rules []findings.Rule
	if err := json.Unmarshal([]byte(stdout), &rules); err != nil {
		t.Fatal(err)
	}
	if len(rules) < 27 {
		t.Fatalf("rules --format json listed %d rules, want all 27 built-in ones", len(rules))
	}
	return rules
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		wantOutput string
	}{
		{"unknown format", []string{"scan", "--format", "xml", "examples/irsa-s3"}, `unknown format "xml"`},
		{"unknown fail-on", []string{"scan", "--fail-on", "severe", "examples/irsa-s3"}, `unknown --fail-on value "severe"`},
		{"unknown flag", []string{"scan", "--frobnicate", "examples/irsa-s3"}, "unknown flag: --frobnicate"},
		{"no paths", []string{"scan"}, "scan needs at least one PATH"},
		{"bad size", []string{"scan", "--max-file-size", "huge", "examples/irsa-s3"}, `invalid size "huge"`},
		{"bad color", []string{"scan", "--color", "rainbow", "examples/irsa-s3"}, "--color must be auto, always or never"},
		{"unknown rule", []string{"scan", "--rule", "IRSA-999", "examples/irsa-s3"}, "IRSA-999"},
		{"unknown skip-rule", []string{"scan", "--skip-rule", "IRSA-998", "examples/irsa-s3"}, "IRSA-998"},
		{"explain unknown rule", []string{"rules", "IRSA-999"}, `no rule "IRSA-999"`},
		{"missing path", []string{"scan", "does/not/exist"}, "does/not/exist"},
		{"collect without source", []string{"collect"}, "collect needs --aws, --kube or both"},
		{"aws flag without --aws", []string{"scan", "--kube", "--region", "us-east-1"}, "--region needs --aws"},
		{"kube flag without --kube", []string{"collect", "--aws", "--context", "prod"}, "--context needs --kube"},
		{"live flag on a file scan", []string{"scan", "--all-accounts", "examples/irsa-s3"}, "--all-accounts needs --aws"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", tc.args...)
			if code != exitError {
				t.Errorf("exit code = %d, want %d", code, exitError)
			}
			// Input errors are in the text report on stdout; usage errors on stderr.
			if !strings.Contains(stdout+stderr, tc.wantOutput) {
				t.Errorf("output does not mention %q:\nstdout:\n%s\nstderr:\n%s", tc.wantOutput, stdout, stderr)
			}
		})
	}
}

func TestFailOn(t *testing.T) {
	// examples/broken/no-aud has one medium finding.
	for _, tc := range []struct {
		failOn string
		want   int
	}{
		{"none", exitOK},
		{"low", exitFindings},
		{"medium", exitFindings},
		{"high", exitOK},
		{"critical", exitOK},
	} {
		t.Run(tc.failOn, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", "scan", "--fail-on", tc.failOn, "examples/broken/no-aud")
			if code != tc.want {
				t.Errorf("exit code = %d, want %d\n%s", code, tc.want, stderr)
			}
		})
	}
}

func TestRuleSelection(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"all", []string{"examples/broken/permissive-operators", "examples/broken/no-sub"}, []string{"IRSA-001", "IRSA-004"}},
		{"only", []string{"--rule", "IRSA-004", "examples/broken/permissive-operators", "examples/broken/no-sub"}, []string{"IRSA-004"}},
		{"skip", []string{"--skip-rule", "irsa-004", "examples/broken/permissive-operators", "examples/broken/no-sub"}, []string{"IRSA-001"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stdout, _ := runCLI(t, "", append([]string{"scan", "--format", "json"}, tc.args...)...)
			if diff := cmp.Diff(tc.want, ruleIDs(decodeReport(t, stdout))); diff != "" {
				t.Errorf("rule ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStdin(t *testing.T) {
	policy, err := os.ReadFile("examples/broken/no-sub/trust-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, string(policy), "scan", "--format", "json", "--stdin-name", "rendered.json", "-")
	if code != exitFindings {
		t.Fatalf("exit code = %d, want %d\n%s", code, exitFindings, stderr)
	}
	r := decodeReport(t, stdout)
	if diff := cmp.Diff([]string{"IRSA-001"}, ruleIDs(r)); diff != "" {
		t.Errorf("rule ids (-want +got):\n%s", diff)
	}
	if got := r.Findings[0].Location; got.File != "rendered.json" || got.StartLine != 4 {
		t.Errorf("location = %+v, want rendered.json line 4", got)
	}
}

func TestOutputFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.sarif")
	code, stdout, stderr := runCLI(t, "", "scan", "--format", "sarif", "-o", out, "examples/broken/no-sub")
	if code != exitFindings {
		t.Fatalf("exit code = %d\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout should be empty with -o, got:\n%s", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) != 1 || log.Runs[0].Results[0].RuleID != "IRSA-001" {
		t.Errorf("unexpected SARIF: %s", b)
	}
}

func TestRulesCommand(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "rules")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, r := range builtinRules(t) {
		if !strings.Contains(stdout, r.ID+"  "+r.Severity.String()) {
			t.Errorf("rules list lacks %s (%s)", r.ID, r.Severity)
		}
	}
	code, stdout, _ = runCLI(t, "", "rules", "irsa-002")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"IRSA-002: ", "Severity: high", "Documentation: https://", "What it checks and why it matters:", "How to fix:", "Bad:", "Good:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("rules IRSA-002 lacks %q:\n%s", want, stdout)
		}
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "version")
	if code != exitOK || stdout != "irsa-audit test\n" {
		t.Errorf("version: exit %d, %q", code, stdout)
	}
}

func TestCustomPolicy(t *testing.T) {
	dir := t.TempDir()
	rule := `# METADATA
# title: No role for ServiceAccounts in kube-system
# description: Workloads in kube-system should not get AWS roles through IRSA.
# custom:
#   id: ACME-001
#   severity: high
#   recommended_action: Move the workload out of kube-system.
package acme.kube_system_role

deny contains {"msg": sprintf("ServiceAccount %s in kube-system has a role", [sa.name]), "resource": {"kind": "service_account", "id": sa.name}, "path": ["service_accounts", i]} if {
	some i, sa in input.service_accounts
	sa.namespace == "kube-system"
	sa.role_arn != ""
}
`
	if err := os.WriteFile(filepath.Join(dir, "rule.rego"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(t.TempDir(), "sa.yaml")
	sa := "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ebs-csi\n  namespace: kube-system\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/ebs\n"
	if err := os.WriteFile(manifest, []byte(sa), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "", "scan", "--format", "json", "--policy", dir, manifest)
	if code != exitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	r := decodeReport(t, stdout)
	if diff := cmp.Diff([]string{"ACME-001"}, ruleIDs(r)); diff != "" {
		t.Errorf("rule ids (-want +got):\n%s", diff)
	}
	if got := r.Findings[0].Location; got.File != filepath.ToSlash(manifest) || got.StartLine != 1 {
		t.Errorf("location = %+v", got)
	}

	// The same limits as the built-in rules: no network access.
	bad := strings.Replace(rule, `sa.role_arn != ""`, `http.send({"method": "get", "url": "http://127.0.0.1:1"})`, 1)
	if err := os.WriteFile(filepath.Join(dir, "rule.rego"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "", "scan", "--policy", dir, manifest)
	if code != exitError || !strings.Contains(stderr, "http.send") || !strings.Contains(stderr, "rule.rego") {
		t.Errorf("http.send in a user rule: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestMalformedInputs checks that each kind of bad input gives a located error and exit 2,
// while the findings of the other files are still reported.
func TestMalformedInputs(t *testing.T) {
	dir := t.TempDir()
	src := "cmd/irsa-audit/testdata/malformed"
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A symlink loop inside the tree, and a file that cannot be read (reading /proc/self/mem at
	// offset 0 fails with EIO, even for root).
	if err := os.Symlink(".", filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/proc/self/mem", filepath.Join(dir, "unreadable.json")); err != nil {
		t.Fatal(err)
	}
	args := []string{"scan", "--format", "json", dir, filepath.Join(dir, "binary.bin")}
	code, stdout, stderr := runCLI(t, "", args...)
	if code != exitError {
		t.Errorf("exit code = %d, want %d\n%s", code, exitError, stderr)
	}
	r := decodeReport(t, stdout)
	byFile := map[string][]string{}
	for _, e := range r.Errors {
		name := filepath.Base(e.File)
		if e.Line > 0 {
			byFile[name] = append(byFile[name], "located")
		} else {
			byFile[name] = append(byFile[name], "file")
		}
	}
	for _, tc := range []struct {
		file string
		want string
	}{
		{"truncated.json", "located"},
		{"wrong-types.json", "located"},
		{"deep.json", "located"},
		{"bad-manifest.yaml", "located"},
		{"unreadable.json", "file"},
	} {
		if got := byFile[tc.file]; !slices.Contains(got, tc.want) {
			t.Errorf("%s: errors %v, want a %s error; all errors: %+v", tc.file, got, tc.want, r.Errors)
		}
	}
	// A binary file is not malformed input but no input at all: skipped with the reason, and
	// marked as named on the command line (which fails the run unless --allow-skipped).
	var binary []snapshot.Skipped
	for _, sk := range r.Skipped {
		if filepath.Base(sk.File) == "binary.bin" {
			binary = append(binary, sk)
		}
	}
	if diff := cmp.Diff([]snapshot.Skipped{{File: filepath.ToSlash(filepath.Join(dir, "binary.bin")), Reason: "binary file (NUL byte at line 1, column 5)", Named: true}}, binary); diff != "" {
		t.Errorf("binary.bin skipped (-want +got):\n%s", diff)
	}
	// The BOM file and the second document of bad-manifest.yaml still produce their findings.
	if diff := cmp.Diff([]string{"IRSA-001", "IRSA-023"}, ruleIDs(r)); diff != "" {
		t.Errorf("rule ids (-want +got):\n%s", diff)
	}
	// The symlink loop is not followed forever and files are not read twice.
	seen := map[string]int{}
	for _, f := range r.Findings {
		seen[f.RuleID]++
	}
	if seen["IRSA-001"] != 1 || seen["IRSA-023"] != 1 {
		t.Errorf("findings counted %v, want one each (a loop must not rescan the tree)", seen)
	}
}
