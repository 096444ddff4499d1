package findings

import (
	"cmp"
	"encoding/json"
	"slices"
)

// DiffVersion is the version of the JSON diff format (docs/report-format.md, "Diff").
const DiffVersion = "1"

// Diff is what changed between two reports of the same scan taken at different times (last
// night's and tonight's): findings are matched by fingerprint.
type Diff struct {
	Version string `json:"version"`
	Tool    Tool   `json:"tool"`
	// Old and New name the two reports as given on the command line.
	Old DiffSide `json:"old"`
	New DiffSide `json:"new"`
	// Added are the new report's findings the old one lacks, ordered like a report's findings.
	Added []Finding `json:"new_findings"`
	// Fixed are the old report's findings the new one lacks.
	Fixed []Finding `json:"fixed"`
	// Changed are findings in both whose severity changed.
	Changed []SeverityChange `json:"changed"`
	Stats   DiffStats        `json:"stats"`
}

// DiffSide names one report of a diff.
type DiffSide struct {
	File string `json:"file"`
	// Tool is the version of irsa-audit that wrote it.
	ToolVersion string `json:"tool_version"`
	Findings    int    `json:"findings"`
}

// SeverityChange is a finding whose severity differs between the two reports.
type SeverityChange struct {
	// Finding is the finding as the new report has it.
	Finding
	// OldSeverity is its severity in the old report.
	OldSeverity Severity `json:"old_severity"`
}

// DiffStats counts a diff.
type DiffStats struct {
	New       int `json:"new"`
	Fixed     int `json:"fixed"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
}

// NewDiff compares the active findings (not the suppressed ones) of two reports by fingerprint.
// A fingerprint that appears n times in one report and m times in the other counts min(n, m)
// findings as present in both. Findings without a fingerprint never match.
func NewDiff(tool Tool, oldName string, old Report, newName string, cur Report) Diff {
	d := Diff{
		Version: DiffVersion,
		Tool:    tool,
		Old:     DiffSide{File: oldName, ToolVersion: old.Tool.Version, Findings: len(old.Findings)},
		New:     DiffSide{File: newName, ToolVersion: cur.Tool.Version, Findings: len(cur.Findings)},
	}
	remaining := map[string][]Finding{}
	for _, f := range old.Findings {
		if f.Fingerprint != "" {
			remaining[f.Fingerprint] = append(remaining[f.Fingerprint], f)
		}
	}
	for _, f := range cur.Findings {
		prev := remaining[f.Fingerprint]
		if f.Fingerprint == "" || len(prev) == 0 {
			d.Added = append(d.Added, f)
			continue
		}
		// Prefer a match of the same severity, so that duplicates do not show as changes.
		i := max(0, slices.IndexFunc(prev, func(p Finding) bool { return p.Severity == f.Severity }))
		p := prev[i]
		remaining[f.Fingerprint] = slices.Delete(prev, i, i+1)
		if p.Severity != f.Severity {
			d.Changed = append(d.Changed, SeverityChange{Finding: f, OldSeverity: p.Severity})
		} else {
			d.Stats.Unchanged++
		}
	}
	for _, f := range old.Findings {
		if f.Fingerprint == "" {
			d.Fixed = append(d.Fixed, f)
		}
	}
	for _, fs := range remaining {
		d.Fixed = append(d.Fixed, fs...)
	}
	Sort(d.Added)
	Sort(d.Fixed)
	slices.SortStableFunc(d.Changed, func(a, b SeverityChange) int {
		return cmp.Or(compareFindings(a.Finding, b.Finding), cmp.Compare(b.OldSeverity, a.OldSeverity))
	})
	d.Stats.New, d.Stats.Fixed, d.Stats.Changed = len(d.Added), len(d.Fixed), len(d.Changed)
	return d
}

// Fails reports whether the diff fails a run under threshold f: a new finding, or a changed one
// whose new severity fails and whose old one did not.
func (d Diff) Fails(f FailOn) bool {
	return slices.ContainsFunc(d.Added, func(x Finding) bool { return f.Fails(x.Severity) }) ||
		slices.ContainsFunc(d.Changed, func(c SeverityChange) bool { return f.Fails(c.Severity) && !f.Fails(c.OldSeverity) })
}

// MarshalJSON keeps empty lists as [].
func (d Diff) MarshalJSON() ([]byte, error) {
	type plain Diff
	p := plain(d)
	if p.Added == nil {
		p.Added = []Finding{}
	}
	if p.Fixed == nil {
		p.Fixed = []Finding{}
	}
	if p.Changed == nil {
		p.Changed = []SeverityChange{}
	}
	return json.Marshal(p)
}
