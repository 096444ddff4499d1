package eval

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/irsa-audit/irsa-audit/pkg/load"
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

// TestOIDCStatementsMatchRego holds lib/irsa's trust_statements, oidc_statements, web_identity
// and provider_conditions read from the Go facts (input.trust.irsa: pkg/trust's facts, built
// into entries by irsaFacts) equal, order included, to the same documents derived in Rego from
// an input without them.
func TestOIDCStatementsMatchRego(t *testing.T) {
	examples, err := load.Load(context.Background(), []string{"../../examples", "../load/testdata"}, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snaps := trustSnapshots(t)
	snaps["examples and loader fixtures"] = examples
	snaps["oidc edge cases"] = oidcEdgeSnapshot()

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
	const lib = "data.irsa_audit.lib.irsa."
	pq, err := rego.New(rego.Compiler(c), rego.Query(
		"t := "+lib+"trust_statements; o := "+lib+"oidc_statements; w := "+lib+"web_identity; p := "+lib+"provider_conditions",
	)).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	eval := func(t *testing.T, snap *snapshot.Snapshot, withTrust bool) map[string]any {
		in, err := buildInput(snap, withTrust)
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
			t.Logf("%d oidc statements, %d web-identity entries, %d provider conditions", len(want["o"].([]any)), len(want["w"].([]any)), len(want["p"].([]any)))
			if name != "permissions fixture" && len(want["p"].([]any)) == 0 {
				t.Error("no provider conditions: the comparison proves little")
			}
		})
	}
}
