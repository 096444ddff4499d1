package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writeTree writes files (path -> content) under a new temporary folder and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	goodTrust = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAA"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringEquals": {
    "oidc.eks.us-east-1.amazonaws.com/id/AAA:sub": "system:serviceaccount:app:api",
    "oidc.eks.us-east-1.amazonaws.com/id/AAA:aud": "sts.amazonaws.com"}}}]}`
	// The EKS user guide's trust policy before envsubst: no sub pinned either.
	placeholderTrust = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::$account_id:oidc-provider/$oidc_provider"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringEquals": {"$oidc_provider:aud": "sts.amazonaws.com"}}}]}`
	helmSA = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Values.name }}\n  annotations:\n    eks.amazonaws.com/role-arn: {{ .Values.role }}\n"
	// A Compose file: YAML that is neither a policy, a manifest nor infrastructure code. (The
	// reproducer was a .tf file; Terraform is read since issue 13, see iac_test.go.)
	compose    = "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n"
	valuesYAML = "image:\n  repository: nginx\nserviceAccount:\n  create: true\n  annotations: {}\n"
)

// TestNeverASilentPass holds the exit codes of scans that used to pass with nothing or less
// than everything judged: each is 2 unless --allow-skipped, and the report says why.
func TestNeverASilentPass(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		// args are relative to the folder of files; "." is the folder itself.
		args     []string
		wantCode int
		// wantAllowed is the exit code with --allow-skipped.
		wantAllowed int
		wantStderr  string
	}{
		{
			name:     "a Helm chart folder: nothing judged",
			files:    map[string]string{"chart/templates/sa.yaml": helmSA, "chart/values.yaml": valuesYAML},
			args:     []string{"."},
			wantCode: exitError, wantAllowed: exitOK,
			wantStderr: "nothing was judged",
		},
		{
			name:     "every file over the size limit: nothing judged",
			files:    map[string]string{"a.json": goodTrust, "b.json": goodTrust},
			args:     []string{"--max-file-size", "100B", "."},
			wantCode: exitError, wantAllowed: exitOK,
			wantStderr: "nothing was judged",
		},
		{
			name:     "an empty folder",
			files:    map[string]string{},
			args:     []string{"."},
			wantCode: exitError, wantAllowed: exitOK,
			wantStderr: "nothing was judged: no input",
		},
		{
			// The file was named: the user asked for it to be judged. It is skipped (not an
			// error with a YAML parser's message), and fails the run unless --allow-skipped.
			name:     "a Compose file named on the command line",
			files:    map[string]string{"compose.yaml": compose, "trust.json": goodTrust},
			args:     []string{"compose.yaml", "trust.json"},
			wantCode: exitError, wantAllowed: exitOK,
			wantStderr: "1 skipped input was named on the command line",
		},
		{
			name:     "a Helm values file named on the command line",
			files:    map[string]string{"values.yaml": valuesYAML, "trust.json": goodTrust},
			args:     []string{"values.yaml", "trust.json"},
			wantCode: exitError, wantAllowed: exitOK,
			wantStderr: "named on the command line",
		},
		{
			// The same files found by a walk are not named: skipped, and the scan passes.
			name:     "a Compose file and a values file in a folder",
			files:    map[string]string{"compose.yaml": compose, "values.yaml": valuesYAML, "trust.json": goodTrust},
			args:     []string{"."},
			wantCode: exitOK, wantAllowed: exitOK,
		},
		{
			name:     "a Helm template of a ServiceAccount beside a policy",
			files:    map[string]string{"chart/templates/sa.yaml": helmSA, "trust.json": goodTrust},
			args:     []string{"."},
			wantCode: exitError, wantAllowed: exitOK,
			wantStderr: "1 skipped entry holds what the rules judge",
		},
		{
			// IAM never sends IsTruncated without a Marker; the export is known to be short.
			name: "a truncated account export without a Marker",
			files: map[string]string{"gaad.json": `{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r",
  "AssumeRolePolicyDocument": ` + goodTrust + `}], "IsTruncated": true}`},
			args:     []string{"."},
			wantCode: exitError, wantAllowed: exitOK,
			wantStderr: "holds what the rules judge",
		},
		{
			// Its only statement is set aside: nothing is left to judge.
			name:     "a trust policy with placeholders",
			files:    map[string]string{"trust.json": placeholderTrust},
			args:     []string{"trust.json"},
			wantCode: exitError, wantAllowed: exitOK,
			wantStderr: "nothing was judged",
		},
		{
			name:     "a trust policy with placeholders beside a good one",
			files:    map[string]string{"trust.json": placeholderTrust, "good.json": goodTrust},
			args:     []string{"."},
			wantCode: exitError, wantAllowed: exitOK,
			wantStderr: "1 skipped entry holds what the rules judge",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			t.Chdir(dir)
			code, stdout, stderr := runCLI(t, "", append([]string{"scan"}, tc.args...)...)
			if code != tc.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, stdout, stderr)
			}
			if tc.wantStderr != "" && !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("stderr does not say %q:\n%s", tc.wantStderr, stderr)
			}
			if strings.Contains(stdout+stderr, "errors:") || strings.Contains(stdout, "mapping value") {
				t.Errorf("unrecognised input reported as an error:\n%s", stdout)
			}
			code, stdout, stderr = runCLI(t, "", append([]string{"scan", "--allow-skipped"}, tc.args...)...)
			if code != tc.wantAllowed {
				t.Errorf("with --allow-skipped: exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantAllowed, stdout, stderr)
			}
		})
	}
}

