package eval

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRunTestsBuiltin runs the built-in rules' own tests through RunTests, as irsa-audit test
// does with no --policy: every one passes, with the real capabilities.
func TestRunTestsBuiltin(t *testing.T) {
	rs, err := RunTests(context.Background(), TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	for _, r := range rs {
		if r.Fail || r.Err != nil {
			t.Errorf("%s (%s:%d): fail %v at %s, error %v", r.Name, r.File, r.Line, r.Fail, r.FailedAt, r.Err)
		}
		files[r.File] = true
	}
	for _, f := range []string{"policies/inventory/audience_not_registered_test.rego", "policies/trust/wildcard_subject_test.rego"} {
		if !files[f] {
			t.Errorf("no test of %s ran", f)
		}
	}
}

// TestRunTestsUser: a user rule's tests call a custom built-in (directly and through the rule)
// and pass; with --run only the matching tests run, and the built-in rules' tests only with
// Builtin.
func TestRunTestsUser(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts TestOptions
		want []string
	}{
		{"all", TestOptions{}, []string{"data.acme.rules.role_path_test.test_deny_role_at_root", "data.acme.rules.role_path_test.test_allow_role_under_irsa", "data.acme.rules.role_path_test.test_builtin_parses_role_arn"}},
		{"run", TestOptions{Run: "builtin_parses"}, []string{"data.acme.rules.role_path_test.test_builtin_parses_role_arn"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.PolicyDirs = []string{"../../cmd/irsa-audit/testdata/ruletest/pass"}
			rs, err := RunTests(context.Background(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rs {
				if r.Fail || r.Err != nil {
					t.Errorf("%s: fail %v at %s, error %v", r.Name, r.Fail, r.FailedAt, r.Err)
				}
				got = append(got, r.Name)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("tests run (-want +got)\n%s", diff)
			}
		})
	}
	rs, err := RunTests(context.Background(), TestOptions{PolicyDirs: []string{"../../cmd/irsa-audit/testdata/ruletest/pass"}, Builtin: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) < 100 {
		t.Errorf("with Builtin, %d tests ran, want the built-in rules' tests too", len(rs))
	}
}

// TestRunTestsFailure: a failing test is reported with its file and line and the expression
// that failed.
func TestRunTestsFailure(t *testing.T) {
	rs, err := RunTests(context.Background(), TestOptions{PolicyDirs: []string{"../../cmd/irsa-audit/testdata/ruletest/fail"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 {
		t.Fatalf("%d results, want 2: %+v", len(rs), rs)
	}
	f := rs[0]
	if !f.Fail || !strings.HasSuffix(f.File, "fail/role_path_test.rego") || f.Line != 7 ||
		!strings.Contains(f.FailedAt, "role_path_test.rego:10: msgs ==") {
		t.Errorf("first result %+v, want a failure at role_path_test.rego:7 failing at line 10", f)
	}
	if rs[1].Fail || rs[1].Err != nil {
		t.Errorf("second result %+v, want a pass", rs[1])
	}
}

// TestRunTestsErrors: what stops the tests from running at all.
func TestRunTestsErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		run   string
		want  string
	}{
		{"no tests", map[string]string{"a.rego": "package acme.lib.a\n\nx := 1\n"}, "", ErrNoTests.Error()},
		{"no match", map[string]string{"a_test.rego": "package acme.a_test\n\ntest_a if true\n"}, "nothing", ErrNoTests.Error()},
		{"bad regexp", map[string]string{"a_test.rego": "package acme.a_test\n\ntest_a if true\n"}, "(", "--run"},
		{"withheld built-in", map[string]string{"a_test.rego": "package acme.a_test\n\ntest_a if http.send({})\n"}, "", "undefined function http.send"},
		{"reserved package", map[string]string{"a_test.rego": "package irsa_audit.rules.trust.x_test\n\ntest_a if true\n"}, "", "a_test.rego:1: package irsa_audit.rules.trust.x_test: the irsa_audit namespace is reserved"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeRules(t, tc.files)
			_, err := RunTests(context.Background(), TestOptions{PolicyDirs: []string{dir}, Run: tc.run})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if tc.want == ErrNoTests.Error() && !errors.Is(err, ErrNoTests) {
				t.Errorf("error %v is not ErrNoTests", err)
			}
		})
	}
}
