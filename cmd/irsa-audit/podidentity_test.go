package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/internal/fakeaws"
)

const (
	podIdentityDir = "examples/pod-identity"
	// The example's accounts: the cluster's, and the data account of the cross-account target
	// role. They appear in no other example, so the examples scanned together do not mix.
	podAccount  = "123456789012"
	dataAccount = "999988887777"
)

// podIdentityWant are the findings of examples/pod-identity as "rule resource", sorted. The
// association of shop/api (a trust with both actions, pinned to the account and namespace) has
// none.
func podIdentityWant(withKubernetes bool) []string {
	assoc := "pod_identity_association arn:aws:eks:us-east-1:" + podAccount + ":podidentityassociation/prod/"
	want := []string{
		"IRSA-060 " + assoc + "a-0batchwrk00002",                            // trust without sts:TagSession
		"IRSA-061 role arn:aws:iam::" + podAccount + ":role/reports-viewer", // no source condition
		"IRSA-062 " + assoc + "a-0retiredcl0004",                            // the role was deleted
		"IRSA-064 " + assoc + "a-0analytics0005",                            // the target role trusts another role
		"IRSA-066 " + assoc + "a-0auditexp00007",                            // session tags disabled, policy reads one
	}
	if withKubernetes {
		want = append(want,
			"IRSA-063 "+assoc+"a-0retiredcl0004",                                                     // no ServiceAccount retired/cleanup
			"IRSA-065 service_account arn:aws:eks:us-east-1:"+podAccount+":cluster/prod/shop/legacy", // IRSA annotation too
		)
	}
	slices.Sort(want)
	return want
}

func podIdentityFindings(t *testing.T, stdout string) []string {
	t.Helper()
	var got []string
	for _, f := range decodeReport(t, stdout).Findings {
		if strings.HasPrefix(f.RuleID, "IRSA-06") {
			got = append(got, f.RuleID+" "+f.Resource.Kind+" "+f.Resource.ID)
		}
	}
	slices.Sort(got)
	return got
}

