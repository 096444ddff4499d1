package trust

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

const (
	testIssuer   = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
	testProvider = "arn:aws:iam::111122223333:oidc-provider/" + testIssuer
	testSub      = testIssuer + ":sub"
	testAud      = testIssuer + ":aud"
	appWeb       = "system:serviceaccount:app:web"
)

// cond builds a condition entry as pkg/policydoc does.
func cond(operator, key string, values ...string) snapshot.Condition {
	op := iam.ParseOperator(operator)
	return snapshot.Condition{Operator: operator, Qualifier: op.Qualifier, BaseOperator: op.Name, IfExists: op.IfExists,
		Negated: op.Negated, Known: op.Known, Key: key, Values: values}
}

func allow(conds ...snapshot.Condition) snapshot.Statement {
	return snapshot.Statement{Effect: "Allow", Principal: &snapshot.Principal{Federated: []string{testProvider}},
		Actions: []string{WebIdentityAction}, Conditions: conds}
}

func deny(conds ...snapshot.Condition) snapshot.Statement {
	s := allow(conds...)
	s.Effect = "Deny"
	return s
}

func doc(sts ...snapshot.Statement) *snapshot.Document { return &snapshot.Document{Statements: sts} }

func saToken(sub, aud string) Request {
	return Token(testProvider, "https://"+testIssuer, map[string][]string{"sub": {sub}, "aud": {aud}})
}

