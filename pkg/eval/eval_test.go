package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/irsa-audit/irsa-audit/internal/estate"
	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testBuiltin is a small stand-in for the built-in rules, so that these tests do not change
// whenever a real rule does.
func testBuiltin() fs.FS { return os.DirFS("testdata/builtin") }

// fixedNow is the injected clock of the tests.
func fixedNow() time.Time { return time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC) }

func newEngine(t testing.TB, opts Options) *Engine {
	t.Helper()
	if opts.builtin == nil {
		opts.builtin = testBuiltin()
	}
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	e, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// writeRules writes files (name -> content) into a fresh directory and returns it.
func writeRules(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// userRule is a minimal valid user rule with the given id and rule body.
func userRule(pkg, id, body string) string {
	return "# METADATA\n# title: Test rule " + id + "\n# custom:\n#   id: " + id + "\n#   severity: low\n" +
		"package " + pkg + "\n\n" + body + "\n"
}

func loc(file string, start, end int) snapshot.Location {
	return snapshot.Location{File: file, StartLine: start, EndLine: end}
}

// testSnapshot has one finding for each test rule, at a known place.
func testSnapshot() *snapshot.Snapshot {
	oidc := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
	return &snapshot.Snapshot{
		Version:     snapshot.Version,
		GeneratedAt: "2024-06-01T00:00:00Z",
		Roles: []snapshot.Role{
			{
				ARN: "arn:aws:iam::111122223333:role/app", Name: "app", AccountID: "111122223333",
				LastUsed: "2024-01-01T00:00:00Z",
				TrustPolicy: &snapshot.Document{
					Statements: []snapshot.Statement{{
						Effect:    "Allow",
						Principal: &snapshot.Principal{Federated: []string{oidc}},
						Actions:   []string{"sts:AssumeRoleWithWebIdentity"},
						Conditions: []snapshot.Condition{
							{Operator: "StringLike", BaseOperator: "StringLike", Known: true, Key: "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub",
								Values: []string{"system:serviceaccount:*:*"}, Loc: loc("roles/app.json", 9, 9)},
							{Operator: "StringEquals", BaseOperator: "StringEquals", Known: true, Key: "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud",
								Values: []string{"sts.amazonaws.com"}, Loc: loc("roles/app.json", 10, 10)},
						},
						Loc: loc("roles/app.json", 3, 12),
					}},
					Loc: loc("roles/app.json", 1, 14),
				},
				Loc: loc("roles/app.json", 1, 14),
			},
			{
				ARN: "arn:aws:iam::111122223333:role/open", Name: "open", AccountID: "111122223333",
				Tags: map[string]string{"team": "payments"},
				TrustPolicy: &snapshot.Document{
					Statements: []snapshot.Statement{{
						Effect:    "Allow",
						Principal: &snapshot.Principal{Federated: []string{oidc}},
						Actions:   []string{"sts:AssumeRoleWithWebIdentity"},
						Loc:       loc("roles/open.json", 3, 8),
					}},
					Loc: loc("roles/open.json", 1, 10),
				},
				Loc: loc("roles/open.json", 1, 10),
			},
			{
				ARN: "arn:aws:iam::111122223333:role/star", Name: "star", AccountID: "111122223333",
				Tags: map[string]string{"team": "platform"},
				TrustPolicy: &snapshot.Document{
					Statements: []snapshot.Statement{{
						Effect:    "Allow",
						Principal: &snapshot.Principal{Federated: []string{oidc}},
						Actions:   []string{"sts:AssumeRoleWithWebIdentity"},
						Conditions: []snapshot.Condition{
							{Operator: "StringLike", BaseOperator: "StringLike", Known: true, Key: "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub",
								Values: []string{"*"}, Loc: loc("roles/star.json", 8, 8)},
						},
						Loc: loc("roles/star.json", 3, 10),
					}},
					Loc: loc("roles/star.json", 1, 12),
				},
				Loc: loc("roles/star.json", 1, 12),
			},
			{
				// No locations at all: findings on it must still come out, unlocated.
				ARN: "arn:aws:iam::111122223333:role/nowhere", Name: "nowhere", AccountID: "111122223333",
				LastUsed: "2020-01-01T00:00:00Z",
			},
		},
		ServiceAccounts: []snapshot.ServiceAccount{{
			Namespace: "default", Name: "web", RoleARN: "my-role",
			Annotations: map[string]string{"eks.amazonaws.com/role-arn": "my-role"},
			RoleARNLoc:  &snapshot.Location{File: "k8s/sa.yaml", StartLine: 7, EndLine: 7, StartColumn: 33},
			Loc:         loc("k8s/sa.yaml", 1, 8),
		}},
	}
}

func TestEvaluateGolden(t *testing.T) {
	e := newEngine(t, Options{PolicyDirs: []string{"testdata/custom"}})
	got, err := e.Evaluate(context.Background(), testSnapshot())
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	checkGolden(t, filepath.Join("testdata", "findings.golden.json"), mustJSON(t, got))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got), run with -update to accept:\n%s", path, diff)
	}
}

