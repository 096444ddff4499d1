package findings

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Baseline states of a finding (Finding.BaselineState), as SARIF's result.baselineState names
// them.
const (
	// BaselineNew: the baseline has no finding with this fingerprint.
	BaselineNew = "new"
	// BaselineUnchanged: the baseline has a finding with this fingerprint.
	BaselineUnchanged = "unchanged"
)

// Suppression kinds: where a suppression was declared.
const (
	// SuppressInline is a "# irsa-audit:ignore" comment in the file of the finding.
	SuppressInline = "inline"
	// SuppressSidecar is an entry of <file>.irsa-audit.yaml beside the file of the finding.
	SuppressSidecar = "sidecar"
	// SuppressConfig is an entry of the configuration file's suppressions.
	SuppressConfig = "config"
)

// Suppression is one declared decision not to report some findings, with its reason. A finding
// matches it when every matcher that is set matches (rule ids, fingerprint, resource, path);
// an inline one matches the findings of its file that start within its lines.
type Suppression struct {
	// Kind is SuppressInline, SuppressSidecar or SuppressConfig.
	Kind string `json:"kind"`
	// Rules are the rule ids it applies to; empty means every rule.
	Rules []string `json:"rules,omitempty"`
	// Fingerprint matches one finding exactly.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Resource matches the finding's resource id; "*" matches any run of characters.
	Resource string `json:"resource,omitempty"`
	// Path matches the finding's file; "*" matches within a path segment, "**" across them.
	Path string `json:"path,omitempty"`
	// Reason is why the finding is accepted; every suppression has one.
	Reason string `json:"reason"`
	// Until is the last day (YYYY-MM-DD, UTC) the suppression applies; "" for no expiry.
	Until string `json:"until,omitempty"`
	// Source is where the suppression is declared: the file and line of the comment or entry.
	Source snapshot.Location `json:"source"`
	// Lines are the first and last lines of the file an inline suppression covers.
	Lines []int `json:"lines,omitempty"`
}

// SuppressedFinding is a finding that a suppression silenced: the finding's fields, plus the
// suppression.
type SuppressedFinding struct {
	Finding
	Suppression Suppression `json:"suppression"`
}

// BaselineSummary says what a run was compared with and how it differs.
type BaselineSummary struct {
	// File is the baseline report as given to --baseline.
	File string `json:"file"`
	// Findings is the number of findings in the baseline.
	Findings int `json:"findings"`
	// New counts this run's findings whose fingerprint the baseline lacks.
	New int `json:"new"`
	// Unchanged counts this run's findings whose fingerprint the baseline has.
	Unchanged int `json:"unchanged"`
	// Fixed counts the baseline's findings this run no longer has.
	Fixed int `json:"fixed"`
}

// SortSuppressions orders suppressions by source file, line, kind and reason.
func SortSuppressions(s []Suppression) {
	slices.SortStableFunc(s, func(a, b Suppression) int {
		return cmp.Or(
			cmp.Compare(a.Source.File, b.Source.File),
			cmp.Compare(a.Source.StartLine, b.Source.StartLine),
			cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.Reason, b.Reason),
		)
	})
}

// ReadReport decodes a JSON report of version 1 or 2 (a baseline, or the reports diff
// compares). A version 1 report has no suppressed findings: every finding is in Findings.
func ReadReport(r io.Reader) (Report, error) {
	var rep Report
	dec := json.NewDecoder(r)
	if err := dec.Decode(&rep); err != nil {
		return Report{}, fmt.Errorf("decode json report: %w", err)
	}
	switch rep.Version {
	case "1", ReportVersion:
	case "":
		return Report{}, fmt.Errorf("not an irsa-audit json report (no version)")
	default:
		return Report{}, fmt.Errorf("json report version %q is not supported: this irsa-audit reads versions 1 and %s", rep.Version, ReportVersion)
	}
	return rep, nil
}
