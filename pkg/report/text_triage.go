package report

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
)

// writeWrapped writes text wrapped at width, every line starting with indent. Words are never
// broken: one longer than the line stands alone on it.
func writeWrapped(w *bufio.Writer, indent, text string, width int) {
	writeHanging(w, indent, indent, text, width)
}

// writeHanging writes text wrapped at width, the first line after first, the others after
// cont.
func writeHanging(w *bufio.Writer, first, cont, text string, width int) {
	for i, line := range wrap(text, width-len(cont)) {
		if i == 0 {
			w.WriteString(first)
		} else {
			w.WriteString(cont)
		}
		w.WriteString(line)
		w.WriteString("\n")
	}
}

// wrap splits text into lines of at most width runes at spaces.
func wrap(text string, width int) []string {
	width = max(width, 20)
	var out []string
	var cur strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		l := len([]rune(word))
		if n > 0 && n+1+l > width {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(word)
		n += l
	}
	if n > 0 || len(out) == 0 {
		out = append(out, cur.String())
	}
	return out
}

// writeTriage writes the suppressed findings, the expired suppressions and the baseline
// comparison, each after a blank line when something came before; it reports whether it wrote
// anything or something came before.
func writeTriage(w *bufio.Writer, r *findings.Report, opts Options, before bool) bool {
	section := func(title string) {
		if before {
			w.WriteString("\n")
		}
		before = true
		w.WriteString(title)
		w.WriteString("\n")
	}
	if len(r.Suppressed) > 0 {
		section("suppressed (not failing the run):")
		for _, f := range r.Suppressed {
			where := displayFile(f.Location.File)
			if f.Location.StartLine > 0 && f.Location.File != "" {
				where += ":" + lines(f.Location)
			}
			if where == "" {
				where = noFile
			}
			fmt.Fprintf(w, "  %s  %s  [%s]\n", where, clean(f.RuleID), resource(f.Resource))
			writeWrapped(w, "    ", "reason: "+suppressionText(f.Suppression), opts.width())
		}
	}
	if len(r.ExpiredSuppressions) > 0 {
		section("expired suppressions (they no longer suppress anything: renew or remove them):")
		for _, s := range r.ExpiredSuppressions {
			fmt.Fprintf(w, "  %s  until %s  %s\n", suppressionSource(s), s.Until, suppressionTarget(s))
			writeWrapped(w, "    ", "reason: "+clean(s.Reason), opts.width())
		}
	}
	if b := r.Baseline; b != nil {
		section(fmt.Sprintf("baseline %s: %d new, %d unchanged, %d fixed (of %d in the baseline)",
			clean(b.File), b.New, b.Unchanged, b.Fixed, b.Findings))
	}
	return before
}

// suppressionText is a suppression's reason, expiry and origin, for one line.
func suppressionText(s findings.Suppression) string {
	t := clean(s.Reason)
	if s.Until != "" {
		t += " (until " + s.Until + ")"
	}
	return t + " [" + s.Kind + " " + suppressionSource(s) + "]"
}

func suppressionSource(s findings.Suppression) string {
	src := displayFile(s.Source.File)
	if s.Source.StartLine > 0 {
		src += fmt.Sprintf(":%d", s.Source.StartLine)
	}
	return src
}

// suppressionTarget says what a suppression matches: its rules, fingerprint, resource, path.
func suppressionTarget(s findings.Suppression) string {
	var parts []string
	if len(s.Rules) > 0 {
		parts = append(parts, strings.Join(s.Rules, ","))
	}
	if s.Fingerprint != "" {
		parts = append(parts, "fingerprint "+clean(s.Fingerprint))
	}
	if s.Resource != "" {
		parts = append(parts, "resource "+clean(s.Resource))
	}
	if s.Path != "" {
		parts = append(parts, "path "+clean(s.Path))
	}
	return strings.Join(parts, " ")
}