func TestRulesSelection(t *testing.T) {
	custom := []string{"testdata/custom"}
	for _, tc := range []struct {
		name    string
		opts    Options
		want    []string
		wantErr string
	}{
		{name: "all", opts: Options{PolicyDirs: custom}, want: []string{"ACME-001", "IRSA-901", "IRSA-902", "IRSA-903", "IRSA-904"}},
		{name: "built-in only", want: []string{"IRSA-901", "IRSA-902", "IRSA-903", "IRSA-904"}},
		{name: "include", opts: Options{PolicyDirs: custom, Include: []string{"IRSA-902", "acme-001"}}, want: []string{"ACME-001", "IRSA-902"}},
		{name: "exclude", opts: Options{Exclude: []string{"IRSA-901", "IRSA-904"}}, want: []string{"IRSA-902", "IRSA-903"}},
		{name: "include and exclude", opts: Options{Include: []string{"IRSA-901", "IRSA-902"}, Exclude: []string{"IRSA-901"}}, want: []string{"IRSA-902"}},
		{name: "exclude everything", opts: Options{Exclude: []string{"IRSA-901", "IRSA-902", "IRSA-903", "IRSA-904"}}, want: nil},
		{name: "unknown include", opts: Options{Include: []string{"IRSA-999"}}, wantErr: `--rule IRSA-999: no such rule`},
		{name: "unknown exclude", opts: Options{Exclude: []string{"ACME-001"}}, wantErr: `--skip-rule ACME-001: no such rule`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.builtin = testBuiltin()
			e, err := New(context.Background(), tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("New error = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			var got []string
			for _, r := range e.Rules() {
				got = append(got, r.ID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("rule ids (-want +got):\n%s", diff)
			}
			fs, err := e.Evaluate(context.Background(), testSnapshot())
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			for _, f := range fs {
				if !containsString(tc.want, f.RuleID) {
					t.Errorf("finding of unselected rule %s", f.RuleID)
				}
			}
		})
	}
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func TestRulesMetadata(t *testing.T) {
	e := newEngine(t, Options{PolicyDirs: []string{"testdata/custom"}})
	got := e.Rules()
	want := []findings.Rule{
		{
			ID:       "ACME-001",
			Severity: findings.Medium,
			Title:    "IRSA role without a team tag",
			Description: "Every IAM role that a Kubernetes ServiceAccount can assume must carry a \"team\" tag, so that\n" +
				"the on-call team of a workload's cloud permissions is known.",
			RecommendedAction: "Tag the role with team=<owning team>.",
			DocURL:            "https://wiki.example.com/platform/tagging#team",
			BadExample:        "aws iam create-role --role-name app --assume-role-policy-document file://trust.json",
			GoodExample: "aws iam create-role --role-name app --assume-role-policy-document file://trust.json \\\n" +
				"  --tags Key=team,Value=payments",
			Package: "acme.rules.tagging.team_tag",
		},
		{
			ID:       "IRSA-901",
			Severity: findings.High,
			Title:    "Wildcard in the sub condition",
			Description: "A trust statement whose sub condition holds a wildcard lets more ServiceAccounts assume the\n" +
				"role than intended.",
			RecommendedAction: "Name the exact ServiceAccount subject.",
			DocURL:            "https://example.com/docs/IRSA-901",
			BadExample:        `"StringLike": {"oidc.example/id/X:sub": "system:serviceaccount:*"}`,
			GoodExample:       `"StringEquals": {"oidc.example/id/X:sub": "system:serviceaccount:ns:app"}`,
			Package:           "irsa_audit.rules.trust.wildcard_sub",
			Builtin:           true,
		},
	}
	if diff := cmp.Diff(want, got[:2]); diff != "" {
		t.Errorf("Rules() (-want +got):\n%s", diff)
	}
	// Rules returns a copy: callers cannot change the engine.
	got[0].ID = "CHANGED"
	if e.Rules()[0].ID != "ACME-001" {
		t.Error("Rules() shares its slice with the engine")
	}
}

func TestNewErrors(t *testing.T) {
	const deny = `deny contains {"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": []}`
	for _, tc := range []struct {
		name  string
		files map[string]string
		// want are substrings of the error: the file (and line) and the reason.
		want []string
	}{
		{
			name:  "deny without metadata",
			files: map[string]string{"a.rego": "package acme.rules.a\n\n" + deny + "\n"},
			want:  []string{"a.rego:3", "defines deny but has no package-scope METADATA"},
		},
		{
			name: "metadata without id",
			files: map[string]string{"a.rego": "# METADATA\n# title: A\n# custom:\n#   severity: low\npackage acme.rules.a\n\n" +
				deny + "\n"},
			want: []string{"a.rego:1", "no custom.id"},
		},
		{
			name:  "rule-scope metadata only",
			files: map[string]string{"a.rego": "package acme.rules.a\n\n# METADATA\n# title: A\n# custom:\n#   id: ACME-1\n#   severity: low\n" + deny + "\n"},
			want:  []string{"a.rego:8", "no package-scope METADATA"},
		},
		{
			name:  "unknown severity",
			files: map[string]string{"a.rego": strings.Replace(userRule("acme.rules.a", "ACME-1", deny), "severity: low", "severity: urgent", 1)},
			want:  []string{"a.rego:1", `unknown severity "urgent"`},
		},
		{
			name:  "missing severity",
			files: map[string]string{"a.rego": strings.Replace(userRule("acme.rules.a", "ACME-1", deny), "#   severity: low\n", "", 1)},
			want:  []string{"a.rego:1", "no custom.severity"},
		},
		{
			name:  "missing title",
			files: map[string]string{"a.rego": strings.Replace(userRule("acme.rules.a", "ACME-1", deny), "# title: Test rule ACME-1\n", "", 1)},
			want:  []string{"a.rego:1", "has no title"},
		},
		{
			name:  "non-string id",
			files: map[string]string{"a.rego": userRule("acme.rules.a", "12", deny)},
			want:  []string{"a.rego:1", "custom.id must be a string"},
		},
		{
			name:  "bad id",
			files: map[string]string{"a.rego": userRule("acme.rules.a", "acme_1", deny)},
			want:  []string{"a.rego:1", `rule id "acme_1" does not match`},
		},
		{
			name:  "reserved prefix",
			files: map[string]string{"a.rego": userRule("acme.rules.a", "IRSA-500", deny)},
			want:  []string{"a.rego", "IRSA- prefix is reserved"},
		},
		{
			name: "duplicate user id",
			files: map[string]string{
				"a.rego": userRule("acme.rules.a", "ACME-1", deny),
				"b.rego": userRule("acme.rules.b", "ACME-1", deny),
			},
			want: []string{"b.rego", "rule id ACME-1 is already used by", "a.rego"},
		},
		{
			name:  "reuses a built-in id",
			files: map[string]string{"a.rego": userRule("acme.rules.a", "IRSA-901", deny)},
			want:  []string{"a.rego", "rule id IRSA-901 is already used by policies/trust/wildcard_sub.rego"},
		},
		{
			name:  "extends a built-in package",
			files: map[string]string{"a.rego": "package irsa_audit.lib.test\n\nx := 1\n"},
			want:  []string{"a.rego:1", "package irsa_audit.lib.test: the irsa_audit namespace is reserved"},
		},
		{
			name: "two metadata blocks for one package",
			files: map[string]string{
				"a.rego": userRule("acme.rules.a", "ACME-1", deny),
				"b.rego": userRule("acme.rules.a", "ACME-2", "x := 1"),
			},
			want: []string{"b.rego:1", "package acme.rules.a already has METADATA in", "a.rego:1"},
		},
		{
			name:  "id without deny",
			files: map[string]string{"a.rego": userRule("acme.rules.a", "ACME-1", `violation contains "x"`)},
			want:  []string{"a.rego:1", "package acme.rules.a has a METADATA custom.id but no deny rule"},
		},
		{
			name:  "complete deny",
			files: map[string]string{"a.rego": userRule("acme.rules.a", "ACME-1", "deny := []")},
			want:  []string{"a.rego:8", "deny must be a set rule"},
		},
		{
			name:  "parse error",
			files: map[string]string{"a.rego": userRule("acme.rules.a", "ACME-1", "deny contains x if {\n\tx := \n}")},
			want:  []string{"a.rego:10", "rego_parse_error"},
		},
		{
			name:  "v0 syntax",
			files: map[string]string{"a.rego": userRule("acme.rules.a", "ACME-1", `deny[x] { x := "a" }`)},
			want:  []string{"a.rego:8", "rego_parse_error"},
		},
		{
			name:  "http.send",
			files: map[string]string{"a.rego": userRule("acme.rules.a", "ACME-1", "deny contains x if {\n\tr := http.send({\"method\": \"get\", \"url\": \"https://example.com\"})\n\tx := r.body\n}")},
			want:  []string{"a.rego:9", "undefined function http.send"},
		},
		{
			name:  "net.lookup_ip_addr",
			files: map[string]string{"a.rego": userRule("acme.rules.a", "ACME-1", "deny contains x if {\n\tx := net.lookup_ip_addr(\"example.com\")\n}")},
			want:  []string{"a.rego:9", "undefined function net.lookup_ip_addr"},
		},
		{
			name:  "net.cidr_contains",
			files: map[string]string{"a.rego": userRule("acme.rules.a", "ACME-1", "deny contains x if {\n\tnet.cidr_contains(\"10.0.0.0/8\", input.ip)\n\tx := 1\n}")},
			want:  []string{"a.rego:9", "undefined function net.cidr_contains"},
		},
		{
			name:  "opa.runtime",
			files: map[string]string{"lib.rego": "package acme.lib.env\n\nenv := opa.runtime().env\n"},
			want:  []string{"lib.rego:3", "undefined function opa.runtime"},
		},
		{
			name:  "rand.intn",
			files: map[string]string{"lib.rego": "package acme.lib.env\n\nn := rand.intn(\"x\", 10)\n"},
			want:  []string{"lib.rego:3", "undefined function rand.intn"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeRules(t, tc.files)
			_, err := New(context.Background(), Options{builtin: testBuiltin(), PolicyDirs: []string{dir}})
			if err == nil {
				t.Fatalf("New succeeded, want an error containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("New error = %v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

// TestBuiltinErrors checks that the built-in rules obey the same contract as user rules.
func TestBuiltinErrors(t *testing.T) {
	const deny = `deny contains {"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": []}`
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "user-style id",
			files: map[string]string{"x/a.rego": userRule("irsa_audit.rules.x.a", "ACME-1", deny)},
			want:  []string{"policies/x/a.rego:1", `built-in rule id "ACME-1" does not match`},
		},
		{
			name: "duplicate id",
			files: map[string]string{
				"x/a.rego": userRule("irsa_audit.rules.x.a", "IRSA-001", deny),
				"x/b.rego": userRule("irsa_audit.rules.x.b", "IRSA-001", deny),
			},
			want: []string{"policies/x/b.rego", "rule id IRSA-001 is already used by policies/x/a.rego"},
		},
		{
			name:  "parse error",
			files: map[string]string{"x/a.rego": "package irsa_audit.rules.x.a\n\ndeny contains x if {\n"},
			want:  []string{"policies/x/a.rego:4", "rego_parse_error"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeRules(t, tc.files)
			_, err := New(context.Background(), Options{builtin: os.DirFS(dir)})
			if err == nil {
				t.Fatalf("New succeeded, want an error containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("New error = %v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestTestFilesAreNotRules(t *testing.T) {
	// A _test.rego file that would break the rule contract if it were loaded.
	dir := writeRules(t, map[string]string{
		"a.rego":      userRule("acme.rules.a", "ACME-1", `deny contains {"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": []}`),
		"a_test.rego": "package acme.rules.a_test\n\ndeny contains 1\n",
		"data.json":   `{"not": "a rule"}`,
		"README.md":   "# not a rule",
	})
	e := newEngine(t, Options{PolicyDirs: []string{dir}, Include: []string{"ACME-1"}})
	if got := len(e.Rules()); got != 1 {
		t.Errorf("got %d rules, want 1", got)
	}
}

func TestMalformedFindings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		finding string
		want    string
	}{
		{name: "not an object", finding: `"just a message"`, want: `finding "just a message": want an object`},
		{name: "no msg", finding: `{"resource": {"kind": "role", "id": "r"}, "path": []}`, want: "msg must be a non-empty string"},
		{name: "empty msg", finding: `{"msg": " ", "resource": {"kind": "role", "id": "r"}, "path": []}`, want: "msg must be a non-empty string"},
		{name: "msg not a string", finding: `{"msg": 1, "resource": {"kind": "role", "id": "r"}, "path": []}`, want: "msg must be a non-empty string"},
		{name: "no resource", finding: `{"msg": "m", "path": []}`, want: "resource: want an object {kind, id}"},
		{name: "resource without id", finding: `{"msg": "m", "resource": {"kind": "role"}, "path": []}`, want: "resource: kind and id must be non-empty strings"},
		{name: "resource id not a string", finding: `{"msg": "m", "resource": {"kind": "role", "id": 7}, "path": []}`, want: "resource: kind and id must be non-empty strings"},
		{name: "no path", finding: `{"msg": "m", "resource": {"kind": "role", "id": "r"}}`, want: "path must be an array"},
		{name: "path as string", finding: `{"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": "roles.0"}`, want: "path must be an array"},
		{name: "path with object", finding: `{"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": ["roles", {}]}`, want: "path[1] must be a string or an integer"},
		{name: "path with fraction", finding: `{"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": ["roles", 1.5]}`, want: "path[1]: 1.5 is not an array index"},
		{name: "path with negative", finding: `{"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": ["roles", -1]}`, want: "path[1]: -1 is not an array index"},
		{name: "unknown severity", finding: `{"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": [], "severity": "urgent"}`, want: `unknown severity "urgent"`},
		{name: "severity not a string", finding: `{"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": [], "severity": 3}`, want: "severity must be a string"},
		{name: "related not an array", finding: `{"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": [], "related": {"kind": "role", "id": "x"}}`, want: "related must be an array"},
		{name: "related entry bad", finding: `{"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": [], "related": [{"kind": "role"}]}`, want: "related[0]: kind and id must be non-empty strings"},
		{name: "unknown field", finding: `{"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": [], "severty": "high"}`, want: `unknown field "severty"`},
		{name: "key not a string", finding: `{"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": [], "key": 1}`, want: "key must be a non-empty string"},
		{name: "empty key", finding: `{"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": [], "key": ""}`, want: "key must be a non-empty string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeRules(t, map[string]string{"bad.rego": userRule("acme.rules.bad", "ACME-7", "deny contains "+tc.finding)})
			e := newEngine(t, Options{PolicyDirs: []string{dir}})
			got, err := e.Evaluate(context.Background(), testSnapshot())
			if err == nil {
				t.Fatalf("Evaluate = %v, want an error", got)
			}
			for _, w := range []string{"rule ACME-7 (acme.rules.bad)", tc.want} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Evaluate error = %v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestLocate(t *testing.T) {
	snap := testSnapshot()
	snap.Policies = []snapshot.PolicyFile{{ID: "trust.json", Loc: loc("trust.json", 1, 30)}}
	snap.Workloads = []snapshot.Workload{{Kind: "Deployment", Cluster: "prod", Namespace: "shop", Name: "web", Loc: loc("k8s/deploy.yaml", 1, 40)}}
	l := newLocator(snap)
	role := findings.Resource{Kind: "role", ID: "arn:aws:iam::111122223333:role/app"}
	nowhere := findings.Resource{Kind: "role", ID: "arn:aws:iam::111122223333:role/nowhere"}
	for _, tc := range []struct {
		name string
		path []any
		res  findings.Resource
		want snapshot.Location
	}{
		{name: "condition", path: []any{"roles", 0, "trust_policy", "statements", 0, "conditions", 1}, res: role, want: loc("roles/app.json", 10, 10)},
		{name: "inside a condition", path: []any{"roles", 0, "trust_policy", "statements", 0, "conditions", 0, "values", 0}, res: role, want: loc("roles/app.json", 9, 9)},
		{name: "statement", path: []any{"roles", 0, "trust_policy", "statements", 0}, res: role, want: loc("roles/app.json", 3, 12)},
		{name: "statement field", path: []any{"roles", 1, "trust_policy", "statements", 0, "actions", 0}, res: role, want: loc("roles/open.json", 3, 8)},
		{name: "role", path: []any{"roles", 1}, res: role, want: loc("roles/open.json", 1, 10)},
		{name: "key loc", path: []any{"service_accounts", 0, "role_arn"}, res: role, want: snapshot.Location{File: "k8s/sa.yaml", StartLine: 7, EndLine: 7, StartColumn: 33}},
		{name: "index out of range stops the walk", path: []any{"roles", 0, "trust_policy", "statements", 5, "conditions", 0}, res: role, want: loc("roles/app.json", 1, 14)},
		{name: "missing key stops the walk", path: []any{"roles", 1, "nope", "x"}, res: role, want: loc("roles/open.json", 1, 10)},
		{name: "index into object", path: []any{"roles", 1, "trust_policy", 0}, res: role, want: loc("roles/open.json", 1, 10)},
		{name: "key into array", path: []any{"roles", "first"}, res: role, want: loc("roles/app.json", 1, 14)},
		{name: "empty path uses the resource", path: nil, res: role, want: loc("roles/app.json", 1, 14)},
		{name: "path into the facts uses the resource", path: []any{"trust", "roles", 0}, res: role, want: loc("roles/app.json", 1, 14)},
		{name: "map member", path: []any{"service_accounts", 0, "annotations", "eks.amazonaws.com/role-arn"}, res: role, want: loc("k8s/sa.yaml", 1, 8)},
		{name: "no key loc without the key", path: []any{"service_accounts", 0, "role_arn_nope"}, res: role, want: loc("k8s/sa.yaml", 1, 8)},
		{name: "path without loc uses the resource", path: []any{"generated_at"}, res: findings.Resource{Kind: "policy", ID: "trust.json"}, want: loc("trust.json", 1, 30)},
		{name: "service account resource", path: nil, res: findings.Resource{Kind: "service_account", ID: "default/web"}, want: loc("k8s/sa.yaml", 1, 8)},
		{name: "workload resource", path: nil, res: findings.Resource{Kind: "workload", ID: "prod/shop/web"}, want: loc("k8s/deploy.yaml", 1, 40)},
		{name: "workload resource with kind", path: nil, res: findings.Resource{Kind: "workload", ID: "prod/shop/Deployment/web"}, want: loc("k8s/deploy.yaml", 1, 40)},
		{name: "nothing has a loc", path: []any{"roles", 3}, res: nowhere, want: snapshot.Location{}},
		{name: "unknown resource", path: []any{"accounts", 0}, res: findings.Resource{Kind: "bucket", ID: "b"}, want: snapshot.Location{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := l.find(tc.path, tc.res)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("find(%v) (-want +got):\n%s", tc.path, diff)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	e := newEngine(t, Options{Include: []string{"IRSA-901"}})
	eval := func(s *snapshot.Snapshot) []findings.Finding {
		t.Helper()
		fs, err := e.Evaluate(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		var out []findings.Finding
		for _, f := range fs {
			if f.Resource.ID != "arn:aws:iam::111122223333:role/star" {
				out = append(out, f)
			}
		}
		if len(out) != 1 {
			t.Fatalf("got %d findings, want 1: %+v", len(out), out)
		}
		return out
	}
	base := eval(testSnapshot())[0]

	moved := testSnapshot()
	moved.Roles[0].TrustPolicy.Statements[0].Conditions[0].Loc = loc("roles/app.json", 19, 19)
	moved.Roles[0].TrustPolicy.Statements[0].Loc = loc("roles/app.json", 13, 22)
	got := eval(moved)[0]
	if got.Location.StartLine != 19 {
		t.Errorf("moved finding at line %d, want 19", got.Location.StartLine)
	}
	if got.Fingerprint != base.Fingerprint {
		t.Errorf("fingerprint changed when lines moved: %s -> %s", base.Fingerprint, got.Fingerprint)
	}

	other := testSnapshot()
	other.Roles[0].ARN = "arn:aws:iam::111122223333:role/other"
	if got := eval(other)[0]; got.Fingerprint == base.Fingerprint {
		t.Errorf("fingerprint did not change with the resource: %s", got.Fingerprint)
	}
	if len(base.Fingerprint) != 64 {
		t.Errorf("fingerprint %q is not hex sha256", base.Fingerprint)
	}

	for _, tc := range []struct {
		name    string
		ruleID  string
		res     findings.Resource
		path    []any
		msg     string
		wantNew bool
	}{
		{name: "same", ruleID: "R-1", res: findings.Resource{Kind: "role", ID: "a"}, path: []any{"roles", 0}, msg: "m"},
		{name: "other rule", ruleID: "R-2", res: findings.Resource{Kind: "role", ID: "a"}, path: []any{"roles", 0}, msg: "m", wantNew: true},
		{name: "other kind", ruleID: "R-1", res: findings.Resource{Kind: "policy", ID: "a"}, path: []any{"roles", 0}, msg: "m", wantNew: true},
		{name: "other path", ruleID: "R-1", res: findings.Resource{Kind: "role", ID: "a"}, path: []any{"roles", 1}, msg: "m", wantNew: true},
		{name: "number vs string in path", ruleID: "R-1", res: findings.Resource{Kind: "role", ID: "a"}, path: []any{"roles", "0"}, msg: "m", wantNew: true},
		{name: "other message", ruleID: "R-1", res: findings.Resource{Kind: "role", ID: "a"}, path: []any{"roles", 0}, msg: "n", wantNew: true},
		{name: "no field bleeding", ruleID: "R-1", res: findings.Resource{Kind: "role", ID: "a\x00"}, path: []any{"roles", 0}, msg: "m", wantNew: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := fingerprint("R-1", findings.Resource{Kind: "role", ID: "a"}, []any{"roles", 0}, "m")
			got := fingerprint(tc.ruleID, tc.res, tc.path, tc.msg)
			if (got != ref) != tc.wantNew {
				t.Errorf("fingerprint differs = %v, want %v", got != ref, tc.wantNew)
			}
		})
	}
}

// TestFingerprintKey: a finding with a key is fingerprinted by it instead of its message, so a
// message whose figures change (action counts that follow the IAM catalog) keeps its
// fingerprint, while two keys on one element stay apart.
func TestFingerprintKey(t *testing.T) {
	run := func(findings string) map[string]string {
		t.Helper()
		dir := writeRules(t, map[string]string{"key.rego": userRule("acme.rules.key", "ACME-8", findings)})
		e := newEngine(t, Options{PolicyDirs: []string{dir}})
		fs, err := e.Evaluate(context.Background(), testSnapshot())
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, f := range fs {
			out[f.Message] = f.Fingerprint
		}
		return out
	}
	finding := func(msg, key string) string {
		return fmt.Sprintf(`deny contains {"msg": %q, "key": %q, "resource": {"kind": "role", "id": "r"}, "path": ["roles", 0]}
`, msg, key)
	}
	a := run(finding("grants 180 S3 actions", "s3"))
	b := run(finding("grants 181 S3 actions", "s3") + finding("grants 3 other actions", "other"))
	if a["grants 180 S3 actions"] != b["grants 181 S3 actions"] {
		t.Errorf("fingerprint changed with the message under the same key: %v, %v", a, b)
	}
	if b["grants 181 S3 actions"] == b["grants 3 other actions"] {
		t.Errorf("two keys on one element share a fingerprint: %v", b)
	}
	plain := fingerprint("ACME-8", findings.Resource{Kind: "role", ID: "r"}, []any{"roles", 0}, "grants 180 S3 actions")
	if plain == a["grants 180 S3 actions"] {
		t.Error("a keyed finding is fingerprinted by its message")
	}
}

func TestDedupe(t *testing.T) {
	// Two deny elements that differ only in the order of related, and a third with another
	// severity: one finding, with the higher severity.
	dir := writeRules(t, map[string]string{"dup.rego": userRule("acme.rules.dup", "ACME-1", `
deny contains {"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": ["roles", 0],
	"related": [{"kind": "a", "id": "1"}, {"kind": "b", "id": "2"}]}

deny contains {"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": ["roles", 0],
	"related": [{"kind": "b", "id": "2"}, {"kind": "a", "id": "1"}, {"kind": "a", "id": "1"}]}

deny contains {"msg": "m", "resource": {"kind": "role", "id": "r"}, "path": ["roles", 0], "severity": "high"}

deny contains {"msg": "other", "resource": {"kind": "role", "id": "r"}, "path": ["roles", 0]}
`)})
	e := newEngine(t, Options{PolicyDirs: []string{dir}, Include: []string{"ACME-1"}})
	got, err := e.Evaluate(context.Background(), testSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	type short struct {
		Severity findings.Severity
		Message  string
		Related  []findings.Resource
		Location snapshot.Location
	}
	var gotShort []short
	for _, f := range got {
		gotShort = append(gotShort, short{f.Severity, f.Message, f.Related, f.Location})
	}
	want := []short{
		{Severity: findings.High, Message: "m", Location: loc("roles/app.json", 1, 14)},
		{Severity: findings.Low, Message: "other", Location: loc("roles/app.json", 1, 14)},
	}
	if diff := cmp.Diff(want, gotShort); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestEvalTime(t *testing.T) {
	for _, tc := range []struct {
		name        string
		generatedAt string
		now         time.Time
		want        []string // resource ids of IRSA-904 findings
		wantErr     string
	}{
		// app was last used 2024-01-01 and nowhere 2020-01-01.
		{name: "generated_at wins over the clock", generatedAt: "2024-02-01T00:00:00Z", now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
			want: []string{"arn:aws:iam::111122223333:role/nowhere"}},
		{name: "clock without generated_at", now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
			want: []string{"arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/nowhere"}},
		{name: "old clock", now: time.Date(2020, 2, 1, 0, 0, 0, 0, time.UTC), want: nil},
		{name: "bad generated_at", generatedAt: "yesterday", wantErr: "snapshot generated_at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, Options{Include: []string{"IRSA-904"}, Now: func() time.Time { return tc.now }})
			snap := testSnapshot()
			snap.GeneratedAt = tc.generatedAt
			fs, err := e.Evaluate(context.Background(), snap)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Evaluate error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.Resource.ID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("stale roles (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPrintIsSilent checks that print in a rule compiles but writes nothing: the report goes to
// stdout, and a rule must not be able to corrupt it.
func TestPrintIsSilent(t *testing.T) {
	dir := writeRules(t, map[string]string{"p.rego": userRule("acme.rules.p", "ACME-1", `
deny contains finding if {
	some r in input.roles
	print("PRINTED", r.arn)
	finding := {"msg": "m", "resource": {"kind": "role", "id": r.arn}, "path": []}
}`)})
	e := newEngine(t, Options{PolicyDirs: []string{dir}, Include: []string{"ACME-1"}})

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = w, w
	fs, evalErr := e.Evaluate(context.Background(), testSnapshot())
	os.Stdout, os.Stderr = stdout, stderr
	w.Close()
	out, _ := io.ReadAll(r)
	if evalErr != nil {
		t.Fatal(evalErr)
	}
	if len(fs) != 4 {
		t.Errorf("got %d findings, want 4 (the print must not change the result)", len(fs))
	}
	if bytes.Contains(out, []byte("PRINTED")) {
		t.Errorf("print wrote %q", out)
	}
}

func TestEvaluateNil(t *testing.T) {
	e := newEngine(t, Options{})
	if _, err := e.Evaluate(context.Background(), nil); err == nil {
		t.Error("Evaluate(nil) succeeded")
	}
	got, err := e.Evaluate(context.Background(), &snapshot.Snapshot{})
	if err != nil {
		t.Fatalf("Evaluate(empty): %v", err)
	}
	if len(got) != 0 {
		t.Errorf("Evaluate(empty) = %+v, want no findings", got)
	}
}

func TestEvaluateCanceled(t *testing.T) {
	e := newEngine(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Evaluate(ctx, testSnapshot()); err == nil {
		t.Error("Evaluate with a canceled context succeeded")
	}
}

// TestTestdataRuleTests runs the Rego tests of the worked example (as `opa test
// pkg/eval/testdata/custom` does, so that docs/custom-rules.md stays true) and of the stand-in
// built-in rules, with the capabilities user rules get.
func TestTestdataRuleTests(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		want int
	}{
		{"testdata/custom", 3},
		{"testdata/builtin", 1},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			modules := map[string]*ast.Module{}
			err := filepath.WalkDir(tc.dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
					return err
				}
				src, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				m, err := ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
				if err != nil {
					return err
				}
				modules[p] = m
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			ch, err := tester.NewRunner().SetDefaultRegoVersion(ast.RegoV1).SetModules(modules).
				SetCompiler(ast.NewCompiler().WithCapabilities(Capabilities())).
				RaiseBuiltinErrors(true).RunTests(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ran := 0
			for r := range ch {
				ran++
				if r.Error != nil || r.Fail {
					t.Errorf("%s.%s failed: %v", r.Package, r.Name, r.Error)
				}
			}
			if ran != tc.want {
				t.Errorf("ran %d Rego tests, want %d", ran, tc.want)
			}
		})
	}
}

// TestEvaluateConcurrent checks that one engine serves concurrent scans (run with -race).
func TestEvaluateConcurrent(t *testing.T) {
	e := newEngine(t, Options{PolicyDirs: []string{"testdata/custom"}})
	want, err := e.Evaluate(context.Background(), testSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			got, err := e.Evaluate(context.Background(), testSnapshot())
			if err == nil && !cmp.Equal(want, got) {
				err = fmt.Errorf("concurrent result differs (-want +got):\n%s", cmp.Diff(want, got))
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestLoadBuiltinSkipsTests(t *testing.T) {
	mods, err := loadBuiltin(testBuiltin(), Capabilities())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range mods {
		got = append(got, m.file)
	}
	want := []string{
		"policies/lib/test.rego",
		"policies/roles/stale.rego",
		"policies/serviceaccount/bad_arn.rego",
		"policies/trust/no_condition.rego",
		"policies/trust/wildcard_sub.rego",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("loaded files (-want +got):\n%s", diff)
	}
}

func TestPolicyDirMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	_, err := New(context.Background(), Options{builtin: testBuiltin(), PolicyDirs: []string{missing}})
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("New error = %v, want one naming %s", err, missing)
	}
}

// TestNotCheckedReusesEvaluation: NotChecked after Evaluate (which remembers the roles the
// permission analysis judged) says what it says without one, and what it says of another
// snapshot is that snapshot's.
func TestNotCheckedReusesEvaluation(t *testing.T) {
	gen := func(seed uint64) *snapshot.Snapshot {
		return estate.Generate(estate.Config{Seed: seed, Roles: 120, ServiceAccounts: 400, Clusters: 2, PolicyFiles: 5}).Snapshot
	}
	snap, other := gen(3), gen(3)
	other.Roles = other.Roles[:60]
	want := builtinEngine(t).NotChecked(snap)
	wantOther := builtinEngine(t).NotChecked(other)
	if len(want) == 0 || cmp.Equal(want, wantOther) {
		t.Fatalf("the estate leaves no role unjudged, or both snapshots leave the same: %v, %v", want, wantOther)
	}
	e := builtinEngine(t)
	if _, err := e.Evaluate(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	if e.judged.Load() == nil {
		t.Fatal("Evaluate remembered nothing")
	}
	if diff := cmp.Diff(want, e.NotChecked(snap)); diff != "" {
		t.Errorf("after Evaluate (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantOther, e.NotChecked(other)); diff != "" {
		t.Errorf("another snapshot after Evaluate (-want +got):\n%s", diff)
	}
}
