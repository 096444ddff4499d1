package eval

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/irsa-audit/irsa-audit/internal/estate"
	"github.com/irsa-audit/irsa-audit/pkg/load"
	"github.com/irsa-audit/irsa-audit/pkg/permissions"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// viaJSON is the reference conversion toValue must agree with: the JSON text decoded with
// numbers kept as json.Number, without the locations (the object members "loc" and "*_loc"
// whose value is an object: a tag or annotation named "loc" has a string), then
// ast.InterfaceToValue (what rego.EvalInput does).
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
	var strip func(any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if _, obj := x.(map[string]any); obj && (k == "loc" || strings.HasSuffix(k, "_loc")) {
					delete(v, k)
					continue
				}
				strip(x)
			}
		case []any:
			for _, x := range v {
				strip(x)
			}
		}
	}
	strip(doc)
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

// TestInputHasNoLocations: toValue leaves every snapshot.Location out (pointer or not), and
// keeps members named "loc" that are data (a tag, an annotation).
func TestInputHasNoLocations(t *testing.T) {
	full := snapshot.Location{File: "a.json", StartLine: 700, EndLine: 1200, StartColumn: 3, API: "iam:X"}
	got, err := toValue(snapshot.ServiceAccount{Name: "x", Annotations: map[string]string{"loc": "data"}, RoleARN: "r", RoleARNLoc: &full, Loc: full})
	if err != nil {
		t.Fatal(err)
	}
	want := ast.MustParseTerm(`{"namespace": "", "name": "x", "annotations": {"loc": "data"}, "role_arn": "r"}`).Value
	if got.Compare(want) != 0 {
		t.Errorf("got %v, want %v", got, want)
	}
}
