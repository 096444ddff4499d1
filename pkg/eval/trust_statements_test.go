package eval

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/irsa-audit/irsa-audit/pkg/load"
	"github.com/irsa-audit/irsa-audit/pkg/permissions"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/policies"
)

// oidcEdgeSnapshot holds trust statements on both sides of every test of lib/irsa's
// derivations: Deny, no principal, a Federated principal that is no OIDC provider, Action
// wildcards in any case, NotAction, a non-EKS issuer with and without a ServiceAccount subject,
// condition keys in mixed case, of other issuers, with a newline, a folded "ſ" and no host, a
// GovCloud provider, duplicate providers and a standalone policy file.
func oidcEdgeSnapshot() *snapshot.Snapshot {
	const eks = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
	const gh = "token.actions.githubusercontent.com"
	cond := func(op, key string, values ...string) snapshot.Condition {
		return snapshot.Condition{Operator: op, BaseOperator: op, Known: true, Key: key, Values: values}
	}
	st := func(effect string, federated []string, actions []string, conds ...snapshot.Condition) snapshot.Statement {
		s := snapshot.Statement{Effect: effect, Actions: actions, Conditions: conds}
		if federated != nil {
			s.Principal = &snapshot.Principal{Federated: federated}
		}
		return s
	}
	prov := func(account, issuer string) string { return "arn:aws:iam::" + account + ":oidc-provider/" + issuer }
	wi := []string{"sts:AssumeRoleWithWebIdentity"}
	doc := func(sts ...snapshot.Statement) *snapshot.Document { return &snapshot.Document{Statements: sts} }
	roles := []snapshot.Role{
		{ARN: "arn:aws:iam::111122223333:role/a", TrustPolicy: doc(
			st("Allow", []string{prov("111122223333", eks), prov("111122223333", eks), "cognito-identity.amazonaws.com"}, wi,
				cond("StringEquals", eks+":sub", "system:serviceaccount:a:b"),
				cond("StringLike", "OIDC.EKS.US-EAST-1.AMAZONAWS.COM/id/abc:AUD", "sts.amazonaws.com"),
				cond("StringEquals", gh+":sub", "repo:x/y:ref:refs/heads/main"),
				cond("StringEquals", "aws:SourceAccount", "111122223333"),
				cond("StringEquals", "nohost:sub", "x"),
				cond("StringEquals", eks+":ſub", "system:serviceaccount:a:b"),
				cond("StringEquals", "a.b\nc:sub", "x"),
				snapshot.Condition{Operator: "ForAllValues:StringLike", Qualifier: "ForAllValues", BaseOperator: "StringLike", Known: true, Key: eks + ":aud", Values: []string{"*"}},
			),
			st("Deny", []string{prov("111122223333", eks)}, wi),
			st("Allow", nil, wi),
			st("Allow", []string{prov("111122223333", eks)}, []string{"STS:assumerole*"}),
			st("Allow", []string{prov("111122223333", eks)}, []string{"sts:AssumeRole"}),
			snapshot.Statement{Effect: "Allow", Principal: &snapshot.Principal{Federated: []string{prov("111122223333", eks)}}, NotActions: []string{"s3:*"}},
			snapshot.Statement{Effect: "Allow", Principal: &snapshot.Principal{Federated: []string{prov("111122223333", eks)}}, NotActions: []string{"sts:*"}},
		)},
		{ARN: "arn:aws:iam::111122223333:role/b", TrustPolicy: doc(
			st("Allow", []string{prov("111122223333", gh)}, wi, cond("StringLike", gh+":sub", "repo:x/*")),
			st("Allow", []string{prov("111122223333", "kube.example.com/c1"), "arn:aws-us-gov:iam::111122223333:oidc-provider/" + eks}, []string{"sts:*"},
				cond("StringEquals", "KUBE.example.com/c1:sub", "system:serviceaccount:ns:sa"),
				cond("StringEquals", eks+":aud", "sts.amazonaws.com")),
			st("Allow", []string{"arn:aws:iam::111122223333:oidc-provider/"}, wi),
		)},
		// Every form of fails_when_missing, on the statement's own issuer and on others.
		{ARN: "arn:aws:iam::111122223333:role/blocking", TrustPolicy: doc(
			st("Allow", []string{prov("111122223333", eks), prov("111122223333", "kube.example.com/c2")}, wi,
				cond("StringEquals", eks+":sub", "system:serviceaccount:a:b"),
				snapshot.Condition{Operator: "StringEqualsIfExists", BaseOperator: "StringEquals", IfExists: true, Known: true, Key: gh + ":sub", Values: []string{"x"}},
				snapshot.Condition{Operator: "StringNotEquals", BaseOperator: "StringEquals", Negated: true, Known: true, Key: "other.example.com:aud", Values: []string{"x"}},
				snapshot.Condition{Operator: "ForAllValues:StringEquals", Qualifier: "ForAllValues", BaseOperator: "StringEquals", Known: true, Key: "third.example.com:sub", Values: []string{"x"}},
				snapshot.Condition{Operator: "ForAnyValue:StringEquals", Qualifier: "ForAnyValue", BaseOperator: "StringEquals", Known: true, Key: "fourth.example.com:sub", Values: []string{"x"}},
				cond("Null", "null-false.example.com:sub", "false"),
				cond("Null", "null-FALSE.example.com:aud", "FALSE", "false"),
				cond("Null", "null-true.example.com:sub", "true"),
				cond("Null", "null-mixed.example.com:sub", "false", "true"),
				snapshot.Condition{Operator: "Null", BaseOperator: "Null", Known: true, Key: "null-nil.example.com:sub"},
				snapshot.Condition{Operator: "Null", BaseOperator: "Null", Known: true, Key: "null-empty.example.com:sub", Values: []string{}},
				cond("StringLike", "KUBE.EXAMPLE.COM/c2:sub", "system:serviceaccount:*"),
				snapshot.Condition{Operator: "Bogus", BaseOperator: "Bogus", Key: "bogus.example.com:aud", Values: []string{"x"}},
			),
			st("Allow", []string{"cognito-identity.amazonaws.com", prov("111122223333", gh), "COGNITO-identity.amazonaws.com"}, []string{"sts:AssumeRoleWithWebIdentity", "sts:TagSession"},
				cond("StringEquals", gh+":sub", "repo:x/y:ref:refs/heads/main"),
				cond("StringEquals", eks+":sub", "system:serviceaccount:a:b")),
		)},
		{ARN: "arn:aws:iam::111122223333:role/none"},
		{ARN: "arn:aws:iam::111122223333:role/empty", TrustPolicy: doc()},
	}
	return &snapshot.Snapshot{
		Version: snapshot.Version,
		Roles:   roles,
		Policies: []snapshot.PolicyFile{
			{ID: "trust.json", Document: *doc(st("Allow", []string{prov("444455556666", eks)}, []string{"*"}, cond("StringEquals", eks+":sub", "system:serviceaccount:*")))},
			{Document: *doc(st("Allow", []string{prov("444455556666", eks)}, wi))},
		},
	}
}

