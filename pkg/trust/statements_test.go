package trust

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

func TestOIDCIssuer(t *testing.T) {
	for _, tc := range []struct {
		arn, want string
		ok        bool
	}{
		{"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC", "oidc.eks.us-east-1.amazonaws.com/id/ABC", true},
		{"arn:aws-us-gov:iam::111122223333:oidc-provider/kube.example.com/c1", "kube.example.com/c1", true},
		{"arn:aws:iam::111122223333:oidc-provider/", "", false},
		{"arn:aws:iam::111122223333:saml-provider/x", "", false},
		{"cognito-identity.amazonaws.com", "", false},
		{"arn:aws:iam::111122223333:oidc-provider/a\nb", "", false},
	} {
		got, ok := OIDCIssuer(tc.arn)
		if got != tc.want || ok != tc.ok {
			t.Errorf("OIDCIssuer(%q) = %q, %v; want %q, %v", tc.arn, got, ok, tc.want, tc.ok)
		}
	}
}

// TestOIDCStatements checks the facts of one role with two statements; pkg/eval compares them
// with lib/irsa.rego's derivation on whole estates.
func TestOIDCStatements(t *testing.T) {
	const eks = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
	const gh = "token.actions.githubusercontent.com"
	prov := func(issuer string) string { return "arn:aws:iam::111122223333:oidc-provider/" + issuer }
	cond := func(key, value string) snapshot.Condition {
		return snapshot.Condition{Operator: "StringEquals", BaseOperator: "StringEquals", Known: true, Key: key, Values: []string{value}}
	}
	snap := &snapshot.Snapshot{
		Policies: []snapshot.PolicyFile{{ID: "p.json", Document: snapshot.Document{Statements: []snapshot.Statement{
			{Effect: "Deny", Principal: &snapshot.Principal{Federated: []string{prov(eks)}}, Actions: []string{"sts:AssumeRoleWithWebIdentity"}},
		}}}},
		Roles: []snapshot.Role{
			{ARN: "arn:aws:iam::111122223333:role/none"},
			{ARN: "arn:aws:iam::111122223333:role/r", TrustPolicy: &snapshot.Document{Statements: []snapshot.Statement{
				{Effect: "Allow", Principal: &snapshot.Principal{Service: []string{"ec2.amazonaws.com"}}, Actions: []string{"sts:AssumeRole"}},
				{Effect: "Allow", Principal: &snapshot.Principal{Federated: []string{prov(gh), prov(eks)}}, Actions: []string{"sts:AssumeRoleWith*"},
					Conditions: []snapshot.Condition{cond(gh+":sub", "repo:x/y"), cond("aws:SourceAccount", "1"), cond(eks+":AUD", "sts.amazonaws.com"), cond(eks+":sub", "system:serviceaccount:a:b")}},
				{Effect: "Allow", Principal: &snapshot.Principal{Federated: []string{prov(eks)}}, Actions: []string{"sts:AssumeRole"}},
			}}},
		},
	}
	lowerEKS := strings.ToLower(eks)
	want := []OIDCStatement{
		{Kind: "role", Index: 1, Statement: 1,
			Providers:         map[string]string{prov(gh): gh, prov(eks): eks},
			WebIdentityAction: true,
			OtherActions:      true, // sts:AssumeRoleWith* is no action IRSA needs
			Keys: []IssuerKey{
				{Index: 0, Issuer: gh, Claim: "sub", Blocking: true, Trusted: true},
				{Index: 2, Issuer: eks, Claim: "aud", Blocking: true, Trusted: true},
				{Index: 3, Issuer: eks, Claim: "sub", Blocking: true, Trusted: true},
			},
			PrincipalIssuers:  []string{lowerEKS, gh},
			KubernetesIssuers: []string{lowerEKS},
			Blocking:          map[string][]string{prov(eks): {gh}, prov(gh): {eks}},
			WebIdentity: []WebIdentity{{
				Provider: prov(eks), Issuer: eks,
				Claims: []string{"aud", "sub"}, Blocking: []string{gh},
				Conditions: []ProviderCondition{{Index: 2, Claim: "aud"}, {Index: 3, Claim: "sub"}},
			}}},
		{Kind: "role", Index: 1, Statement: 2, Providers: map[string]string{prov(eks): eks},
			OtherActions: true, // sts:AssumeRole
			Keys:         []IssuerKey{}, PrincipalIssuers: []string{lowerEKS}, KubernetesIssuers: []string{lowerEKS},
			Blocking:    map[string][]string{prov(eks): {}},
			WebIdentity: []WebIdentity{}},
	}
	if diff := cmp.Diff(want, OIDCStatements(snap)); diff != "" {
		t.Errorf("OIDCStatements (-want +got):\n%s", diff)
	}
	if got := OIDCStatements(nil); got == nil || len(got) != 0 {
		t.Errorf("OIDCStatements(nil) = %#v, want an empty slice", got)
	}
}

