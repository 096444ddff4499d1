package triage

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

func TestParseInline(t *testing.T) {
	const manifest = `# irsa-audit:ignore IRSA-023 reason="legacy app, moved in Q1" until=2027-01-31
apiVersion: v1
kind: ServiceAccount
metadata:
  name: default
  annotations:
    # irsa-audit:ignore IRSA-026 reason=typo-tracked-in-JIRA-12
    eks.amazonaws.com/role-arn: not-an-arn
    other: "# irsa-audit:ignore IRSA-001 reason=in-a-string"
---
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
      - name: app   # irsa-audit:ignore IRSA-099,IRSA-098 reason="two rules"
        image: app:1

      - name: sidecar
`
	sups, errs := ParseInline("deploy/sa.yaml", []byte(manifest))
	if len(errs) != 0 {
		t.Fatalf("errors: %+v", errs)
	}
	loc := func(line, col int) snapshot.Location {
		return snapshot.Location{File: "deploy/sa.yaml", StartLine: line, EndLine: line, StartColumn: col}
	}
	want := []findings.Suppression{
		// Before the first content of a document: the whole document.
		{Kind: "inline", Rules: []string{"IRSA-023"}, Reason: "legacy app, moved in Q1", Until: "2027-01-31", Source: loc(1, 1), Lines: []int{2, 9}},
		// On a line of its own: the next line and its block (a scalar: one line).
		{Kind: "inline", Rules: []string{"IRSA-026"}, Reason: "typo-tracked-in-JIRA-12", Source: loc(7, 5), Lines: []int{8, 8}},
		// After content: that line's block, a list item with its keys, up to the next item.
		{Kind: "inline", Rules: []string{"IRSA-099", "IRSA-098"}, Reason: "two rules", Source: loc(17, 21), Lines: []int{17, 18}},
	}
	if diff := cmp.Diff(want, sups); diff != "" {
		t.Errorf("ParseInline (-want +got):\n%s", diff)
	}
}

func TestParseInlineBlocks(t *testing.T) {
	for _, tc := range []struct {
		name, file, src string
		want            []int
	}{
		{"mapping and its children", "a.yaml", "a: 1\n# irsa-audit:ignore X-1 reason=r\nmetadata:\n  name: x\n\n  # note\n  labels:\n    a: b\nspec: {}\n", []int{3, 8}},
		{"list at the key's indentation", "a.yml", "kind: Pod\nspec:\n  # irsa-audit:ignore X-1 reason=r\n  containers:\n  - name: a\n  - name: b\n  volumes: []\n", []int{4, 6}},
		{"terraform block with // comment", "main.tf", "// irsa-audit:ignore X-1 reason=r\nresource \"aws_iam_role\" \"app\" {\n  name = \"app\"\n}\nresource \"x\" \"y\" {}\n", []int{2, 4}},
		{"trailing hash comment in HCL", "main.hcl", "a = 1\nb = 2 # irsa-audit:ignore X-1 reason=r\nc = 3\n", []int{2, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sups, errs := ParseInline(tc.file, []byte(tc.src))
			if len(errs) != 0 || len(sups) != 1 {
				t.Fatalf("got %+v, errors %+v; want one suppression", sups, errs)
			}
			if diff := cmp.Diff(tc.want, sups[0].Lines); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseInlineErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"no reason", "# irsa-audit:ignore IRSA-002\na: 1\n", "needs a reason"},
		{"empty reason", "# irsa-audit:ignore IRSA-002 reason=\"  \"\na: 1\n", "needs a reason"},
		{"no rule", "# irsa-audit:ignore reason=x\na: 1\n", "needs the rule ids"},
		{"bad rule", "# irsa-audit:ignore all reason=x\na: 1\n", `"all" is not a rule id`},
		{"bad date", "# irsa-audit:ignore IRSA-002 reason=x until=31/01/2027\na: 1\n", `until "31/01/2027" is not a date`},
		{"unknown key", "# irsa-audit:ignore IRSA-002 reason=x expires=2027-01-01\na: 1\n", `unknown key "expires"`},
		{"open quote", "# irsa-audit:ignore IRSA-002 reason=\"x\na: 1\n", "unterminated quote"},
		{"nothing after", "a: 1\n# irsa-audit:ignore IRSA-002 reason=x\n", "followed by nothing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sups, errs := ParseInline("x.yaml", []byte(tc.src))
			if len(sups) != 0 || len(errs) != 1 {
				t.Fatalf("got %+v, errors %+v; want one error", sups, errs)
			}
			if !strings.Contains(errs[0].Message, tc.want) || errs[0].File != "x.yaml" || errs[0].Line == 0 {
				t.Errorf("error = %+v, want it at x.yaml:<line> to contain %q", errs[0], tc.want)
			}
		})
	}
	if sups, errs := ParseInline("p.json", []byte(`{"a": "# irsa-audit:ignore IRSA-002"}`)); sups != nil || errs != nil {
		t.Errorf("JSON file: %+v %+v, want nothing (JSON has no comments)", sups, errs)
	}
	// Not the directive: a longer word, or a comment that merely mentions it.
	if sups, errs := ParseInline("x.yaml", []byte("# irsa-audit:ignored IRSA-1 reason=r\n# see irsa-audit:ignore\na: 1\n")); sups != nil || errs != nil {
		t.Errorf("got %+v %+v, want nothing", sups, errs)
	}
}