func TestEvaluate(t *testing.T) {
	exact := cond("StringEquals", testSub, appWeb)
	notAction := allow()
	notAction.Actions, notAction.NotActions = nil, []string{"sts:AssumeRole"}
	service := snapshot.Statement{Effect: "Allow", Principal: &snapshot.Principal{Service: []string{"pods.eks.amazonaws.com"}},
		Actions: []string{"sts:AssumeRole", "sts:TagSession"}}
	const slashIssuer = "example.com/"
	slashProvider := "arn:aws:iam::111122223333:oidc-provider/" + slashIssuer
	slash := snapshot.Statement{Effect: "Allow", Principal: &snapshot.Principal{Federated: []string{slashProvider}},
		Actions: []string{WebIdentityAction}, Conditions: []snapshot.Condition{cond("StringEquals", "Example.com/:SUB", appWeb)}}
	symbolic := cond("StringEquals", testSub, "system:serviceaccount:«var.namespace»:web")
	symbolic.Unknown = []string{"values"}
	for _, tc := range []struct {
		name string
		doc  *snapshot.Document
		req  Request
		want Result
	}{
		{"exact subject", doc(allow(exact)), saToken(appWeb, "sts.amazonaws.com"), Result{Verdict: Admitted, Statement: 0}},
		{"other subject", doc(allow(exact)), saToken("system:serviceaccount:app:other", "x"), Result{Verdict: Refused, Statement: -1}},
		{"nil document", nil, saToken(appWeb, "x"), Result{Verdict: Refused, Statement: -1}},
		{"keys case-insensitive", doc(allow(cond("StringEquals", "OIDC.eks.us-east-1.amazonaws.com/id/abc:Sub", appWeb))), saToken(appWeb, "x"), Result{Verdict: Admitted, Statement: 0}},
		{"values case-sensitive", doc(allow(cond("StringEquals", testSub, "system:serviceaccount:App:web"))), saToken(appWeb, "x"), Result{Verdict: Refused, Statement: -1}},
		{"explicit deny wins", doc(allow(), deny(exact)), saToken(appWeb, "x"), Result{Verdict: Refused, Statement: -1}},
		{"NotAction covers web identity", doc(notAction), saToken("anything", "x"), Result{Verdict: Admitted, Statement: 0}},
		{"StringEquals and StringLike on one key are ANDed", doc(allow(exact, cond("StringLike", testSub, "system:serviceaccount:*"))),
			saToken("system:serviceaccount:other:x", "x"), Result{Verdict: Refused, Statement: -1}},
		{"deny StringNotEquals leaves one", doc(allow(), deny(cond("StringNotEquals", testSub, appWeb))),
			saToken("system:serviceaccount:other:x", "x"), Result{Verdict: Refused, Statement: -1}},
		{"deny StringNotEquals admits the one", doc(allow(), deny(cond("StringNotEquals", testSub, appWeb))),
			saToken(appWeb, "x"), Result{Verdict: Admitted, Statement: 0}},
		{"required amr refuses service-account tokens", doc(allow(cond("ForAnyValue:StringEquals", testIssuer+":amr", "authenticated"))),
			saToken(appWeb, "x"), Result{Verdict: Refused, Statement: -1}},
		{"Null sub false needs a sub", doc(allow(cond("Null", testSub, "false"))), saToken(appWeb, "x"), Result{Verdict: Admitted, Statement: 0}},
		{"ForAnyValue:StringNotEquals on another issuer's key is false", doc(allow(cond("ForAnyValue:StringNotEquals", "other.example.com:sub", "x"))),
			saToken(appWeb, "x"), Result{Verdict: Refused, Statement: -1}},
		{"StringNotEquals on another issuer's key holds", doc(allow(cond("StringNotEquals", "other.example.com:sub", "x"))),
			saToken(appWeb, "x"), Result{Verdict: Admitted, Statement: 0}},
		{"IfExists on an absent claim", doc(allow(cond("StringEqualsIfExists", testIssuer+":amr", "x"))), saToken(appWeb, "x"), Result{Verdict: Admitted, Statement: 0}},
		{"literal * in StringEquals", doc(allow(cond("StringEquals", testSub, "*"))), saToken(appWeb, "x"), Result{Verdict: Refused, Statement: -1}},
		{"StringLike aud *", doc(allow(cond("StringLike", testAud, "*"))), saToken(appWeb, "x"), Result{Verdict: Admitted, Statement: 0}},
		{"aws: key not fixed is unknown", doc(allow(cond("StringEquals", "aws:PrincipalAccount", "111122223333"))), saToken(appWeb, "x"), Result{Verdict: Unknown, Statement: 0}},
		{"aws: key fixed by the request", doc(allow(cond("StringEquals", "aws:PrincipalAccount", "111122223333"))),
			Request{Federated: testProvider, Issuer: testIssuer, Claims: map[string][]string{"sub": {appWeb}},
				Context: map[string][]string{"aws:principalaccount": {"111122223333"}}}, Result{Verdict: Admitted, Statement: 0}},
		{"sure allow with a possible deny", doc(allow(), deny(cond("StringEquals", "aws:SourceIp", "10.0.0.1"))), saToken(appWeb, "x"), Result{Verdict: Unknown, Statement: 0}},
		{"other provider", doc(allow()), Token("arn:aws:iam::111122223333:oidc-provider/other", "other", nil), Result{Verdict: Refused, Statement: -1}},
		{"provider compared exactly", doc(allow()), Token("arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/abc", testIssuer, nil), Result{Verdict: Refused, Statement: -1}},
		{"any principal", doc(snapshot.Statement{Effect: "Allow", Principal: &snapshot.Principal{Wildcard: true}, Actions: []string{"sts:*"}}),
			saToken(appWeb, "x"), Result{Verdict: Admitted, Statement: 0}},
		{"NotPrincipal deny spares the provider", doc(allow(), snapshot.Statement{Effect: "Deny", NotPrincipal: &snapshot.Principal{Federated: []string{testProvider}}, Actions: []string{"sts:*"}}),
			saToken(appWeb, "x"), Result{Verdict: Admitted, Statement: 0}},
		{"service principal", doc(allow(), service), Request{Service: "pods.eks.amazonaws.com"}, Result{Verdict: Admitted, Statement: 1}},
		{"service principal, web-identity action", doc(service), Request{Service: "pods.eks.amazonaws.com", Action: WebIdentityAction}, Result{Verdict: Refused, Statement: -1}},
		{"AWS account root", doc(snapshot.Statement{Effect: "Allow", Principal: &snapshot.Principal{AWS: []string{"arn:aws:iam::111122223333:root"}}, Actions: []string{"sts:AssumeRole"}}),
			Request{AWS: "arn:aws:iam::111122223333:role/x"}, Result{Verdict: Admitted, Statement: 0}},
		{"trailing slash kept in issuer and keys", doc(slash), Token(slashProvider, "https://example.com/", map[string][]string{"sub": {appWeb}}), Result{Verdict: Admitted, Statement: 0}},
		{"symbol in a deciding value", doc(allow(symbolic)), saToken(appWeb, "x"), Result{Verdict: Unknown, Statement: 0, Symbolic: true}},
		{"symbolic issuer", doc(allow(exact)), Token("arn:aws:iam::111122223333:oidc-provider/«cluster.issuer»", "«cluster.issuer»", map[string][]string{"sub": {appWeb}}),
			Result{Verdict: Unknown, Statement: 0, Symbolic: true}},
		{"symbolic issuer, symbolic provider", doc(snapshot.Statement{Effect: "Allow", Principal: &snapshot.Principal{Federated: []string{"arn:aws:iam::111122223333:oidc-provider/«cluster.issuer»"}},
			Actions: []string{WebIdentityAction}, Conditions: []snapshot.Condition{cond("StringEquals", testSub, appWeb)}}),
			Token("arn:aws:iam::111122223333:oidc-provider/«cluster.issuer»", "«cluster.issuer»", map[string][]string{"sub": {appWeb}}), Result{Verdict: Unknown, Statement: 0, Symbolic: true}},
		{"another claim of the token is absent", doc(allow(cond("StringLike", testIssuer+":job_workflow_ref", "org/repo/*"))),
			saToken(appWeb, "x"), Result{Verdict: Refused, Statement: -1}},
		{"another claim of an open token is unknown", doc(allow(cond("StringLike", testIssuer+":job_workflow_ref", "org/repo/*"))),
			openToken(map[string][]string{"sub": {"repo:org/repo:ref:refs/heads/main"}}), Result{Verdict: Unknown, Statement: 0}},
		{"an open token's given claim is fixed", doc(allow(cond("StringEquals", testSub, appWeb))),
			openToken(map[string][]string{"sub": {"repo:org/repo:ref:refs/heads/main"}}), Result{Verdict: Refused, Statement: -1}},
		{"unfixed key is unknown", doc(agent(cond("StringEquals", "aws:RequestTag/kubernetes-pod-name", "web"))),
			Request{Service: "pods.eks.amazonaws.com", Unfixed: []string{"aws:requesttag/kubernetes-pod-name"}, Closed: []string{"aws:requesttag/"}},
			Result{Verdict: Unknown, Statement: 0}},
		{"key under a closed prefix is absent", doc(agent(cond("StringEquals", "aws:RequestTag/team", "payments"))),
			Request{Service: "pods.eks.amazonaws.com", Closed: []string{"aws:requesttag/"}}, Result{Verdict: Refused, Statement: -1}},
		{"key under a closed prefix in the context", doc(agent(cond("StringEquals", "aws:RequestTag/kubernetes-namespace", "payments"))),
			Request{Service: "pods.eks.amazonaws.com", Closed: []string{"aws:requesttag/"}, Context: map[string][]string{"aws:requesttag/kubernetes-namespace": {"payments"}}},
			Result{Verdict: Admitted, Statement: 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Evaluate(tc.doc, tc.req)); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWhoCanAssume(t *testing.T) {
	notAction := allow()
	notAction.Actions, notAction.NotActions = nil, []string{"sts:AssumeRole"}
	base := func(w WebIdentityAssumers) Assumers {
		w.Provider, w.Issuer, w.Kubernetes = testProvider, testIssuer, true
		for _, s := range []*[]string{&w.Namespaces, &w.Patterns, &w.ServiceAccounts, &w.Except, &w.Audiences} {
			if *s == nil {
				*s = []string{}
			}
		}
		return Assumers{WebIdentity: []WebIdentityAssumers{w}, Services: []ServiceAssumer{}}
	}
	audSTS := cond("StringEquals", testAud, "sts.amazonaws.com")
	symbolicSub := cond("StringEquals", testSub, "system:serviceaccount:«var.namespace»:web")
	symbolicSub.Unknown = []string{"values"}
	for _, tc := range []struct {
		name string
		doc  *snapshot.Document
		want Assumers
	}{
		{"no condition", doc(allow()), base(WebIdentityAssumers{AnySubject: true, AnyServiceAccount: true, AnyAudience: true})},
		{"NotAction and no sub", doc(notAction), base(WebIdentityAssumers{AnySubject: true, AnyServiceAccount: true, AnyAudience: true})},
		{"exact", doc(allow(cond("StringEquals", testSub, appWeb), audSTS)),
			base(WebIdentityAssumers{ServiceAccounts: []string{appWeb}, Audiences: []string{"sts.amazonaws.com"}})},
		{"StringEquals and StringLike system:serviceaccount:* on one key", doc(allow(cond("StringEquals", testSub, appWeb), cond("StringLike", testSub, "system:serviceaccount:*"))),
			base(WebIdentityAssumers{ServiceAccounts: []string{appWeb}, AnyAudience: true})},
		{"deny StringNotEquals leaves one", doc(allow(audSTS), deny(cond("StringNotEquals", testSub, appWeb))),
			base(WebIdentityAssumers{ServiceAccounts: []string{appWeb}, Audiences: []string{"sts.amazonaws.com"}})},
		{"required amr", doc(allow(cond("StringEquals", testIssuer+":amr", "authenticated"))), base(WebIdentityAssumers{Statement: -1})},
		{"Null sub false is no subject", doc(allow(cond("Null", testSub, "false"))),
			base(WebIdentityAssumers{AnySubject: true, AnyServiceAccount: true, AnyAudience: true})},
		{"namespace", doc(allow(cond("StringLike", testSub, "system:serviceaccount:app:*"))),
			base(WebIdentityAssumers{Namespaces: []string{"app"}, AnyAudience: true})},
		{"name pattern", doc(allow(cond("StringLike", testSub, "system:serviceaccount:app:web-*"))),
			base(WebIdentityAssumers{Patterns: []string{"system:serviceaccount:app:web-*"}, AnyAudience: true})},
		{"every namespace", doc(allow(cond("StringLike", testSub, "system:serviceaccount:*"))),
			base(WebIdentityAssumers{AnyServiceAccount: true, Patterns: []string{"system:serviceaccount:*"}, AnyAudience: true})},
		{"negated", doc(allow(cond("StringNotEquals", testSub, appWeb))),
			base(WebIdentityAssumers{AnySubject: true, AnyServiceAccount: true, Except: []string{appWeb}, AnyAudience: true})},
		{"StringLike aud *", doc(allow(cond("StringEquals", testSub, appWeb), cond("StringLike", testAud, "*"))),
			base(WebIdentityAssumers{ServiceAccounts: []string{appWeb}, AnyAudience: true})},
		{"conditional", doc(allow(cond("StringEquals", testSub, appWeb), cond("StringEquals", "aws:SourceAccount", "1"))),
			base(WebIdentityAssumers{ServiceAccounts: []string{appWeb}, AnyAudience: true, Conditional: true})},
		{"symbolic", doc(allow(symbolicSub)),
			base(WebIdentityAssumers{AnySubject: true, AnyServiceAccount: true, AnyAudience: true, Conditional: true, Symbolic: true})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, WhoCanAssume(tc.doc)); diff != "" {
				t.Errorf("WhoCanAssume (-want +got):\n%s", diff)
			}
		})
	}
	pod := doc(snapshot.Statement{Effect: "Allow", Principal: &snapshot.Principal{Service: []string{"pods.eks.amazonaws.com", "ec2.amazonaws.com"}},
		Actions: []string{"sts:AssumeRole", "sts:TagSession"}})
	want := Assumers{WebIdentity: []WebIdentityAssumers{}, Services: []ServiceAssumer{
		{"ec2.amazonaws.com", Admitted}, {"pods.eks.amazonaws.com", Admitted}}}
	if diff := cmp.Diff(want, WhoCanAssume(pod)); diff != "" {
		t.Errorf("WhoCanAssume(pod identity) (-want +got):\n%s", diff)
	}
}

// openToken is a probe token of testIssuer that carries claims besides the given ones.
func openToken(claims map[string][]string) Request {
	r := Token(testProvider, testIssuer, claims)
	r.OpenClaims = true
	return r
}

// TestMatching: the Allow statements that match a request or may, whatever a Deny says.
func TestMatching(t *testing.T) {
	d := doc(allow(cond("StringEquals", testSub, "system:serviceaccount:app:other")), allow(cond("StringEquals", "aws:SourceIp", "10.0.0.1")),
		deny(), allow(cond("StringLike", testSub, "system:serviceaccount:app:*")))
	if diff := cmp.Diff([]int{1, 3}, Matching(d, saToken(appWeb, "x"))); diff != "" {
		t.Errorf("Matching (-want +got):\n%s", diff)
	}
	if got := Matching(nil, saToken(appWeb, "x")); got != nil {
		t.Errorf("Matching(nil) = %v", got)
	}
}

// agent is a statement that lets the EKS Pod Identity agent assume the role under conds.
func agent(conds ...snapshot.Condition) snapshot.Statement {
	return snapshot.Statement{Effect: "Allow", Principal: &snapshot.Principal{Service: []string{"pods.eks.amazonaws.com"}},
		Actions: []string{"sts:AssumeRole", "sts:TagSession"}, Conditions: conds}
}
