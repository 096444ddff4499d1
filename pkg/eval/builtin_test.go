package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// builtinEngine is an engine over the real built-in rules (policies.FS).
func builtinEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := New(context.Background(), Options{Now: fixedNow})
	if err != nil {
		t.Fatalf("New with the built-in rules: %v", err)
	}
	return e
}

// TestBuiltinRules checks the metadata of every built-in rule: New already refuses a missing or
// malformed id, a duplicate id or an unknown severity; the documentation fields are checked here
// so that docs/rules.md and the reports have something to show for every rule.
func TestBuiltinRules(t *testing.T) {
	rules := builtinEngine(t).Rules()
	if len(rules) == 0 {
		t.Fatal("no built-in rules")
	}
	id := regexp.MustCompile(`^IRSA-\d{3}$`)
	seen := map[string]bool{}
	for i, r := range rules {
		t.Run(r.ID, func(t *testing.T) {
			if !id.MatchString(r.ID) {
				t.Errorf("id %q does not match %s", r.ID, id)
			}
			if seen[r.ID] {
				t.Errorf("duplicate id %s", r.ID)
			}
			seen[r.ID] = true
			if i > 0 && rules[i-1].ID >= r.ID {
				t.Errorf("rules not sorted by id: %s before %s", rules[i-1].ID, r.ID)
			}
			if !r.Builtin {
				t.Error("Builtin = false")
			}
			if !strings.HasPrefix(r.Package, "irsa_audit.rules.") {
				t.Errorf("package %s is not under irsa_audit.rules", r.Package)
			}
			for _, field := range []struct{ name, value string }{
				{"title", r.Title},
				{"description", r.Description},
				{"custom.recommended_action", r.RecommendedAction},
				{"custom.bad_example", r.BadExample},
				{"custom.good_example", r.GoodExample},
				{"documentation link", r.DocURL},
			} {
				if strings.TrimSpace(field.value) == "" {
					t.Errorf("%s: %s is empty", r.Package, field.name)
				}
			}
			if u, err := url.Parse(r.DocURL); err != nil || u.Scheme != "https" || u.Host == "" {
				t.Errorf("documentation link %q is not an https URL", r.DocURL)
			}
			if r.Severity < findings.Info || r.Severity > findings.Critical {
				t.Errorf("severity %v out of range", r.Severity)
			}
		})
	}
}

// TestBuiltinEvaluate runs the real rules over a generated snapshot in which many trust policies
// are wrong, and checks what every finding must have.
func TestBuiltinEvaluate(t *testing.T) {
	e := builtinEngine(t)
	known := map[string]bool{}
	for _, r := range e.Rules() {
		known[r.ID] = true
	}
	snap := genSnapshot(50)
	got, err := e.Evaluate(context.Background(), snap)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if len(got) == 0 {
		t.Fatal("no findings on a snapshot full of wildcard subjects")
	}
	for _, f := range got {
		if !known[f.RuleID] {
			t.Errorf("finding of unknown rule %s", f.RuleID)
		}
		if f.Location.File == "" || f.Location.StartLine == 0 {
			t.Errorf("%s on %s: no location: %+v", f.RuleID, f.Resource.ID, f.Location)
		}
		if f.Title == "" || f.Message == "" || f.Fingerprint == "" || f.Resource.ID == "" {
			t.Errorf("incomplete finding %+v", f)
		}
	}
	// app-0 admits every ServiceAccount of its namespace (IRSA-002): the finding must point at the
	// sub condition entry, not just the role.
	wantLoc := snapshot.Location{File: "roles/app-0000.json", StartLine: 12, EndLine: 12}
	found := false
	for _, f := range got {
		found = found || (f.RuleID == "IRSA-002" && f.Location == wantLoc)
	}
	if !found {
		t.Errorf("no IRSA-002 finding at %+v", wantLoc)
	}
	again, err := e.Evaluate(context.Background(), genSnapshot(50))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Error("two evaluations of the same snapshot differ")
	}
}

