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
	orphan := &snapshot.Document{Statements: []snapshot.Statement{{
		Effect:    "Allow",
		Principal: &snapshot.Principal{Federated: []string{"arn:aws:iam::111122223333:oidc-provider/" + eks}},
		Actions:   []string{"sts:AssumeRoleWithWebIdentity"},
		Conditions: []snapshot.Condition{{Operator: "StringEquals", BaseOperator: "StringEquals", Known: true,
			Key: eks + ":sub", Values: []string{"system:serviceaccount:c:gone"}}},
	}}}
	snap := &snapshot.Snapshot{
		Clusters: []snapshot.Cluster{{ID: "prod", Issuer: "https://" + eks}, {ID: "bare"}},
		Roles: []snapshot.Role{
			{ARN: "arn:aws:iam::111122223333:role/App", TrustPolicy: trust},
			{ARN: "bogus"},
			{ARN: "arn:aws:iam::111122223333:role/Orphan", TrustPolicy: orphan},
			{ARN: "arn:aws:iam::444455556666:role/Saml", TrustPolicy: &snapshot.Document{Statements: []snapshot.Statement{
				{Effect: "Deny", Principal: &snapshot.Principal{Federated: []string{"arn:aws:iam::444455556666:saml-provider/deny"}}},
				{Effect: "Allow", Principal: &snapshot.Principal{Federated: []string{"arn:aws:iam::444455556666:saml-provider/x"}}, Actions: []string{"sts:AssumeRoleWithSAML"}},
			}}},
		},
		OIDCProviders: []snapshot.OIDCProvider{{ARN: "arn:aws:iam::111122223333:oidc-provider/" + eks}},
		ServiceAccounts: []snapshot.ServiceAccount{
			{Cluster: "prod", Namespace: "a", Name: "x", RoleARN: "arn:aws:iam::111122223333:role/p/app",
				Annotations: map[string]string{iam.AudienceAnnotation: "payments.example.com"}},
			{Namespace: "a", Name: "y", Annotations: map[string]string{iam.RoleARNAnnotation: ""}},
			{Cluster: "prod", Namespace: "a", Name: "z"},
			{Cluster: "prod", Namespace: "c", Name: "u", RoleARN: "arn:aws:iam::444455556666:role/u"},
			{Cluster: "prod", Namespace: "c", Name: "v", RoleARN: "arn:aws:iam::111122223333:role/v"},
		},
	}
	want := &Index{
		Annotated: []int{0, 1, 3, 4},
		RoleARNParts: map[int]iam.RoleARN{
			0: {Partition: "aws", Account: "111122223333", Path: "/p/", Name: "app"},
			3: {Partition: "aws", Account: "444455556666", Path: "/", Name: "u"},
			4: {Partition: "aws", Account: "111122223333", Path: "/", Name: "v"},
		},
		RoleKey:               map[int]string{0: "111122223333/app", 3: "444455556666/u", 4: "111122223333/v"},
		Audiences:             map[int]string{0: "payments.example.com"},
		Namers:                map[string][]int{"111122223333/app": {0}, "444455556666/u": {3}, "111122223333/v": {4}},
		RolesByKey:            map[string][]int{"111122223333/app": {0}, "111122223333/orphan": {2}, "444455556666/saml": {3}},
		UnparsedRoles:         []int{1},
		ClustersByID:          map[string][]int{"prod": {0}, "bare": {}},
		PinnedServiceAccounts: []string{"prod/a/x"},
		PinnedGrants: []PinnedGrants{{Role: 0, Grants: []Grant{
			{Issuer: strings.ToLower(eks), Namespace: "a", Name: "x"},
			{Issuer: strings.ToLower(eks), Namespace: "b", Name: "y"},
		}}, {Role: 2, Grants: []Grant{{Issuer: strings.ToLower(eks), Namespace: "c", Name: "gone"}}}},
		// the first pins a:x, which exists in prod (whose issuer is that of the provider); the
		// other pins c:gone, which does not exist
		PinnedInUse: []int{0},
		// ServiceAccounts 0, 3 and 4 name roles; only role/App exists
		Dangling: []int{3, 4},
		// App's and Orphan's provider is registered in their account; only the Allow
		// statement's principal of Saml is listed
		Unregistered: []FederatedRef{{Role: 3, Statement: 1, Account: "444455556666", Provider: "arn:aws:iam::444455556666:saml-provider/x"}},
		RoleUsers: map[string][]RoleUsers{"prod": {
			{Partition: "aws", Account: "111122223333", ServiceAccounts: []int{0, 4}},
			{Partition: "aws", Account: "444455556666", ServiceAccounts: []int{3}},
		}},
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
