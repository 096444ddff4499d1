package eval

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/irsa-audit/irsa-audit/policies"
)

// TestOptions says which Rego tests RunTests runs (irsa-audit test).
type TestOptions struct {
	// PolicyDirs are directories (or single .rego files) of user rules and their *_test.rego
	// files, as given with --policy. Their tests run with the built-in rules and libraries
	// loaded, so that they may import data.irsa_audit.lib.*.
	PolicyDirs []string
	// Builtin runs the tests of the built-in rules too; they always run when PolicyDirs is
	// empty.
	Builtin bool
	// Run, when not empty, is a regular expression: only the tests whose full name
	// (data.<package>.<test>) matches it run, as with opa test --run.
	Run string

	// builtin replaces policies.FS, for tests.
	builtin fs.FS
}

// TestResult is the outcome of one Rego test.
type TestResult struct {
	// Name is the test's full name: data.<package>.<rule>.
	Name string
	// File and Line are where the test rule is.
	File string
	Line int
	// Fail is set when the test was undefined or false; FailedAt then says where, as
	// "file:line: expression", when OPA knows.
	Fail     bool
	FailedAt string
	// Err is set when the test could not be evaluated (a conflict, a built-in error).
	Err  error
	Skip bool
	// Output is what the test printed (print is enabled in tests).
	Output   string
	Duration time.Duration
}

// ErrNoTests is returned by RunTests when no test matched.
var ErrNoTests = errors.New("no tests found")

// RunTests runs Rego tests as `opa test` does, but with what scans use: the built-in rules and
// libraries, the custom built-ins (TesterBuiltins) and Capabilities, so that a test of a rule
// that calls iam.parse_role_arn runs the Go implementation, and a rule that calls a withheld
// built-in fails to compile as it would in a scan. User modules get the same checks as in New
// (no package under irsa_audit, no schema $ref). The results are sorted by file and line.
func RunTests(ctx context.Context, opts TestOptions) ([]TestResult, error) {
	caps := Capabilities()
	builtinFS := opts.builtin
	if builtinFS == nil {
		builtinFS = policies.FS
	}
	withBuiltinTests := opts.Builtin || len(opts.PolicyDirs) == 0
	modules := map[string]*ast.Module{}
	err := fs.WalkDir(builtinFS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		if !withBuiltinTests && !isRule(p) {
			return nil
		}
		src, err := fs.ReadFile(builtinFS, p)
		if err != nil {
			return err
		}
		name := builtinPrefix + p
		m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{
			Capabilities: caps, ProcessAnnotation: true, RegoVersion: ast.RegoV1,
		})
		if err != nil {
			return err
		}
		modules[name] = m
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load built-in rules: %w", err)
	}
	if len(opts.PolicyDirs) > 0 {
		res, err := loader.NewFileLoader().
			WithProcessAnnotation(true).
			WithCapabilities(caps).
			WithRegoVersion(ast.RegoV1).
			Filtered(opts.PolicyDirs, func(_ string, info fs.FileInfo, _ int) bool {
				return !info.IsDir() && !strings.HasSuffix(info.Name(), ".rego")
			})
		if err != nil {
			return nil, fmt.Errorf("load --policy rules: %w", err)
		}
		for _, f := range res.Modules {
			if err := checkUser(module{file: f.Name, module: f.Parsed}); err != nil {
				return nil, err
			}
			modules[f.Name] = f.Parsed
		}
	}

	if _, err := regexp.Compile(opts.Run); err != nil {
		return nil, fmt.Errorf("--run: %w", err)
	}
	out, err := runTests(ctx, caps, modules, opts.Run, false)
	if err != nil {
		return nil, err
	}
	// Where a test failed is only known from a trace (the failing expression is the last one
	// that failed), which slows every test down: the failed tests run again with one.
	var failed []string
	for _, r := range out {
		if r.Fail {
			failed = append(failed, regexp.QuoteMeta(r.Name))
		}
	}
	if len(failed) > 0 {
		traced, err := runTests(ctx, caps, modules, "^("+strings.Join(failed, "|")+")$", true)
		if err != nil {
			return nil, err
		}
		at := map[string]string{}
		for _, r := range traced {
			at[r.Name] = r.FailedAt
		}
		for i := range out {
			out[i].FailedAt = at[out[i].Name]
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("run tests: %w", err)
	}
	if len(out) == 0 {
		return nil, ErrNoTests
	}
	slices.SortFunc(out, func(a, b TestResult) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// runTests runs the tests of modules whose full name matches filter (all when it is empty) with
// OPA's tester; with trace, FailedAt is set for the failed ones.
func runTests(ctx context.Context, caps *ast.Capabilities, modules map[string]*ast.Module, filter string, trace bool) ([]TestResult, error) {
	compiler := ast.NewCompiler().
		WithCapabilities(caps).
		WithEnablePrintStatements(true).
		WithDefaultRegoVersion(ast.RegoV1)
	ch, err := tester.NewRunner().
		SetDefaultRegoVersion(ast.RegoV1).
		SetCompiler(compiler).
		SetModules(modules).
		AddCustomBuiltins(TesterBuiltins()).
		RaiseBuiltinErrors(true).
		CapturePrintOutput(true).
		EnableTracing(trace).
		Filter(filter).
		RunTests(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("compile rules and tests: %w", err)
	}
	var out []TestResult
	for r := range ch {
		tr := TestResult{
			Name:     r.Package + "." + r.Name,
			Fail:     r.Fail,
			Err:      r.Error,
			Skip:     r.Skip,
			Output:   string(r.Output),
			Duration: r.Duration,
		}
		if r.Location != nil {
			tr.File, tr.Line = r.Location.File, r.Location.Row
		}
		if r.Fail {
			tr.FailedAt = failedAt(r.Trace)
		}
		out = append(out, tr)
	}
	return out, nil
}

// failedAt is "file:line: expression" of the last expression of a test's trace that failed, as
// opa test --explain=fails shows it (an every expression is skipped for the one inside its
// body that failed); empty without a trace.
func failedAt(trace []*topdown.Event) string {
	for _, e := range slices.Backward(trace) {
		if e.Op != topdown.FailOp || e.Location == nil || e.QueryID == 0 {
			continue
		}
		expr, ok := e.Node.(*ast.Expr)
		if !ok {
			continue
		}
		if _, every := expr.Terms.(*ast.Every); every {
			continue
		}
		return fmt.Sprintf("%s:%d: %s", e.Location.File, e.Location.Row, e.Location.Text)
	}
	return ""
}
