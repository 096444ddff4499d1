package eval

import (
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

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
