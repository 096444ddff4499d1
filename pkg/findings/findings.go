// Package findings is the canonical report model: rules, findings, input errors and the report
// that holds them. The evaluator produces it and the renderers read it; it imports neither OPA
// nor any SDK, so report formats can be written and tested without them.
package findings

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// ReportVersion is the version of the JSON report format (docs/report-format.md). Version 2
// moved suppressed findings out of findings into suppressed; ReadReport reads both.
const ReportVersion = "2"

// Severity orders findings; its JSON form is the lower-case name.
type Severity int

// The severities, lowest first.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

// String returns the lower-case name.
func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name, case-insensitively.
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(name, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want one of %s)", name, strings.Join(severityNames[:], ", "))
}

// MarshalText writes the lower-case name.
func (s Severity) MarshalText() ([]byte, error) {
	if s < Info || s > Critical {
		return nil, fmt.Errorf("invalid severity %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Rule describes one rule, decoded from its Rego METADATA block.
type Rule struct {
	// ID is stable and never reused, e.g. "IRSA-002".
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	// Description says what the rule checks and why it matters.
	Description string `json:"description"`
	// RecommendedAction says how to fix a finding.
	RecommendedAction string `json:"recommended_action"`
	// DocURL is the documentation link (related_resources marked documentation).
	DocURL string `json:"doc_url,omitempty"`
	// BadExample and GoodExample are short policy or manifest snippets.
	BadExample  string `json:"bad_example,omitempty"`
	GoodExample string `json:"good_example,omitempty"`
	// Package is the Rego package that implements the rule.
	Package string `json:"package"`
	// Builtin is false for rules loaded with --policy.
	Builtin bool `json:"builtin"`
}

// Resource names what a finding is about.
type Resource struct {
	// Kind is e.g. "policy", "role", "oidc_provider", "cluster", "service_account", "workload".
	Kind string `json:"kind"`
	// ID is the file-relative policy id, role ARN, or cluster/namespace/name.
	ID string `json:"id"`
}

// Finding is one rule violation.
type Finding struct {
	RuleID   string   `json:"rule_id"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Message  string   `json:"message"`
	Resource Resource `json:"resource"`
	// Related are other resources involved (the provider, the role, the ServiceAccount).
	Related  []Resource        `json:"related,omitempty"`
	Location snapshot.Location `json:"location"`
	// Fingerprint identifies the finding across runs: it depends on the rule, the resource and
	// the place in the document, not on line numbers.
	Fingerprint string `json:"fingerprint"`
	// BaselineState is set when the run was compared with a baseline (--baseline): BaselineNew
	// or BaselineUnchanged.
	BaselineState string `json:"baseline_state,omitempty"`
}

// Tool identifies the scanner.
type Tool struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	InformationURI string `json:"information_uri,omitempty"`
}

// Stats summarises a run.
type Stats struct {
	Files      int            `json:"files"`
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"by_severity"`
	Errors     int            `json:"errors"`
	Skipped    int            `json:"skipped"`
	// NotChecked counts the entries of Report.NotChecked.
	NotChecked int `json:"not_checked"`
	// APICalls counts live API calls by operation.
	APICalls map[string]int `json:"api_calls,omitempty"`
	// Suppressed counts len(Report.Suppressed).
	Suppressed int `json:"suppressed"`
}

// Report is the canonical record of a run; every output format is rendered from it.
type Report struct {
	Version string `json:"version"`
	Tool    Tool   `json:"tool"`
	// Rules are the rules that ran, ordered by id.
	Rules    []Rule                `json:"rules"`
	Findings []Finding             `json:"findings"`
	Errors   []snapshot.InputError `json:"errors"`
	Skipped  []snapshot.Skipped    `json:"skipped"`
	// NotChecked says what was not checked, and why: incomplete inventories, where the rules
	// that judge by absence (orphans, dangling references, unregistered providers) stayed
	// silent, and roles the permission rules did not judge because no workload identity can
	// assume them (--all-roles judges them).
	NotChecked []Coverage `json:"not_checked"`
	// Suppressed are the findings a suppression with a reason silenced (inline comment,
	// sidecar or configuration), ordered like Findings. They never fail a run.
	Suppressed []SuppressedFinding `json:"suppressed"`
	// ExpiredSuppressions are suppressions past their until date: they no longer suppress
	// anything, and are listed so that someone renews or removes them.
	ExpiredSuppressions []Suppression `json:"expired_suppressions"`
	// Baseline summarises the comparison with --baseline; nil without one.
	Baseline *BaselineSummary `json:"baseline,omitempty"`
	Stats    Stats            `json:"stats"`
}

// Coverage is one thing not checked: the account or cluster and the reason (an incomplete
// inventory, roles not judged).
type Coverage struct {
	Resource Resource `json:"resource"`
	Note     string   `json:"note"`
}

// MarshalJSON keeps empty lists as [] rather than null, so consumers need no null checks.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	p := plain(r)
	if p.Rules == nil {
		p.Rules = []Rule{}
	}
	if p.Findings == nil {
		p.Findings = []Finding{}
	}
	if p.Errors == nil {
		p.Errors = []snapshot.InputError{}
	}
	if p.Skipped == nil {
		p.Skipped = []snapshot.Skipped{}
	}
	if p.NotChecked == nil {
		p.NotChecked = []Coverage{}
	}
	if p.Suppressed == nil {
		p.Suppressed = []SuppressedFinding{}
	}
	if p.ExpiredSuppressions == nil {
		p.ExpiredSuppressions = []Suppression{}
	}
	return json.Marshal(p)
}
