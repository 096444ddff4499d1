package findings

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

func TestNewReport(t *testing.T) {
	tool := Tool{Name: "irsa-audit", Version: "1.2.3"}
	loc := func(file string, line int) snapshot.Location {
		return snapshot.Location{File: file, StartLine: line, EndLine: line}
	}
	for _, tc := range []struct {
		name  string
		rules []Rule
		fs    []Finding
		snap  *snapshot.Snapshot
		want  Report
	}{
		{
			name: "nil snapshot and nothing found",
			want: Report{
				Version: ReportVersion,
				Tool:    tool,
				Stats: Stats{BySeverity: map[string]int{
					"info": 0, "low": 0, "medium": 0, "high": 0, "critical": 0,
				}},
			},
		},
		{
			name: "everything ordered and counted",
			rules: []Rule{
				{ID: "IRSA-010", Severity: Low},
				{ID: "IRSA-002", Severity: High},
			},
			fs: []Finding{
				{RuleID: "IRSA-010", Severity: Low, Resource: Resource{ID: "b"}, Location: loc("b.json", 3)},
				{RuleID: "IRSA-002", Severity: High, Resource: Resource{ID: "a"}, Location: loc("a.json", 9)},
				{RuleID: "IRSA-002", Severity: Critical, Resource: Resource{ID: "z"}, Location: loc("z.json", 1)},
				{RuleID: "IRSA-002", Severity: High, Resource: Resource{ID: "a"}, Location: loc("a.json", 2)},
			},
			snap: &snapshot.Snapshot{
				Errors: []snapshot.InputError{
					{API: "iam:ListRoles", Message: "access denied"},
					{File: "b.yaml", Line: 7, Column: 2, Message: "bad indent"},
					{File: "b.yaml", Line: 3, Message: "tab"},
					{File: "a.json", Message: "unreadable"},
				},
				Skipped: []snapshot.Skipped{
					{File: "z/template.yaml", Reason: "helm template"},
					{File: "big.json", Reason: "too large"},
				},
				Stats: snapshot.Stats{Files: 7, APICalls: map[string]int{"iam:ListRoles": 2}},
			},
			want: Report{
				Version: ReportVersion,
				Tool:    tool,
				Rules: []Rule{
					{ID: "IRSA-002", Severity: High},
					{ID: "IRSA-010", Severity: Low},
				},
				Findings: []Finding{
					{RuleID: "IRSA-002", Severity: Critical, Resource: Resource{ID: "z"}, Location: loc("z.json", 1)},
					{RuleID: "IRSA-002", Severity: High, Resource: Resource{ID: "a"}, Location: loc("a.json", 2)},
					{RuleID: "IRSA-002", Severity: High, Resource: Resource{ID: "a"}, Location: loc("a.json", 9)},
					{RuleID: "IRSA-010", Severity: Low, Resource: Resource{ID: "b"}, Location: loc("b.json", 3)},
				},
				Errors: []snapshot.InputError{
					{File: "a.json", Message: "unreadable"},
					{File: "b.yaml", Line: 3, Message: "tab"},
					{File: "b.yaml", Line: 7, Column: 2, Message: "bad indent"},
					{API: "iam:ListRoles", Message: "access denied"},
				},
				Skipped: []snapshot.Skipped{
					{File: "big.json", Reason: "too large"},
					{File: "z/template.yaml", Reason: "helm template"},
				},
				Stats: Stats{
					Files:      7,
					Findings:   4,
					BySeverity: map[string]int{"info": 0, "low": 1, "medium": 0, "high": 2, "critical": 1},
					Errors:     4,
					Skipped:    2,
					APICalls:   map[string]int{"iam:ListRoles": 2},
				},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before []Finding
			before = append(before, tc.fs...)
			got := NewReport(tool, tc.rules, tc.fs, tc.snap)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("NewReport() mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, tc.fs); diff != "" {
				t.Errorf("NewReport() modified its findings argument (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewReportCopiesAPICalls(t *testing.T) {
	snap := &snapshot.Snapshot{Stats: snapshot.Stats{APICalls: map[string]int{"eks:ListClusters": 1}}}
	r := NewReport(Tool{}, nil, nil, snap)
	snap.Stats.APICalls["eks:ListClusters"] = 5
	if got := r.Stats.APICalls["eks:ListClusters"]; got != 1 {
		t.Errorf("report shares the snapshot's api_calls map: got %d after the snapshot changed, want 1", got)
	}
}

func TestParseFailOn(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    FailOn
		wantErr string
	}{
		{in: "none", want: FailNone},
		{in: "low", want: FailLow},
		{in: "medium", want: FailMedium},
		{in: "HIGH", want: FailHigh},
		{in: "critical", want: FailCritical},
		{in: "info", wantErr: `unknown --fail-on value "info" (want one of none, low, medium, high, critical)`},
		{in: "", wantErr: `unknown --fail-on value ""`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFailOn(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseFailOn(%q) error = %v, want it to contain %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFailOn(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseFailOn(%q) = %v, want %v", tc.in, got, tc.want)
			}
			if strings.ToLower(tc.in) != got.String() {
				t.Errorf("ParseFailOn(%q).String() = %q, want the lower-case input", tc.in, got.String())
			}
		})
	}
}

func TestFailOnSet(t *testing.T) {
	var f FailOn
	if err := f.Set("medium"); err != nil || f != FailMedium {
		t.Fatalf("Set(medium) = %v, value %v; want nil, medium", err, f)
	}
	if err := f.Set("bogus"); err == nil {
		t.Fatal("Set(bogus) = nil error, want an error")
	}
	if f != FailMedium {
		t.Errorf("failed Set changed the value to %v, want medium", f)
	}
}

func TestFailOnFails(t *testing.T) {
	// want[threshold] lists, for info, low, medium, high, critical, whether a finding fails.
	want := map[FailOn][5]bool{
		FailNone:     {false, false, false, false, false},
		FailLow:      {false, true, true, true, true},
		FailMedium:   {false, false, true, true, true},
		FailHigh:     {false, false, false, true, true},
		FailCritical: {false, false, false, false, true},
		FailOn(-1):   {false, false, false, false, false},
		FailOn(99):   {false, false, false, false, false},
	}
	for f, row := range want {
		for s := Info; s <= Critical; s++ {
			t.Run(fmt.Sprintf("%v/%v", f, s), func(t *testing.T) {
				if got := f.Fails(s); got != row[s] {
					t.Errorf("FailOn(%v).Fails(%v) = %v, want %v", f, s, got, row[s])
				}
				r := Report{Findings: []Finding{{Severity: Info}, {Severity: s}}}
				if got := r.Fails(f); got != row[s] {
					t.Errorf("Report{info, %v}.Fails(%v) = %v, want %v", s, f, got, row[s])
				}
			})
		}
	}
	if (Report{}).Fails(FailLow) {
		t.Error("empty report fails under low, want it to pass")
	}
}

// TestNotJudgedInReport checks that a value the rules could not judge is listed in the report's
// skipped inputs, under its file, with its line, symbols and reason.
func TestNotJudgedInReport(t *testing.T) {
	snap := &snapshot.Snapshot{NotJudged: []snapshot.NotJudged{{
		Kind: "role", ID: "arn:aws:iam::«AWS.AccountId»:role/x", Element: "trust policy statement 1, condition StringEquals k:sub, values",
		Symbols: []string{"«import subject»"}, Reason: "exported by another stack (Fn::ImportValue)",
		Loc: snapshot.Location{File: "stack.yaml", StartLine: 12},
	}}}
	r := NewReport(Tool{}, nil, nil, snap)
	want := []snapshot.Skipped{{File: "stack.yaml", Line: 12, Reason: "not judged: role arn:aws:iam::«AWS.AccountId»:role/x: trust policy statement 1, condition StringEquals k:sub, values holds «import subject» (exported by another stack (Fn::ImportValue)), so the rules cannot prove what it admits or grants"}}
	if diff := cmp.Diff(want, r.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if r.Stats.Skipped != 1 {
		t.Errorf("stats.skipped = %d, want 1", r.Stats.Skipped)
	}
}
