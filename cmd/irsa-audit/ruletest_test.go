package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
)

// TestTestCommand runs irsa-audit test: the project's own rule tests pass; a custom rule whose
// tests call a custom built-in passes; a failing test exits 1 naming file and line and the
// expression that failed; what cannot run exits 2.
func TestTestCommand(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		stdout   string // a regular expression matched against the whole output
		stderrRE string
	}{
		{
			name:   "built-in rules",
			args:   []string{"test"},
			code:   exitOK,
			stdout: `^[0-9]{3} tests: [0-9]{3} passed\n$`,
		},
		{
			name: "custom rule calling a built-in",
			args: []string{"test", "--policy", "cmd/irsa-audit/testdata/ruletest/pass", "-v"},
			code: exitOK,
			stdout: `^PASS  data.acme.rules.role_path_test.test_deny_role_at_root \(cmd/irsa-audit/testdata/ruletest/pass/role_path_test.rego:7\)
PASS  data.acme.rules.role_path_test.test_allow_role_under_irsa \(cmd/irsa-audit/testdata/ruletest/pass/role_path_test.rego:16\)
PASS  data.acme.rules.role_path_test.test_builtin_parses_role_arn \(cmd/irsa-audit/testdata/ruletest/pass/role_path_test.rego:21\)
3 tests: 3 passed
$`,
		},
		{
			name: "failing custom test",
			args: []string{"test", "--policy", "cmd/irsa-audit/testdata/ruletest/fail"},
			code: exitFindings,
			stdout: `^FAIL  data.acme.rules.role_path_test.test_deny_message_names_path \(cmd/irsa-audit/testdata/ruletest/fail/role_path_test.rego:7\)
      failed at cmd/irsa-audit/testdata/ruletest/fail/role_path_test.rego:10: msgs == {"ServiceAccount payments/app uses role app in path /team, not under /irsa/"}
2 tests: 1 passed, 1 failed
$`,
		},
		{
			name:   "--run",
			args:   []string{"test", "--policy", "cmd/irsa-audit/testdata/ruletest/fail", "--run", "allow"},
			code:   exitOK,
			stdout: `^1 tests: 1 passed\n$`,
		},
		{
			name:     "--run matching nothing",
			args:     []string{"test", "--policy", "cmd/irsa-audit/testdata/ruletest/pass", "--run", "nothing"},
			code:     exitError,
			stderrRE: `no test matches --run "nothing"`,
		},
		{
			name:     "missing dir",
			args:     []string{"test", "--policy", "cmd/irsa-audit/testdata/ruletest/none"},
			code:     exitError,
			stderrRE: `cmd/irsa-audit/testdata/ruletest/none`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr %s", code, tc.code, stderr)
			}
			if tc.stdout != "" && !regexp.MustCompile(tc.stdout).MatchString(stdout) {
				t.Errorf("stdout:\n%s\nwant it to match:\n%s", stdout, tc.stdout)
			}
			if tc.stderrRE != "" && !regexp.MustCompile(tc.stderrRE).MatchString(stderr) {
				t.Errorf("stderr %q, want it to match %q", stderr, tc.stderrRE)
			}
		})
	}
}

// TestTestCommandError: a test that cannot be evaluated (a conflict) exits 2 with the error
// under the test's name.
func TestTestCommandError(t *testing.T) {
	dir := t.TempDir()
	src := "package acme.a_test\n\nx := 1 if true\n\nx := 2 if true\n\ntest_conflict if x == 1\n"
	if err := os.WriteFile(filepath.Join(dir, "a_test.rego"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := runCLI(t, "", "test", "--policy", dir)
	if code != exitError || !strings.Contains(stdout, "ERROR data.acme.a_test.test_conflict") || !strings.Contains(stdout, "1 tests: 0 passed, 1 errors") {
		t.Errorf("exit code %d, stdout:\n%s\nwant 2 and an ERROR line", code, stdout)
	}
}

// TestCapabilitiesCommand: irsa-audit capabilities prints a capabilities file that OPA loads, with
// the custom built-ins (so a rule calling them compiles against it) and without the withheld
// ones.
func TestCapabilitiesCommand(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "capabilities")
	if code != exitOK {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	caps, err := ast.LoadCapabilitiesJSON(strings.NewReader(stdout))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range caps.Builtins {
		switch {
		case strings.HasPrefix(b.Name, "iam."):
			names = append(names, b.Name)
		case b.Name == "http.send" || b.Name == "json.match_schema" || b.Name == "opa.runtime" || strings.HasPrefix(b.Name, "net."):
			t.Errorf("withheld built-in %s is in the capabilities", b.Name)
		}
	}
	want := []string{"iam.action_matches", "iam.glob_match", "iam.normalize_issuer", "iam.parse_arn", "iam.parse_oidc_provider_arn", "iam.parse_role_arn", "iam.trust_facts"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("custom built-ins (-want +got)\n%s", diff)
	}
	m := ast.MustParseModuleWithOpts("package acme.x\n\nname := iam.parse_role_arn(input.arn).name\n", ast.ParserOptions{RegoVersion: ast.RegoV1})
	c := ast.NewCompiler().WithCapabilities(caps)
	if c.Compile(map[string]*ast.Module{"x.rego": m}); c.Failed() {
		t.Errorf("a rule calling iam.parse_role_arn does not compile against the printed capabilities: %v", c.Errors)
	}
}
