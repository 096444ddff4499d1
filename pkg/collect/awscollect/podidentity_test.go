package awscollect

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/internal/fakeaws"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// TestPodIdentityAssociations: a cluster with 250 associations is read in ceil(250/100) list
// pages and one describe per association (the list has no role), every field of the
// description kept (target role, session tags). Throttled association calls are retried:
// cmd/irsa-audit's TestPodIdentityLive (here a throttle would make the SDK's adaptive retryer
// slow the 250 describes down to seconds).
func TestPodIdentityAssociations(t *testing.T) {
	const n = 250
	var assocs []*fakeaws.PodIdentityAssociation
	for i := range n {
		a := &fakeaws.PodIdentityAssociation{ID: fmt.Sprintf("a-%016d", i), Namespace: fmt.Sprintf("ns%d", i), ServiceAccount: "app",
			RoleARN: fmt.Sprintf("arn:aws:iam::%s:role/app-%d", acctA, i)}
		if i == 7 {
			a.TargetRoleARN, a.DisableSessionTags = "arn:aws:iam::"+acctB+":role/data", true
		}
		assocs = append(assocs, a)
	}
	srv := fakeaws.New(&fakeaws.Estate{Accounts: []*fakeaws.Account{{
		ID: acctA, AccessKeyID: keyA,
		Regions: []*fakeaws.Region{{Name: "us-east-1", Clusters: []*fakeaws.Cluster{{Name: "prod", Issuer: "https://" + issuerA, PodIdentity: assocs}}}},
	}}})
	defer srv.Close()
	opts := testOptions(srv)
	opts.Regions = []string{"us-east-1"}
	c, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := c.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Errors) != 0 {
		t.Errorf("errors: %+v", snap.Errors)
	}
	if len(snap.PodIdentityAssociations) != n {
		t.Fatalf("associations = %d, want %d", len(snap.PodIdentityAssociations), n)
	}
	if diff := cmp.Diff(snapshot.PodIdentityAssociation{
		ARN: "arn:aws:eks:us-east-1:" + acctA + ":podidentityassociation/prod/a-0000000000000007", ID: "a-0000000000000007",
		Cluster: "arn:aws:eks:us-east-1:" + acctA + ":cluster/prod", AccountID: acctA, Region: "us-east-1",
		Namespace: "ns7", ServiceAccount: "app", RoleARN: "arn:aws:iam::" + acctA + ":role/app-7",
		TargetRoleARN: "arn:aws:iam::" + acctB + ":role/data", DisableSessionTags: true,
		Loc: snapshot.Location{API: "eks:DescribePodIdentityAssociation"},
	}, snap.PodIdentityAssociations[7]); diff != "" {
		t.Errorf("association 7 (-want +got):\n%s", diff)
	}
	inv := c.Invocations()
	if inv["eks:ListPodIdentityAssociations"] != 3 || inv["eks:DescribePodIdentityAssociation"] != n {
		t.Errorf("invocations = %v, want 3 list pages and %d describes", inv, n)
	}
	if calls := srv.Calls(); calls["eks:ListPodIdentityAssociations"] != 3 || calls["eks:DescribePodIdentityAssociation"] != n {
		t.Errorf("requests = %v", calls)
	}
}
