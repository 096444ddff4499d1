package snapshot

import (
	"reflect"
	"testing"
)

// TestFoldAssociation: a list export's summary (no role) and the describe output of the same
// association fold into the described one, at the place of the first, whichever came first.
func TestFoldAssociation(t *testing.T) {
	const arn = "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1"
	summary := PodIdentityAssociation{ARN: arn, ID: "a-1", Cluster: "c", Namespace: "shop", ServiceAccount: "api",
		OwnerARN: "owner", Loc: Location{File: "list.json", StartLine: 3}}
	described := PodIdentityAssociation{ARN: arn, Namespace: "shop", ServiceAccount: "api", RoleARN: "role",
		DisableSessionTags: true, Loc: Location{File: "describe.json", StartLine: 2}}
	other := PodIdentityAssociation{ARN: arn + "x", Namespace: "batch", ServiceAccount: "w"}
	want := []PodIdentityAssociation{{ARN: arn, ID: "a-1", Cluster: "c", Namespace: "shop", ServiceAccount: "api",
		RoleARN: "role", OwnerARN: "owner", DisableSessionTags: true, Loc: Location{File: "describe.json", StartLine: 2}}, other}
	for _, in := range [][]PodIdentityAssociation{{summary, other, described}, {described, other, summary}} {
		s := &Snapshot{PodIdentityAssociations: in}
		Fold(s)
		if !reflect.DeepEqual(s.PodIdentityAssociations, want) {
			t.Errorf("Fold(%+v) =\n%+v\nwant\n%+v", in, s.PodIdentityAssociations, want)
		}
	}
}
