package eval

import (
	"fmt"
	"unicode/utf8"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
)

const (
	// MaxSimilarFindings is the most findings of one rule on one resource in one file that are
	// listed; the rest are counted in one summary finding. A document with thousands of equal
	// mistakes (a generated policy) otherwise makes a report of hundreds of megabytes that no one
	// reads, and code scanning truncates.
	MaxSimilarFindings = 25
	// MaxMessageBytes is the longest finding message kept whole. Rules quote values from inputs,
	// which can be arbitrarily long.
	MaxMessageBytes = 2000
)

// bound caps fs, which is in findings.Sort order: past MaxSimilarFindings findings of a rule on a
// resource in a file, the rest become one summary finding (the most severe of them, at the first
// one's location, with a fingerprint that does not depend on the count, so the alert stays the
// same alert as the count changes); long messages are cut. Fingerprints are those of the whole
// messages.
func bound(fs []findings.Finding) []findings.Finding {
	type key struct{ rule, kind, id, file string }
	type group struct {
		kept, omitted int
		first         findings.Finding // the first omitted finding
		severity      findings.Severity
	}
	groups := map[key]*group{}
	var order []key
	out := fs[:0]
	for _, f := range fs {
		k := key{f.RuleID, f.Resource.Kind, f.Resource.ID, f.Location.File}
		g := groups[k]
		if g == nil {
			g = &group{}
			groups[k] = g
			order = append(order, k)
		}
		if g.kept < MaxSimilarFindings {
			g.kept++
			out = append(out, cutMessage(f))
			continue
		}
		if g.omitted == 0 {
			g.first, g.severity = f, f.Severity
		}
		g.omitted++
		g.severity = max(g.severity, f.Severity)
	}
	summarised := false
	for _, k := range order {
		g := groups[k]
		if g.omitted == 0 {
			continue
		}
		summarised = true
		s := g.first
		s.Severity = g.severity
		s.Related = nil
		s.Message = fmt.Sprintf("%d more %s findings on %s %s are not listed: at most %d findings of one rule on one resource in one file are reported (fix the ones listed and scan again to see the rest)",
			g.omitted, k.rule, k.kind, k.id, MaxSimilarFindings)
		s.Fingerprint = fingerprint(k.rule, s.Resource, []any{"not listed", k.file}, "more findings not listed")
		out = append(out, cutMessage(s))
	}
	if summarised {
		findings.Sort(out)
	}
	return out
}

// cutMessage cuts a message longer than MaxMessageBytes at a character boundary and says how
// much was left out.
func cutMessage(f findings.Finding) findings.Finding {
	if len(f.Message) <= MaxMessageBytes {
		return f
	}
	cut := MaxMessageBytes
	for cut > 0 && !utf8.RuneStart(f.Message[cut]) {
		cut--
	}
	f.Message = fmt.Sprintf("%s... (%d more bytes not shown)", f.Message[:cut], len(f.Message)-cut)
	return f
}