// TestPlaceholders checks that a placeholder sets aside only the statement, ServiceAccount or
// workload that holds it, with its location, and that the rest of the file is judged. A trust
// policy with one extra condition value in {{ }} used to be skipped whole as a Go template, and a
// Federated principal with $oidc_provider turned the trust checks off, both with exit 0.
func TestPlaceholders(t *testing.T) {
	// Statement 1 admits every ServiceAccount (no sub: IRSA-001) and is judged; statement 2 has
	// a templated audience and is set aside.
	mixed := `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow",
   "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAA"},
   "Action": "sts:AssumeRoleWithWebIdentity",
   "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/AAA:aud": "sts.amazonaws.com"}}},
  {"Sid": "Templated", "Effect": "Allow",
   "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAA"},
   "Action": "sts:AssumeRoleWithWebIdentity",
   "Condition": {"StringEquals": {
     "oidc.eks.us-east-1.amazonaws.com/id/AAA:sub": "system:serviceaccount:app:api",
     "oidc.eks.us-east-1.amazonaws.com/id/AAA:aud": ["sts.amazonaws.com", "{{ .Values.extraAudience }}"]}}}]}`
	// IAM policy variables are not placeholders.
	variables := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
  "Resource": "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*",
  "Condition": {"StringLike": {"s3:prefix": "${aws:username}/*"}}}]}`
	manifests := "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: app\n  annotations:\n    eks.amazonaws.com/role-arn: \"arn:aws:iam::${ACCOUNT_ID}:role/api\"\n" +
		"---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: app\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/api\n"
	dir := writeTree(t, map[string]string{"mixed.json": mixed, "guide.json": placeholderTrust, "vars.json": variables, "sa.yaml": manifests})
	t.Chdir(dir)
	code, stdout, stderr := runCLI(t, "", "scan", "--format", "json", ".")
	if code != exitError {
		t.Errorf("exit code = %d, want %d\n%s", code, exitError, stderr)
	}
	r := decodeReport(t, stdout)
	var skipped []string
	for _, s := range r.Skipped {
		skipped = append(skipped, s.File+":"+itoa(s.Line)+":"+itoa(s.Column)+" "+s.Reason)
		if !s.Needed {
			t.Errorf("%s: not marked needed", s.File)
		}
	}
	want := []string{
		`guide.json:1:41 statement 1 of the policy not judged: placeholder "$account_id" in Principal Federated (render or substitute it first)`,
		`mixed.json:11:6 statement "Templated" of the policy not judged: placeholder "{{ .Values.extraAudience }}" in the StringEquals condition on oidc.eks.us-east-1.amazonaws.com/id/AAA:aud (render or substitute it first)`,
		`sa.yaml:7:33 ServiceAccount app/api not judged: placeholder "${ACCOUNT_ID}" in its eks.amazonaws.com/role-arn annotation (render or substitute it first)`,
	}
	if diff := cmp.Diff(want, skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	// The rest is judged: the first statement's missing sub, the default ServiceAccount with a
	// role; nothing about the IAM policy variables.
	var judged []string
	for _, f := range r.Findings {
		judged = append(judged, f.RuleID+" "+f.Location.File)
	}
	slices.Sort(judged)
	if diff := cmp.Diff([]string{"IRSA-001 mixed.json", "IRSA-023 sa.yaml"}, judged); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestManifestsTiedByFolderOnly: adding an unrelated describe-cluster output to a scan must not
// re-home the manifests (their resource ids and fingerprints would change, and code-scanning
// alerts would close and reopen).
func TestManifestsTiedByFolderOnly(t *testing.T) {
	sa := "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: app\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/api\n"
	describe := `{"cluster": {"name": "prod", "arn": "arn:aws:eks:us-east-1:111122223333:cluster/prod", "identity": {"oidc": {"issuer": "https://oidc.eks.us-east-1.amazonaws.com/id/AAA"}}}}`
	dir := writeTree(t, map[string]string{"deploy/sa.yaml": sa, "estate/prod/describe-cluster.json": describe})
	t.Chdir(dir)
	fingerprints := func(paths ...string) []string {
		_, stdout, _ := runCLI(t, "", append([]string{"scan", "--format", "json", "--rule", "IRSA-023"}, paths...)...)
		var out []string
		for _, f := range decodeReport(t, stdout).Findings {
			out = append(out, f.Resource.ID+" "+f.Fingerprint)
		}
		return out
	}
	alone := fingerprints("deploy")
	if len(alone) != 1 {
		t.Fatalf("want one IRSA-023 finding for the manifest, got %v", alone)
	}
	if diff := cmp.Diff(alone, fingerprints("deploy", "estate")); diff != "" {
		t.Errorf("findings of the manifest, alone vs with a describe-cluster elsewhere (-alone +with):\n%s", diff)
	}
}

// TestSnapshotWithBadTime: a saved snapshot whose generated_at does not parse used to abort the
// whole run in the evaluator, with no report. It is a located input error now; the report is
// written and the snapshot judged.
func TestSnapshotWithBadTime(t *testing.T) {
	snap := `{"version": "1", "generated_at": "yesterday",
 "policies": [{"id": "p", "document": {"statements": [{"effect": "Allow", "principal": {"federated": ["arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAA"]}, "actions": ["sts:AssumeRoleWithWebIdentity"], "loc": {"file": "p.json", "start_line": 1}}], "loc": {"file": "p.json", "start_line": 1}}, "loc": {"file": "p.json", "start_line": 1}}],
 "stats": {"files": 1}}`
	dir := writeTree(t, map[string]string{"snapshot.json": snap})
	t.Chdir(dir)
	code, stdout, stderr := runCLI(t, "", "scan", "--format", "json", "snapshot.json")
	if code != exitError {
		t.Errorf("exit code = %d, want %d\n%s", code, exitError, stderr)
	}
	r := decodeReport(t, stdout)
	if len(r.Errors) != 1 || r.Errors[0].Line != 1 || !strings.Contains(r.Errors[0].Message, `generated_at "yesterday" is not an RFC 3339 time`) {
		t.Errorf("errors = %+v, want one located generated_at error", r.Errors)
	}
	if diff := cmp.Diff([]string{"IRSA-001"}, ruleIDs(r)); diff != "" {
		t.Errorf("rule ids (-want +got):\n%s", diff)
	}
}

// TestFlagValues: values the documentation calls usage errors are usage errors.
func TestFlagValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		// Used to overflow and silently become the 10 MiB default.
		{"size that overflows", []string{"scan", "--max-file-size", "8589934592GiB", "examples/irsa-s3"}, `size "8589934592GiB" is too large`},
		{"format in capitals", []string{"scan", "--format", "SARIF", "examples/irsa-s3"}, `unknown format "SARIF" (want one of text, json, sarif, markdown, junit)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", tc.args...)
			if code != exitError || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "Run 'irsa-audit --help'") {
				t.Errorf("exit %d, stderr:\n%s\nwant a usage error saying %q", code, stderr, tc.want)
			}
		})
	}
}

// TestStderrEscaped: an error quoting a path from the command line reached the terminal with
// its escape sequences raw.
func TestStderrEscaped(t *testing.T) {
	code, _, stderr := runCLI(t, "", "scan", "--policy", "/no/such\x1b[2J\u202edir", "examples/irsa-s3")
	if code != exitError || strings.ContainsAny(stderr, "\x1b\u202e") || !strings.Contains(stderr, `such\x1b[2J\u202edir`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestKubeconfigDevZero: --kubeconfig /dev/zero ran the process out of memory.
func TestKubeconfigDevZero(t *testing.T) {
	code, _, stderr := runCLI(t, "", "scan", "--kube", "--quiet", "--kubeconfig", "/dev/zero")
	if code != exitError || !strings.Contains(stderr, "kubeconfig /dev/zero is larger than any kubeconfig") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
