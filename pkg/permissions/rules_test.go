package permissions_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/irsa-audit/irsa-audit/pkg/eval"
	"github.com/irsa-audit/irsa-audit/pkg/permissions"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/policies"
)

// TestRulesOverAnalysis runs the permission rules over the analysis of testdata/snapshot.json,
// with the input the evaluator builds (the snapshot's JSON plus "permissions"), so the Go facts
// and the Rego rules are checked against each other. Findings are recorded in
// testdata/findings.golden (refresh with -update).
func TestRulesOverAnalysis(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	var snap snapshot.Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		t.Fatal(err)
	}
	var inputDoc map[string]any
	if err := json.Unmarshal(data, &inputDoc); err != nil {
		t.Fatal(err)
	}
	analysis, err := json.Marshal(permissions.Analyze(&snap, permissions.Options{AllRoles: true}))
	if err != nil {
		t.Fatal(err)
	}
	var perms any
	if err := json.Unmarshal(analysis, &perms); err != nil {
		t.Fatal(err)
	}
	inputDoc["permissions"] = perms

	// The project's built-ins: the libraries compute the trust facts with iam.trust_facts.
	var opts []func(*rego.Rego)
	for _, b := range eval.TesterBuiltins() {
		opts = append(opts, b.Func)
	}
	// The permission rules and the libraries they import.
	err = fs.WalkDir(policies.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && path != "." && path != "permissions" && path != "lib" {
			return fs.SkipDir
		}
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.rego") {
			return err
		}
		src, err := fs.ReadFile(policies.FS, path)
		if err != nil {
			return err
		}
		opts = append(opts, rego.Module(path, string(src)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	opts = append(opts, rego.Query("data.irsa_audit.rules.permissions"), rego.SetRegoVersion(ast.RegoV1), rego.Input(inputDoc))
	rs, err := rego.New(opts...).Eval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		t.Fatalf("unexpected result %v", rs)
	}
	rules, _ := rs[0].Expressions[0].Value.(map[string]any)
	var lines []string
	for name, v := range rules {
		pkg, _ := v.(map[string]any)
		deny, _ := pkg["deny"].([]any)
		for _, f := range deny {
			m, _ := f.(map[string]any)
			path, _ := json.Marshal(m["path"])
			lines = append(lines, fmt.Sprintf("%s %s\n  %s\n  %s", name, m["resource"].(map[string]any)["id"], path, m["msg"]))
		}
	}
	slices.Sort(lines)
	got := strings.Join(lines, "\n") + "\n"
	path := filepath.Join("testdata", "findings.golden")
	if flag.Lookup("update").Value.String() == "true" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}
