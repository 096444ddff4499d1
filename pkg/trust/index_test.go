package trust

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// TestBuildIndex checks the indexes of a small snapshot; pkg/eval compares them with
// lib/bindings.rego's derivation on whole estates.
func TestBuildIndex(t *testing.T) {
	const eks = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
	trust := &snapshot.Document{Statements: []snapshot.Statement{{
		Effect:    "Allow",
		Principal: &snapshot.Principal{Federated: []string{"arn:aws:iam::111122223333:oidc-provider/" + eks}},
		Actions:   []string{"sts:AssumeRoleWithWebIdentity"},
		Conditions: []snapshot.Condition{{Operator: "StringEquals", BaseOperator: "StringEquals", Known: true,
			Key: eks + ":sub", Values: []string{"system:serviceaccount:b:y", "system:serviceaccount:a:x"}}},
	}}}
	snap := &snapshot.Snapshot{
		Clusters: []snapshot.Cluster{{ID: "prod", Issuer: eks}, {ID: "bare"}},
		Roles: []snapshot.Role{
			{ARN: "arn:aws:iam::111122223333:role/App", TrustPolicy: trust},
			{ARN: "bogus"},
		},
		ServiceAccounts: []snapshot.ServiceAccount{
			{Cluster: "prod", Namespace: "a", Name: "x", RoleARN: "arn:aws:iam::111122223333:role/p/app",
				Annotations: map[string]string{iam.AudienceAnnotation: "payments.example.com"}},
			{Namespace: "a", Name: "y", Annotations: map[string]string{iam.RoleARNAnnotation: ""}},
			{Cluster: "prod", Namespace: "a", Name: "z"},
		},
	}
	want := &Index{
		Annotated:             []int{0, 1},
		RoleARNParts:          map[int]iam.RoleARN{0: {Partition: "aws", Account: "111122223333", Path: "/p/", Name: "app"}},
		RoleKey:               map[int]string{0: "111122223333/app"},
		Audiences:             map[int]string{0: "payments.example.com"},
		Namers:                map[string][]int{"111122223333/app": {0}},
		RolesByKey:            map[string][]int{"111122223333/app": {0}},
		UnparsedRoles:         []int{1},
		ClustersByID:          map[string][]int{"prod": {0}, "bare": {}},
		PinnedServiceAccounts: []string{"prod/a/x"},
		PinnedGrants: []PinnedGrants{{Role: 0, Grants: []Grant{
			{Issuer: strings.ToLower(eks), Namespace: "a", Name: "x"},
			{Issuer: strings.ToLower(eks), Namespace: "b", Name: "y"},
		}}},
	}
	if diff := cmp.Diff(want, BuildIndex(snap, nil)); diff != "" {
		t.Errorf("BuildIndex (-want +got):\n%s", diff)
	}
}

// TestPinnedGrantsFollowAdmission checks that the grants IRSA-020 looks for are the
// ServiceAccounts the trust model admits: a subject a Deny statement refuses is none, and a
// StringLike narrowed by a StringEquals on the same key pins the one ServiceAccount.
func TestPinnedGrantsFollowAdmission(t *testing.T) {
	pin := allow(cond("StringEquals", testSub, appWeb, "system:serviceaccount:app:old"))
	denyOld := deny(cond("StringEquals", testSub, "system:serviceaccount:app:old"))
	narrowed := allow(cond("StringEquals", testSub, appWeb), cond("StringLike", testSub, "system:serviceaccount:*"))
	snap := &snapshot.Snapshot{Roles: []snapshot.Role{
		{ARN: "arn:aws:iam::111122223333:role/a", TrustPolicy: doc(pin, denyOld)},
		{ARN: "arn:aws:iam::111122223333:role/b", TrustPolicy: doc(narrowed)},
		{ARN: "arn:aws:iam::111122223333:role/c", TrustPolicy: doc(allow(cond("StringLike", testSub, "system:serviceaccount:app:*")))},
	}}
	web := Grant{Issuer: strings.ToLower(testIssuer), Namespace: "app", Name: "web"}
	want := []PinnedGrants{{Role: 0, Grants: []Grant{web}}, {Role: 1, Grants: []Grant{web}}}
	if diff := cmp.Diff(want, BuildIndex(snap, nil).PinnedGrants); diff != "" {
		t.Errorf("PinnedGrants (-want +got):\n%s", diff)
	}
}
