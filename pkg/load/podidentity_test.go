package load

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

const (
	describeAssociation = `{
    "association": {
        "clusterName": "prod",
        "namespace": "shop",
        "serviceAccount": "api",
        "roleArn": "arn:aws:iam::111122223333:role/shop-api",
        "associationArn": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1",
        "associationId": "a-1",
        "disableSessionTags": true,
        "targetRoleArn": "arn:aws:iam::444455556666:role/data",
        "externalId": "e1"
    }
}
`
	listAssociations = `{
    "associations": [
        {"clusterName": "prod", "namespace": "shop", "serviceAccount": "api",
         "associationArn": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1", "associationId": "a-1"},
        {"clusterName": "prod", "namespace": "batch", "serviceAccount": "worker",
         "associationArn": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-2", "associationId": "a-2",
         "ownerArn": "arn:aws:eks:us-east-1:111122223333:addon/prod/vpc-cni/x"}
    ]
}
`
)

func TestPodIdentityExports(t *testing.T) {
	const cluster = "arn:aws:eks:us-east-1:111122223333:cluster/prod"
	described := snapshot.PodIdentityAssociation{
		ARN: "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1", ID: "a-1", Cluster: cluster,
		AccountID: "111122223333", Region: "us-east-1", Namespace: "shop", ServiceAccount: "api",
		RoleARN: "arn:aws:iam::111122223333:role/shop-api", TargetRoleARN: "arn:aws:iam::444455556666:role/data",
		DisableSessionTags: true, Loc: snapshot.Location{File: "describe.json", StartLine: 2, StartColumn: 20, EndLine: 12},
	}
	listed := snapshot.PodIdentityAssociation{
		ARN: "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-2", ID: "a-2", Cluster: cluster,
		AccountID: "111122223333", Region: "us-east-1", Namespace: "batch", ServiceAccount: "worker",
		OwnerARN: "arn:aws:eks:us-east-1:111122223333:addon/prod/vpc-cni/x",
		Loc:      snapshot.Location{File: "list.json", StartLine: 5, StartColumn: 9, EndLine: 7},
	}
	for _, tc := range []struct {
		name        string
		files       map[string]string
		want        []snapshot.PodIdentityAssociation
		wantErrors  []snapshot.InputError
		wantSkipped []snapshot.Skipped
	}{
		{"describe", map[string]string{"describe.json": describeAssociation}, []snapshot.PodIdentityAssociation{described}, nil, nil},
		{
			// The describe output completes the list's summary of the same association, in
			// either order; the other summary keeps no role.
			"list and describe", map[string]string{"list.json": listAssociations, "describe.json": describeAssociation},
			[]snapshot.PodIdentityAssociation{described, listed}, nil, nil,
		},
		{
			"truncated list", map[string]string{"list.json": `{"associations": [], "nextToken": "abc"}`}, nil, nil,
			[]snapshot.Skipped{
				{File: "list.json", Named: true, Reason: "an empty Pod Identity association list"},
				{File: "list.json", Line: 1, Column: 22, Named: true, Needed: true, Reason: "the associations after this page are not in the export (it stops at a nextToken): export without --max-items"},
			},
		},
		{
			"malformed", map[string]string{"describe.json": `{"association": {"associationArn": "arn:aws:iam::111122223333:role/x", "roleArn": "r"}}`}, nil,
			[]snapshot.InputError{{File: "describe.json", Line: 1, Column: 36, Message: `"arn:aws:iam::111122223333:role/x" is not an EKS Pod Identity association ARN`}}, nil,
		},
		{
			"no service account", map[string]string{"list.json": `{"associations": [{"associationArn": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-9"}]}`}, nil,
			[]snapshot.InputError{{File: "list.json", Line: 1, Column: 19, Message: "pod identity association arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-9 has no namespace or serviceAccount"}}, nil,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			for name, data := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
				paths = append(paths, name)
			}
			t.Chdir(dir)
			snap, err := Load(context.Background(), paths, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, snap.PodIdentityAssociations); diff != "" {
				t.Errorf("associations (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantErrors, snap.Errors); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantSkipped, snap.Skipped); diff != "" {
				t.Errorf("skipped (-want +got):\n%s", diff)
			}
		})
	}
}
