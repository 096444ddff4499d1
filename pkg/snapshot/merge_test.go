package snapshot

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMerge(t *testing.T) {
	a := &Snapshot{
		Version:     Version,
		GeneratedAt: "2026-01-01T00:00:00Z",
		Roles:       []Role{{ARN: "arn:aws:iam::111111111111:role/a", Name: "from-a"}},
		Errors:      []InputError{{File: "a.json", Line: 3, Message: "bad"}},
		Stats:       Stats{Files: 2, APICalls: map[string]int{"iam:GetAccountAuthorizationDetails": 2}},
	}
	b := &Snapshot{
		Version:         Version,
		GeneratedAt:     "2026-02-01T00:00:00Z",
		Roles:           []Role{{ARN: "arn:aws:iam::111111111111:role/a", Name: "from-b"}, {ARN: "arn:aws:iam::111111111111:role/b"}},
		ServiceAccounts: []ServiceAccount{{Namespace: "ns", Name: "sa"}},
		Stats:           Stats{Files: 1, APICalls: map[string]int{"iam:GetAccountAuthorizationDetails": 1, "sts:GetCallerIdentity": 1}},
	}
	want := &Snapshot{
		Version:         Version,
		GeneratedAt:     "2026-02-01T00:00:00Z",
		Roles:           []Role{{ARN: "arn:aws:iam::111111111111:role/a", Name: "from-a"}, {ARN: "arn:aws:iam::111111111111:role/b"}},
		ServiceAccounts: []ServiceAccount{{Namespace: "ns", Name: "sa"}},
		Errors:          []InputError{{File: "a.json", Line: 3, Message: "bad"}},
		Stats:           Stats{Files: 3, APICalls: map[string]int{"iam:GetAccountAuthorizationDetails": 3, "sts:GetCallerIdentity": 1}},
	}
	if diff := cmp.Diff(want, Merge(a, nil, b)); diff != "" {
		t.Errorf("Merge (-want +got):\n%s", diff)
	}
}

// TestMergeOne: Merge of one snapshot (which shares its lists instead of copying them) is Merge
// of that snapshot and an empty one, and leaves the snapshot as it was.
func TestMergeOne(t *testing.T) {
	if n := reflect.TypeFor[Snapshot]().NumField(); n != 16 {
		t.Fatalf("Snapshot has %d fields; Merge knows 16", n)
	}
	s := &Snapshot{
		Version:         "0",
		GeneratedAt:     "2026-01-01T00:00:00Z",
		Sources:         []Source{{Kind: "file", Name: "a.json"}},
		Accounts:        []Account{{ID: "111111111111"}, {ID: "111111111111", Inventory: AccountInventory{Roles: true}}},
		Clusters:        []Cluster{},
		Roles:           []Role{{ARN: "arn:aws:iam::111111111111:role/a", Name: "first"}, {ARN: "arn:aws:iam::111111111111:role/a", Name: "second"}},
		ServiceAccounts: []ServiceAccount{{Namespace: "ns", Name: "sa"}, {Namespace: "ns", Name: "sa", RoleARN: "x"}, {Namespace: "ns", Name: "other"}},
		Workloads:       []Workload{},
		Errors:          []InputError{{File: "a.json", Message: "bad"}},
		Skipped:         []Skipped{{File: "b.json", Reason: "why"}},
		NotJudged:       []NotJudged{{Kind: "role", ID: "r"}},
		Stats:           Stats{Files: 3, APICalls: map[string]int{"iam:X": 2}},
	}
	before := cloneJSON(t, s)
	want := Merge(s, &Snapshot{})
	got := Merge(nil, s)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Merge of one (-merge with an empty one +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, cloneJSON(t, s)); diff != "" {
		t.Errorf("the snapshot changed (-before +after):\n%s", diff)
	}
	got.ServiceAccounts = append(got.ServiceAccounts, ServiceAccount{Name: "appended"})
	got.Stats.APICalls["iam:Y"] = 1
	if diff := cmp.Diff(before, cloneJSON(t, s)); diff != "" {
		t.Errorf("changing the merged snapshot changed the input (-before +after):\n%s", diff)
	}
}

