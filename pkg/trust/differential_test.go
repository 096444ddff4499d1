package trust_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/trust"
	"github.com/irsa-audit/irsa-audit/policies"
)

// The differential tests run policies/lib/admits.rego and this package on the same requests
// and require the same answers from admits.verdict and VerdictOf, admits.admits and Admits.

// regoCase is a request in the form admits.rego takes: a trust policy document (snapshot JSON),
// a provider ARN and a token {"iss", "sub", "aud" (string or list), "amr" (optional)}.
type regoCase struct {
	Name     string         `json:"name"`
	Doc      any            `json:"doc"`
	Provider string         `json:"provider"`
	Token    map[string]any `json:"token"`
}

// casesModule collects every case table of admits_test.rego (each rule named *_cases: either
// condition cases with "conds", judged in one Allow statement, or statement cases with a
// "doc"), plus the documents of its test_verdict and test_verdict_plain_path tests.
const casesModule = `package irsa_audit.lib.admits_diff

import data.irsa_audit.lib.admits_test as t

cases contains c if {
	some name, table in data.irsa_audit.lib.admits_test
	endswith(name, "_cases")
	some case in table
	c := {
		"name": concat(": ", [name, case.name]),
		"doc": _doc(case),
		"provider": t._provider,
		"token": object.union(t._token, object.get(case, "token", {})),
	}
}

cases contains c if {
	some i, doc in _extra
	c := {"name": sprintf("extra %d", [i]), "doc": doc, "provider": t._provider, "token": t._token}
}

_doc(case) := case.doc

_doc(case) := {"statements": [t._allow(case.conds)]} if not case.doc

_source_ip := ["IpAddress", "aws:SourceIp", ["10.0.0.0/8"]]

_session := ["StringLike", "sts:RoleSessionName", ["ci-*"]]

_extra := [
	{"statements": [t._allow(t._exact)]},
	{"statements": [t._allow([["StringEquals", t._sub_key, ["x"]]])]},
	{"statements": [t._allow(array.concat(t._exact, [_source_ip]))]},
	{"statements": [t._allow([["StringEquals", t._sub_key, ["x"]], _source_ip])]},
	{"statements": [t._allow(t._exact), t._deny([_session])]},
	{"statements": [t._allow(t._exact), t._deny([])]},
	{"statements": [t._allow(t._exact), t._deny([_session, ["StringEquals", t._sub_key, ["x"]]])]},
	{"statements": []},
	{"statements": [t._allow([["StringEquals", t._sub_key, ["x", t._sub]], ["StringEquals", t._aud_key, ["sts.amazonaws.com"]]])]},
	{"statements": [t._allow([["StringEquals", t._sub_key, ["x"]]]), t._allow(t._exact)]},
	{"statements": [t._allow(t._exact), t._deny([["StringEquals", t._sub_key, [t._sub]]])]},
	{"statements": [t._allow([["StringNotEquals", t._sub_key, ["x"]]])]},
	{"statements": [t._allow([["ForAnyValue:StringEquals", t._sub_key, [t._sub]]])]},
	{"statements": [t._allow([["StringEqualsIfExists", t._amr_key, ["x"]]])]},
	{"statements": [t._allow([["StringEquals", "aws:SourceAccount", ["111122223333"]]])]},
]
`

// judgeModule answers every case of input.cases with the Rego library.
const judgeModule = `package irsa_audit.lib.admits_judge

import data.irsa_audit.lib.admits

results := {i: {"verdict": admits.verdict(c.doc, c.provider, c.token), "admits": admits.admits(c.doc, c.provider, c.token)} |
	some i, c in input.cases
}
`

func compiler(t *testing.T) *ast.Compiler {
	t.Helper()
	mods := map[string]*ast.Module{}
	for _, name := range []string{"lib/admits.rego", "lib/admits_test.rego"} {
		src, err := fs.ReadFile(policies.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		mods[name] = ast.MustParseModule(string(src))
	}
	mods["cases.rego"] = ast.MustParseModule(casesModule)
	mods["judge.rego"] = ast.MustParseModule(judgeModule)
	c := ast.NewCompiler()
	if c.Compile(mods); c.Failed() {
		t.Fatal(c.Errors)
	}
	return c
}

func evalRego(t *testing.T, c *ast.Compiler, query string, input any) any {
	t.Helper()
	rs, err := rego.New(rego.Compiler(c), rego.Query(query), rego.Input(input), rego.StrictBuiltinErrors(false)).Eval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		t.Fatalf("%s: %d results", query, len(rs))
	}
	return rs[0].Expressions[0].Value
}

// goCase converts a case to the Go types through its JSON form.
func goCase(t *testing.T, c regoCase) (*snapshot.Document, trust.Token) {
	t.Helper()
	var doc *snapshot.Document
	data, err := json.Marshal(c.Doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: doc: %v", c.Name, err)
	}
	list := func(claim string) []string {
		switch v := c.Token[claim].(type) {
		case string:
			return []string{v}
		case []any:
			out := []string{}
			for _, x := range v {
				out = append(out, x.(string))
			}
			return out
		}
		return nil
	}
	iss, _ := c.Token["iss"].(string)
	return doc, trust.Token{Issuer: iss, Sub: list("sub"), Aud: list("aud"), AMR: list("amr")}
}

