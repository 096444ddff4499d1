package iam

import (
	"testing"
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
		{"A*", "abc", false},
		{"system:serviceaccount:*", "system:serviceaccount:ns:sa", true},
	} {
		if got := GlobMatch(tc.pattern, tc.value); got != tc.want {
			t.Errorf("GlobMatch(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
		}
	}
}

func TestParseRoleARN(t *testing.T) {
	for _, tc := range []struct {
		arn  string
		want RoleARN
		ok   bool
	}{
		{"arn:aws:iam::111122223333:role/app", RoleARN{"aws", "111122223333", "/", "app"}, true},
		{"arn:aws:iam::111122223333:role/path/to/App", RoleARN{"aws", "111122223333", "/path/to/", "App"}, true},
		{"arn:aws-us-gov:iam::111122223333:role/a", RoleARN{"aws-us-gov", "111122223333", "/", "a"}, true},
		{"arn:aws-cn:iam::111122223333:role/a/", RoleARN{}, false},
		{"arn:aws:iam::111122223333:role//a", RoleARN{}, false},
		{"arn:aws:iam::111122223333:role/a//b", RoleARN{}, false},
		{"arn:aws:iam::111122223333:role/", RoleARN{}, false},
		{"arn:aws:iam::111122223333:role", RoleARN{}, false},
		{"arn:aws:iam::11112222333:role/a", RoleARN{}, false},
		{"arn:aws:iam::11112222333x:role/a", RoleARN{}, false},
		{"arn:AWS:iam::111122223333:role/a", RoleARN{}, false},
		{"arn:aws1:iam::111122223333:role/a", RoleARN{}, false},
		{"arn:aws:iam::111122223333:user/a", RoleARN{}, false},
		{"arn:aws:sts::111122223333:assumed-role/a/b", RoleARN{}, false},
		{"arn:aws:iam:us-east-1:111122223333:role/a", RoleARN{}, false},
		{"xarn:aws:iam::111122223333:role/a", RoleARN{}, false},
		{"", RoleARN{}, false},
	} {
		got, ok := ParseRoleARN(tc.arn)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRoleARN(%q) = %+v, %v, want %+v, %v", tc.arn, got, ok, tc.want, tc.ok)
		}
	}
	if key, ok := RoleKey("arn:aws:iam::111122223333:role/team/App"); key != "111122223333/app" || !ok {
		t.Errorf("RoleKey = %q, %v", key, ok)
	}
}

