package eval

import (
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// indexEdgeSnapshot holds lib/bindings' cases: role annotations empty, absent with a role_arn,
// present without one, ARNs that are no role ARNs; roles whose ARNs differ in case or do not
// parse; clusters sharing an id, without issuer; ServiceAccounts without cluster; and trust
// policies on both sides of every pinned_grants test (any principal, NotPrincipal, Deny, a
// Federated principal that is no OIDC provider, unpinned or wildcard subjects, non-ServiceAccount
// subjects, StringEquals with qualifiers and IfExists, other operators, an issuer written with a
// scheme, two providers, duplicate subjects).
func indexEdgeSnapshot() *snapshot.Snapshot {
	const eks = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
	const other = "oidc.eks.eu-west-1.amazonaws.com/id/DEF"
	prov := func(issuer string) string { return "arn:aws:iam::111122223333:oidc-provider/" + issuer }
	wi := []string{"sts:AssumeRoleWithWebIdentity"}
	eq := func(key string, values ...string) snapshot.Condition {
		return snapshot.Condition{Operator: "StringEquals", BaseOperator: "StringEquals", Known: true, Key: key, Values: values}
	}
	st := func(principal *snapshot.Principal, conds ...snapshot.Condition) snapshot.Statement {
		return snapshot.Statement{Effect: "Allow", Principal: principal, Actions: wi, Conditions: conds}
	}
	fed := func(arns ...string) *snapshot.Principal { return &snapshot.Principal{Federated: arns} }
	role := func(name string, sts ...snapshot.Statement) snapshot.Role {
		return snapshot.Role{ARN: "arn:aws:iam::111122223333:role/" + name, AccountID: "111122223333", Name: name, TrustPolicy: &snapshot.Document{Statements: sts}}
	}
	notPrincipal := st(fed(prov(eks)), eq(eks+":sub", "system:serviceaccount:a:np"))
	notPrincipal.NotPrincipal = &snapshot.Principal{AWS: []string{"arn:aws:iam::111122223333:root"}}
	deny := st(&snapshot.Principal{Wildcard: true})
	deny.Effect = "Deny"
	return &snapshot.Snapshot{
		Version: snapshot.Version,
		Clusters: []snapshot.Cluster{
			{ID: "prod", Issuer: "https://" + eks},
			{ID: "prod", Issuer: other},
			{ID: "bare"},
		},
		Roles: []snapshot.Role{
			role("plain", st(fed(prov(eks)), eq(eks+":sub", "system:serviceaccount:a:b"), eq(eks+":aud", "sts.amazonaws.com"))),
			role("Plain"),
			{ARN: "not-an-arn", AccountID: "111122223333", Name: "Odd"},
			{ARN: "arn:aws:iam::1111:role/short", AccountID: "1111", Name: "short"},
			role("two-providers",
				st(fed(prov(eks), prov(other)), eq(eks+":sub", "system:serviceaccount:a:b", "system:serviceaccount:a:b"), eq(other+":SUB", "system:serviceaccount:c:d")),
				st(fed(prov(eks)), eq(eks+":sub", "system:serviceaccount:a:b"))),
			role("scheme", st(fed(prov("https://"+eks+"/")), eq(eks+":sub", "system:serviceaccount:s:t"))),
			role("if-exists", st(fed(prov(eks)),
				snapshot.Condition{Operator: "ForAnyValue:StringEqualsIfExists", Qualifier: "ForAnyValue", BaseOperator: "StringEquals", IfExists: true, Known: true, Key: eks + ":sub", Values: []string{"system:serviceaccount:q:r"}})),
			role("like", st(fed(prov(eks)), snapshot.Condition{Operator: "StringLike", BaseOperator: "StringLike", Known: true, Key: eks + ":sub", Values: []string{"system:serviceaccount:a:b"}})),
			role("wildcard", st(fed(prov(eks)), eq(eks+":sub", "system:serviceaccount:a:*"))),
			role("not-sa", st(fed(prov(eks)), eq(eks+":sub", "repo:x/y"))),
			role("unpinned", st(fed(prov(eks)), eq(eks+":aud", "sts.amazonaws.com"))),
			role("any", st(&snapshot.Principal{AWS: []string{"*"}}), st(fed(prov(eks)), eq(eks+":sub", "system:serviceaccount:a:b"))),
			role("wildcard-principal", st(&snapshot.Principal{Wildcard: true})),
			role("cognito", st(fed("cognito-identity.amazonaws.com"), eq(eks+":sub", "system:serviceaccount:a:b"))),
			role("not-principal", notPrincipal, deny, st(fed(prov(eks)), eq(eks+":sub", "system:serviceaccount:a:kept"))),
			role("other-action", snapshot.Statement{Effect: "Allow", Principal: fed(prov(eks)), Actions: []string{"sts:AssumeRole"}}),
			role("empty-subject", st(fed(prov(eks)), eq(eks+":sub", "system:serviceaccount::b"))),
			role("no-statements"),
		},
		ServiceAccounts: []snapshot.ServiceAccount{
			{Cluster: "prod", Namespace: "a", Name: "b", RoleARN: "arn:aws:iam::111122223333:role/plain",
				Annotations: map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/plain"}},
			{Cluster: "prod", Namespace: "a", Name: "b", RoleARN: "arn:aws:iam::111122223333:role/path/PLAIN"},
			{Cluster: "prod", Namespace: "a", Name: "empty", Annotations: map[string]string{"eks.amazonaws.com/role-arn": ""}},
			{Cluster: "bare", Namespace: "x", Name: "bad", RoleARN: "arn:aws:iam::1111:role/short"},
			{Namespace: "x", Name: "nocluster", RoleARN: "arn:aws:iam::111122223333:role/missing"},
			{Cluster: "gone", Namespace: "x", Name: "plain"},
			{Cluster: "prod", Namespace: "c", Name: "d", Annotations: map[string]string{"team": "x"}},
		},
	}
}