func cloneJSON(t *testing.T, s *Snapshot) *Snapshot {
	t.Helper()
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var out Snapshot
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

func TestFold(t *testing.T) {
	const arn = "arn:aws:eks:us-east-1:111111111111:cluster/prod"
	eks := Cluster{
		ID: arn, Name: "prod", ARN: arn, AccountID: "111111111111", Region: "us-east-1", Issuer: "oidc.example/id/1",
		Inventory: ClusterInventory{Notes: []string{"service accounts and workloads are read through the Kubernetes API, not through EKS"}},
		Loc:       Location{API: "eks:DescribeCluster"},
	}
	kube := Cluster{
		ID: arn, Name: "prod",
		Inventory: ClusterInventory{ServiceAccounts: true, Notes: []string{"jobs: not listed: NotFound"}},
		Loc:       Location{API: "kubernetes:prod"},
	}
	kubePartial := Cluster{ID: arn, Inventory: ClusterInventory{Workloads: true, Notes: []string{"service accounts: team-b forbidden"}}}
	other := Cluster{ID: "kind", Name: "kind", Loc: Location{API: "kubernetes:kind"}}
	noID := Cluster{Name: "unnamed"}
	joined := Cluster{
		ID: arn, Name: "prod", ARN: arn, AccountID: "111111111111", Region: "us-east-1", Issuer: "oidc.example/id/1",
		Inventory: ClusterInventory{ServiceAccounts: true, Notes: []string{"jobs: not listed: NotFound"}},
		Loc:       Location{API: "eks:DescribeCluster"},
	}
	for _, tc := range []struct {
		name string
		in   Snapshot
		want Snapshot
	}{
		{"one view", Snapshot{Clusters: []Cluster{eks}}, Snapshot{Clusters: []Cluster{eks}}},
		{"eks and kubernetes views of one cluster", Snapshot{Clusters: []Cluster{eks, other, kube}}, Snapshot{Clusters: []Cluster{joined, other}}},
		{"kubernetes view first", Snapshot{Clusters: []Cluster{kube, eks}}, Snapshot{Clusters: []Cluster{{
			ID: arn, Name: "prod", ARN: arn, AccountID: "111111111111", Region: "us-east-1", Issuer: "oidc.example/id/1",
			Inventory: ClusterInventory{ServiceAccounts: true, Notes: []string{"jobs: not listed: NotFound"}},
			Loc:       Location{API: "kubernetes:prod"},
		}}}},
		{"two partial views keep both notes", Snapshot{Clusters: []Cluster{kube, kubePartial}}, Snapshot{Clusters: []Cluster{{
			ID: arn, Name: "prod",
			Inventory: ClusterInventory{ServiceAccounts: true, Workloads: true, Notes: []string{"jobs: not listed: NotFound", "service accounts: team-b forbidden"}},
			Loc:       Location{API: "kubernetes:prod"},
		}}}},
		{"entries without identity are kept apart", Snapshot{Clusters: []Cluster{noID, noID}}, Snapshot{Clusters: []Cluster{noID, noID}}},
		{"accounts", Snapshot{Accounts: []Account{
			{ID: "1", Inventory: AccountInventory{Roles: true, ClusterRegions: []string{"us-west-2"}, Notes: []string{"oidc providers not inventoried"}}},
			{ID: "2"},
			{ID: "1", Inventory: AccountInventory{OIDCProviders: true, ClusterRegions: []string{"eu-west-1", "us-west-2"}, Notes: []string{"regions limited by --region"}}},
			{ID: "1", Inventory: AccountInventory{Notes: []string{"roles not inventoried"}}},
		}}, Snapshot{Accounts: []Account{
			{ID: "1", Inventory: AccountInventory{Roles: true, OIDCProviders: true, ClusterRegions: []string{"eu-west-1", "us-west-2"},
				Notes: []string{"oidc providers not inventoried", "regions limited by --region"}}},
			{ID: "2"},
		}}},
		{"providers", Snapshot{OIDCProviders: []OIDCProvider{
			{ARN: "p", Issuer: "i"},
			{ARN: "p", AccountID: "1", ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{"t"}, Loc: Location{File: "get.json"}},
		}}, Snapshot{OIDCProviders: []OIDCProvider{
			{ARN: "p", Issuer: "i", AccountID: "1", ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{"t"}, Loc: Location{File: "get.json"}},
		}}},
		{"service accounts and workloads", Snapshot{
			ServiceAccounts: []ServiceAccount{{Cluster: "c", Namespace: "n", Name: "a", RoleARN: "first"}, {Cluster: "d", Namespace: "n", Name: "a"}, {Cluster: "c", Namespace: "n", Name: "a", RoleARN: "second"}},
			Workloads:       []Workload{{Cluster: "c", Kind: "Pod", Namespace: "n", Name: "a"}, {Cluster: "c", Kind: "Deployment", Namespace: "n", Name: "a"}, {Cluster: "c", Kind: "Pod", Namespace: "n", Name: "a", ServiceAccount: "x"}},
		}, Snapshot{
			ServiceAccounts: []ServiceAccount{{Cluster: "c", Namespace: "n", Name: "a", RoleARN: "first"}, {Cluster: "d", Namespace: "n", Name: "a"}},
			Workloads:       []Workload{{Cluster: "c", Kind: "Pod", Namespace: "n", Name: "a"}, {Cluster: "c", Kind: "Deployment", Namespace: "n", Name: "a"}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.in
			Fold(&got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Fold (-want +got):\n%s", diff)
			}
		})
	}
}
