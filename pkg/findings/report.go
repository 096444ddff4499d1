package findings

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// NewReport assembles the canonical record of a run: the rules that ran (ordered by id), the
// findings (ordered by Sort), the input errors and skipped inputs of snap (ordered by file, then
// line), what was not checked (snap's incomplete inventories and notChecked, what the evaluator
// left unjudged), and the counts. It copies what it orders, so the caller's slices are left as
// they were. A nil snap is an empty one.
func NewReport(tool Tool, rules []Rule, fs []Finding, snap *snapshot.Snapshot, notChecked ...Coverage) Report {
	if snap == nil {
		snap = &snapshot.Snapshot{}
	}
	r := Report{
		Version:  ReportVersion,
		Tool:     tool,
		Rules:    slices.Clone(rules),
		Findings: slices.Clone(fs),
		Errors:   slices.Clone(snap.Errors),
		Skipped:  slices.Clone(snap.Skipped),
	}
	for _, nj := range snap.NotJudged {
		r.Skipped = append(r.Skipped, NotJudgedSkip(nj))
	}
	for _, a := range snap.Accounts {
		for _, n := range a.Inventory.Notes {
			r.NotChecked = append(r.NotChecked, Coverage{Resource: Resource{Kind: "account", ID: a.ID}, Note: n})
		}
	}
	for _, c := range snap.Clusters {
		for _, n := range c.Inventory.Notes {
			r.NotChecked = append(r.NotChecked, Coverage{Resource: Resource{Kind: "cluster", ID: c.ID}, Note: n})
		}
	}
	r.NotChecked = append(r.NotChecked, notChecked...)
	slices.SortStableFunc(r.NotChecked, func(a, b Coverage) int {
		return cmp.Or(cmp.Compare(a.Resource.Kind, b.Resource.Kind), cmp.Compare(a.Resource.ID, b.Resource.ID), cmp.Compare(a.Note, b.Note))
	})
	r.NotChecked = slices.Compact(r.NotChecked)
	slices.SortStableFunc(r.Rules, func(a, b Rule) int { return cmp.Compare(a.ID, b.ID) })
	Sort(r.Findings)
	SortErrors(r.Errors)
	SortSkipped(r.Skipped)

	bySeverity := make(map[string]int, len(severityNames))
	for _, n := range severityNames {
		bySeverity[n] = 0
	}
	for _, f := range r.Findings {
		bySeverity[f.Severity.String()]++
	}
	r.Stats = Stats{
		Files:      snap.Stats.Files,
		Findings:   len(r.Findings),
		BySeverity: bySeverity,
		Errors:     len(r.Errors),
		Skipped:    len(r.Skipped),
		NotChecked: len(r.NotChecked),
		APICalls:   maps.Clone(snap.Stats.APICalls),
	}
	return r
}

// Recount updates the counts of r.Stats that depend on its findings (findings, by_severity,
// suppressed), after findings were suppressed or their severity overridden.
func (r *Report) Recount() {
	by := make(map[string]int, len(severityNames))
	for _, n := range severityNames {
		by[n] = 0
	}
	for _, f := range r.Findings {
		by[f.Severity.String()]++
	}
	r.Stats.Findings = len(r.Findings)
	r.Stats.BySeverity = by
	r.Stats.Suppressed = len(r.Suppressed)
}

// SortErrors orders input errors by file, line, column, API and message. Errors without a file
// (API errors) come after those with one, so a reader sees the file problems first.
func SortErrors(errs []snapshot.InputError) {
	slices.SortStableFunc(errs, func(a, b snapshot.InputError) int {
		return cmp.Or(
			compareNoFileLast(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.API, b.API),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// NotJudgedSkip is how the report lists a value the rules could not judge (snapshot.NotJudged):
// as a skipped item of its file, at its line, the reason saying what and why, so that every
// format shows it and a reader knows the rules proved nothing about it. It is not Needed: values
// known only after apply (the ARN of a role created in the same plan) are the ordinary state of
// infrastructure code, so they are reported and do not by themselves fail the scan.
func NotJudgedSkip(nj snapshot.NotJudged) snapshot.Skipped {
	file := cmp.Or(nj.Loc.File, nj.Loc.API)
	var b strings.Builder
	fmt.Fprintf(&b, "not judged: %s %s: %s", nj.Kind, nj.ID, nj.Element)
	if len(nj.Symbols) > 0 {
		fmt.Fprintf(&b, " holds %s", strings.Join(nj.Symbols, ", "))
	}
	fmt.Fprintf(&b, " (%s), so the rules cannot prove what it admits or grants", nj.Reason)
	return snapshot.Skipped{File: file, Line: nj.Loc.StartLine, Column: nj.Loc.StartColumn, Reason: b.String()}
}

// SortSkipped orders skipped inputs by file, then line, column and reason.
func SortSkipped(s []snapshot.Skipped) {
	slices.SortStableFunc(s, func(a, b snapshot.Skipped) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column), cmp.Compare(a.Reason, b.Reason))
	})
}

func compareNoFileLast(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	return cmp.Compare(a, b)
}

// FailOn is the --fail-on threshold: the least severe finding that makes a run fail. Its zero
// value is FailNone. Info findings never fail a run, whatever the threshold.
type FailOn int

// The thresholds, most lenient first.
const (
	// FailNone never fails on findings.
	FailNone FailOn = iota
	FailLow
	FailMedium
	FailHigh
	FailCritical
)

var failOnNames = [...]string{"none", "low", "medium", "high", "critical"}

// failOnSeverity maps each threshold but FailNone to the least severe severity that fails.
var failOnSeverity = [...]Severity{FailLow: Low, FailMedium: Medium, FailHigh: High, FailCritical: Critical}

// ParseFailOn reads a threshold name, case-insensitively: none, low, medium, high or critical.
func ParseFailOn(name string) (FailOn, error) {
	for i, n := range failOnNames {
		if strings.EqualFold(name, n) {
			return FailOn(i), nil
		}
	}
	return FailNone, fmt.Errorf("unknown --fail-on value %q (want one of %s)", name, strings.Join(failOnNames[:], ", "))
}

// String returns the lower-case name.
func (f FailOn) String() string {
	if f < FailNone || f > FailCritical {
		return fmt.Sprintf("failon(%d)", int(f))
	}
	return failOnNames[f]
}

// Set parses name into f, so that *FailOn is a flag value (flag.Value and pflag.Value).
func (f *FailOn) Set(name string) error {
	v, err := ParseFailOn(name)
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// Type names the flag value type for pflag's help output.
func (f *FailOn) Type() string { return "severity" }

// Fails reports whether a finding of severity s fails a run under threshold f.
func (f FailOn) Fails(s Severity) bool {
	if f <= FailNone || f > FailCritical || s == Info {
		return false
	}
	return s >= failOnSeverity[f]
}

// Fails reports whether any finding of r fails the run under threshold f. A finding a baseline
// already holds (BaselineUnchanged) never fails it; suppressed findings are not in r.Findings.
// Input errors are not considered: the caller decides what they mean for the exit code.
func (r Report) Fails(f FailOn) bool {
	return slices.ContainsFunc(r.Findings, func(x Finding) bool {
		return x.BaselineState != BaselineUnchanged && f.Fails(x.Severity)
	})
}
