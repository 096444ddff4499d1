package report

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

func TestColorFor(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	regular, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	noEnv := func(string) string { return "" }
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name string
		w    any
		env  func(string) string
		want bool
	}{
		{"buffer", &bytes.Buffer{}, noEnv, false},
		{"pipe", pw, noEnv, false},
		{"pipe with NO_COLOR", pw, env("NO_COLOR", "1"), false},
		// A writer with an Fd that is not a terminal: ColorFor must ask term, not assume that
		// anything with an Fd is one.
		{"regular file", regular, noEnv, false},
		{"fd of a regular file", fdWriter{fd: regular.Fd()}, noEnv, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.w.(interface{ Write([]byte) (int, error) })
			if got := ColorFor(w, tc.env); got != tc.want {
				t.Errorf("ColorFor() = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestColorForTerminal checks the one case where ColorFor says yes, a terminal with neither
// NO_COLOR nor TERM=dumb, and that those two still turn colour off. It uses a pseudo-terminal:
// go test's own stdout is not a terminal when it runs packages, so a test keyed on os.Stdout
// was always skipped in `make test` and every other case wants false.
func TestColorForTerminal(t *testing.T) {
	tty := openTerminal(t)
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			if len(kv) == 2 && k == kv[0] {
				return kv[1]
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name string
		w    any
		env  func(string) string
		want bool
	}{
		{"terminal", tty, env(), true},
		{"fd of a terminal", fdWriter{fd: tty.Fd()}, env(), true},
		{"terminal with TERM=xterm", tty, env("TERM", "xterm-256color"), true},
		{"terminal with NO_COLOR", tty, env("NO_COLOR", "1"), false},
		{"terminal with TERM=dumb", tty, env("TERM", "dumb"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.w.(interface{ Write([]byte) (int, error) })
			if got := ColorFor(w, tc.env); got != tc.want {
				t.Errorf("ColorFor() = %v, want %v", got, tc.want)
			}
		})
	}
}

type fdWriter struct{ fd uintptr }

func (w fdWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w fdWriter) Fd() uintptr                 { return w.fd }

func TestSummary(t *testing.T) {
	fs := func(sevs ...findings.Severity) []findings.Finding {
		var out []findings.Finding
		for _, s := range sevs {
			out = append(out, findings.Finding{Severity: s})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		r    findings.Report
		want string
	}{
		{
			name: "nothing",
			want: "0 findings, 0 errors, 0 skipped in 0 files",
		},
		{
			name: "singulars",
			r: findings.Report{
				Findings: fs(findings.Medium),
				Errors:   []snapshot.InputError{{Message: "x"}},
				Skipped:  []snapshot.Skipped{{File: "a"}},
				Stats:    findings.Stats{Files: 1},
			},
			want: "1 finding (1 medium), 1 error, 1 skipped in 1 file",
		},
		{
			name: "the brief's example",
			r: findings.Report{
				Findings: fs(findings.High, findings.Critical, findings.High),
				Errors:   []snapshot.InputError{{Message: "x"}},
				Skipped:  []snapshot.Skipped{{File: "a"}, {File: "b"}},
				Stats:    findings.Stats{Files: 7},
			},
			want: "3 findings (1 critical, 2 high), 1 error, 2 skipped in 7 files",
		},
		{
			name: "every severity and api calls",
			r: findings.Report{
				Findings: fs(findings.Info, findings.Low, findings.Medium, findings.High, findings.Critical),
				Stats:    findings.Stats{APICalls: map[string]int{"iam:ListRoles": 3, "eks:ListClusters": 1}},
			},
			want: "5 findings (1 critical, 1 high, 1 medium, 1 low, 1 info), 0 errors, 0 skipped in 0 files and 4 API calls",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := summary(&tc.r); got != tc.want {
				t.Errorf("summary() =\n  %q\nwant\n  %q", got, tc.want)
			}
		})
	}
}

func TestTextEscapesControlCharacters(t *testing.T) {
	r := findings.NewReport(findings.Tool{}, nil, []findings.Finding{{
		RuleID: "X-1", Severity: findings.High,
		Message:  "evil\x1b[2Jmessage\nsecond line",
		Resource: findings.Resource{Kind: "policy", ID: "a\tb"},
		Location: snapshot.Location{File: "dir/\x1b]0;title\x07.json", StartLine: 1},
	}}, nil)
	out := string(render(t, Text, &r, Options{Color: true}))
	for _, bad := range []string{"\x1b[2J", "\x1b]0", "\x07", "\t", "message\nsecond"} {
		if strings.Contains(out, bad) {
			t.Errorf("text output contains %q unescaped:\n%s", bad, out)
		}
	}
	for _, want := range []string{`evil\x1b[2Jmessage\nsecond line`, `[policy a\tb]`, `dir/\x1b]0;title\a.json`} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

func TestLines(t *testing.T) {
	for _, tc := range []struct {
		loc  snapshot.Location
		want string
	}{
		{snapshot.Location{}, "-"},
		{snapshot.Location{File: "a.json", StartLine: 7}, "7"},
		{snapshot.Location{File: "a.json", StartLine: 7, EndLine: 7}, "7"},
		{snapshot.Location{File: "a.json", StartLine: 7, EndLine: 9}, "7-9"},
		{snapshot.Location{File: "a.json", StartLine: 7, EndLine: 3}, "7"},
		{snapshot.Location{API: "iam:GetAccountAuthorizationDetails", StartLine: 1, EndLine: 1}, "-"},
	} {
		if got := lines(tc.loc); got != tc.want {
			t.Errorf("lines(%+v) = %q, want %q", tc.loc, got, tc.want)
		}
	}
}
