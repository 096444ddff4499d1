package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// triageReport is the sample after triage: one finding suppressed inline, one by the
// configuration, an expired suppression, and a baseline that knew two of the findings.
func triageReport() *findings.Report {
	r := sampleReport()
	var keep []findings.Finding
	for _, f := range r.Findings {
		switch f.Fingerprint {
		case "fp-005":
			r.Suppressed = append(r.Suppressed, findings.SuppressedFinding{Finding: f, Suppression: findings.Suppression{
				Kind: findings.SuppressInline, Rules: []string{"IRSA-005"}, Reason: "audience checked by the | webhook", Until: "2027-01-31",
				Source: snapshot.Location{File: "iam/trust.json.irsa-audit.yaml", StartLine: 3}, Lines: []int{12, 18},
			}})
			continue
		case "fp-acme":
			r.Suppressed = append(r.Suppressed, findings.SuppressedFinding{Finding: f, Suppression: findings.Suppression{
				Kind: findings.SuppressConfig, Rules: []string{"ACME-1"}, Reason: "tags come from the account baseline",
				Source: snapshot.Location{File: ".irsa-audit.yaml", StartLine: 9},
			}})
			continue
		case "fp-002-crit", "fp-010-sa":
			f.BaselineState = findings.BaselineUnchanged
		default:
			f.BaselineState = findings.BaselineNew
		}
		keep = append(keep, f)
	}
	r.Findings = keep
	r.ExpiredSuppressions = []findings.Suppression{{
		Kind: findings.SuppressConfig, Resource: "arn:aws:iam::*:role/legacy-*", Reason: "legacy roles, migration ends 2026",
		Until: "2026-06-30", Source: snapshot.Location{File: ".irsa-audit.yaml", StartLine: 14},
	}}
	r.Baseline = &findings.BaselineSummary{File: "baseline.json", Findings: 3, New: 3, Unchanged: 2, Fixed: 1}
	findings.SortSuppressed(r.Suppressed)
	r.Recount()
	return r
}

func TestTriageGolden(t *testing.T) {
	narrow := sampleOpts
	narrow.Width = 60
	narrow.Category = "irsa-audit/prod"
	linked := sampleOpts
	linked.LinkBase = "https://github.com/acme/infra/blob/0123abc/"
	linked.Top = 3
	for _, tc := range []struct {
		golden string
		format Format
		report *findings.Report
		opts   Options
	}{
		{"triage.txt", Text, triageReport(), sampleOpts},
		{"triage-narrow.txt", Text, triageReport(), narrow},
		{"triage.json", JSON, triageReport(), sampleOpts},
		{"triage.sarif", SARIF, triageReport(), narrow},
		{"triage.md", Markdown, triageReport(), linked},
		{"sample.md", Markdown, sampleReport(), sampleOpts},
		{"empty.md", Markdown, emptyReport(), sampleOpts},
		{"sample.junit.xml", JUnit, sampleReport(), sampleOpts},
		{"triage.junit.xml", JUnit, triageReport(), sampleOpts},
		{"empty.junit.xml", JUnit, emptyReport(), sampleOpts},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			checkGolden(t, tc.golden, render(t, tc.format, tc.report, tc.opts))
		})
	}
}