// compareAll judges every case with Rego and Go, reports every disagreement and returns how
// many cases got each verdict.
func compareAll(t *testing.T, c *ast.Compiler, cases []regoCase) map[trust.Verdict]int {
	t.Helper()
	// Through JSON, so that Rego sees the cases exactly as the input conversion would.
	data, err := json.Marshal(map[string]any{"cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	var input any
	if err := json.Unmarshal(data, &input); err != nil {
		t.Fatal(err)
	}
	results := evalRego(t, c, "data.irsa_audit.lib.admits_judge.results", input).(map[string]any)
	if len(results) != len(cases) {
		t.Fatalf("Rego answered %d of %d cases", len(results), len(cases))
	}
	failures := 0
	counts := map[trust.Verdict]int{}
	for i, rc := range cases {
		want := results[fmt.Sprint(i)].(map[string]any)
		doc, tok := goCase(t, rc)
		gotVerdict := trust.VerdictOf(doc, rc.Provider, tok)
		gotAdmits := trust.Admits(doc, rc.Provider, tok)
		counts[gotVerdict]++
		if string(gotVerdict) != want["verdict"] || gotAdmits != want["admits"] {
			failures++
			if failures <= 20 {
				js, _ := json.Marshal(rc)
				t.Errorf("case %s: Go verdict %s admits %v, Rego %v %v\n%s", rc.Name, gotVerdict, gotAdmits, want["verdict"], want["admits"], js)
			}
		}
	}
	if failures > 0 {
		t.Errorf("%d of %d cases disagree", failures, len(cases))
	}
	return counts
}

func TestDifferentialAdmitsTestCases(t *testing.T) {
	c := compiler(t)
	raw := evalRego(t, c, "data.irsa_audit.lib.admits_diff.cases", nil)
	data, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	var cases []regoCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("only %d cases from admits_test.rego", len(cases))
	}
	compareAll(t, c, cases)
}

func TestDifferentialGenerated(t *testing.T) {
	c := compiler(t)
	rng := rand.New(rand.NewPCG(7, 22))
	var cases []regoCase
	for i := range 4000 {
		cases = append(cases, generate(rng, fmt.Sprintf("generated %d", i)))
	}
	counts := compareAll(t, c, cases)
	t.Logf("verdicts: %v", counts)
	// The generator must reach every verdict often, or agreeing proves little.
	for _, v := range []trust.Verdict{trust.Admitted, trust.Refused, trust.Unknown} {
		if counts[v] < len(cases)/20 {
			t.Errorf("only %d of %d generated cases are %s", counts[v], len(cases), v)
		}
	}
}

const (
	issuer   = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
	provider = "arn:aws:iam::111122223333:oidc-provider/" + issuer
)

// operators maps every operator the generator writes to whether it is negated.
var operators = map[string]bool{
	"StringEquals": false, "StringNotEquals": true, "StringEqualsIgnoreCase": false,
	"StringNotEqualsIgnoreCase": true, "StringLike": false, "StringNotLike": true,
	"NumericEquals": false, "NumericNotEquals": true, "NumericLessThan": false,
	"NumericLessThanEquals": false, "NumericGreaterThan": false, "NumericGreaterThanEquals": false,
	"DateEquals": false, "DateNotEquals": true, "DateLessThan": false, "DateLessThanEquals": false,
	"DateGreaterThan": false, "DateGreaterThanEquals": false, "Bool": false, "BinaryEquals": false,
	"IpAddress": false, "NotIpAddress": true, "ArnEquals": false, "ArnLike": false,
	"ArnNotEquals": true, "ArnNotLike": true, "Null": false, "StringEqualz": false,
}

// operatorNames lists operators in a fixed order, so that the seed decides the cases.
var operatorNames = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
	"NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
	"DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
	"DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals",
	"ArnLike", "ArnNotEquals", "ArnNotLike", "Null", "StringEqualz",
}

