package findings

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewDiff(t *testing.T) {
	f := func(fp string, sev Severity, rule string) Finding {
		return Finding{RuleID: rule, Severity: sev, Fingerprint: fp, Resource: Resource{ID: fp}}
	}
	old := Report{Tool: Tool{Version: "v1"}, Findings: []Finding{
		f("same", High, "IRSA-002"), f("fixed", Medium, "IRSA-003"), f("raised", Medium, "IRSA-002"),
		f("dup", Low, "IRSA-006"), f("", Low, "ACME-1"),
	}}
	cur := Report{Tool: Tool{Version: "v2"}, Findings: []Finding{
		f("same", High, "IRSA-002"), f("raised", Critical, "IRSA-002"), f("dup", Low, "IRSA-006"),
		f("dup", Low, "IRSA-006"), f("added", Medium, "IRSA-011"), f("", Low, "ACME-1"),
	}}
	got := NewDiff(Tool{Name: "irsa-audit"}, "old.json", old, "new.json", cur)
	want := Diff{
		Version: DiffVersion,
		Tool:    Tool{Name: "irsa-audit"},
		Old:     DiffSide{File: "old.json", ToolVersion: "v1", Findings: 5},
		New:     DiffSide{File: "new.json", ToolVersion: "v2", Findings: 6},
		// Without a fingerprint a finding never matches: it is new in one and fixed in the other.
		Added:   []Finding{f("added", Medium, "IRSA-011"), f("", Low, "ACME-1"), f("dup", Low, "IRSA-006")},
		Fixed:   []Finding{f("fixed", Medium, "IRSA-003"), f("", Low, "ACME-1")},
		Changed: []SeverityChange{{Finding: f("raised", Critical, "IRSA-002"), OldSeverity: Medium}},
		Stats:   DiffStats{New: 3, Fixed: 2, Changed: 1, Unchanged: 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NewDiff (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		on   FailOn
		want bool
	}{{FailLow, true}, {FailMedium, true}, {FailHigh, true}, {FailCritical, true}, {FailNone, false}} {
		if got := got.Fails(tc.on); got != tc.want {
			t.Errorf("Fails(%v) = %v, want %v", tc.on, got, tc.want)
		}
	}
	empty, err := json.Marshal(NewDiff(Tool{}, "a", Report{}, "b", Report{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"new_findings":[]`, `"fixed":[]`, `"changed":[]`} {
		if !strings.Contains(string(empty), k) {
			t.Errorf("empty diff %s lacks %s", empty, k)
		}
	}
}

func TestReadReport(t *testing.T) {
	for _, tc := range []struct {
		name, in, wantErr string
		findings          int
	}{
		{"version 1", `{"version":"1","findings":[{"rule_id":"IRSA-002","severity":"high","fingerprint":"x"}]}`, "", 1},
		{"version 2", `{"version":"2","findings":[],"suppressed":[{"rule_id":"IRSA-002","severity":"high","suppression":{"kind":"config","reason":"r"}}]}`, "", 0},
		{"future", `{"version":"3"}`, `version "3" is not supported`, 0},
		{"not a report", `{"runs":[]}`, "not an irsa-audit json report", 0},
		{"bad severity", `{"version":"2","findings":[{"severity":"severe"}]}`, `unknown severity "severe"`, 0},
		{"not json", `<xml/>`, "decode json report", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ReadReport(strings.NewReader(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(r.Findings) != tc.findings {
				t.Errorf("ReadReport = %d findings, %v; want %d", len(r.Findings), err, tc.findings)
			}
		})
	}
}
