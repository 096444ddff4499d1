//go:build kubeintegration

package collect

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/internal/fakeaws"
	"github.com/irsa-audit/irsa-audit/internal/kubetest"
	"github.com/irsa-audit/irsa-audit/pkg/collect/kubecollect"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// TestEndToEnd collects the fake AWS estate and the real kube-apiserver into one snapshot. The
// kube context is named as EKS cluster "prod" with --cluster, so both views of the cluster join
// into one entry with the EKS issuer, and the ServiceAccounts belong to it.
func TestEndToEnd(t *testing.T) {
	const (
		acct    = "111111111111"
		key     = "AKIDE2E"
		arn     = "arn:aws:eks:us-east-1:111111111111:cluster/prod"
		roleARN = "arn:aws:iam::111111111111:role/role-00007"
	)
	admin := kubetest.Env(t, "IRSA_AUDIT_KUBECONFIG")
	cs := kubetest.Client(t, admin)
	ns := kubetest.Namespace(t, cs, "ns-7-"+kubetest.Suffix(t))
	kubetest.ServiceAccount(t, cs, ns, "sa-7", roleARN)
	kubetest.Pod(t, cs, ns, "worker", kubetest.PodSpec("sa-7", nil, "x"))

	est := fakeaws.Synthetic(acct, key, 10, 3)
	est.Accounts[0].Regions[0].Clusters[0].PodIdentity = []*fakeaws.PodIdentityAssociation{{ID: "a-1", Namespace: ns, ServiceAccount: "sa-7", RoleARN: roleARN}}
	srv := fakeaws.New(est)
	defer srv.Close()

	snap, err := Collect(context.Background(), Options{
		AWS:     awsOptions(srv, key),
		Kube:    &kubecollect.Options{Kubeconfig: admin, Cluster: arn},
		Timeout: 5 * time.Minute,
		Now:     func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}

	if diff := cmp.Diff([]snapshot.Cluster{{
		ID: arn, Name: "prod", ARN: arn, AccountID: acct, Region: "us-east-1",
		Issuer:    "oidc.eks.us-east-1.amazonaws.com/id/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		Inventory: snapshot.ClusterInventory{ServiceAccounts: true, Workloads: true},
		Loc:       snapshot.Location{API: "eks:DescribeCluster"},
	}}, snap.Clusters); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
	i := slices.IndexFunc(snap.ServiceAccounts, func(s snapshot.ServiceAccount) bool { return s.Namespace == ns })
	if i < 0 {
		t.Fatalf("service account of %s not collected", ns)
	}
	if diff := cmp.Diff(snapshot.ServiceAccount{
		Cluster: arn, Namespace: ns, Name: "sa-7", RoleARN: roleARN,
		Annotations: map[string]string{"eks.amazonaws.com/role-arn": roleARN},
		Loc:         snapshot.Location{API: "kubernetes:admin"},
	}, snap.ServiceAccounts[i]); diff != "" {
		t.Errorf("service account (-want +got):\n%s", diff)
	}
	if j := slices.IndexFunc(snap.Workloads, func(w snapshot.Workload) bool { return w.Namespace == ns && w.Name == "worker" }); j < 0 || snap.Workloads[j].Cluster != arn {
		t.Errorf("pod worker not collected for cluster %s", arn)
	}
	if k := slices.IndexFunc(snap.Roles, func(r snapshot.Role) bool { return r.ARN == roleARN }); k < 0 || snap.Roles[k].TrustPolicy == nil {
		t.Errorf("role %s not collected with its trust policy", roleARN)
	}
	if len(snap.PodIdentityAssociations) != 1 || snap.PodIdentityAssociations[0].Namespace != ns || snap.PodIdentityAssociations[0].Cluster != arn {
		t.Errorf("pod identity associations = %+v", snap.PodIdentityAssociations)
	}
	if len(snap.Accounts) != 1 || !snap.Accounts[0].Inventory.Roles || len(snap.Errors) != 0 {
		t.Errorf("accounts = %+v, errors = %+v", snap.Accounts, snap.Errors)
	}
	for _, op := range []string{"iam:GetAccountAuthorizationDetails", "eks:DescribeCluster", "kubernetes:list serviceaccounts"} {
		if snap.Stats.APICalls[op] == 0 {
			t.Errorf("api calls %v lack %s", snap.Stats.APICalls, op)
		}
	}
	// The cluster was described once, by the AWS side; the Kubernetes side reused it.
	if n := snap.Stats.APICalls["eks:DescribeCluster"]; n != 1 {
		t.Errorf("eks:DescribeCluster calls = %d, want 1", n)
	}
}
