package snapshot

import (
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
