package policydoc

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "testdata/irsa_trust.urlencoded.txt")
	for _, file := range files {
		if strings.HasSuffix(file, ".golden.json") {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(data, snapshot.Location{File: "in.json"})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(strings.TrimSuffix(file, ".json"), ".urlencoded.txt") + ".golden.json"
			if *update && !strings.HasSuffix(file, ".txt") {
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(strings.TrimSpace(string(want)), string(got)); diff != "" {
				t.Errorf("document (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParse(t *testing.T) {
	origin := snapshot.Location{API: "iam:GetRole"}
	at := func(start, col, end int) snapshot.Location {
		return snapshot.Location{API: "iam:GetRole", StartLine: start, StartColumn: col, EndLine: end}
	}
	for _, tc := range []struct {
		name string
		in   string
		want snapshot.Document
	}{
		{
			name: "statement object, single strings",
			in:   `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": {"AWS": "*"}}}`,
			want: snapshot.Document{Loc: at(1, 1, 1), Statements: []snapshot.Statement{{
				Effect: "Allow", Actions: []string{"s3:*"}, Resources: []string{"*"},
				Principal: &snapshot.Principal{AWS: []string{"*"}}, Loc: at(1, 15, 1),
			}}},
		},
		{
			name: "empty statement list",
			in:   `{"Version": "2012-10-17", "Statement": []}`,
			want: snapshot.Document{Version: "2012-10-17", Statements: []snapshot.Statement{}, Loc: at(1, 1, 1)},
		},
		{
			name: "condition locations and value kinds",
			in: "{\"Statement\": [{\n" +
				"  \"Effect\": \"Allow\", \"Action\": \"sts:AssumeRoleWithWebIdentity\",\n" +
				"  \"Condition\": {\"StringLike\": {\n" +
				"    \"x:sub\": [\n" +
				"      \"a\", true, 5.0\n" +
				"    ],\n" +
				"    \"x:aud\": false\n" +
				"  }}\n" +
				"}]}",
			want: snapshot.Document{Loc: at(1, 1, 9), Statements: []snapshot.Statement{{
				Effect: "Allow", Actions: []string{"sts:AssumeRoleWithWebIdentity"}, Loc: at(1, 16, 9),
				Conditions: []snapshot.Condition{
					{Operator: "StringLike", BaseOperator: "StringLike", Known: true, Key: "x:sub", Values: []string{"a", "true", "5.0"}, Loc: at(4, 5, 6)},
					{Operator: "StringLike", BaseOperator: "StringLike", Known: true, Key: "x:aud", Values: []string{"false"}, Loc: at(7, 5, 7)},
				},
			}}},
		},
		{
			name: "bom and url encoding with plus",
			in:   "\xEF\xBB\xBF%7B%22Statement%22%3A+%7B%22Effect%22%3A%22Deny%22%2C%22Action%22%3A%22a%2Bb%22%7D%7D",
			want: snapshot.Document{Loc: at(1, 1, 1), Statements: []snapshot.Statement{{
				Effect: "Deny", Actions: []string{"a+b"}, Loc: at(1, 15, 1),
			}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.in), origin)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("document (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	stmt := func(body string) string {
		return `{"Statement": {` + body + `}}`
	}
	for _, tc := range []struct {
		name, in string
		want     syntax.Error
	}{
		{"not json", `{"Statement": `, syntax.Error{Line: 1, Column: 15, Msg: "unexpected end of input (truncated JSON?)"}},
		{"not an object", `[1]`, syntax.Error{Line: 1, Column: 1, Msg: "policy document must be a JSON object, not array"}},
		{"no statement", `{"Version": "2012-10-17"}`, syntax.Error{Line: 1, Column: 1, Msg: "policy document has no Statement"}},
		{"statement string", `{"Statement": "x"}`, syntax.Error{Line: 1, Column: 15, Msg: "Statement must be an object or a list of objects, not string"}},
		{"statement item not object", `{"Statement": [5]}`, syntax.Error{Line: 1, Column: 16, Msg: "statement must be an object, not number"}},
		{"version number", `{"Version": 2012, "Statement": []}`, syntax.Error{Line: 1, Column: 13, Msg: "Version must be a string, not number"}},
		{"unknown top-level", `{"Statement": [], "Extra": 1}`, syntax.Error{Line: 1, Column: 19, Msg: `unknown policy element "Extra" (IAM accepts Version, Id, Statement; names are case-sensitive)`}},
		{"lower-case element", stmt(`"effect": "Allow"`), syntax.Error{Line: 1, Column: 16, Msg: `unknown statement element "effect" (IAM accepts ` + statementElements + `; names are case-sensitive)`}},
		{"effect spelling", stmt(`"Effect": "allow", "Action": "a"`), syntax.Error{Line: 1, Column: 26, Msg: `Effect must be "Allow" or "Deny", not "allow"`}},
		{"effect missing", stmt(`"Action": "a"`), syntax.Error{Line: 1, Column: 15, Msg: "statement has no Effect"}},
		{"action missing", stmt(`"Effect": "Allow"`), syntax.Error{Line: 1, Column: 15, Msg: "statement has no Action or NotAction"}},
		{"action number", stmt(`"Effect": "Allow", "Action": 5`), syntax.Error{Line: 1, Column: 45, Msg: "Action must be a string or a list of strings, not number"}},
		{"action list with object", stmt(`"Effect": "Allow", "Action": ["a", {}]`), syntax.Error{Line: 1, Column: 51, Msg: "Action must be a string or a list of strings; found a object in the list"}},
		{"both action and notaction", stmt(`"Effect": "Allow", "Action": "a", "NotAction": "b"`), syntax.Error{Line: 1, Column: 50, Msg: "statement has both Action and NotAction"}},
		{"both resource and notresource", stmt(`"Effect": "Allow", "Action": "a", "NotResource": "b", "Resource": "c"`), syntax.Error{Line: 1, Column: 70, Msg: "statement has both Resource and NotResource"}},
		{"both principal and notprincipal", stmt(`"Effect": "Allow", "Action": "a", "Principal": "*", "NotPrincipal": "*"`), syntax.Error{Line: 1, Column: 68, Msg: "statement has both Principal and NotPrincipal"}},
		{"principal string", stmt(`"Effect": "Allow", "Action": "a", "Principal": "arn:aws:iam::1:root"`), syntax.Error{Line: 1, Column: 63, Msg: `Principal must be "*" or an object such as {"AWS": ...}, not the string "arn:aws:iam::1:root"`}},
		{"principal list", stmt(`"Effect": "Allow", "Action": "a", "Principal": ["*"]`), syntax.Error{Line: 1, Column: 63, Msg: `Principal must be "*" or an object, not array`}},
		{"principal type", stmt(`"Effect": "Allow", "Action": "a", "Principal": {"Aws": "*"}`), syntax.Error{Line: 1, Column: 64, Msg: `unknown Principal type "Aws" (IAM accepts AWS, Federated, Service, CanonicalUser)`}},
		{"principal value", stmt(`"Effect": "Allow", "Action": "a", "Principal": {"AWS": 1}`), syntax.Error{Line: 1, Column: 71, Msg: "AWS must be a string or a list of strings, not number"}},
		{"condition list", stmt(`"Effect": "Allow", "Action": "a", "Condition": []`), syntax.Error{Line: 1, Column: 63, Msg: "Condition must be an object of operators, not array"}},
		{"condition operator string", stmt(`"Effect": "Allow", "Action": "a", "Condition": {"StringEquals": "x"}`), syntax.Error{Line: 1, Column: 80, Msg: "condition operator StringEquals must map to an object of condition keys, not string"}},
		{"condition value object", stmt(`"Effect": "Allow", "Action": "a", "Condition": {"StringEquals": {"k": {"x": 1}}}`), syntax.Error{Line: 1, Column: 86, Msg: `value of condition key "k" must be a string, boolean or number (or a list of them), not object`}},
		{"condition value null in list", stmt(`"Effect": "Allow", "Action": "a", "Condition": {"StringEquals": {"k": ["a", null]}}`), syntax.Error{Line: 1, Column: 92, Msg: `value of condition key "k" must be a string, boolean or number (or a list of them), not null`}},
		{"duplicate key", stmt(`"Effect": "Allow", "Effect": "Deny"`), syntax.Error{Line: 1, Column: 35, Msg: `duplicate key "Effect" (first at line 1)`}},
		{"bad url encoding", `%7B%ZZ`, syntax.Error{Line: 1, Column: 1, Msg: `URL-encoded policy: invalid URL escape "%ZZ"`}},
		{"sid number", stmt(`"Sid": 1`), syntax.Error{Line: 1, Column: 23, Msg: "Sid must be a string, not number"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in), snapshot.Location{File: "x.json"})
			var se *syntax.Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse error = %v, want *syntax.Error", err)
			}
			if diff := cmp.Diff(tc.want, *se); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseOperator(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want snapshot.Condition
	}{
		{"StringEquals", snapshot.Condition{Operator: "StringEquals", BaseOperator: "StringEquals", Known: true}},
		{"stringlike", snapshot.Condition{Operator: "stringlike", BaseOperator: "StringLike", Known: true}},
		{"StringNotEqualsIgnoreCaseIfExists", snapshot.Condition{Operator: "StringNotEqualsIgnoreCaseIfExists", BaseOperator: "StringNotEqualsIgnoreCase", IfExists: true, Negated: true, Known: true}},
		{"ForAnyValue:StringLikeIfExists", snapshot.Condition{Operator: "ForAnyValue:StringLikeIfExists", Qualifier: "ForAnyValue", BaseOperator: "StringLike", IfExists: true, Known: true}},
		{"forallvalues:ArnNotLike", snapshot.Condition{Operator: "forallvalues:ArnNotLike", Qualifier: "ForAllValues", BaseOperator: "ArnNotLike", Negated: true, Known: true}},
		{"NotIpAddress", snapshot.Condition{Operator: "NotIpAddress", BaseOperator: "NotIpAddress", Negated: true, Known: true}},
		{"DateGreaterThanEquals", snapshot.Condition{Operator: "DateGreaterThanEquals", BaseOperator: "DateGreaterThanEquals", Known: true}},
		{"NumericNotEquals", snapshot.Condition{Operator: "NumericNotEquals", BaseOperator: "NumericNotEquals", Negated: true, Known: true}},
		{"Null", snapshot.Condition{Operator: "Null", BaseOperator: "Null", Known: true}},
		{"BinaryEquals", snapshot.Condition{Operator: "BinaryEquals", BaseOperator: "BinaryEquals", Known: true}},
		{"StringEqualz", snapshot.Condition{Operator: "StringEqualz", BaseOperator: "StringEqualz"}},
		{"FooIfExists", snapshot.Condition{Operator: "FooIfExists", BaseOperator: "FooIfExists"}},
		{"Some:StringEquals", snapshot.Condition{Operator: "Some:StringEquals", BaseOperator: "Some:StringEquals"}},
		{"IfExists", snapshot.Condition{Operator: "IfExists", BaseOperator: "IfExists"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ParseOperator(tc.in)); diff != "" {
				t.Errorf("ParseOperator(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestLooksLikePolicy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{`{"Statement": 5}`, true},
		{`{"Version": "2012-10-17"}`, true},
		{`{"Version": "1.0"}`, false},
		{`{"statement": []}`, false},
		{`[{"Statement": []}]`, false},
		{`{"name": "package"}`, false},
	} {
		n, err := syntax.ParseJSON([]byte(tc.in))
		if err != nil {
			t.Fatal(err)
		}
		if got := LooksLikePolicy(n); got != tc.want {
			t.Errorf("LooksLikePolicy(%s) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if LooksLikePolicy(nil) {
		t.Error("LooksLikePolicy(nil) = true")
	}
}

func TestFromYAMLNode(t *testing.T) {
	docs, err := syntax.ParseYAML([]byte("Statement:\n  - Effect: Allow\n    Action: [a, b]\n    Condition:\n      Bool:\n        k: True\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := FromNode(docs[0], snapshot.Location{File: "p.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	want := snapshot.Document{Loc: snapshot.Location{File: "p.yaml", StartLine: 1, StartColumn: 1, EndLine: 6}, Statements: []snapshot.Statement{{
		Effect: "Allow", Actions: []string{"a", "b"},
		Conditions: []snapshot.Condition{{Operator: "Bool", BaseOperator: "Bool", Known: true, Key: "k", Values: []string{"true"},
			Loc: snapshot.Location{File: "p.yaml", StartLine: 6, StartColumn: 9, EndLine: 6}}},
		Loc: snapshot.Location{File: "p.yaml", StartLine: 2, StartColumn: 5, EndLine: 6},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("document (-want +got):\n%s", diff)
	}
}

// FuzzParse checks that Parse never panics, that errors are located, and that every location
// of a parsed document is inside the input.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil && !strings.HasSuffix(file, ".golden.json") {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Action":"a","Condition":{"ForAnyValue:StringLike":{"k":[1,true,"x"]}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data, snapshot.Location{File: "f"})
		if err != nil {
			var se *syntax.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *syntax.Error", err)
			}
			return
		}
		check := func(l snapshot.Location) {
			if l.File != "f" || l.StartLine < 1 || l.EndLine < l.StartLine || l.StartColumn < 1 {
				t.Fatalf("bad location %+v", l)
			}
		}
		check(doc.Loc)
		for _, s := range doc.Statements {
			check(s.Loc)
			if s.Effect != "Allow" && s.Effect != "Deny" {
				t.Fatalf("effect %q", s.Effect)
			}
			for _, c := range s.Conditions {
				check(c.Loc)
				if c.Values == nil {
					t.Fatal("nil condition values")
				}
			}
		}
	})
}
