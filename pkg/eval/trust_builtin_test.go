package eval

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/irsa-audit/irsa-audit/pkg/load"
	"github.com/irsa-audit/irsa-audit/pkg/trust"
)

// TestAssumersTerm holds the hand-built terms of who can assume each role equal to the JSON form
// of trust.Assumers (what the reflecting converter gives), on the estates of TestEarlyGroup.
func TestAssumersTerm(t *testing.T) {
	for name, snap := range trustSnapshots(t) {
		t.Run(name, func(t *testing.T) {
			a := trust.Analyze(snap)
			want, err := toValue(a.Roles)
			if err != nil {
				t.Fatal(err)
			}
			got := assumersTerm(sharedTerms{}, a.Roles)
			if ast.Compare(want, got.Value) != 0 {
				t.Errorf("assumersTerm = %v, want %v", got, want)
			}
			if !slicesAny(a.Roles) {
				t.Error("no role with web-identity facts: the comparison proves little")
			}
		})
	}
}

func slicesAny(all []trust.Assumers) bool {
	for _, a := range all {
		if len(a.WebIdentity) > 0 {
			return true
		}
	}
	return false
}

// TestTrustFactsBuiltin checks that iam.trust_facts, which the libraries call when the input has
// no input.trust (rule tests), computes from the input alone the input.trust a scan builds.
func TestTrustFactsBuiltin(t *testing.T) {
	snaps := trustSnapshots(t)
	snaps["index edge cases"] = indexEdgeSnapshot()
	examples, err := load.Load(context.Background(), []string{"../../examples", "../load/testdata"}, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snaps["examples and loader fixtures"] = examples
	for name, snap := range snaps {
		t.Run(name, func(t *testing.T) {
			in, err := inputOf(snap)
			if err != nil {
				t.Fatal(err)
			}
			want := in.Get(ast.StringTerm("trust"))
			bare := ast.NewObject()
			in.Foreach(func(k, v *ast.Term) {
				if !k.Equal(ast.StringTerm("trust")) && !k.Equal(ast.StringTerm("permissions")) {
					bare.Insert(k, v)
				}
			})
			got, err := trustFactsOf(bare)
			if err != nil {
				t.Fatal(err)
			}
			if ast.Compare(want.Value, got) != 0 {
				t.Errorf("iam.trust_facts differs from input.trust:\n got %v\nwant %v", got, want)
			}
		})
	}
}
