package findings

import (
	"cmp"
	"slices"
)

// Sort orders findings deterministically: most severe first, then rule id, resource id, file,
// line and message, so golden files and SARIF diffs are stable.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, compareFindings)
}

func compareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(b.Severity, a.Severity),
		cmp.Compare(a.RuleID, b.RuleID),
		cmp.Compare(a.Resource.ID, b.Resource.ID),
		cmp.Compare(a.Location.File, b.Location.File),
		cmp.Compare(a.Location.StartLine, b.Location.StartLine),
		cmp.Compare(a.Message, b.Message),
	)
}

// SortSuppressed orders suppressed findings as Sort orders findings.
func SortSuppressed(fs []SuppressedFinding) {
	slices.SortStableFunc(fs, func(a, b SuppressedFinding) int { return compareFindings(a.Finding, b.Finding) })
}