// genSnapshot builds n IRSA roles and their ServiceAccounts, every statement and condition
// located. Every 10th role admits a namespace with a wildcard subject, every 7th lacks an
// audience condition.
func genSnapshot(n int) *snapshot.Snapshot {
	const issuer = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
	const account = "111122223333"
	provider := "arn:aws:iam::" + account + ":oidc-provider/" + issuer
	s := &snapshot.Snapshot{
		Version:       snapshot.Version,
		GeneratedAt:   "2024-06-01T00:00:00Z",
		Accounts:      []snapshot.Account{{ID: account, Inventory: snapshot.AccountInventory{Roles: true, OIDCProviders: true}}},
		OIDCProviders: []snapshot.OIDCProvider{{ARN: provider, AccountID: account, Issuer: issuer, ClientIDs: []string{"sts.amazonaws.com"}}},
		Clusters:      []snapshot.Cluster{{ID: "prod", Name: "prod", AccountID: account, Issuer: issuer}},
	}
	for i := range n {
		file := fmt.Sprintf("roles/app-%04d.json", i)
		ns, name := fmt.Sprintf("ns-%d", i%20), fmt.Sprintf("app-%d", i)
		sub := snapshot.Condition{
			Operator: "StringEquals", BaseOperator: "StringEquals", Known: true,
			Key: issuer + ":sub", Values: []string{"system:serviceaccount:" + ns + ":" + name},
			Loc: snapshot.Location{File: file, StartLine: 12, EndLine: 12},
		}
		if i%10 == 0 {
			sub.Operator, sub.BaseOperator = "StringLike", "StringLike"
			sub.Values = []string{"system:serviceaccount:" + ns + ":*"}
		}
		conds := []snapshot.Condition{sub}
		if i%7 != 0 {
			conds = append(conds, snapshot.Condition{
				Operator: "StringEquals", BaseOperator: "StringEquals", Known: true,
				Key: issuer + ":aud", Values: []string{"sts.amazonaws.com"},
				Loc: snapshot.Location{File: file, StartLine: 13, EndLine: 13},
			})
		}
		arn := fmt.Sprintf("arn:aws:iam::%s:role/%s", account, name)
		s.Roles = append(s.Roles, snapshot.Role{
			ARN: arn, Name: name, AccountID: account,
			TrustPolicy: &snapshot.Document{
				Version: "2012-10-17",
				Statements: []snapshot.Statement{{
					Effect:     "Allow",
					Principal:  &snapshot.Principal{Federated: []string{provider}},
					Actions:    []string{"sts:AssumeRoleWithWebIdentity"},
					Conditions: conds,
					Loc:        snapshot.Location{File: file, StartLine: 4, EndLine: 16},
				}},
				Loc: snapshot.Location{File: file, StartLine: 1, EndLine: 18},
			},
			InlinePolicies: []snapshot.InlinePolicy{{Name: "s3", Document: snapshot.Document{
				Statements: []snapshot.Statement{{Effect: "Allow", Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::bucket-" + name + "/*"}}},
			}}},
			Tags: map[string]string{"team": "t" + ns},
			Loc:  snapshot.Location{File: file, StartLine: 1, EndLine: 18},
		})
		saFile := fmt.Sprintf("k8s/%s.yaml", name)
		s.ServiceAccounts = append(s.ServiceAccounts, snapshot.ServiceAccount{
			Cluster: "prod", Namespace: ns, Name: name,
			Annotations: map[string]string{"eks.amazonaws.com/role-arn": arn},
			RoleARN:     arn,
			RoleARNLoc:  &snapshot.Location{File: saFile, StartLine: 6, EndLine: 6},
			Loc:         snapshot.Location{File: saFile, StartLine: 1, EndLine: 7},
		})
		s.Workloads = append(s.Workloads, snapshot.Workload{
			Kind: "Deployment", Cluster: "prod", Namespace: ns, Name: name, ServiceAccount: name,
			Loc: snapshot.Location{File: saFile, StartLine: 9, EndLine: 40},
		})
	}
	return s
}

// BenchmarkEvaluate is the regression benchmark of a whole evaluation with the built-in rules
// over 1,000 roles.
func BenchmarkEvaluate(b *testing.B) {
	e := builtinEngine(b)
	snap := genSnapshot(1000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Evaluate(ctx, snap); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInput compares ways of handing the snapshot to OPA. Evaluate uses "parsed": the
// ast.Value built straight from the typed snapshot and permission analysis (inputOf).
func BenchmarkInput(b *testing.B) {
	snap := genSnapshot(1000)
	ctx := context.Background()
	pq, err := rego.New(rego.Query("x := count(input.roles)")).PrepareForEval(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("parsed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			v, err := inputOf(snap)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := pq.Eval(ctx, rego.EvalParsedInput(v)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reader", func(b *testing.B) {
		// ValueFromReader builds the ast.Value from JSON text.
		b.ReportAllocs()
		for b.Loop() {
			data, err := json.Marshal(snap)
			if err != nil {
				b.Fatal(err)
			}
			v, err := ast.ValueFromReader(strings.NewReader(string(data)))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := pq.Eval(ctx, rego.EvalParsedInput(v)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("struct", func(b *testing.B) {
		// rego.EvalInput round-trips the struct through JSON itself.
		b.ReportAllocs()
		for b.Loop() {
			if _, err := pq.Eval(ctx, rego.EvalInput(snap)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
