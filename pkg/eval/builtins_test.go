package eval

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/types"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// TestCustomBuiltinInUserRule: a --policy rule calls a custom built-in, which compiles against
// the capabilities and runs the Go implementation (IAM globbing: "?" is one character, case
// counts).
func TestCustomBuiltinInUserRule(t *testing.T) {
	e, err := New(context.Background(), Options{Now: fixedNow, PolicyDirs: []string{"testdata/custombuiltin"}, Include: []string{"ACME-100"}})
	if err != nil {
		t.Fatal(err)
	}
	snap := &snapshot.Snapshot{Roles: []snapshot.Role{
		{ARN: "arn:aws:iam::111122223333:role/legacy-a"},
		{ARN: "arn:aws:iam::111122223333:role/legacy-ab"},
		{ARN: "arn:aws:iam::111122223333:role/Legacy-a"},
	}}
	fs, err := e.Evaluate(context.Background(), snap)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Resource.ID != "arn:aws:iam::111122223333:role/legacy-a" {
		t.Fatalf("findings %+v, want one on role/legacy-a", fs)
	}
}

// TestBuiltins calls every custom built-in through OPA, compiled with the capabilities, as a
// rule would. "undefined" is the result of a call that has no value.
func TestBuiltins(t *testing.T) {
	for _, tc := range []struct {
		call string
		want string
	}{
		{`iam.action_matches("s3:Get*", "s3:GetObject")`, `true`},
		{`iam.action_matches("S3:get*", "s3:GetObject")`, `true`},
		{`iam.action_matches("s3:Get?", "s3:GetObject")`, `false`},
		{`iam.action_matches("s3:*", "sts:AssumeRole")`, `false`},
		{`iam.glob_match("a?c", "abc")`, `true`},
		{`iam.glob_match("A*", "abc")`, `false`},
		{`iam.normalize_issuer("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC")`, `"oidc.eks.eu-west-1.amazonaws.com/id/ABC"`},
		{`iam.normalize_issuer("https://example.com/")`, `"example.com/"`},
		{`iam.normalize_issuer("example.com")`, `"example.com"`},
		{`iam.parse_arn("arn:aws-cn:s3:::bucket/a:b")`, `{"account": "", "partition": "aws-cn", "region": "", "resource": "bucket/a:b", "service": "s3"}`},
		{`iam.parse_arn("arn:aws:lambda:eu-west-1:111122223333:function:f")`, `{"account": "111122223333", "partition": "aws", "region": "eu-west-1", "resource": "function:f", "service": "lambda"}`},
		{`iam.parse_arn("not-an-arn")`, `undefined`},
		{`iam.parse_arn("arn::s3:::x")`, `undefined`},
		{`iam.parse_role_arn("arn:aws:iam::111122223333:role/team/app")`, `{"account": "111122223333", "name": "app", "partition": "aws", "path": "/team/"}`},
		{`iam.parse_role_arn("arn:aws-us-gov:iam::111122223333:role/app")`, `{"account": "111122223333", "name": "app", "partition": "aws-us-gov", "path": "/"}`},
		{`iam.parse_role_arn("arn:aws:iam::1111:role/app")`, `undefined`},
		{`iam.parse_role_arn("arn:aws:iam::111122223333:user/app")`, `undefined`},
		{`iam.parse_oidc_provider_arn("arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC")`, `{"account": "111122223333", "issuer": "oidc.eks.eu-west-1.amazonaws.com/id/ABC", "partition": "aws"}`},
		{`iam.parse_oidc_provider_arn("arn:aws:iam::111122223333:oidc-provider/example.com/")`, `{"account": "111122223333", "issuer": "example.com/", "partition": "aws"}`},
		{`iam.parse_oidc_provider_arn("arn:aws:iam::111122223333:saml-provider/x")`, `undefined`},
		{`iam.parse_oidc_provider_arn("*")`, `undefined`},
	} {
		t.Run(tc.call, func(t *testing.T) {
			got := callBuiltin(t, tc.call)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func callBuiltin(t *testing.T, call string) string {
	t.Helper()
	pq, err := rego.New(append(regoOptions(),
		rego.Query("x := "+call),
		rego.Capabilities(Capabilities()),
	)...).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rs, err := pq.Eval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 {
		return "undefined"
	}
	v, err := ast.InterfaceToValue(rs[0].Bindings["x"])
	if err != nil {
		t.Fatal(err)
	}
	return v.String()
}

// TestBuiltinArgumentType: a call with a non-string argument is a type error at compile time.
func TestBuiltinArgumentType(t *testing.T) {
	_, err := rego.New(append(regoOptions(),
		rego.Query(`x := iam.parse_role_arn(1)`),
		rego.Capabilities(Capabilities()),
	)...).PrepareForEval(context.Background())
	if err == nil || !strings.Contains(err.Error(), "iam.parse_role_arn") {
		t.Fatalf("got %v, want a type error naming iam.parse_role_arn", err)
	}
}

// TestBuiltinDeclarations: every custom built-in is in the iam namespace, sorted, described,
// and has named arguments and result (editors and docs show them), and is in the capabilities.
func TestBuiltinDeclarations(t *testing.T) {
	caps := map[string]bool{}
	for _, b := range Capabilities().Builtins {
		caps[b.Name] = true
	}
	prev := ""
	for _, b := range builtins {
		d := b.decl
		if !strings.HasPrefix(d.Name, "iam.") || d.Name <= prev {
			t.Errorf("%s: want iam.* names in order (after %q)", d.Name, prev)
		}
		prev = d.Name
		if d.Description == "" {
			t.Errorf("%s: no description", d.Name)
		}
		for i, a := range d.Decl.NamedFuncArgs().Args {
			if _, ok := a.(*types.NamedType); !ok {
				t.Errorf("%s: argument %d has no name", d.Name, i+1)
			}
		}
		if _, ok := d.Decl.NamedResult().(*types.NamedType); !ok {
			t.Errorf("%s: result has no name", d.Name)
		}
		if !caps[d.Name] {
			t.Errorf("%s: not in Capabilities()", d.Name)
		}
	}
}

// TestBuiltinsRego runs testdata/builtins' Rego tests, which call the built-ins as a rule author
// would, with OPA's tester and TesterBuiltins.
func TestBuiltinsRego(t *testing.T) {
	mods := map[string]*ast.Module{}
	files, _ := filepath.Glob("testdata/builtins/*.rego")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ast.ParseModuleWithOpts(f, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1, Capabilities: Capabilities()})
		if err != nil {
			t.Fatal(err)
		}
		mods[f] = m
	}
	ch, err := tester.NewRunner().
		SetDefaultRegoVersion(ast.RegoV1).
		SetModules(mods).
		AddCustomBuiltins(TesterBuiltins()).
		RaiseBuiltinErrors(true).
		RunTests(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for r := range ch {
		ran++
		if r.Error != nil || r.Fail {
			t.Errorf("%s.%s (%s): fail %v, error %v", r.Package, r.Name, r.Location, r.Fail, r.Error)
		}
	}
	if ran < len(builtins) {
		t.Fatalf("%d Rego tests ran, want one per built-in at least", ran)
	}
}