// TestGoFactsMatchRego holds the documents of lib/irsa (trust_statements, oidc_statements,
// web_identity, provider_conditions) and lib/bindings (its indexes) read from the Go facts
// (input.trust.irsa and input.trust.index: pkg/trust's facts, built by irsaFacts and
// bindingsIndex) equal, order included, to the same documents derived in Rego from an input
// without them.
func TestGoFactsMatchRego(t *testing.T) {
	examples, err := load.Load(context.Background(), []string{"../../examples", "../load/testdata"}, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snaps := trustSnapshots(t)
	snaps["examples and loader fixtures"] = examples
	snaps["oidc edge cases"] = oidcEdgeSnapshot()
	snaps["index edge cases"] = indexEdgeSnapshot()

	caps := Capabilities()
	mods, err := loadBuiltin(policies.FS, caps)
	if err != nil {
		t.Fatal(err)
	}
	parsed := map[string]*ast.Module{}
	for _, m := range mods {
		parsed[m.file] = m.module
	}
	c := ast.NewCompiler().WithCapabilities(caps)
	if c.Compile(parsed); c.Failed() {
		t.Fatal(c.Errors)
	}
	const lib, bindings = "data.irsa_audit.lib.irsa.", "data.irsa_audit.lib.bindings."
	pq, err := rego.New(rego.Compiler(c), rego.Query(
		"t := "+lib+"trust_statements; o := "+lib+"oidc_statements; w := "+lib+"web_identity; p := "+lib+"provider_conditions; "+
			"annotated := "+bindings+"annotated; role_arn_parts := "+bindings+"role_arn_parts; role_key := "+bindings+"role_key; "+
			"namers := "+bindings+"namers; roles_by_key := "+bindings+"roles_by_key; unparsed_roles := "+bindings+"unparsed_roles; "+
			"clusters_by_id := "+bindings+"clusters_by_id; pinned_service_accounts := "+bindings+"pinned_service_accounts; "+
			"pinned_grants := "+bindings+"pinned_grants",
	)).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	eval := func(t *testing.T, snap *snapshot.Snapshot, withTrust bool) map[string]any {
		in, err := buildInput(snap, withTrust, permissions.Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := in.Get(ast.StringTerm("trust")) != nil; got != withTrust {
			t.Fatalf("input.trust present: %v, want %v", got, withTrust)
		}
		rs, err := pq.Eval(context.Background(), rego.EvalParsedInput(in))
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 {
			t.Fatalf("%d results, want 1", len(rs))
		}
		return rs[0].Bindings
	}
	for name, snap := range snaps {
		t.Run(name, func(t *testing.T) {
			want := eval(t, snap, false)
			got := eval(t, snap, true)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("lib/irsa documents (-rego +go facts):\n%s", diff)
			}
			t.Logf("%d oidc statements, %d web-identity entries, %d provider conditions, %d annotated ServiceAccounts, %d roles with pinned grants",
				len(want["o"].([]any)), len(want["w"].([]any)), len(want["p"].([]any)), len(want["annotated"].([]any)), len(want["pinned_grants"].([]any)))
			if name != "permissions fixture" && name != "index edge cases" && len(want["p"].([]any)) == 0 {
				t.Error("no provider conditions: the comparison proves little")
			}
			if name != "permissions fixture" && name != "oidc edge cases" && (len(want["annotated"].([]any)) == 0 || len(want["pinned_grants"].([]any)) == 0) {
				t.Error("no annotated ServiceAccounts or pinned grants: the comparison proves little")
			}
		})
	}
}

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
