package syntax

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// dump renders a tree with positions, one node per line, for compact expectations.
func dump(n *Node) string {
	var b strings.Builder
	var walk func(n *Node, indent, label string)
	walk = func(n *Node, indent, label string) {
		fmt.Fprintf(&b, "%s%s%s %d:%d-%d", indent, label, n.Kind, n.Line, n.Column, n.EndLine)
		if n.Kind != Object && n.Kind != Array {
			fmt.Fprintf(&b, " %q", n.Value)
		}
		b.WriteString("\n")
		for _, it := range n.Items {
			walk(it, indent+"  ", "- ")
		}
		for _, f := range n.Fields {
			walk(f.Value, indent+"  ", fmt.Sprintf("%q@%d:%d: ", f.Key, f.KeyNode.Line, f.KeyNode.Column))
		}
	}
	walk(n, "", "")
	return b.String()
}

func TestParseJSON(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"scalar string", `"a\"b\u00e9\ud83d\ude00\n"`, "string 1:1-1 \"a\\\"bé😀\\n\"\n"},
		{"numbers", `[0, -1.5e+3, 10, 1E2]`, "array 1:1-1\n  - number 1:2-1 \"0\"\n  - number 1:5-1 \"-1.5e+3\"\n  - number 1:14-1 \"10\"\n  - number 1:18-1 \"1E2\"\n"},
		{"literals", `[true,false,null]`, "array 1:1-1\n  - boolean 1:2-1 \"true\"\n  - boolean 1:7-1 \"false\"\n  - null 1:13-1 \"null\"\n"},
		{"object positions", "{\n  \"a\": {\n    \"b\": [1,\n      2]\n  },\n  \"é\": \"x\"\n}\n",
			"object 1:1-7\n" +
				"  \"a\"@2:3: object 2:8-5\n" +
				"    \"b\"@3:5: array 3:10-4\n" +
				"      - number 3:11-3 \"1\"\n" +
				"      - number 4:7-4 \"2\"\n" +
				"  \"é\"@6:3: string 6:8-6 \"x\"\n"},
		{"columns count code points", `{"ü": "é", "k": 1}`, "object 1:1-1\n  \"ü\"@1:2: string 1:7-1 \"é\"\n  \"k\"@1:12: number 1:17-1 \"1\"\n"},
		{"bom stripped", "\xEF\xBB\xBF{\"a\":1}", "object 1:1-1\n  \"a\"@1:2: number 1:6-1 \"1\"\n"},
		{"empty containers", `{"a":{},"b":[]}`, "object 1:1-1\n  \"a\"@1:2: object 1:6-1\n  \"b\"@1:9: array 1:13-1\n"},
		{"lone surrogate replaced", `"\ud800x"`, "string 1:1-1 \"\ufffdx\"\n"},
		{"crlf lines", "{\r\n\"a\": 1\r\n}", "object 1:1-3\n  \"a\"@2:1: number 2:6-2 \"1\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := ParseJSON([]byte(tc.in))
			if err != nil {
				t.Fatalf("ParseJSON: %v", err)
			}
			if diff := cmp.Diff(tc.want, dump(n)); diff != "" {
				t.Errorf("tree (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseJSONErrors(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	okDeep := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if _, err := ParseJSON([]byte(okDeep)); err != nil {
		t.Fatalf("nesting of exactly MaxDepth: %v", err)
	}
	for _, tc := range []struct {
		name, in string
		want     Error
	}{
		{"empty", ``, Error{1, 1, "unexpected end of input (truncated JSON?)"}},
		{"truncated object", "{\n  \"a\": [1,", Error{2, 11, "unexpected end of input (truncated JSON?)"}},
		{"truncated string", `{"a": "x`, Error{1, 9, "unexpected end of input (truncated JSON?)"}},
		{"truncated literal", `[tr`, Error{1, 4, "unexpected end of input (truncated JSON?)"}},
		{"trailing comma object", `{"a": 1,}`, Error{1, 9, "unexpected character '}', expected a string key"}},
		{"trailing comma array", `[1,]`, Error{1, 4, "unexpected character ']', expected a JSON value"}},
		{"missing colon", `{"a" 1}`, Error{1, 6, "unexpected character '1' after object key, expected ':'"}},
		{"missing comma", "{\"a\": 1\n \"b\": 2}", Error{2, 2, "unexpected character '\"' after object value, expected ',' or '}'"}},
		{"unquoted key", `{a: 1}`, Error{1, 2, "unexpected character 'a', expected a string key"}},
		{"single quotes", `['a']`, Error{1, 2, "unexpected character '\\'', expected a JSON value"}},
		{"leading zero", `01`, Error{1, 2, "unexpected character '1' after the JSON value"}},
		{"bad fraction", `1.`, Error{1, 3, "unexpected end of input (truncated JSON?)"}},
		{"bad exponent", `[1e+]`, Error{1, 5, "invalid number: unexpected character ']', expected a digit in the exponent"}},
		{"plus sign", `+1`, Error{1, 1, "unexpected character '+', expected a JSON value"}},
		{"bad literal", `[nul]`, Error{1, 2, "invalid literal, expected \"null\""}},
		{"capital literal", `True`, Error{1, 1, "unexpected character 'T', expected a JSON value"}},
		{"control char", "\"a\tb\"", Error{1, 3, "control character U+0009 in string (escape it)"}},
		{"bad escape", `"\x"`, Error{1, 2, "invalid escape sequence \\x in string"}},
		{"bad unicode escape", `"\u12G4"`, Error{1, 6, "invalid \\u escape: character 'G' is not a hex digit"}},
		{"invalid utf8", "\"a\xffb\"", Error{1, 3, "invalid UTF-8 in string"}},
		{"trailing data", `{} {}`, Error{1, 4, "unexpected character '{' after the JSON value"}},
		{"comment", "{} // x", Error{1, 4, "unexpected character '/' after the JSON value"}},
		{"duplicate key", "{\"a\": 1,\n \"a\": 2}", Error{2, 2, "duplicate key \"a\" (first at line 1)"}},
		{"duplicate key in big object", `{` + manyFields(20) + `,"k3":0}`, Error{1, 162, "duplicate key \"k3\" (first at line 1)"}},
		{"too deep", deep, Error{1, MaxDepth + 1, fmt.Sprintf("nesting deeper than %d levels", MaxDepth)}},
		{"nbsp is not space", "\u00a0{}", Error{1, 1, "unexpected character U+00A0, expected a JSON value"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := ParseJSON([]byte(tc.in))
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("ParseJSON = %v, %v; want *Error", n, err)
			}
			if diff := cmp.Diff(tc.want, *se); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func manyFields(n int) string {
	var parts []string
	for i := range n {
		parts = append(parts, fmt.Sprintf(`"k%d":%d`, i, i))
	}
	return strings.Join(parts, ",")
}

func TestErrorString(t *testing.T) {
	for _, tc := range []struct {
		err  Error
		want string
	}{
		{Error{3, 4, "x"}, "3:4: x"},
		{Error{3, 0, "x"}, "3: x"},
		{Error{0, 0, "x"}, "x"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%#v.Error() = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestGet(t *testing.T) {
	n, err := ParseJSON([]byte(`{"a": 1, "b": {"c": "d"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Get("b").Get("c"); got == nil || got.Value != "d" {
		t.Errorf("Get(b).Get(c) = %v, want d", got)
	}
	if got := n.Get("x"); got != nil {
		t.Errorf("Get(x) = %v, want nil", got)
	}
	if got := n.Get("a").Get("a"); got != nil {
		t.Errorf("Get on a number = %v, want nil", got)
	}
	var nilNode *Node
	if got := nilNode.Get("a"); got != nil {
		t.Errorf("Get on nil = %v, want nil", got)
	}
}

func TestParseYAML(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"multi document with empty ones", "---\n---\na: 1\n---\n# only a comment\n---\n- x\n- 'y'\n", []string{
			"null 2:1-2 \"\"\n",
			"object 3:1-3\n  \"a\"@3:1: number 3:4-3 \"1\"\n",
			"null 6:1-6 \"\"\n",
			"array 7:1-8\n  - string 7:3-7 \"x\"\n  - string 8:3-8 \"y\"\n",
		}},
		{"scalar kinds keep source text", "a: True\nb: 1.50\nc: ~\nd: \"5\"\ne: 0x1F\nf: 2024-01-01\n", []string{
			"object 1:1-6\n" +
				"  \"a\"@1:1: boolean 1:4-1 \"True\"\n" +
				"  \"b\"@2:1: number 2:4-2 \"1.50\"\n" +
				"  \"c\"@3:1: null 3:4-3 \"~\"\n" +
				"  \"d\"@4:1: string 4:4-4 \"5\"\n" +
				"  \"e\"@5:1: number 5:4-5 \"0x1F\"\n" +
				"  \"f\"@6:1: string 6:4-6 \"2024-01-01\"\n",
		}},
		{"block scalar end line", "a: |\n  one\n  two\nb: x\n", []string{
			"object 1:1-4\n  \"a\"@1:1: string 1:4-3 \"one\\ntwo\\n\"\n  \"b\"@4:1: string 4:4-4 \"x\"\n",
		}},
		{"aliases and merge keys", "base: &b\n  x: 1\n  y: 2\nuse:\n  <<: *b\n  y: 3\n", []string{
			"object 1:1-6\n" +
				"  \"base\"@1:1: object 1:7-3\n" +
				"    \"x\"@2:3: number 2:6-2 \"1\"\n" +
				"    \"y\"@3:3: number 3:6-3 \"2\"\n" +
				"  \"use\"@4:1: object 5:3-6\n" +
				"    \"y\"@6:3: number 6:6-6 \"3\"\n" +
				"    \"x\"@2:3: number 2:6-2 \"1\"\n",
		}},
		{"json is yaml", `{"a": [1, "b"]}`, []string{
			"object 1:1-1\n  \"a\"@1:2: array 1:7-1\n    - number 1:8-1 \"1\"\n    - string 1:11-1 \"b\"\n",
		}},
		{"bom", "\xEF\xBB\xBFa: b\n", []string{"object 1:1-1\n  \"a\"@1:1: string 1:4-1 \"b\"\n"}},
		{"empty stream", "# nothing\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := ParseYAML([]byte(tc.in))
			if err != nil {
				t.Fatalf("ParseYAML: %v", err)
			}
			var got []string
			for _, d := range docs {
				got = append(got, dump(d))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("trees (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseYAMLErrors(t *testing.T) {
	laughs := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 'b'; i <= 'j'; i++ {
		p := string(i - 1)
		laughs += fmt.Sprintf("%c: &%c [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", i, i, p, p, p, p, p, p, p, p, p, p)
	}
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	for _, tc := range []struct {
		name, in string
		want     Error
		// docs is the parsed documents, "nil" for one that did not parse.
		docs []string
	}{
		// Documents after a broken one are still parsed; the broken one is a nil entry.
		{"syntax error after good document", "a: 1\n---\nb: [1,\n", Error{3, 4, "sequence end token ']' not found"}, []string{"object 1:1-1\n  \"a\"@1:1: number 1:4-1 \"1\"\n", "nil"}},
		// Lines stay those of the whole stream.
		{"good document after a syntax error", "a: [1,\n---\nb: 2\n", Error{1, 4, "sequence end token ']' not found"}, []string{"nil", "object 3:1-3\n  \"b\"@3:1: number 3:4-3 \"2\"\n"}},
		{"bad indentation", "a:\n  b: 1\n c: 2\n", Error{3, 2, "value is not allowed in this context"}, nil},
		{"duplicate key", "a: 1\nb: 2\na: 3\n", Error{3, 1, "duplicate key \"a\" (first at line 1)"}, nil},
		{"complex key", "? [a]\n: 1\n", Error{1, 3, "mapping key must be a scalar, not array"}, nil},
		{"alias cycle", "a: &x [*x]\n", Error{1, 8, "alias *x refers to a node that contains it"}, nil},
		{"unknown alias", "a: 1\nb:\n  c: *nowhere\n", Error{3, 6, "unknown alias *nowhere (no anchor &nowhere before it)"}, nil},
		{"billion laughs", laughs, Error{}, nil},
		{"too deep", deep, Error{1, MaxDepth + 1, fmt.Sprintf("nesting deeper than %d levels", MaxDepth)}, nil},
		{"merge of a scalar", "a:\n  <<: 5\n", Error{2, 7, "merge key value must be a mapping or a list of mappings"}, nil},
		{"tab indentation", "a:\n\tb: 1\n", Error{2, 1, "found character '\t' that cannot start any token"}, nil},
		{"unterminated quote", "a: b\nc: \"d\n", Error{2, 4, "could not find end character of double-quoted text"}, nil},
		// A directive belongs to the document after it.
		{"directive before a broken document", "a: 1\n%YAML 1.2\n---\nb: [\n", Error{4, 4, "sequence end token ']' not found"}, []string{"object 1:1-1\n  \"a\"@1:1: number 1:4-1 \"1\"\n", "nil"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := ParseYAML([]byte(tc.in))
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("ParseYAML = %d docs, %v; want *Error", len(docs), err)
			}
			if tc.name == "billion laughs" {
				if !strings.Contains(se.Msg, "aliases expand to too many nodes") {
					t.Errorf("error = %v, want alias expansion cap", se)
				}
				return
			}
			if diff := cmp.Diff(tc.want, *se); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			var got []string
			for _, d := range docs {
				if d == nil {
					got = append(got, "nil")
					continue
				}
				got = append(got, dump(d))
			}
			if diff := cmp.Diff(tc.docs, got); diff != "" {
				t.Errorf("documents (-want +got):\n%s", diff)
			}
		})
	}
	// Two broken documents: both are reported, the good one between them is parsed.
	docs, err := ParseYAML([]byte("a: [\n---\nb: 1\n---\nc: {\n"))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("ParseYAML = %v, want an ErrorList", err)
	}
	if diff := cmp.Diff(ErrorList{{1, 4, "sequence end token ']' not found"}, {5, 4, "could not find flow mapping end token '}'"}}, list); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if len(docs) != 3 || docs[0] != nil || docs[1] == nil || docs[2] != nil {
		t.Errorf("documents = %v, want nil, {b: 1}, nil", docs)
	}
}

// FuzzParseJSON checks ParseJSON against encoding/json: whatever it accepts is valid JSON, and
// what it rejects that encoding/json accepts is a duplicate key, invalid UTF-8 or deep nesting.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e3,"x\u00e9",true,null]}`, `[]`, `"\ud83d\ude00"`, `{"a":1,"a":2}`, "\xEF\xBB\xBF{}", `-0.0e-0`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ParseJSON(data)
		valid := json.Valid(StripBOM(data))
		if err == nil {
			if !valid {
				t.Fatalf("accepted invalid JSON %q", data)
			}
			if n.Line < 1 || n.Column < 1 || n.EndLine < n.Line {
				t.Fatalf("bad position %d:%d-%d", n.Line, n.Column, n.EndLine)
			}
			return
		}
		var se *Error
		if !errors.As(err, &se) || se.Line < 1 || se.Column < 1 {
			t.Fatalf("error %v is not a located *Error", err)
		}
		if valid && !strings.Contains(se.Msg, "duplicate key") && !strings.Contains(se.Msg, "UTF-8") && !strings.Contains(se.Msg, "nesting") {
			t.Fatalf("rejected valid JSON %q: %v", data, err)
		}
	})
}

// FuzzParseYAML checks that no input panics or returns an unlocated tree.
func FuzzParseYAML(f *testing.F) {
	for _, s := range []string{"a: 1\n---\n- b\n", "a: &x [*x]", "<<: {a: 1}", "a: |\n  x\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := ParseYAML(data)
		var errs []*Error
		var list ErrorList
		var one *Error
		switch {
		case errors.As(err, &list):
			errs = list
		case errors.As(err, &one):
			errs = []*Error{one}
		case err != nil:
			t.Fatalf("error %T %v, want *Error or ErrorList", err, err)
		}
		nils := 0
		for _, d := range docs {
			if d == nil {
				nils++
				continue
			}
			if d.Kind == 0 {
				t.Fatalf("invalid document node %v", d)
			}
		}
		// A stream split into documents reports each broken one in place (nil) with its error;
		// a stream that could not be split stops at its error.
		if nils > 0 && nils != len(errs) {
			t.Fatalf("%d nil documents, %d errors: %v", nils, len(errs), err)
		}
		for _, e := range errs {
			if e.Msg == "" {
				t.Fatalf("error without a message: %+v", e)
			}
		}
	})
}