// TestAnalyzeMarksAnyAudience: Analyze tells each web-identity entry whether its document
// admits tokens of any audience from the provider (what IRSA-003 looks for).
func TestAnalyzeMarksAnyAudience(t *testing.T) {
	const eks = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
	doc := func(conds ...snapshot.Condition) *snapshot.Document {
		return &snapshot.Document{Statements: []snapshot.Statement{{
			Effect:     "Allow",
			Principal:  &snapshot.Principal{Federated: []string{"arn:aws:iam::111122223333:oidc-provider/" + eks}},
			Actions:    []string{"sts:AssumeRoleWithWebIdentity"},
			Conditions: append([]snapshot.Condition{{Operator: "StringEquals", BaseOperator: "StringEquals", Known: true, Key: eks + ":sub", Values: []string{"system:serviceaccount:a:x"}}}, conds...),
		}}}
	}
	aud := func(op string, v string) snapshot.Condition {
		return snapshot.Condition{Operator: op, BaseOperator: op, Known: true, Key: eks + ":aud", Values: []string{v}}
	}
	snap := &snapshot.Snapshot{
		Roles: []snapshot.Role{
			{ARN: "arn:aws:iam::111122223333:role/none", TrustPolicy: doc()},
			{ARN: "arn:aws:iam::111122223333:role/sts", TrustPolicy: doc(aud("StringEquals", "sts.amazonaws.com"))},
			{ARN: "arn:aws:iam::111122223333:role/star", TrustPolicy: doc(aud("StringLike", "*"))},
		},
		Policies: []snapshot.PolicyFile{{ID: "p.json", Document: *doc(aud("StringLike", "sts.*"))}},
	}
	got := map[string]bool{}
	for _, f := range Analyze(snap).OIDCStatements {
		for _, w := range f.WebIdentity {
			got[fmt.Sprintf("%s %d", f.Kind, f.Index)] = w.AnyAudience
		}
	}
	want := map[string]bool{"role 0": true, "role 1": false, "role 2": true, "policy 0": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AnyAudience (-want +got):\n%s", diff)
	}
}

// TestProviderConditionProperties: each web-identity condition entry on a provider's claim says
// whether it can hold whatever the claim's value is (lib/irsa's lenient_conditions, IRSA-004),
// whether a value has a wildcard (wildcard_conditions, IRSA-002 and IRSA-006) and whether an
// aud entry has a value other than sts.amazonaws.com (other_audiences, IRSA-011).
func TestProviderConditionProperties(t *testing.T) {
	const eks = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
	cond := func(op, base, qualifier string, ifExists, negated bool, claim string, values ...string) snapshot.Condition {
		return snapshot.Condition{Operator: op, BaseOperator: base, Qualifier: qualifier, IfExists: ifExists, Negated: negated,
			Known: true, Key: eks + ":" + claim, Values: values}
	}
	conds := []snapshot.Condition{
		cond("StringEquals", "StringEquals", "", false, false, "sub", "system:serviceaccount:a:x"),
		cond("StringLike", "StringLike", "", false, false, "sub", "system:serviceaccount:a:*"),
		cond("StringNotEquals", "StringEquals", "", false, true, "sub", "system:serviceaccount:a:y"),
		cond("StringEqualsIfExists", "StringEquals", "", true, false, "aud", "sts.amazonaws.com"),
		cond("ForAllValues:StringEquals", "StringEquals", "ForAllValues", false, false, "aud", "sts?amazonaws.com"),
		cond("Null", "Null", "", false, false, "aud", "false"),
		cond("StringEquals", "StringEquals", "", false, false, "aud", "sts.amazonaws.com", "vault"),
	}
	snap := &snapshot.Snapshot{Roles: []snapshot.Role{{ARN: "arn:aws:iam::111122223333:role/r", TrustPolicy: &snapshot.Document{Statements: []snapshot.Statement{{
		Effect:     "Allow",
		Principal:  &snapshot.Principal{Federated: []string{"arn:aws:iam::111122223333:oidc-provider/" + eks}},
		Actions:    []string{"sts:AssumeRoleWithWebIdentity"},
		Conditions: conds,
	}}}}}}
	var got []ProviderCondition
	for _, f := range Analyze(snap).OIDCStatements {
		for _, w := range f.WebIdentity {
			got = append(got, w.Conditions...)
		}
	}
	want := []ProviderCondition{
		{Index: 0, Claim: "sub"},
		{Index: 1, Claim: "sub", Wildcard: true},
		{Index: 2, Claim: "sub", Lenient: true},
		{Index: 3, Claim: "aud", Lenient: true},
		{Index: 4, Claim: "aud", Lenient: true, Wildcard: true, OtherAudience: true},
		{Index: 5, Claim: "aud", Lenient: true, OtherAudience: true},
		{Index: 6, Claim: "aud", OtherAudience: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("provider conditions (-want +got):\n%s", diff)
	}
}

// TestOtherActions: a statement has other actions (lib/irsa's other_actions, IRSA-010) when it
// allows an action besides sts:AssumeRoleWithWebIdentity and sts:TagSession, in any case, or
// uses NotAction.
func TestOtherActions(t *testing.T) {
	for _, tc := range []struct {
		actions, notActions []string
		want                bool
	}{
		{actions: []string{"sts:AssumeRoleWithWebIdentity"}},
		{actions: []string{"STS:assumerolewithwebidentity", "sts:TagSession"}},
		{actions: []string{"sts:AssumeRoleWithWebIdentity", "s3:GetObject"}, want: true},
		{actions: []string{"sts:*"}, want: true},
		{notActions: []string{"sts:AssumeRole"}, want: true},
	} {
		st := &snapshot.Statement{Effect: "Allow", Actions: tc.actions, NotActions: tc.notActions}
		if got := otherActions(st); got != tc.want {
			t.Errorf("otherActions(%v, not %v) = %v, want %v", tc.actions, tc.notActions, got, tc.want)
		}
	}
}