func TestTriageSARIF(t *testing.T) {
	sch := compileSARIFSchema(t)
	opts := sampleOpts
	opts.Category = "irsa-audit/prod/"
	out := render(t, SARIF, triageReport(), opts)
	if err := validateSARIF(t, sch, out); err != nil {
		t.Errorf("schema: %v", err)
	}
	log, err := buildSARIF(triageReport(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := log.Validate(); err != nil {
		t.Errorf("go-sarif Validate(): %v", err)
	}
	run := log.Runs[0]
	if got := *run.AutomationDetails.ID; got != "irsa-audit/prod/" {
		t.Errorf("runAutomationDetails.id = %q, want %q", got, "irsa-audit/prod/")
	}
	var suppressed, states []string
	for _, res := range run.Results {
		for _, s := range res.Suppressions {
			suppressed = append(suppressed, *res.RuleID+":"+*s.Kind+":"+*s.Status+":"+*s.Justification)
		}
		if res.BaselineState != nil {
			states = append(states, *res.BaselineState)
		}
	}
	want := []string{"IRSA-005:inSource:accepted:audience checked by the | webhook", "ACME-1:external:accepted:tags come from the account baseline"}
	if strings.Join(suppressed, "\n") != strings.Join(want, "\n") {
		t.Errorf("suppressions:\n%s\nwant\n%s", strings.Join(suppressed, "\n"), strings.Join(want, "\n"))
	}
	if len(states) != 5 {
		t.Errorf("baseline states on %d results, want the 5 active ones: %v", len(states), states)
	}
}

func TestJUnitIsWellFormed(t *testing.T) {
	for _, r := range []*findings.Report{sampleReport(), triageReport(), emptyReport(), errorsOnlyReport()} {
		out := render(t, JUnit, r, sampleOpts)
		var got junitSuites
		if err := xml.NewDecoder(bytes.NewReader(out)).Decode(&got); err != nil {
			t.Fatalf("junit output does not parse: %v\n%s", err, out)
		}
		if got.Failures != len(r.Findings) || got.Skipped != len(r.Suppressed) || got.Errors != len(r.Errors) {
			t.Errorf("failures/skipped/errors = %d/%d/%d, want %d/%d/%d", got.Failures, got.Skipped, got.Errors,
				len(r.Findings), len(r.Suppressed), len(r.Errors))
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  []string
	}{
		{"", 30, []string{""}},
		{"one two three four five six seven eight", 20, []string{"one two three four", "five six seven eight"}},
		{"short arn:aws:iam::111122223333:role/a-very-long-role-name-indeed end", 20, []string{"short", "arn:aws:iam::111122223333:role/a-very-long-role-name-indeed", "end"}},
		{"ünïcödé wörds ärë cöüntëd äs rünës nöt bytës", 20, []string{"ünïcödé wörds ärë", "cöüntëd äs rünës nöt", "bytës"}},
	} {
		if got := wrap(tc.in, tc.width); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
	out := render(t, Text, sampleReport(), Options{Root: sampleRoot, WorkDir: sampleRoot, Width: 80})
	for _, line := range strings.Split(string(out), "\n") {
		// Only a single unbreakable word (here a resource id) may run past the width.
		if n := len([]rune(line)); n > 80 && !strings.Contains(line, "[") && strings.Count(strings.TrimSpace(line), " ") > 0 {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	r := findings.NewReport(findings.Tool{}, nil, []findings.Finding{{
		RuleID: "X-1", Severity: findings.High, Message: "a | b <script> `c` *d* [e](f)\nnext",
		Location: snapshot.Location{File: "dir/a (1).json", StartLine: 2},
	}}, nil)
	out := string(render(t, Markdown, &r, Options{Root: "/r", WorkDir: "/r"}))
	for _, want := range []string{`a \| b \<script\> \` + "`c\\`" + ` \*d\* \[e\](f)\\nnext`, "[dir/a (1).json:2](dir/a%20%281%29.json#L2)"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
}

func TestWriteDiff(t *testing.T) {
	old := sampleReport()
	cur := triageReport()
	cur.Findings = append(cur.Findings, findings.Finding{RuleID: "IRSA-011", Severity: findings.Low, Message: "new one",
		Resource: findings.Resource{Kind: "policy", ID: "iam/new.json"}, Location: snapshot.Location{File: "iam/new.json", StartLine: 4}, Fingerprint: "fp-new"})
	cur.Findings[0].Severity = findings.High // fp-002-crit was critical
	d := findings.NewDiff(findings.Tool{Name: "irsa-audit", Version: "test"}, "nightly/old.json", *old, "nightly/new.json", *cur)
	for _, tc := range []struct {
		golden string
		format Format
	}{{"diff.txt", Text}, {"diff.json", JSON}, {"diff.md", Markdown}} {
		t.Run(tc.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteDiff(&buf, tc.format, &d, sampleOpts); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.golden, buf.Bytes())
		})
	}
	if err := WriteDiff(&bytes.Buffer{}, SARIF, &d, sampleOpts); err == nil {
		t.Error("WriteDiff(sarif) = nil error, want one")
	}
}