var (
	keys = []string{
		issuer + ":sub", issuer + ":aud", issuer + ":amr", "OIDC.EKS.US-EAST-1.AMAZONAWS.COM/ID/abc:SUB",
		"oidc.eks.us-east-1.amazonaws.com/id/XYZ:sub", "aws:SourceIp", "sts:RoleSessionName",
		"AWS:PrincipalTag/team", "aws:SourceAccount", "team:sub",
	}
	values = []string{
		"system:serviceaccount:app:web", "system:serviceaccount:app:api", "system:serviceaccount:app:*",
		"system:serviceaccount:*:web", "system:serviceaccount:app:we?", "system:serviceaccount:App:web",
		"SYSTEM:SERVICEACCOUNT:APP:WEB", "*", "?", "", "sts.amazonaws.com", "api://*", "a[b]*", "a{b,c}",
		"a.c*", "a\\*", "5", "5.0", "-3", "10", "1e3", "007", "2021-01-01", "2021-02-30",
		"2021-06-01T12:00:00Z", "2021-06-01T12:00:00.5+02:00", "1609459200", "99999999999", "true",
		"True", "false", "arn:aws:iam::111122223333:role/x", "arn:aws:iam::*:role/*", "arn:*:role/x",
		"arn:aws:iam::111122223333:role/?", "10.0.0.0/8", "line*", "é?", "*é",
	}
	subjects = []string{
		"system:serviceaccount:app:web", "system:serviceaccount:app:api", "a[b]c", "a{b,c}", "abc",
		"a\\xyz", "5", "5.00", "-3", "12", "2021-06-01T12:00:00Z", "1609459200", "2021-01-01",
		"True", "false", "arn:aws:iam::111122223333:role/x", "arn:aws:iam::111122223333:role/x:y",
		"line1\nline2", "é", "éé", "",
	}
	principals = []map[string]any{
		{"federated": []any{provider}},
		{"federated": []any{"arn:aws:iam::444455556666:oidc-provider/" + issuer}},
		{"federated": []any{"*"}},
		{"federated": []any{"arn:aws:iam::111122223333:oidc-provider/OIDC.eks.us-east-1.amazonaws.com/id/abc"}},
		{"federated": []any{"accounts.google.com", provider}},
		{"wildcard": true},
		{"aws": []any{"*"}},
		{"aws": []any{"arn:aws:iam::111122223333:root"}},
		{},
	}
	actionLists = [][]any{
		{"sts:AssumeRoleWithWebIdentity"}, {"STS:assumerolewithwebidentity"}, {"sts:AssumeRoleWith*"},
		{"*"}, {"sts:AssumeRole", "sts:TagSession"}, {"sts:AssumeRoleWithWebIdentit?"}, {},
	}
)

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// generate returns a random trust policy and token over the pools above.
func generate(rng *rand.Rand, name string) regoCase {
	var statements []any
	for range rng.IntN(4) {
		st := map[string]any{"effect": pick(rng, []string{"Allow", "Allow", "Allow", "Deny", "allow"})}
		if p := pick(rng, principals); rng.IntN(2) == 0 {
			st["principal"] = principals[0]
		} else if len(p) > 0 {
			st["principal"] = p
		}
		if rng.IntN(20) == 0 {
			st["not_principal"] = map[string]any{"aws": []any{"arn:aws:iam::111122223333:root"}}
		}
		if a := pick(rng, actionLists); rng.IntN(2) == 0 {
			st["actions"] = actionLists[0]
		} else if len(a) > 0 && rng.IntN(6) > 0 {
			st["actions"] = a
		} else if rng.IntN(2) == 0 {
			st["not_actions"] = pick(rng, [][]any{{"sts:AssumeRole"}, {"sts:assumerolewith*"}, {"*"}})
		}
		var conds []any
		for range rng.IntN(4) {
			op := pick(rng, operatorNames)
			c := map[string]any{"operator": op, "base_operator": op, "known": op != "StringEqualz", "key": pick(rng, keys)}
			if operators[op] || rng.IntN(30) == 0 {
				c["negated"] = true
			}
			switch rng.IntN(6) {
			case 0:
				c["qualifier"] = "ForAnyValue"
			case 1:
				c["qualifier"] = "ForAllValues"
			}
			if rng.IntN(4) == 0 {
				c["if_exists"] = true
			}
			switch n := rng.IntN(12); n {
			case 0:
				c["values"] = nil
			case 1:
				c["values"] = []any{}
			default:
				var vs []any
				for range 1 + rng.IntN(3) {
					vs = append(vs, pick(rng, values))
				}
				if op == "Null" && rng.IntN(2) == 0 {
					vs = []any{pick(rng, []string{"true", "false", "TRUE", "False", "x"})}
				}
				c["values"] = vs
			}
			conds = append(conds, c)
		}
		if len(conds) > 0 {
			st["conditions"] = conds
		}
		statements = append(statements, st)
	}
	var doc any = map[string]any{"statements": statements}
	switch rng.IntN(40) {
	case 0:
		doc = nil
	case 1:
		doc = map[string]any{}
	}
	token := map[string]any{"iss": pick(rng, []string{issuer, "https://" + issuer + "/", "OIDC.eks.us-east-1.amazonaws.com/id/abc"})}
	if rng.IntN(15) > 0 {
		token["sub"] = pick(rng, subjects)
	}
	switch rng.IntN(4) {
	case 0:
		token["aud"] = []any{"api://a", "sts.amazonaws.com"}
	case 1:
		token["aud"] = []any{}
	default:
		token["aud"] = pick(rng, []string{"sts.amazonaws.com", "api://a", "5"})
	}
	if rng.IntN(4) == 0 {
		token["amr"] = []any{"x", "authenticated"}
	}
	return regoCase{
		Name:     name,
		Doc:      doc,
		Provider: pick(rng, []string{provider, provider, "arn:aws:iam::444455556666:oidc-provider/" + issuer}),
		Token:    token,
	}
}
