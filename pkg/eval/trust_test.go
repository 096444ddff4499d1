package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/internal/estate"
	"github.com/irsa-audit/irsa-audit/pkg/load"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// trustSnapshots are the estates on which TestEarlyGroup compares the early rule group with the
// whole input: generated estates (several seeds, a high misconfiguration
// rate), the permission analysis fixture and edge cases of the join.
func trustSnapshots(t *testing.T) map[string]*snapshot.Snapshot {
	t.Helper()
	out := map[string]*snapshot.Snapshot{}
	for seed := range uint64(3) {
		cfg := estate.Config{Seed: seed + 1, Roles: 120, ServiceAccounts: 600, Clusters: 6, PolicyFiles: 5}
		if seed == 2 {
			cfg.Rate = 0.04
		}
		out[fmt.Sprintf("estate seed %d", seed+1)] = estate.Generate(cfg).Snapshot
	}
	data, err := os.ReadFile("../permissions/testdata/snapshot.json")
	if err != nil {
		t.Fatal(err)
	}
	var fixture snapshot.Snapshot
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatal(err)
	}
	out["permissions fixture"] = &fixture
	out["edge cases"] = edgeSnapshot()
	return out
}

// edgeSnapshot exercises the join: role names differing in case and path (one key, two roles),
// a role without a trust policy, clusters sharing an id, a cluster without issuer, a
// ServiceAccount of an unknown cluster, an audience annotation (also empty), a role ARN that
// is not one, an issuer with scheme and trailing slash, a provider of another account.
func edgeSnapshot() *snapshot.Snapshot {
	const iss = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
	sub := func(ns, name string) snapshot.Condition {
		return snapshot.Condition{Operator: "StringEquals", BaseOperator: "StringEquals", Known: true, Key: iss + ":sub", Values: []string{"system:serviceaccount:" + ns + ":" + name}}
	}
	aud := snapshot.Condition{Operator: "StringEquals", BaseOperator: "StringEquals", Known: true, Key: iss + ":aud", Values: []string{"sts.amazonaws.com"}}
	doc := func(account string, conds ...snapshot.Condition) *snapshot.Document {
		return &snapshot.Document{Statements: []snapshot.Statement{{
			Effect:     "Allow",
			Principal:  &snapshot.Principal{Federated: []string{"arn:aws:iam::" + account + ":oidc-provider/" + iss}},
			Actions:    []string{"sts:AssumeRoleWithWebIdentity"},
			Conditions: conds,
		}}}
	}
	return &snapshot.Snapshot{
		Version: snapshot.Version,
		Clusters: []snapshot.Cluster{
			{ID: "prod", Name: "prod", Issuer: "https://" + iss + "/"},
			{ID: "prod", Name: "prod-copy", Issuer: iss},
			{ID: "dev", Name: "dev"},
		},
		Roles: []snapshot.Role{
			{ARN: "arn:aws:iam::111122223333:role/App", Name: "App", AccountID: "111122223333", TrustPolicy: doc("111122223333", sub("app", "web"), aud)},
			{ARN: "arn:aws:iam::111122223333:role/team/app", Name: "app", AccountID: "111122223333", TrustPolicy: doc("111122223333", sub("app", "api"))},
			{ARN: "arn:aws:iam::111122223333:role/bare", Name: "bare", AccountID: "111122223333"},
			{ARN: "arn:aws:iam::111122223333:role/other", Name: "other", AccountID: "111122223333", TrustPolicy: doc("444455556666", sub("app", "web"))},
			{ARN: "arn:aws:iam::111122223333:role/shared", Name: "shared", AccountID: "111122223333", TrustPolicy: doc("111122223333")},
		},
		ServiceAccounts: []snapshot.ServiceAccount{
			{Cluster: "prod", Namespace: "app", Name: "web", RoleARN: "arn:aws:iam::111122223333:role/app"},
			{Cluster: "prod", Namespace: "app", Name: "api", RoleARN: "arn:aws:iam::111122223333:role/APP"},
			{Cluster: "prod", Namespace: "app", Name: "web2", RoleARN: "arn:aws:iam::111122223333:role/bare"},
			{Cluster: "dev", Namespace: "app", Name: "web", RoleARN: "arn:aws:iam::111122223333:role/App"},
			{Namespace: "app", Name: "web", RoleARN: "arn:aws:iam::111122223333:role/App"},
			{Cluster: "prod", Namespace: "app", Name: "web", RoleARN: "arn:aws:iam::111122223333:role/other"},
			{Cluster: "prod", Namespace: "app", Name: "aud", RoleARN: "arn:aws:iam::111122223333:role/App",
				Annotations: map[string]string{"eks.amazonaws.com/audience": "api://x"}},
			{Cluster: "prod", Namespace: "app", Name: "web", RoleARN: "arn:aws:iam::111122223333:role/App",
				Annotations: map[string]string{"eks.amazonaws.com/audience": ""}},
			{Cluster: "prod", Namespace: "a", Name: "x", RoleARN: "arn:aws:iam::111122223333:role/shared"},
			{Cluster: "prod", Namespace: "b", Name: "y", RoleARN: "arn:aws:iam::111122223333:role/shared"},
			{Cluster: "prod", Namespace: "app", Name: "bad", RoleARN: "arn:aws:iam::1111:role/App"},
		},
	}
}

// TestEarlyGroup checks that starting the ServiceAccount and inventory rules on the early input
// (without input.permissions and lib/irsa's entries), and the trust rules on the input with
// lib/irsa's entries but without input.permissions and input.workload_identity, finds what they
// find on the whole input: none of them may read what its input lacks.
func TestEarlyGroup(t *testing.T) {
	early := builtinEngine(t)
	for _, g := range []int{groupEarly, groupTrust} {
		if !slices.ContainsFunc(early.queries, func(q query) bool { return q.group == g }) {
			t.Fatalf("no rule group %d: the test proves nothing", g)
		}
	}
	whole, err := New(context.Background(), Options{Now: fixedNow, noEarly: true})
	if err != nil {
		t.Fatal(err)
	}
	snaps := trustSnapshots(t)
	examples, err := load.Load(context.Background(), []string{"../../examples", "../load/testdata"}, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snaps["examples and loader fixtures"] = examples
	snaps["index edge cases"] = indexEdgeSnapshot()
	sameFindings(t, whole, early, snaps, "-whole input +early group", true)
}

// sameFindings evaluates every snapshot with both engines and reports where the findings of
// test differ from those of ref; with nonEmpty, a snapshot without findings is an error too.
func sameFindings(t *testing.T, ref, test *Engine, snaps map[string]*snapshot.Snapshot, label string, nonEmpty bool) {
	t.Helper()
	for name, snap := range snaps {
		t.Run(name, func(t *testing.T) {
			want, err := ref.Evaluate(context.Background(), snap)
			if err != nil {
				t.Fatal(err)
			}
			got, err := test.Evaluate(context.Background(), snap)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings (%s):\n%s", label, diff)
			}
			if nonEmpty && len(want) == 0 {
				t.Error("no findings: the comparison proves nothing")
			}
		})
	}
}
