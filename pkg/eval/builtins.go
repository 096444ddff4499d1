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
	builtin2("iam.action_matches",
		"IAM action matching: whether an Action or NotAction pattern (\"s3:Get*\") matches an action (\"s3:GetObject\"), with * and ? wildcards and ignoring case, as IAM compares action names",
		types.Named("pattern", types.S), types.Named("action", types.S), types.Named("result", types.B),
		func(pattern, action string) (*ast.Term, error) {
			return ast.BooleanTerm(iam.MatchAction(pattern, action)), nil
		}),
	builtin2("iam.glob_match",
		"IAM wildcard matching: * matches any run of characters, ? one character, every other character is literal and case-sensitive (as StringLike and ARNLike compare)",
		types.Named("pattern", types.S), types.Named("value", types.S), types.Named("result", types.B),
		func(pattern, value string) (*ast.Term, error) {
			return ast.BooleanTerm(iam.GlobMatch(pattern, value)), nil
		}),
	builtin1("iam.normalize_issuer",
		"the OIDC issuer as IAM keys it: the URL without its https:// or http:// scheme, everything else (a trailing / included) as written; the part after oidc-provider/ in a provider ARN and the prefix of its condition keys",
		types.Named("url", types.S), types.Named("issuer", types.S),
		func(url string) (*ast.Term, error) {
			return ast.StringTerm(iam.NormalizeIssuer(url)), nil
		}),
	builtin1("iam.parse_arn",
		"splits an ARN into its fields; undefined unless s is arn:<partition>:<service>:<region>:<account>:<resource> (the resource keeps its own colons)",
		types.Named("s", types.S), types.Named("arn", arnType),
		func(s string) (*ast.Term, error) {
			a, ok := iam.ParseARN(s)
			if !ok {
				return nil, nil
			}
			return objectTerm("partition", a.Partition, "service", a.Service, "region", a.Region, "account", a.Account, "resource", a.Resource), nil
		}),
	builtin1("iam.parse_oidc_provider_arn",
		"parses an IAM OIDC identity provider ARN, arn:<partition>:iam::<account>:oidc-provider/<issuer>; undefined for anything else (SAML providers, *, a malformed account); issuer is as in the ARN, without a scheme",
		types.Named("s", types.S), types.Named("provider", providerType),
		func(s string) (*ast.Term, error) {
			p, ok := iam.ParseProviderARN(s)
			if !ok {
				return nil, nil
			}
			return objectTerm("partition", p.Partition, "account", p.Account, "issuer", p.Issuer), nil
		}),
	builtin1("iam.parse_role_arn",
		"parses an IAM role ARN, arn:<partition>:iam::<account>:role<path><name>; undefined for anything else; path starts and ends with / (\"/\" when the role has none)",
		types.Named("s", types.S), types.Named("role", roleType),
		func(s string) (*ast.Term, error) {
			r, ok := iam.ParseRoleARN(s)
			if !ok {
				return nil, nil
			}
			return objectTerm("partition", r.Partition, "account", r.Account, "path", r.Path, "name", r.Name), nil
		}),
	trustFacts, // trust_builtin.go
}

// The object types that the parse built-ins return: every field a string.
var (
	arnType      = stringObject("partition", "service", "region", "account", "resource")
	roleType     = stringObject("partition", "account", "path", "name")
	providerType = stringObject("partition", "account", "issuer")
)

func stringObject(keys ...string) types.Type {
	props := make([]*types.StaticProperty, len(keys))
	for i, k := range keys {
		props[i] = types.NewStaticProperty(k, types.S)
	}
	return types.NewObject(props, nil)
}

// objectTerm builds an object of string values from key, value pairs.
func objectTerm(kv ...string) *ast.Term {
	items := make([][2]*ast.Term, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		items = append(items, [2]*ast.Term{ast.StringTerm(kv[i]), ast.StringTerm(kv[i+1])})
	}
	return ast.ObjectTerm(items...)
}

// builtin1 declares a built-in of one string argument. f returns a nil term for "undefined".
func builtin1(name, desc string, a, result types.Type, f func(a string) (*ast.Term, error)) builtin {
	decl := types.NewFunction(types.Args(a), result)
	return builtin{
		decl: &ast.Builtin{Name: name, Description: desc, Decl: decl},
		fn: rego.Function1(&rego.Function{Name: name, Description: desc, Decl: decl, Memoize: true},
			func(_ rego.BuiltinContext, x *ast.Term) (*ast.Term, error) {
				xs, err := stringArg(name, 1, x)
				if err != nil {
					return nil, err
				}
				return f(xs)
			}),
	}
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
