//go:build kubeintegration

package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/internal/fakeaws"
	"github.com/irsa-audit/irsa-audit/internal/kubetest"
)

// TestScanAWSAndKube runs `scan --aws --kube` against the loopback fake AWS and the real
// kube-apiserver that scripts/test-kube.sh starts: the cluster's identity comes from
// eks:DescribeCluster (--cluster), its ServiceAccounts from the API server, and the
// cross-resource rules judge the join.
func TestScanAWSAndKube(t *testing.T) {
	kubeconfig := kubetest.Env(t, "IRSA_AUDIT_KUBECONFIG")
	cs := kubetest.Client(t, kubeconfig)
	sfx := kubetest.Suffix(t)
	payments := kubetest.Namespace(t, cs, "payments-"+sfx)
	web := kubetest.Namespace(t, cs, "web-"+sfx)
	reports := "reports-" + sfx // never created: the role for it is an orphan

	est := liveEstate(false)
	acct := est.Accounts[0]
	acct.Roles = []*fakeaws.Role{
		{Name: "payments-" + sfx, TrustPolicy: liveTrust(liveIssuer, "system:serviceaccount:"+payments+":api", "StringEquals")},
		{Name: "reports-" + sfx, TrustPolicy: liveTrust(liveIssuer, "system:serviceaccount:"+reports+":reader", "StringEquals")},
	}
	srv := fakeaws.New(est)
	t.Cleanup(srv.Close)
	useFakeAWSServer(t, srv)

	role := func(name string) string { return "arn:aws:iam::" + liveAccount + ":role/" + name }
	kubetest.ServiceAccount(t, cs, payments, "api", role("payments-"+sfx))  // correct
	kubetest.ServiceAccount(t, cs, web, "frontend", role("payments-"+sfx))  // trust does not admit it
	kubetest.ServiceAccount(t, cs, web, "ghost", role("deleted-role-"+sfx)) // role does not exist
	kubetest.Pod(t, cs, payments, "api", kubetest.PodSpec("api", nil, ""))

	clusterARN := "arn:aws:eks:us-east-1:" + liveAccount + ":cluster/prod"
	code, stdout, stderr := runCLI(t, "", "scan", "--aws", "--kube", "--quiet", "--format", "json",
		"--kubeconfig", kubeconfig, "--cluster", clusterARN)
	if code != exitFindings {
		t.Fatalf("exit code = %d, want %d\nstderr:\n%s", code, exitFindings, stderr)
	}
	r := decodeReport(t, stdout)
	got := map[string][]string{}
	for _, f := range r.Findings {
		if strings.Contains(f.Resource.ID, sfx) {
			got[f.Resource.ID] = append(got[f.Resource.ID], f.RuleID)
		}
	}
	want := map[string][]string{
		clusterARN + "/" + web + "/frontend": {"IRSA-022"},
		clusterARN + "/" + web + "/ghost":    {"IRSA-021"},
		role("reports-" + sfx):               {"IRSA-020"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings by resource (-want +got):\n%s", diff)
	}
	if len(r.Errors) != 0 {
		t.Errorf("errors: %+v", r.Errors)
	}
}