// TestPodIdentityExports scans examples/pod-identity (AWS CLI and kubectl exports) as files,
// as a saved snapshot, and without the describe outputs (the list alone names no roles, so
// only the ServiceAccount rules can judge it).
func TestPodIdentityExports(t *testing.T) {
	saved := savedSnapshotOf(t, podIdentityDir)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"files", []string{podIdentityDir}, podIdentityWant(true)},
		{"saved snapshot", []string{saved}, podIdentityWant(true)},
		{"list without describe outputs", []string{
			podIdentityDir + "/list-pod-identity-associations.json", podIdentityDir + "/describe-cluster.json",
			podIdentityDir + "/serviceaccounts.json", podIdentityDir + "/get-account-authorization-details.json",
		}, []string{
			"IRSA-061 role arn:aws:iam::" + podAccount + ":role/reports-viewer",
			"IRSA-063 pod_identity_association arn:aws:eks:us-east-1:" + podAccount + ":podidentityassociation/prod/a-0retiredcl0004",
			"IRSA-065 service_account arn:aws:eks:us-east-1:" + podAccount + ":cluster/prod/shop/legacy",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", append([]string{"scan", "--format", "json"}, tc.args...)...)
			if code != exitFindings {
				t.Fatalf("exit code = %d, want %d\nstderr:\n%s", code, exitFindings, stderr)
			}
			if diff := cmp.Diff(tc.want, podIdentityFindings(t, stdout)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// podIdentityEstate is examples/pod-identity served by the loopback AWS: its two accounts'
// roles (from the authorization details exports) and the cluster's associations (from the
// describe outputs), as an organization scanned through the irsa-audit role of each account.
func podIdentityEstate(t *testing.T) *fakeaws.Estate {
	t.Helper()
	roles := func(file string) []*fakeaws.Role {
		var d struct {
			RoleDetailList []struct {
				RoleName                 string
				AssumeRolePolicyDocument json.RawMessage
				RolePolicyList           []struct {
					PolicyName     string
					PolicyDocument json.RawMessage
				}
			}
		}
		readJSON(t, file, &d)
		out := []*fakeaws.Role{{Name: "irsa-audit", TrustPolicy: auditRoleTrust}}
		for _, r := range d.RoleDetailList {
			role := &fakeaws.Role{Name: r.RoleName, TrustPolicy: string(r.AssumeRolePolicyDocument)}
			for _, p := range r.RolePolicyList {
				role.Inline = append(role.Inline, fakeaws.InlinePolicy{Name: p.PolicyName, Document: string(p.PolicyDocument)})
			}
			out = append(out, role)
		}
		return out
	}
	var cluster struct {
		Cluster struct {
			Name     string
			Identity struct{ Oidc struct{ Issuer string } }
		}
	}
	readJSON(t, podIdentityDir+"/describe-cluster.json", &cluster)
	files, err := filepath.Glob(podIdentityDir + "/associations/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("associations: %v %v", files, err)
	}
	var assocs []*fakeaws.PodIdentityAssociation
	for _, f := range files {
		var d struct {
			Association struct {
				AssociationID, Namespace, ServiceAccount, RoleArn, TargetRoleArn string
				DisableSessionTags                                               bool
			}
		}
		readJSON(t, f, &d)
		a := d.Association
		assocs = append(assocs, &fakeaws.PodIdentityAssociation{ID: a.AssociationID, Namespace: a.Namespace, ServiceAccount: a.ServiceAccount,
			RoleARN: a.RoleArn, TargetRoleARN: a.TargetRoleArn, DisableSessionTags: a.DisableSessionTags})
	}
	return &fakeaws.Estate{
		Accounts: []*fakeaws.Account{
			{ID: podAccount, AccessKeyID: liveKey, Roles: roles(podIdentityDir + "/get-account-authorization-details.json"),
				Regions: []*fakeaws.Region{{Name: "us-east-1", Clusters: []*fakeaws.Cluster{{
					Name: cluster.Cluster.Name, Issuer: cluster.Cluster.Identity.Oidc.Issuer, PodIdentity: assocs}}}}},
			{ID: dataAccount, AccessKeyID: memberKey, AssumableByOther: true, Roles: roles(podIdentityDir + "/data-account/get-account-authorization-details.json"),
				Regions: []*fakeaws.Region{{Name: "us-east-1"}}},
		},
		Organization: &fakeaws.Organization{ManagementAccount: podAccount, Members: []fakeaws.Member{
			{ID: podAccount, Status: "ACTIVE"}, {ID: dataAccount, Status: "ACTIVE"},
		}},
	}
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// TestPodIdentityLive collects the same estate from the loopback AWS through the real SDK, with
// the association list paged and its first calls throttled: the AWS findings are those of the
// exports (the ServiceAccount rules need the Kubernetes API and stay silent), and a saved
// collection gives them again.
func TestPodIdentityLive(t *testing.T) {
	srv := fakeaws.New(podIdentityEstate(t))
	t.Cleanup(srv.Close)
	useFakeAWSServer(t, srv)
	srv.Throttle("eks:ListPodIdentityAssociations", 1)
	srv.Throttle("eks:DescribePodIdentityAssociation", 1)
	args := []string{"--aws", "--quiet", "--all-accounts", "--account-role", "arn:aws:iam::{account}:role/irsa-audit"}

	code, stdout, stderr := runCLI(t, "", append([]string{"scan", "--format", "json"}, args...)...)
	if code != exitFindings {
		t.Fatalf("exit code = %d, want %d\nstderr:\n%s", code, exitFindings, stderr)
	}
	if diff := cmp.Diff(podIdentityWant(false), podIdentityFindings(t, stdout)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	r := decodeReport(t, stdout)
	// One describe per association (7), one of them throttled and retried.
	if n := r.Stats.APICalls["eks:DescribePodIdentityAssociation"]; n != 8 {
		t.Errorf("eks:DescribePodIdentityAssociation calls = %d, want 8: %v", n, r.Stats.APICalls)
	}
	if calls := srv.Calls(); calls["eks:ListPodIdentityAssociations"] < 2 {
		t.Errorf("the throttled list was not retried: %v", calls)
	}

	out := filepath.Join(t.TempDir(), "snapshot.json")
	if code, _, stderr := runCLI(t, "", append([]string{"collect", "-o", out}, args...)...); code != exitOK {
		t.Fatalf("collect: exit %d\n%s", code, stderr)
	}
	code, saved, stderr := runCLI(t, "", "scan", "--format", "json", out)
	if code != exitFindings {
		t.Fatalf("scan snapshot: exit %d\n%s", code, stderr)
	}
	if diff := cmp.Diff(podIdentityWant(false), podIdentityFindings(t, saved)); diff != "" {
		t.Errorf("findings of the saved collection (-want +got):\n%s", diff)
	}
}
