package trust

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// roleARNRE is lib/admits.role_arn_parts' regular expression, which iam.ParseRoleARN implements.
var roleARNRE = regexp.MustCompile(`^arn:(aws[a-z-]*):iam::([0-9]{12}):role(/(?:[^/]+/)*)([^/]+)$`)

func regexRoleARN(arn string) (iam.RoleARN, bool) {
	m := roleARNRE.FindStringSubmatch(arn)
	if m == nil {
		return iam.RoleARN{}, false
	}
	return iam.RoleARN{Partition: m[1], Account: m[2], Path: m[3], Name: m[4]}, true
}

// TestParseRoleARNMatchesRegex holds iam.ParseRoleARN equal to lib/admits' regular expression on
// hand-picked ARNs and on 200,000 strings built from ARN fragments.
func TestParseRoleARNMatchesRegex(t *testing.T) {
	cases := []string{
		"arn:aws:iam::111122223333:role/app",
		"arn:aws:iam::111122223333:role/path/to/App",
		"arn:aws-us-gov:iam::111122223333:role/a",
		"arn:aws-cn:iam::111122223333:role/a/",
		"arn:aws:iam::111122223333:role//a",
		"arn:aws:iam::111122223333:role/a//b",
		"arn:aws:iam::111122223333:role/",
		"arn:aws:iam::111122223333:role",
		"arn:aws:iam::11112222333:role/a",
		"arn:aws:iam::1111222233334:role/a",
		"arn:aws:iam::11112222333x:role/a",
		"arn:AWS:iam::111122223333:role/a",
		"arn:aws1:iam::111122223333:role/a",
		"arn:awsé:iam::111122223333:role/a",
		"arn:aws:iam::111122223333:role/a\nb",
		"arn:aws:iam::111122223333:role/\n/b",
		"arn:aws:iam::111122223333:user/a",
		"arn:aws:iam::111122223333:roles/a",
		"arn:aws:sts::111122223333:assumed-role/a/b",
		"xarn:aws:iam::111122223333:role/a",
		"arn:aws:iam:::role/a",
		"",
	}
	frags := []string{"arn:", "aws", "-cn", "x", ":iam::", "111122223333", "1", ":role", "/", "a", "B", "é", "\n", ":", "-"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		var b strings.Builder
		if rng.IntN(2) == 0 {
			b.WriteString("arn:aws:iam::111122223333:role")
		}
		for range rng.IntN(8) {
			b.WriteString(frags[rng.IntN(len(frags))])
		}
		cases = append(cases, b.String())
	}
	matched := 0
	for _, arn := range cases {
		want, wantOK := regexRoleARN(arn)
		got, ok := iam.ParseRoleARN(arn)
		if ok != wantOK || got != want {
			t.Fatalf("ParseRoleARN(%q) = %+v, %v; the regex gives %+v, %v", arn, got, ok, want, wantOK)
		}
		if ok {
			matched++
		}
	}
	if matched < 1000 {
		t.Errorf("only %d of the strings are role ARNs: the comparison proves little", matched)
	}
}

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
			{Cluster: "prod", Namespace: "a", Name: "x", RoleARN: "arn:aws:iam::111122223333:role/p/app"},
			{Namespace: "a", Name: "y", Annotations: map[string]string{iam.RoleARNAnnotation: ""}},
			{Cluster: "prod", Namespace: "a", Name: "z"},
		},
	}
	want := &Index{
		Annotated:             []int{0, 1},
		RoleARNParts:          map[int]iam.RoleARN{0: {Partition: "aws", Account: "111122223333", Path: "/p/", Name: "app"}},
		RoleKey:               map[int]string{0: "111122223333/app"},
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
