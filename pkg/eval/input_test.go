package eval

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/irsa-audit/irsa-audit/internal/estate"
	"github.com/irsa-audit/irsa-audit/pkg/load"
	"github.com/irsa-audit/irsa-audit/pkg/permissions"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// viaJSON is the reference conversion toValue must agree with: the JSON text decoded with
// numbers kept as json.Number, then ast.InterfaceToValue (what rego.EvalInput does).
func viaJSON(t *testing.T, v any) ast.Value {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := util.UnmarshalJSON(data, &doc); err != nil {
		t.Fatal(err)
	}
	val, err := ast.InterfaceToValue(doc)
	if err != nil {
		t.Fatal(err)
	}
	return val
}

func TestToValueMatchesJSON(t *testing.T) {
	examples, err := load.Load(context.Background(), []string{"../../examples", "../load/testdata"}, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	for _, tc := range []struct {
		name string
		snap *snapshot.Snapshot
	}{
		{"empty", &snapshot.Snapshot{}},
		{"examples and loader fixtures", examples},
		{"generated", genSnapshot(50)},
		{"estate", estate.Generate(estate.Config{Seed: 2, Roles: 200, ServiceAccounts: 900, Clusters: 4, PolicyFiles: 20}).Snapshot},
		{"odd values", &snapshot.Snapshot{
			Version: "1",
			Stats:   snapshot.Stats{Files: 3, APICalls: map[string]int{"iam:ListRoles": 2, "": 0}},
			Roles: []snapshot.Role{{
				ARN: "a\xffb", Name: "<&>", Tags: map[string]string{"k\xc3": "v", "e": ""},
				TrustPolicy:    &snapshot.Document{}, // statements: null
				InlinePolicies: []snapshot.InlinePolicy{},
			}},
			ServiceAccounts: []snapshot.ServiceAccount{{Name: "x", Annotations: map[string]string{}, RoleARNLoc: &snapshot.Location{}}},
			Workloads:       []snapshot.Workload{{AutomountToken: &yes}},
			Policies:        []snapshot.PolicyFile{{Document: snapshot.Document{Statements: []snapshot.Statement{{Conditions: []snapshot.Condition{{Values: []string{}}}}}}}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []any{tc.snap, permissions.Analyze(tc.snap, permissions.Options{})} {
				got, err := toValue(v)
				if err != nil {
					t.Fatal(err)
				}
				want := viaJSON(t, v)
				if ast.Compare(want, got) != 0 {
					t.Errorf("toValue(%T) differs from the JSON round trip:\nwant %v\n got %v", v, want, got)
				}
			}
		})
	}
}

// TestLocationMatchesJSON: locations are converted without reflection (locationTerm); every
// field of snapshot.Location, set or not, must come out as its JSON form does.
func TestLocationMatchesJSON(t *testing.T) {
	full := snapshot.Location{File: "a/\xffb.json", StartLine: 700, EndLine: 1200, StartColumn: 3, API: "iam:X"}
	if n := reflect.TypeFor[snapshot.Location]().NumField(); n != 5 {
		t.Fatalf("snapshot.Location has %d fields; locationTerm knows 5", n)
	}
	for _, loc := range []snapshot.Location{{}, full, {API: "kubernetes:c"}, {File: "f", StartLine: 1}} {
		got, err := toValue(struct {
			L  snapshot.Location  `json:"l"`
			LP *snapshot.Location `json:"lp"`
		}{loc, &loc})
		if err != nil {
			t.Fatal(err)
		}
		if want := viaJSON(t, struct {
			L  snapshot.Location  `json:"l"`
			LP *snapshot.Location `json:"lp"`
		}{loc, &loc}); got.Compare(want) != 0 {
			t.Errorf("%+v: got %v, want %v", loc, got, want)
		}
	}
}
