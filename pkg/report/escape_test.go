package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain é 😀", "plain é 😀"},
		{"red\x1b[31m", `red\x1b[31m`},
		{"osc\x1b]8;;http://x\x07link", `osc\x1b]8;;http://x\alink`},
		{"line\nbreak\ttab", `line\nbreak\ttab`},
		{"c1\u0085next", `c1\u0085next`},
		// Bidirectional overrides and isolates, zero-width characters, separators.
		{"abc\u202edcba", `abc\u202edcba`},
		{"\u2066isolate\u2069", `\u2066isolate\u2069`},
		{"zero\u200bwidth", `zero\u200bwidth`},
		{"para\u2029graph", `para\u2029graph`},
		// Bytes that are not UTF-8.
		{"bad\xffname\xc3", `bad\xffname\xc3`},
	} {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSARIFText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"no brackets", "no brackets"},
		{"see [docs](https://evil.example)", `see \[docs\](https://evil.example)`},
		{`a \[ b`, `a \\\[ b`},
		{"x\u202ey [z]", `x\u202ey \[z\]`},
	} {
		if got := sarifText(tc.in); got != tc.want {
			t.Errorf("sarifText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestHostileText renders a report whose file names and messages come from a hostile input:
// terminal escapes and a bidirectional override (they reached the terminal raw), a Markdown
// link (SARIF turned it into a link), and a file name that is not UTF-8 (JSON and SARIF wrote
// U+FFFD, so the file could not be found).
func TestHostileText(t *testing.T) {
	file := "deploy/bad\xff\u202e.yaml"
	r := findings.NewReport(findings.Tool{Name: "irsa-audit", Version: "test"}, []findings.Rule{{ID: "IRSA-023", Severity: findings.High, Title: "t"}},
		[]findings.Finding{{
			RuleID: "IRSA-023", Severity: findings.High, Title: "t",
			Message:  "ServiceAccount \x1b[2J\u202eevil [click](https://evil.example) is bound",
			Resource: findings.Resource{Kind: "service_account", ID: "app/\x1b]0;title\x07sa"},
			Location: snapshot.Location{File: file, StartLine: 3},
		}},
		&snapshot.Snapshot{
			Errors:  []snapshot.InputError{{File: file, Line: 1, Message: "bad \x1b[31m"}},
			Skipped: []snapshot.Skipped{{File: file, Reason: "reason \u202e"}},
		})
	for _, f := range []Format{Text, JSON, SARIF} {
		var b bytes.Buffer
		if err := Write(&b, f, &r, Options{Root: "/src", WorkDir: "/src"}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, bad := range []string{"\x1b", "\u202e", "\x07", "\ufffd", "\xff"} {
			if strings.Contains(out, bad) {
				t.Errorf("%v output holds %q:\n%s", f, bad, out)
			}
		}
		switch f {
		case Text:
			if !strings.Contains(out, `deploy/bad\xff\u202e.yaml`) {
				t.Errorf("text output does not name the file findably:\n%s", out)
			}
		case JSON:
			var got struct {
				Findings []struct {
					Location struct{ File string } `json:"location"`
				} `json:"findings"`
			}
			if err := json.Unmarshal(b.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(`deploy/bad\xff`+"\u202e.yaml", got.Findings[0].Location.File); diff != "" {
				t.Errorf("JSON file (-want +got):\n%s", diff)
			}
		case SARIF:
			if !strings.Contains(out, `deploy/bad%FF%E2%80%AE.yaml`) {
				t.Errorf("SARIF URI does not percent-encode the file name:\n%s", out)
			}
			if !strings.Contains(out, `\\[click\\](https://evil.example)`) {
				t.Errorf("SARIF message does not escape the link:\n%s", out)
			}
		}
	}
}
