package eval

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/types"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
)

// A builtin is a custom built-in function that gives Rego rules the IAM semantics of pkg/iam
// (and of the trust model) instead of re-deriving them. It is declared once here: Capabilities
// adds every declaration, so built-in and --policy rules compile against them; the engine and
// the Rego test runner (TesterBuiltins) get the implementations.
type builtin struct {
	decl *ast.Builtin
	fn   func(*rego.Rego)
}

// builtins are the custom built-ins, in name order.
var builtins = []builtin{
	builtin2("iam.glob_match",
		"IAM wildcard matching: * matches any run of characters, ? one character, every other character is literal and case-sensitive (as StringLike and ARNLike compare)",
		types.Named("pattern", types.S), types.Named("value", types.S), types.Named("result", types.B),
		func(pattern, value string) (*ast.Term, error) {
			return ast.BooleanTerm(iam.GlobMatch(pattern, value)), nil
		}),
	trustFacts, // trust_builtin.go
}

// builtin2 declares a built-in of two string arguments.
func builtin2(name, desc string, a, b, result types.Type, f func(a, b string) (*ast.Term, error)) builtin {
	decl := types.NewFunction(types.Args(a, b), result)
	return builtin{
		decl: &ast.Builtin{Name: name, Description: desc, Decl: decl},
		fn: rego.Function2(&rego.Function{Name: name, Description: desc, Decl: decl, Memoize: true},
			func(_ rego.BuiltinContext, x, y *ast.Term) (*ast.Term, error) {
				xs, err := stringArg(name, 1, x)
				if err != nil {
					return nil, err
				}
				ys, err := stringArg(name, 2, y)
				if err != nil {
					return nil, err
				}
				return f(xs, ys)
			}),
	}
}

func stringArg(name string, pos int, t *ast.Term) (string, error) {
	s, ok := t.Value.(ast.String)
	if !ok {
		return "", fmt.Errorf("%s: operand %d must be a string, not %s", name, pos, ast.ValueName(t.Value))
	}
	return string(s), nil
}

// regoOptions are the implementations of the custom built-ins, for rego.New.
func regoOptions() []func(*rego.Rego) {
	out := make([]func(*rego.Rego), len(builtins))
	for i, b := range builtins {
		out[i] = b.fn
	}
	return out
}

// TesterBuiltins are the custom built-ins for OPA's test runner (tester.Runner.AddCustomBuiltins),
// so that rule tests run the same Go code as scans.
func TesterBuiltins() []*tester.Builtin {
	out := make([]*tester.Builtin, len(builtins))
	for i, b := range builtins {
		out[i] = &tester.Builtin{Decl: b.decl, Func: b.fn}
	}
	return out
}
