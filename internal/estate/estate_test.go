package estate_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/internal/estate"
	"github.com/irsa-audit/irsa-audit/pkg/eval"
)

func TestGenerateIsDeterministic(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  estate.Config
	}{
		{"tiny", estate.Config{Seed: 1, Roles: 10, ServiceAccounts: 30, Clusters: 1, PolicyFiles: 4}},
		{"small", estate.Config{Seed: 7, Roles: 400, ServiceAccounts: 4000, Clusters: 12, PolicyFiles: 50}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := json.Marshal(estate.Generate(tc.cfg).Snapshot)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(estate.Generate(tc.cfg).Snapshot)
			if err != nil {
				t.Fatal(err)
			}
			if string(a) != string(b) {
				t.Fatal("two generations of the same config differ")
			}
			other := tc.cfg
			other.Seed++
			c, err := json.Marshal(estate.Generate(other).Snapshot)
			if err != nil {
				t.Fatal(err)
			}
			if string(a) == string(c) {
				t.Fatal("another seed gave the same estate")
			}
		})
	}
}

// TestScannerFindsSeededMisconfigurations evaluates small estates with every built-in rule and
// compares the findings per rule id with what the generator seeded: the correct roles give no
// finding at all, and each misconfiguration gives exactly its own.
func TestScannerFindsSeededMisconfigurations(t *testing.T) {
	ctx := context.Background()
	eng, err := eval.New(ctx, eval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cfg  estate.Config
	}{
		{"one cluster", estate.Config{Seed: 3, Roles: 100, ServiceAccounts: 300, Clusters: 1, PolicyFiles: 10}},
		{"twelve clusters", estate.Config{Seed: 11, Roles: 400, ServiceAccounts: 4000, Clusters: 12, PolicyFiles: 40, Rate: 0.02}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			est := estate.Generate(tc.cfg)
			fs, err := eng.Evaluate(ctx, est.Snapshot)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, f := range fs {
				got[f.RuleID]++
			}
			if diff := cmp.Diff(est.Expected, got); diff != "" {
				for _, f := range fs {
					t.Logf("%s %s %s", f.RuleID, f.Resource.ID, f.Message)
				}
				t.Errorf("findings per rule id (-want +got):\n%s", diff)
			}
			for _, k := range estate.Kinds {
				if est.Seeded[k.Name] == 0 {
					t.Errorf("kind %s was not seeded", k.Name)
				}
			}
		})
	}
}
