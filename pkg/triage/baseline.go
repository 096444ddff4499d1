package triage

import (
	"github.com/irsa-audit/irsa-audit/pkg/findings"
)

// MarkBaseline sets the BaselineState of each finding of fs (in place): BaselineUnchanged when
// baseline has a finding with its fingerprint (each baseline finding vouches for one finding:
// a fingerprint found twice where the baseline had it once is new the second time),
// BaselineNew otherwise. Only the baseline's active findings count: a finding it had suppressed
// was never accepted as such. name is the baseline's file, for the summary.
func MarkBaseline(fs []findings.Finding, name string, baseline findings.Report) findings.BaselineSummary {
	sum := findings.BaselineSummary{File: name, Findings: len(baseline.Findings)}
	left := map[string]int{}
	for _, f := range baseline.Findings {
		if f.Fingerprint != "" {
			left[f.Fingerprint]++
		}
	}
	for i := range fs {
		fp := fs[i].Fingerprint
		if fp != "" && left[fp] > 0 {
			left[fp]--
			fs[i].BaselineState = findings.BaselineUnchanged
			sum.Unchanged++
			continue
		}
		fs[i].BaselineState = findings.BaselineNew
		sum.New++
	}
	sum.Fixed = sum.Findings - sum.Unchanged
	return sum
}
