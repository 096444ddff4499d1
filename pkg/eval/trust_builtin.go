package eval

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/trust"
)

// trustFacts is iam.trust_facts(input): the trust facts of an input document, exactly the
// input.trust the evaluator builds before evaluating (pkg/trust's analysis: who can assume
// each role, the verdict of every ServiceAccount-role binding, lib/irsa's statement facts and
// lib/bindings' indexes). The libraries read input.trust when it is there and call this
// otherwise (rule tests, `opa eval` on a saved snapshot), so every rule test runs the Go code
// scans run.
var trustFacts = builtin{
	decl: &ast.Builtin{Name: trustFactsName, Description: trustFactsDesc, Decl: trustFactsDecl},
	fn: rego.Function1(&rego.Function{Name: trustFactsName, Description: trustFactsDesc, Decl: trustFactsDecl, Memoize: true},
		func(_ rego.BuiltinContext, in *ast.Term) (*ast.Term, error) {
			obj, ok := in.Value.(ast.Object)
			if !ok {
				return nil, fmt.Errorf("%s: operand 1 must be an object, not %s", trustFactsName, ast.ValueName(in.Value))
			}
			facts, err := trustFactsOf(obj)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", trustFactsName, err)
			}
			return ast.NewTerm(facts), nil
		}),
}

const (
	trustFactsName = "iam.trust_facts"
	trustFactsDesc = "the trust facts of an input document (what the evaluator puts at input.trust): who can assume each role, the verdict of every ServiceAccount-role binding, the statement facts and indexes of the trust rules"
)

var trustFactsDecl = types.NewFunction(types.Args(types.Named("input", types.NewObject(nil, types.NewDynamicProperty(types.S, types.A)))),
	types.Named("facts", types.NewObject(nil, types.NewDynamicProperty(types.S, types.A))))

// trustFactsOf reads in as a snapshot and computes its input.trust.
func trustFactsOf(in ast.Object) (ast.Object, error) {
	raw, err := ast.JSON(in)
	if err != nil {
		return nil, fmt.Errorf("read input: %w", err)
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("read input: %w", err)
	}
	var snap snapshot.Snapshot
	// A field of the wrong type is left out, as the rules leave out what they cannot read.
	if err := json.Unmarshal(data, &snap); err != nil {
		if _, ok := errors.AsType[*json.UnmarshalTypeError](err); !ok {
			return nil, fmt.Errorf("read input: %w", err)
		}
	}
	a := trust.Analyze(&snap)
	tr, index, err := trustValue(a)
	if err != nil {
		return nil, err
	}
	obj := tr.(ast.Object) // checked by trustValue
	obj.Insert(ast.StringTerm("irsa"), ast.NewTerm(irsaFacts(in, a.OIDCStatements)))
	obj.Insert(ast.StringTerm("index"), ast.NewTerm(index))
	return obj, nil
}

// trustValue converts the trust analysis (an object) and builds lib/bindings' indexes.
func trustValue(a *trust.Analysis) (ast.Value, ast.Object, error) {
	rest := *a
	rest.Roles, rest.Policies = nil, nil
	tr, err := toValue(&rest)
	if err != nil {
		return nil, nil, fmt.Errorf("convert trust analysis: %w", err)
	}
	obj, ok := tr.(ast.Object)
	if !ok {
		return nil, nil, fmt.Errorf("trust analysis is %T, want an object", tr)
	}
	sh := sharedTerms{}
	obj.Insert(ast.StringTerm("roles"), assumersTerm(sh, a.Roles))
	obj.Insert(ast.StringTerm("policies"), assumersTerm(sh, a.Policies))
	return obj, bindingsIndex(a.Index), nil
}

// assumersTerm builds the terms of who can assume each role (the JSON form of
// []trust.Assumers) by hand, sharing what thousands of roles repeat: provider ARNs, issuers,
// audience lists and empty lists. The reflecting converter would build each anew.
func assumersTerm(sh sharedTerms, all []trust.Assumers) *ast.Term {
	out := make([]*ast.Term, len(all))
	for i, a := range all {
		web := make([]*ast.Term, len(a.WebIdentity))
		for n, w := range a.WebIdentity {
			web[n] = ast.ObjectTerm(
				ast.Item(keyProvider, sh.str(w.Provider)),
				ast.Item(keyIssuer, sh.str(w.Issuer)),
				ast.Item(keyKubernetes, ast.InternedTerm(w.Kubernetes)),
				ast.Item(keyAnySubject, ast.InternedTerm(w.AnySubject)),
				ast.Item(keyAnyServiceAccount, ast.InternedTerm(w.AnyServiceAccount)),
				ast.Item(keyNamespaces, sh.strings(w.Namespaces)),
				ast.Item(keyPatterns, sh.strings(w.Patterns)),
				ast.Item(keyServiceAccounts, sh.strings(w.ServiceAccounts)),
				ast.Item(keyExcept, sh.strings(w.Except)),
				ast.Item(keyAnyAudience, ast.InternedTerm(w.AnyAudience)),
				ast.Item(keyAudiences, sh.strings(w.Audiences)),
				ast.Item(keyConditional, ast.InternedTerm(w.Conditional)),
				ast.Item(keySymbolic, ast.InternedTerm(w.Symbolic)),
				ast.Item(keyStatement, ast.InternedTerm(w.Statement)),
			)
		}
		services := make([]*ast.Term, len(a.Services))
		for n, s := range a.Services {
			services[n] = ast.ObjectTerm(
				ast.Item(keyService, sh.str(s.Service)),
				ast.Item(keyVerdict, sh.str(string(s.Verdict))),
			)
		}
		out[i] = ast.ObjectTerm(
			ast.Item(keyWebIdentity, ast.ArrayTerm(web...)),
			ast.Item(keyServices, ast.ArrayTerm(services...)),
		)
	}
	return ast.ArrayTerm(out...)
}

var (
	keyAnyAudience       = ast.StringTerm("any_audience")
	keyAnyServiceAccount = ast.StringTerm("any_service_account")
	keyAnySubject        = ast.StringTerm("any_subject")
	keyAudiences         = ast.StringTerm("audiences")
	keyConditional       = ast.StringTerm("conditional")
	keyExcept            = ast.StringTerm("except")
	keyKubernetes        = ast.StringTerm("kubernetes")
	keyNamespaces        = ast.StringTerm("namespaces")
	keyPatterns          = ast.StringTerm("patterns")
	keyService           = ast.StringTerm("service")
	keyServiceAccounts   = ast.StringTerm("service_accounts")
	keyServices          = ast.StringTerm("services")
	keySymbolic          = ast.StringTerm("symbolic")
	keyVerdict           = ast.StringTerm("verdict")
)