func TestProviders(t *testing.T) {
	got, ok := ProviderFor("arn:aws-us-gov:iam::111122223333:role/x", "https://oidc.eks.us-gov-west-1.amazonaws.com/id/ABC")
	if want := "arn:aws-us-gov:iam::111122223333:oidc-provider/oidc.eks.us-gov-west-1.amazonaws.com/id/ABC"; got != want || !ok {
		t.Errorf("ProviderFor = %q, %v, want %q", got, ok, want)
	}
	// IAM keeps a trailing "/" in the provider ARN and in its keys.
	got, _ = ProviderFor("arn:aws:iam::111122223333:role/x", "https://example.com/")
	if want := "arn:aws:iam::111122223333:oidc-provider/example.com/"; got != want {
		t.Errorf("ProviderFor(trailing /) = %q, want %q", got, want)
	}
	if _, ok := ProviderFor("role/x", "i"); ok {
		t.Error("ProviderFor of a non-ARN is defined")
	}
	for _, tc := range []struct {
		in, want string
	}{
		{"https://example.com/", "example.com/"},
		{"http://example.com", "example.com"},
		{"example.com/id/X", "example.com/id/X"},
	} {
		if got := NormalizeIssuer(tc.in); got != tc.want {
			t.Errorf("NormalizeIssuer(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := ClaimKey("https://Example.com/", "sub"); got != "example.com/:sub" {
		t.Errorf("ClaimKey = %q", got)
	}
	p, ok := ParseProviderARN("arn:aws:iam::111122223333:oidc-provider/example.com/")
	if !ok || p.Issuer != "example.com/" || p.String() != "arn:aws:iam::111122223333:oidc-provider/example.com/" {
		t.Errorf("ParseProviderARN = %+v, %v", p, ok)
	}
	for _, s := range []string{"arn:aws:iam::111122223333:saml-provider/x", "*", "arn:aws:iam::1:oidc-provider/x", "arn:aws:iam::111122223333:oidc-provider/"} {
		if _, ok := ParseProviderARN(s); ok {
			t.Errorf("ParseProviderARN(%q) ok", s)
		}
	}
	if SameARN("arn:aws:iam::111122223333:oidc-provider/x/id/ABC", "arn:aws:iam::111122223333:oidc-provider/x/id/abc") {
		t.Error("SameARN ignores case")
	}
}

func TestClaimKeysAndSubjects(t *testing.T) {
	for _, tc := range []struct {
		key, issuer, claim string
		ok                 bool
	}{
		{"oidc.eks.us-east-1.amazonaws.com/id/X:sub", "oidc.eks.us-east-1.amazonaws.com/id/X", "sub", true},
		{"example.com/:AUD", "example.com/", "aud", true},
		{"example.com:amr", "example.com", "amr", true},
		{"aws:SourceIp", "", "", false},
		{"sts:RoleSessionName", "", "", false},
		{"example.com:email", "", "", false},
	} {
		issuer, claim, ok := SplitClaimKey(tc.key)
		if issuer != tc.issuer || claim != tc.claim || ok != tc.ok {
			t.Errorf("SplitClaimKey(%q) = %q, %q, %v", tc.key, issuer, claim, ok)
		}
	}
	if ns, name, ok := ParseServiceAccountSubject("system:serviceaccount:app:web"); ns != "app" || name != "web" || !ok {
		t.Errorf("ParseServiceAccountSubject = %q %q %v", ns, name, ok)
	}
	for _, s := range []string{"system:serviceaccount:app", "system:serviceaccount::web", "system:serviceaccount:a:b:c", "false"} {
		if _, _, ok := ParseServiceAccountSubject(s); ok {
			t.Errorf("ParseServiceAccountSubject(%q) ok", s)
		}
	}
	if r, ok := EKSIssuer("oidc.eks.eu-west-1.amazonaws.com/id/ABC123"); r != "eu-west-1" || !ok {
		t.Errorf("EKSIssuer = %q, %v", r, ok)
	}
	if _, ok := EKSIssuer("oidc.eks.eu-west-1.amazonaws.com/id/ABC123/"); ok {
		t.Error("EKSIssuer accepts a trailing /")
	}
}

func TestActions(t *testing.T) {
	for _, tc := range []struct {
		actions, notActions []string
		want                bool
	}{
		{[]string{"sts:AssumeRoleWithWebIdentity"}, nil, true},
		{[]string{"STS:assumerolewith*"}, nil, true},
		{[]string{"sts:AssumeRole"}, nil, false},
		{nil, []string{"sts:AssumeRole"}, true},
		{nil, []string{"sts:*"}, false},
		{nil, nil, false},
		{[]string{"s3:*"}, []string{"s3:Get*"}, false},
	} {
		if got := CoversAction(tc.actions, tc.notActions, "sts:AssumeRoleWithWebIdentity"); got != tc.want {
			t.Errorf("CoversAction(%v, %v) = %v, want %v", tc.actions, tc.notActions, got, tc.want)
		}
	}
	if !ARNMatch("arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/a:b") || ARNMatch("arn:aws:iam::*:role/*", "arn:aws:iam") {
		t.Error("ARNMatch")
	}
}

func TestHolds(t *testing.T) {
	op := ParseOperator
	for _, tc := range []struct {
		name    string
		op      string
		values  []string
		request []string
		want    bool
	}{
		{"equals", "StringEquals", []string{"a"}, []string{"a"}, true},
		{"equals is case-sensitive", "StringEquals", []string{"a"}, []string{"A"}, false},
		{"values OR", "StringEquals", []string{"a", "b"}, []string{"b"}, true},
		{"literal * in StringEquals", "StringEquals", []string{"*"}, []string{"x"}, false},
		{"literal * in StringEquals matches itself", "StringEquals", []string{"*"}, []string{"*"}, true},
		{"like *", "StringLike", []string{"system:serviceaccount:*"}, []string{"system:serviceaccount:a:b"}, true},
		{"like ?", "StringLike", []string{"a?"}, []string{"ab"}, true},
		{"ignore case", "StringEqualsIgnoreCase", []string{"ABC"}, []string{"abc"}, true},
		{"not ignore case", "StringNotEqualsIgnoreCase", []string{"ABC"}, []string{"abc"}, false},
		{"operator name any case", "stringequals", []string{"a"}, []string{"a"}, true},
		{"absent positive", "StringEquals", []string{"a"}, nil, false},
		{"absent negated", "StringNotEquals", []string{"a"}, nil, true},
		{"absent IfExists", "StringEqualsIfExists", []string{"a"}, nil, true},
		{"present IfExists", "StringEqualsIfExists", []string{"a"}, []string{"b"}, false},
		{"absent ForAnyValue", "ForAnyValue:StringEquals", []string{"a"}, nil, false},
		{"absent ForAnyValue negated", "ForAnyValue:StringNotEquals", []string{"a"}, nil, false},
		{"absent ForAllValues", "ForAllValues:StringEquals", []string{"a"}, nil, true},
		{"ForAnyValue one of", "ForAnyValue:StringEquals", []string{"a"}, []string{"x", "a"}, true},
		{"ForAllValues all", "ForAllValues:StringEquals", []string{"a", "b"}, []string{"a", "c"}, false},
		{"negated several request values", "StringNotEquals", []string{"a"}, []string{"b", "a"}, false},
		{"Null true absent", "Null", []string{"true"}, nil, true},
		{"Null true present", "Null", []string{"true"}, []string{"x"}, false},
		{"Null false present", "Null", []string{"false"}, []string{"x"}, true},
		{"Null false absent", "Null", []string{"false"}, nil, false},
		{"unknown operator", "StringSorta", []string{"a"}, []string{"a"}, false},
		{"numeric", "NumericLessThan", []string{"10"}, []string{"9.5"}, true},
		{"numeric not comparable", "NumericNotEquals", []string{"10"}, []string{"x"}, false},
		{"date", "DateGreaterThan", []string{"2020-01-01"}, []string{"2020-01-01T00:00:01Z"}, true},
		{"bool", "Bool", []string{"true"}, []string{"TRUE"}, true},
		{"ip", "IpAddress", []string{"10.0.0.0/8"}, []string{"10.1.2.3"}, true},
		{"not ip", "NotIpAddress", []string{"10.0.0.0/8"}, []string{"10.1.2.3"}, false},
		{"arn like", "ArnLike", []string{"arn:aws:iam::*:role/*"}, []string{"arn:aws:iam::111122223333:role/x"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Holds(op(tc.op), tc.values, tc.request); got != tc.want {
				t.Errorf("Holds(%s, %q, %q) = %v, want %v", tc.op, tc.values, tc.request, got, tc.want)
			}
		})
	}
	if o := op("ForAnyValue:StringNotLikeIfExists"); o != (Operator{Name: "StringNotLike", Qualifier: "ForAnyValue", IfExists: true, Negated: true, Known: true}) {
		t.Errorf("ParseOperator = %+v", o)
	}
	if Positive("StringNotLike") != "StringLike" || Positive("Null") != "Null" {
		t.Error("Positive")
	}
	if !FailsWhenAbsent(op("StringEquals"), []string{"a"}) || FailsWhenAbsent(op("StringNotEquals"), []string{"a"}) || !FailsWhenAbsent(op("ForAnyValue:StringNotEquals"), []string{"a"}) {
		t.Error("FailsWhenAbsent")
	}
}
