package estate_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/internal/estate"
	"github.com/irsa-audit/irsa-audit/pkg/eval"
	"github.com/irsa-audit/irsa-audit/pkg/load"
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

// TestScannerFindsSeededMisconfigurationsInFolder loads the folder form of a small estate, as a
// pull-request scan does, and checks the findings of the rules that judge single documents and
// manifests; the cross-resource rules need the inventories, which a folder of documents does not
// carry, and must stay silent.
func TestScannerFindsSeededMisconfigurationsInFolder(t *testing.T) {
	ctx := context.Background()
	eng, err := eval.New(ctx, eval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	est := estate.Generate(estate.Config{Seed: 5, Roles: 120, ServiceAccounts: 600, Clusters: 3, PolicyFiles: 20})
	dir := t.TempDir()
	st, err := estate.WriteFolder(dir, est)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := load.Load(ctx, []string{dir}, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Errors) > 0 || len(snap.Skipped) > 0 || snap.Stats.Files != st.Files() {
		t.Fatalf("load: %d files (want %d), errors %v, skipped %v", snap.Stats.Files, st.Files(), snap.Errors, snap.Skipped)
	}
	fs, err := eng.Evaluate(ctx, snap)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, f := range fs {
		got[f.RuleID]++
	}
	want := map[string]int{}
	for id, n := range est.Expected {
		switch id {
		case "IRSA-007", "IRSA-008", "IRSA-020", "IRSA-021", "IRSA-022", "IRSA-024", "IRSA-025", "IRSA-040":
			// Need the account, cluster or role inventories.
		default:
			want[id] = n
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings per rule id (-want +got):\n%s", diff)
	}
}

// TestScannerFindsSeededMisconfigurationsInExports loads the AWS CLI and kubectl exports of a
// small estate (WriteExports) and checks that every role, provider, cluster and ServiceAccount
// is read back, and the findings of every rule but those of the standalone policy files and the
// workloads, which the exports do not carry.
func TestScannerFindsSeededMisconfigurationsInExports(t *testing.T) {
	ctx := context.Background()
	eng, err := eval.New(ctx, eval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	est := estate.Generate(estate.Config{Seed: 7, Roles: 150, ServiceAccounts: 900, Clusters: 6})
	dir := t.TempDir()
	st, err := estate.WriteExports(dir, est)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := load.Load(ctx, []string{dir}, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Errors) > 0 || len(snap.Skipped) > 0 || snap.Stats.Files != st.Files {
		t.Fatalf("load: %d files (want %d), errors %v, skipped %v", snap.Stats.Files, st.Files, snap.Errors, snap.Skipped)
	}
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"roles", len(snap.Roles), len(est.Snapshot.Roles)},
		{"managed policies", len(snap.ManagedPolicies), len(est.Snapshot.ManagedPolicies)},
		{"OIDC providers", len(snap.OIDCProviders), len(est.Snapshot.OIDCProviders)},
		{"clusters", len(snap.Clusters), len(est.Snapshot.Clusters)},
		{"ServiceAccounts", len(snap.ServiceAccounts), len(est.Snapshot.ServiceAccounts) + 2*len(est.Snapshot.Clusters)}, // + default/default, kube-system/default
	} {
		if c.got != c.want {
			t.Errorf("%s: loaded %d, want %d", c.what, c.got, c.want)
		}
	}
	fs, err := eng.Evaluate(ctx, snap)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, f := range fs {
		got[f.RuleID]++
	}
	noFiles := estate.Generate(estate.Config{Seed: 7, Roles: 150, ServiceAccounts: 900, Clusters: 6})
	noFiles.Snapshot.Workloads = nil
	wantFs, err := eng.Evaluate(ctx, noFiles.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, f := range wantFs {
		want[f.RuleID]++
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings per rule id, exports vs the snapshot without workloads (-want +got):\n%s", diff)
	}
}
