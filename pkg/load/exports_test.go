package load

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// TestLoadExportsGolden loads testdata/exports (AWS CLI and kubectl exports in a folder per
// cluster, the raw IAM API form, a truncated page, a saved snapshot) and compares the whole
// snapshot with testdata/exports.golden.json.
func TestLoadExportsGolden(t *testing.T) {
	checkLoadGolden(t, "testdata/exports", "testdata/exports.golden.json")
}

// inventories is what the binding tests compare: accounts and clusters with their inventories,
// and the cluster each ServiceAccount was tied to.
type inventories struct {
	Accounts        []snapshot.Account
	Clusters        map[string]snapshot.ClusterInventory
	ServiceAccounts map[string]string // file -> cluster
	Providers       map[string][]string
	Skipped         []snapshot.Skipped
}

func inventoriesOf(s *snapshot.Snapshot) inventories {
	inv := inventories{Accounts: s.Accounts, Skipped: s.Skipped, Clusters: map[string]snapshot.ClusterInventory{}, ServiceAccounts: map[string]string{}, Providers: map[string][]string{}}
	for _, c := range s.Clusters {
		inv.Clusters[c.ID] = c.Inventory
	}
	for _, sa := range s.ServiceAccounts {
		inv.ServiceAccounts[sa.Loc.File] = sa.Cluster
	}
	for _, p := range s.OIDCProviders {
		inv.Providers[p.ARN] = p.ClientIDs
	}
	return inv
}

const (
	describeProd    = `{"cluster": {"name": "prod", "arn": "arn:aws:eks:us-east-1:111122223333:cluster/prod", "identity": {"oidc": {"issuer": "https://oidc.eks.us-east-1.amazonaws.com/id/AAA"}}}}`
	describeStaging = `{"cluster": {"name": "staging", "arn": "arn:aws:eks:us-east-1:111122223333:cluster/staging", "identity": {"oidc": {"issuer": "https://oidc.eks.us-east-1.amazonaws.com/id/BBB"}}}}`
	saAll           = `{"apiVersion": "v1", "kind": "List", "items": [
		{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "default"}},
		{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "kube-system"}},
		{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "app"}},
		{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "api", "namespace": "app"}}]}`
	saOneNamespace = `{"apiVersion": "v1", "kind": "ServiceAccountList", "items": [
		{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "app"}},
		{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "api", "namespace": "app"}}]}`
	saManifest     = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: app}\n"
	gaad           = `{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r"}]}`
	emptyProviders = `{"OpenIDConnectProviderList": []}`
	getProvider    = `{"Url": "oidc.eks.us-east-1.amazonaws.com/id/AAA", "ClientIDList": ["sts.amazonaws.com"], "ThumbprintList": []}`
	listProviders  = `{"OpenIDConnectProviderList": [{"Arn": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAA"}]}`
)

const (
	prodARN    = "arn:aws:eks:us-east-1:111122223333:cluster/prod"
	stagingARN = "arn:aws:eks:us-east-1:111122223333:cluster/staging"
)

var (
	noteSAs       = "service accounts not inventoried: no all-namespaces export (kubectl get serviceaccounts -A -o json) is tied to this cluster (put it in the folder of the cluster's describe-cluster output)"
	noteWorkloads = "workloads not inventoried: no all-namespaces Pod export (kubectl get pods -A -o json) is tied to this cluster (put it in the folder of the cluster's describe-cluster output)"
	noteRoles     = "roles not inventoried: no aws iam get-account-authorization-details export of this account was read"
	noteProviders = "oidc providers not inventoried: no aws iam list-open-id-connect-providers export of this account was read"
	noteNoRegion  = "clusters: complete lists for no region (aws eks list-clusters, with aws eks describe-cluster output for every listed cluster); exports do not show which regions the account uses, so all_regions is false"
)

