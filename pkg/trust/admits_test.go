package trust

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, value string
		want           bool
	}{
		{"a*c", "abbc", true},
		{"a*c", "ac", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a[b]c", "a[b]c", true},
		{"a[b]c", "abc", false},
		{"(x|y)+$^", "(x|y)+$^", true},
		{"x|y", "x", false},
		{"line*", "line1\nline2", true},
		{"é?", "éé", true},
		{"?", "é", true},
		{"??", "é", false},
		{"*a*b", "xaybzb", true},
		{"*", "", true},
		{"", "", true},
		{"", "a", false},
		{"a\\*", "a\\xyz", true},
	} {
		if got := GlobMatch(tc.pattern, tc.value); got != tc.want {
			t.Errorf("GlobMatch(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
		}
	}
}

func TestRoleKeyAndProvider(t *testing.T) {
	for _, tc := range []struct {
		arn, key string
		ok       bool
	}{
		{"arn:aws:iam::111122223333:role/team/App", "111122223333/app", true},
		{"arn:aws-cn:iam::111122223333:role/App", "111122223333/app", true},
		{"arn:aws:iam::111122223333:user/App", "", false},
		{"arn:aws:iam::1111:role/App", "", false},
		{"App", "", false},
	} {
		key, ok := RoleKey(tc.arn)
		if key != tc.key || ok != tc.ok {
			t.Errorf("RoleKey(%q) = %q, %v, want %q, %v", tc.arn, key, ok, tc.key, tc.ok)
		}
	}
	got, ok := ProviderARN("arn:aws-us-gov:iam::111122223333:role/x", "https://oidc.eks.us-gov-west-1.amazonaws.com/id/ABC/")
	if want := "arn:aws-us-gov:iam::111122223333:oidc-provider/oidc.eks.us-gov-west-1.amazonaws.com/id/ABC"; got != want || !ok {
		t.Errorf("ProviderARN = %q, %v, want %q", got, ok, want)
	}
	if _, ok := ProviderARN("role/x", "i"); ok {
		t.Error("ProviderARN of a non-ARN is defined")
	}
}

func TestVerdictOf(t *testing.T) {
	const iss = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
	provider := "arn:aws:iam::111122223333:oidc-provider/" + iss
	cond := func(op, base, key string, negated bool, values ...string) snapshot.Condition {
		return snapshot.Condition{Operator: op, BaseOperator: base, Known: true, Negated: negated, Key: key, Values: values}
	}
	allow := func(conds ...snapshot.Condition) snapshot.Statement {
		return snapshot.Statement{Effect: "Allow", Principal: &snapshot.Principal{Federated: []string{provider}},
			Actions: []string{"sts:AssumeRoleWithWebIdentity"}, Conditions: conds}
	}
	deny := func(conds ...snapshot.Condition) snapshot.Statement {
		s := allow(conds...)
		s.Effect = "Deny"
		return s
	}
	exact := cond("StringEquals", "StringEquals", iss+":sub", false, "system:serviceaccount:app:web")
	sourceIP := cond("IpAddress", "IpAddress", "aws:SourceIp", false, "10.0.0.0/8")
	session := cond("StringLike", "StringLike", "sts:RoleSessionName", false, "ci-*")
	token := ServiceAccountToken("https://"+iss, "app", "web", DefaultAudience)
	for _, tc := range []struct {
		name       string
		statements []snapshot.Statement
		want       Verdict
	}{
		{"exact subject", []snapshot.Statement{allow(exact)}, Admitted},
		{"other subject", []snapshot.Statement{allow(cond("StringEquals", "StringEquals", iss+":sub", false, "x"))}, Refused},
		{"unknowable key left", []snapshot.Statement{allow(exact, sourceIP)}, Unknown},
		{"false before unknowable", []snapshot.Statement{allow(cond("StringEquals", "StringEquals", iss+":sub", false, "x"), sourceIP)}, Refused},
		{"deny on unknowable key", []snapshot.Statement{allow(exact), deny(session)}, Unknown},
		{"unconditional deny", []snapshot.Statement{allow(exact), deny()}, Refused},
		{"deny that cannot apply", []snapshot.Statement{allow(exact), deny(session, cond("StringEquals", "StringEquals", iss+":sub", false, "x"))}, Admitted},
		{"no statements", nil, Refused},
		{"negated other subject", []snapshot.Statement{allow(cond("StringNotEquals", "StringNotEquals", iss+":sub", true, "x"))}, Admitted},
		{"key case-insensitive", []snapshot.Statement{allow(cond("StringEquals", "StringEquals", "OIDC.EKS.US-EAST-1.AMAZONAWS.COM/ID/abc:SUB", false, "system:serviceaccount:app:web"))}, Admitted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := &snapshot.Document{Statements: tc.statements}
			if got := VerdictOf(doc, provider, token); got != tc.want {
				t.Errorf("VerdictOf = %s, want %s", got, tc.want)
			}
			if got, want := Admits(doc, provider, token), tc.want == Admitted; got != want && tc.want != Unknown {
				t.Errorf("Admits = %v, want %v", got, want)
			}
		})
	}
}

func TestAnalyzeOrder(t *testing.T) {
	const iss = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
	trust := &snapshot.Document{}
	snap := &snapshot.Snapshot{
		Clusters: []snapshot.Cluster{{ID: "c", Issuer: iss}, {ID: "c", Issuer: iss}, {ID: "d"}},
		Roles: []snapshot.Role{
			{ARN: "arn:aws:iam::111122223333:role/a/App", TrustPolicy: trust},
			{ARN: "arn:aws:iam::111122223333:role/app", TrustPolicy: trust},
			{ARN: "arn:aws:iam::111122223333:role/none"},
		},
		ServiceAccounts: []snapshot.ServiceAccount{
			{Cluster: "c", Namespace: "n", Name: "x"},
			{Cluster: "c", Namespace: "n", Name: "y", RoleARN: "arn:aws:iam::111122223333:role/APP"},
			{Cluster: "d", Namespace: "n", Name: "z", RoleARN: "arn:aws:iam::111122223333:role/app"},
			{Cluster: "c", Namespace: "n", Name: "w", RoleARN: "arn:aws:iam::111122223333:role/none"},
		},
	}
	want := []Binding{
		{ServiceAccount: 1, Role: 0, Cluster: 0, Verdict: Refused},
		{ServiceAccount: 1, Role: 0, Cluster: 1, Verdict: Refused},
		{ServiceAccount: 1, Role: 1, Cluster: 0, Verdict: Refused},
		{ServiceAccount: 1, Role: 1, Cluster: 1, Verdict: Refused},
	}
	if diff := cmp.Diff(want, Analyze(snap).Bindings); diff != "" {
		t.Errorf("bindings (-want +got):\n%s", diff)
	}
}
