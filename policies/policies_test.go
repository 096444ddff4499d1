package policies_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/irsa-audit/irsa-audit/pkg/eval"
	"github.com/irsa-audit/irsa-audit/policies"
)

// TestRego runs every Rego test of the embedded rules as irsa-audit test does: with the custom
// built-ins and the capabilities of a scan (eval.Capabilities), so that a test cannot lean on a
// built-in that scans withhold (http.send, net.*, opa.runtime, ...).
func TestRego(t *testing.T) {
	results, err := eval.RunTests(context.Background(), eval.TestOptions{Builtin: true})
	if err != nil {
		t.Fatalf("run rego tests: %v", err)
	}
	for _, r := range results {
		switch {
		case r.Err != nil:
			t.Errorf("%s (%s:%d): error: %v", r.Name, r.File, r.Line, r.Err)
		case r.Fail:
			t.Errorf("%s (%s:%d): FAIL %s", r.Name, r.File, r.Line, r.FailedAt)
		case r.Skip:
			t.Logf("%s: SKIPPED", r.Name)
		}
	}
	if len(results) == 0 {
		t.Fatal("no Rego tests ran")
	}
	t.Logf("%d Rego tests ran", len(results))
}

// TestStrict compiles the rules, libraries and tests in strict mode, as `opa check --strict
// policies` (make lint) does: unused imports, variables and arguments, shadowed names and
// deprecated built-ins are errors.
func TestStrict(t *testing.T) {
	c := ast.NewCompiler().WithStrict(true).WithCapabilities(eval.Capabilities())
	if c.Compile(parseModules(t)); c.Failed() {
		t.Fatal(c.Errors)
	}
}

// TestNoComparisonInsideWith guards against a trap of Rego's grammar: in
// `rule.deny with input as x == want` the comparison is part of the `with` value, so the test
// only checks that rule.deny is defined and can never fail. Tests must bind the result first
// (`got := rule.deny with input as x` then `got == want`) or put `with` last.
func TestNoComparisonInsideWith(t *testing.T) {
	for _, m := range parseModules(t) {
		ast.WalkExprs(m, func(e *ast.Expr) bool {
			for _, w := range e.With {
				call, ok := w.Value.Value.(ast.Call)
				if !ok || len(call) == 0 {
					continue
				}
				switch call[0].String() {
				case "equal", "neq", "eq", "assign", "lt", "gt", "lte", "gte":
					t.Errorf("%s: `with %s as %s`: the comparison is inside the with value, so the expression cannot fail; bind the result first", w.Location, w.Target, w.Value)
				}
			}
			return false
		})
	}
}

// parseModules parses every embedded .rego file (rules, libraries and their tests).
func parseModules(t *testing.T) map[string]*ast.Module {
	t.Helper()
	modules := map[string]*ast.Module{}
	err := fs.WalkDir(policies.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") {
			return err
		}
		src, err := fs.ReadFile(policies.FS, path)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(path, string(src), ast.ParserOptions{
			RegoVersion:       ast.RegoV1,
			ProcessAnnotation: true,
		})
		if err != nil {
			return err
		}
		modules[path] = m
		return nil
	})
	if err != nil {
		t.Fatalf("load policies: %v", err)
	}
	return modules
}