func TestApply(t *testing.T) {
	f := func(rule, file string, line int, fp, res string) findings.Finding {
		return findings.Finding{RuleID: rule, Severity: findings.High, Fingerprint: fp,
			Resource: findings.Resource{Kind: "role", ID: res}, Location: snapshot.Location{File: file, StartLine: line}}
	}
	fs := []findings.Finding{
		f("IRSA-002", "deploy/sa.yaml", 8, "fp1", "prod/app"),
		f("IRSA-002", "deploy/sa.yaml", 30, "fp2", "prod/other"),
		f("IRSA-023", "iam/trust.json", 3, "fp3", "arn:aws:iam::111122223333:role/app"),
		f("IRSA-030", "", 0, "fp4", "arn:aws:iam::111122223333:role/legacy-42"),
		f("IRSA-031", "iam/nested/s3.json", 5, "fp5", "iam/nested/s3.json"),
	}
	inline := findings.Suppression{Kind: "inline", Rules: []string{"IRSA-002"}, Reason: "r1", Until: "2027-01-31",
		Source: snapshot.Location{File: "deploy/sa.yaml", StartLine: 6}, Lines: []int{7, 12}}
	sidecar := findings.Suppression{Kind: "sidecar", Rules: []string{"IRSA-023"}, Reason: "r2",
		Source: snapshot.Location{File: "/src/iam/trust.json.irsa-audit.yaml", StartLine: 2}}
	byResource := findings.Suppression{Kind: "config", Resource: "arn:aws:iam::*:role/legacy-*", Reason: "r3", Until: "2026-12-31",
		Source: snapshot.Location{File: "/src/.irsa-audit.yaml", StartLine: 10}}
	byPath := findings.Suppression{Kind: "config", Rules: []string{"IRSA-031"}, Path: "/src/iam/**/*.json", Reason: "r4",
		Source: snapshot.Location{File: "/src/.irsa-audit.yaml", StartLine: 14}}
	byFingerprint := findings.Suppression{Kind: "config", Fingerprint: "fp2", Reason: "r5", Until: "2020-01-01",
		Source: snapshot.Location{File: "/src/.irsa-audit.yaml", StartLine: 18}}
	all := []findings.Suppression{byFingerprint, byPath, byResource, sidecar, inline}

	sup := func(x findings.Finding, s findings.Suppression) findings.SuppressedFinding {
		return findings.SuppressedFinding{Finding: x, Suppression: s}
	}
	for _, tc := range []struct {
		name string
		now  time.Time
		want Result
	}{
		{
			name: "all in force but the one that expired in 2020",
			now:  time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC),
			want: Result{
				Active:     []findings.Finding{fs[1]},
				Suppressed: []findings.SuppressedFinding{sup(fs[0], inline), sup(fs[2], sidecar), sup(fs[3], byResource), sup(fs[4], byPath)},
				Expired:    []findings.Suppression{byFingerprint},
			},
		},
		{
			name: "the last day of until still suppresses",
			now:  time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC),
			want: Result{
				Active:     []findings.Finding{fs[1]},
				Suppressed: []findings.SuppressedFinding{sup(fs[0], inline), sup(fs[2], sidecar), sup(fs[3], byResource), sup(fs[4], byPath)},
				Expired:    []findings.Suppression{byFingerprint},
			},
		},
		{
			name: "the day after until does not",
			now:  time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
			want: Result{
				Active:     []findings.Finding{fs[1], fs[3]},
				Suppressed: []findings.SuppressedFinding{sup(fs[0], inline), sup(fs[2], sidecar), sup(fs[4], byPath)},
				Expired:    []findings.Suppression{byResource, byFingerprint},
			},
		},
		{
			name: "a time zone east of UTC is judged in UTC",
			now:  time.Date(2027, 1, 1, 5, 0, 0, 0, time.FixedZone("UTC+9", 9*3600)), // 2026-12-31 20:00 UTC
			want: Result{
				Active:     []findings.Finding{fs[1]},
				Suppressed: []findings.SuppressedFinding{sup(fs[0], inline), sup(fs[2], sidecar), sup(fs[3], byResource), sup(fs[4], byPath)},
				Expired:    []findings.Suppression{byFingerprint},
			},
		},
		{
			name: "everything expired",
			now:  time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
			want: Result{
				Active:     []findings.Finding{fs[0], fs[1], fs[3]},
				Suppressed: []findings.SuppressedFinding{sup(fs[2], sidecar), sup(fs[4], byPath)},
				Expired:    []findings.Suppression{byResource, byFingerprint, inline},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Apply(fs, all, Options{Now: tc.now, WorkDir: "/src"})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Apply (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    findings.Suppression
		want string
	}{
		{"ok", findings.Suppression{Kind: "config", Rules: []string{"IRSA-1"}, Reason: "r", Until: "2027-01-31"}, ""},
		{"no matcher", findings.Suppression{Kind: "config", Reason: "r"}, "at least one of rule"},
		{"no reason", findings.Suppression{Kind: "config", Fingerprint: "x"}, "needs a reason"},
		{"bad until", findings.Suppression{Kind: "sidecar", Fingerprint: "x", Reason: "r", Until: "2027-02-30"}, "is not a date"},
		{"bad glob", findings.Suppression{Kind: "config", Path: "a/[", Reason: "r"}, "not a valid glob"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.s)
			if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestGlobs(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"arn:aws:iam::*:role/app", "arn:aws:iam::111122223333:role/app", true},
		{"arn:aws:iam::*:role/app", "arn:aws:iam::111122223333:role/app2", false},
		{"*", "anything", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXcYb", false},
	} {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
	for _, tc := range []struct {
		glob, path string
		want       bool
	}{
		{"/r/iam/*.json", "/r/iam/a.json", true},
		{"/r/iam/*.json", "/r/iam/x/a.json", false},
		{"/r/iam/**/*.json", "/r/iam/a.json", true},
		{"/r/iam/**/*.json", "/r/iam/x/y/a.json", true},
		{"/r/**", "/r/x/y", true},
		{"/r/a?.json", "/r/ab.json", true},
		{"/r/a.json", "/r/aXjson", false},
	} {
		re, err := globRegexp(tc.glob)
		if err != nil {
			t.Fatal(err)
		}
		if got := re.MatchString(tc.path); got != tc.want {
			t.Errorf("glob %q on %q = %v, want %v", tc.glob, tc.path, got, tc.want)
		}
	}
}

func TestMarkBaseline(t *testing.T) {
	fs := []findings.Finding{{Fingerprint: "a"}, {Fingerprint: "b"}, {Fingerprint: "b"}, {Fingerprint: ""}}
	base := findings.Report{Findings: []findings.Finding{{Fingerprint: "a"}, {Fingerprint: "b"}, {Fingerprint: "gone"}},
		Suppressed: []findings.SuppressedFinding{{Finding: findings.Finding{Fingerprint: "b"}}}}
	sum := MarkBaseline(fs, "base.json", base)
	var states []string
	for _, f := range fs {
		states = append(states, f.BaselineState)
	}
	if diff := cmp.Diff([]string{"unchanged", "unchanged", "new", "new"}, states); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(findings.BaselineSummary{File: "base.json", Findings: 3, New: 2, Unchanged: 2, Fixed: 1}, sum); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	var unchanged []findings.Finding
	for i := range fs {
		fs[i].Severity = findings.High
	}
	for _, f := range fs {
		if f.BaselineState == findings.BaselineUnchanged {
			unchanged = append(unchanged, f)
		}
	}
	if len(unchanged) != 2 || (findings.Report{Findings: unchanged}).Fails(findings.FailLow) {
		t.Errorf("unchanged findings %+v: want two, which never fail a run", unchanged)
	}
	if !(findings.Report{Findings: fs}).Fails(findings.FailLow) {
		t.Errorf("new findings %+v do not fail the run", fs)
	}
}

func TestApplyInlineOverlap(t *testing.T) {
	sup := findings.Suppression{Kind: "inline", Rules: []string{"IRSA-026"}, Reason: "r",
		Source: snapshot.Location{File: "sa.yaml", StartLine: 16}, Lines: []int{17, 17}}
	at := func(start, end int) findings.Finding {
		return findings.Finding{RuleID: "IRSA-026", Location: snapshot.Location{File: "sa.yaml", StartLine: start, EndLine: end}}
	}
	for _, tc := range []struct {
		f    findings.Finding
		want bool
	}{
		{at(10, 17), true},  // the comment is inside the flagged object
		{at(17, 0), true},   // on the flagged line
		{at(10, 16), false}, // ends before it
		{at(18, 20), false}, // starts after it
		{findings.Finding{RuleID: "IRSA-026", Location: snapshot.Location{File: "other.yaml", StartLine: 17}}, false},
		{findings.Finding{RuleID: "IRSA-023", Location: snapshot.Location{File: "sa.yaml", StartLine: 17}}, false},
	} {
		got := Apply([]findings.Finding{tc.f}, []findings.Suppression{sup}, Options{Now: time.Unix(0, 0)})
		if (len(got.Suppressed) == 1) != tc.want {
			t.Errorf("finding %+v: suppressed = %v, want %v", tc.f.Location, len(got.Suppressed) == 1, tc.want)
		}
	}
}