// TestBindAndInventory checks how kubectl exports are tied to clusters and which inventories
// count as complete, for the folder layouts users produce.
func TestBindAndInventory(t *testing.T) {
	account := func(roles, providers bool, notes ...string) []snapshot.Account {
		return []snapshot.Account{{ID: "111122223333", Inventory: snapshot.AccountInventory{Roles: roles, OIDCProviders: providers, Notes: notes}}}
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		paths []string // default: the whole folder
		want  inventories
	}{
		{
			name:  "one cluster, its all-namespaces export beside it",
			files: map[string]string{"prod/describe-cluster.json": describeProd, "prod/sa.json": saAll},
			want: inventories{
				Accounts:        account(false, false, noteRoles, noteProviders, noteNoRegion),
				Clusters:        map[string]snapshot.ClusterInventory{prodARN: {ServiceAccounts: true, Notes: []string{noteWorkloads}}},
				ServiceAccounts: map[string]string{"prod/sa.json": prodARN},
			},
		},
		{
			name:  "a folder per cluster",
			files: map[string]string{"prod/describe-cluster.json": describeProd, "prod/sa.json": saAll, "staging/describe-cluster.json": describeStaging, "staging/sa.json": saOneNamespace},
			want: inventories{
				Accounts: account(false, false, noteRoles, noteProviders, noteNoRegion),
				Clusters: map[string]snapshot.ClusterInventory{
					prodARN:    {ServiceAccounts: true, Notes: []string{noteWorkloads}},
					stagingARN: {Notes: []string{"service accounts incomplete: staging/sa.json is not a list of every namespace (it has no default ServiceAccount in default, kube-system): export with kubectl get serviceaccounts -A", noteWorkloads}},
				},
				ServiceAccounts: map[string]string{"prod/sa.json": prodARN, "staging/sa.json": stagingARN},
			},
		},
		{
			name:  "two clusters in one folder: nothing is tied",
			files: map[string]string{"describe-prod.json": describeProd, "describe-staging.json": describeStaging, "sa.json": saAll},
			want: inventories{
				Accounts:        account(false, false, noteRoles, noteProviders, noteNoRegion),
				Clusters:        map[string]snapshot.ClusterInventory{prodARN: {Notes: []string{noteSAs, noteWorkloads}}, stagingARN: {Notes: []string{noteSAs, noteWorkloads}}},
				ServiceAccounts: map[string]string{"sa.json": ""},
			},
		},
		{
			name:  "an export in a subfolder of the cluster's folder",
			files: map[string]string{"prod/describe-cluster.json": describeProd, "prod/k8s/sa.json": saAll},
			want: inventories{
				Accounts:        account(false, false, noteRoles, noteProviders, noteNoRegion),
				Clusters:        map[string]snapshot.ClusterInventory{prodARN: {ServiceAccounts: true, Notes: []string{noteWorkloads}}},
				ServiceAccounts: map[string]string{"prod/k8s/sa.json": prodARN},
			},
		},
		{
			// Manifests are tied by folder only: the only cluster of a scan does not adopt
			// exports and manifests from elsewhere (adding a describe-cluster output would
			// re-home them, changing their resource ids and fingerprints).
			name:  "the only cluster of the scan does not adopt exports from elsewhere",
			files: map[string]string{"aws/describe-cluster.json": describeProd, "kube/sa.json": saAll},
			want: inventories{
				Accounts:        account(false, false, noteRoles, noteProviders, noteNoRegion),
				Clusters:        map[string]snapshot.ClusterInventory{prodARN: {Notes: []string{noteSAs, noteWorkloads}}},
				ServiceAccounts: map[string]string{"kube/sa.json": ""},
			},
		},
		{
			name:  "a cluster with its own exports does not adopt other manifests",
			files: map[string]string{"prod/describe-cluster.json": describeProd, "prod/sa.json": saAll, "deploy/sa.yaml": saManifest},
			want: inventories{
				Accounts:        account(false, false, noteRoles, noteProviders, noteNoRegion),
				Clusters:        map[string]snapshot.ClusterInventory{prodARN: {ServiceAccounts: true, Notes: []string{noteWorkloads}}},
				ServiceAccounts: map[string]string{"prod/sa.json": prodARN, "deploy/sa.yaml": ""},
			},
		},
		{
			name:  "a single manifest is never a complete inventory",
			files: map[string]string{"describe-cluster.json": describeProd, "sa.yaml": saManifest},
			want: inventories{
				Accounts:        account(false, false, noteRoles, noteProviders, noteNoRegion),
				Clusters:        map[string]snapshot.ClusterInventory{prodARN: {Notes: []string{noteSAs, noteWorkloads}}},
				ServiceAccounts: map[string]string{"sa.yaml": prodARN},
			},
		},
		{
			name:  "an empty provider list takes the account of its folder",
			files: map[string]string{"gaad.json": gaad, "providers.json": emptyProviders},
			want:  inventories{Accounts: account(true, true, noteNoRegion)},
		},
		{
			name:  "an empty provider list with no account anywhere is skipped",
			files: map[string]string{"providers.json": emptyProviders},
			want: inventories{Skipped: []snapshot.Skipped{{File: "providers.json",
				Reason: "empty OIDC provider list: the export does not name its account, and no other export in its folder names exactly one"}}},
		},
		{
			name:  "get-open-id-connect-provider is tied to the listed provider",
			files: map[string]string{"list.json": listProviders, "get.json": getProvider},
			want: inventories{
				Accounts:  account(false, true, noteRoles, noteNoRegion),
				Providers: map[string][]string{"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAA": {"sts.amazonaws.com"}},
			},
		},
		{
			name:  "get-open-id-connect-provider gets an ARN from its folder's account",
			files: map[string]string{"gaad.json": gaad, "get.json": getProvider},
			want: inventories{
				Accounts:  account(true, false, noteProviders, noteNoRegion),
				Providers: map[string][]string{"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAA": {"sts.amazonaws.com"}},
			},
		},
		{
			name:  "a cluster list whose clusters are all described completes their region",
			files: map[string]string{"clusters.json": `{"clusters": ["prod", "staging"]}`, "prod/d.json": describeProd, "staging/d.json": describeStaging},
			want: inventories{
				Accounts: []snapshot.Account{{ID: "111122223333", Inventory: snapshot.AccountInventory{ClusterRegions: []string{"us-east-1"}, Notes: []string{noteRoles, noteProviders,
					"clusters: complete lists for only us-east-1 (aws eks list-clusters, with aws eks describe-cluster output for every listed cluster); exports do not show which regions the account uses, so all_regions is false"}}}},
				Clusters: map[string]snapshot.ClusterInventory{prodARN: {Notes: []string{noteSAs, noteWorkloads}}, stagingARN: {Notes: []string{noteSAs, noteWorkloads}}},
			},
		},
		{
			name:  "a cluster list naming an undescribed cluster leaves its region incomplete",
			files: map[string]string{"clusters.json": `{"clusters": ["prod", "legacy"]}`, "prod/d.json": describeProd},
			want: inventories{
				Accounts: account(false, false, "clusters in us-east-1 incomplete: clusters.json lists legacy, but no aws eks describe-cluster output of them was read, so their issuers are unknown", noteRoles, noteProviders, noteNoRegion),
				Clusters: map[string]snapshot.ClusterInventory{prodARN: {Notes: []string{noteSAs, noteWorkloads}}},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				write(t, filepath.Join(dir, name), content)
			}
			t.Chdir(dir)
			paths := tc.paths
			if paths == nil {
				paths = []string{"."}
			}
			snap, err := Load(context.Background(), paths, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.Errors) > 0 {
				t.Fatalf("errors: %+v", snap.Errors)
			}
			want := tc.want
			for _, m := range []*map[string]snapshot.ClusterInventory{&want.Clusters} {
				if *m == nil {
					*m = map[string]snapshot.ClusterInventory{}
				}
			}
			if want.ServiceAccounts == nil {
				want.ServiceAccounts = map[string]string{}
			}
			if want.Providers == nil {
				want.Providers = map[string][]string{}
			}
			if diff := cmp.Diff(want, inventoriesOf(snap)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
