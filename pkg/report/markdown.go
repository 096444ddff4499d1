package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// writeMarkdown renders r as a pull-request comment (GitHub-flavoured Markdown): a headline, a
// table of findings by severity, the top findings (new ones first when there is a baseline)
// with links to their lines, then the rest folded away, and the input errors.
func writeMarkdown(w io.Writer, r *findings.Report, opts Options) error {
	bw := bufio.NewWriter(w)
	links, err := newLinker(opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(bw, "### irsa-audit: %s\n\n", headline(r))

	bw.WriteString("| Severity | Findings |")
	if r.Baseline != nil {
		bw.WriteString(" New |")
	}
	bw.WriteString("\n|---|---:|")
	if r.Baseline != nil {
		bw.WriteString("---:|")
	}
	bw.WriteString("\n")
	for s := findings.Critical; s >= findings.Info; s-- {
		n, added := 0, 0
		for _, f := range r.Findings {
			if f.Severity == s {
				n++
				if f.BaselineState == findings.BaselineNew {
					added++
				}
			}
		}
		fmt.Fprintf(bw, "| %s | %d |", strings.ToUpper(s.String()[:1])+s.String()[1:], n)
		if r.Baseline != nil {
			fmt.Fprintf(bw, " %d |", added)
		}
		bw.WriteString("\n")
	}
	bw.WriteString("\n")

	top := slices.Clone(r.Findings)
	slices.SortStableFunc(top, func(a, b findings.Finding) int {
		return cmp.Compare(baselineRank(a), baselineRank(b))
	})
	n := min(len(top), cmp.Or(opts.Top, DefaultTop))
	if n > 0 {
		title := "Top findings"
		if n == len(top) {
			title = "Findings"
		}
		fmt.Fprintf(bw, "#### %s\n\n", title)
		findingTable(bw, top[:n], r, links)
	}
	if rest := top[n:]; len(rest) > 0 {
		fmt.Fprintf(bw, "<details><summary>%d more %s</summary>\n\n", len(rest), map[bool]string{true: "finding", false: "findings"}[len(rest) == 1])
		findingTable(bw, rest, r, links)
		bw.WriteString("</details>\n\n")
	}
	if len(r.Suppressed) > 0 {
		fmt.Fprintf(bw, "<details><summary>%d suppressed</summary>\n\n", len(r.Suppressed))
		bw.WriteString("| Rule | Where | Reason | Until |\n|---|---|---|---|\n")
		for _, f := range r.Suppressed {
			fmt.Fprintf(bw, "| %s | %s | %s | %s |\n", mdEscape(f.RuleID), links.where(f.Location),
				mdEscape(f.Suppression.Reason), mdEscape(cmp.Or(f.Suppression.Until, "-")))
		}
		bw.WriteString("\n</details>\n\n")
	}
	if len(r.ExpiredSuppressions) > 0 {
		bw.WriteString("**Expired suppressions** (they no longer suppress anything):\n\n")
		for _, s := range r.ExpiredSuppressions {
			fmt.Fprintf(bw, "- %s: until %s, %s: %s\n", links.where(s.Source), s.Until,
				mdEscape(suppressionTarget(s)), mdEscape(s.Reason))
		}
		bw.WriteString("\n")
	}
	if len(r.Errors) > 0 {
		bw.WriteString("**Inputs that could not be read** (the run fails):\n\n")
		for _, e := range r.Errors {
			fmt.Fprintf(bw, "- %s\n", mdEscape(FormatInputError(e)))
		}
		bw.WriteString("\n")
	}
	fmt.Fprintf(bw, "<sub>%s %s · %s</sub>\n", mdEscape(cmp.Or(r.Tool.Name, defaultToolName)),
		mdEscape(r.Tool.Version), mdEscape(summary(r)))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write markdown report: %w", err)
	}
	return nil
}

// headline says what matters first: how many findings, how many of them new.
func headline(r *findings.Report) string {
	h := plural(len(r.Findings), "finding", "findings")
	if r.Baseline != nil {
		h += fmt.Sprintf(", %d new since the baseline", r.Baseline.New)
	}
	if len(r.Errors) > 0 {
		h += ", " + plural(len(r.Errors), "input error", "input errors")
	}
	return h
}

func baselineRank(f findings.Finding) int {
	if f.BaselineState == findings.BaselineUnchanged {
		return 1
	}
	return 0
}

func findingTable(w *bufio.Writer, fs []findings.Finding, r *findings.Report, links *linker) {
	docs := map[string]string{}
	for _, rule := range r.Rules {
		if isAbsURI(rule.DocURL) {
			docs[rule.ID] = rule.DocURL
		}
	}
	w.WriteString("| Severity | Rule | Where | Finding |\n|---|---|---|---|\n")
	for _, f := range fs {
		rule := mdEscape(f.RuleID)
		if u, ok := docs[f.RuleID]; ok {
			rule = "[" + rule + "](" + u + ")"
		}
		if f.BaselineState == findings.BaselineNew {
			rule += " (new)"
		}
		msg := mdEscape(f.Message)
		if f.Resource.ID != "" {
			msg += "<br>" + mdEscape(resource(f.Resource))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", strings.ToUpper(f.Severity.String()), rule, links.where(f.Location), msg)
	}
	w.WriteString("\n")
}

// linker turns locations into Markdown links relative to the scan root (or under LinkBase).
type linker struct {
	uris *uriMapper
	base string
}

func newLinker(opts Options) (*linker, error) {
	m, err := newURIMapper(opts)
	if err != nil {
		return nil, err
	}
	return &linker{uris: m, base: opts.LinkBase}, nil
}

// where renders a location as "[path#L12-L18](link)", or as text when the file is outside the
// scan root, standard input, or absent (an API call).
func (l *linker) where(loc snapshot.Location) string {
	if loc.File == "" {
		if loc.API != "" {
			return mdEscape(loc.API)
		}
		return "-"
	}
	text := displayFile(loc.File)
	anchor := ""
	if loc.StartLine > 0 {
		anchor = fmt.Sprintf("#L%d", loc.StartLine)
		text += fmt.Sprintf(":%d", loc.StartLine)
		if loc.EndLine > loc.StartLine {
			anchor += fmt.Sprintf("-L%d", loc.EndLine)
			text += fmt.Sprintf("-%d", loc.EndLine)
		}
	}
	rel, ok := l.relative(loc.File)
	if !ok {
		return "`" + strings.ReplaceAll(text, "`", "'") + "`"
	}
	href := (&url.URL{Path: rel}).EscapedPath() + anchor
	if l.base != "" {
		href = strings.TrimSuffix(l.base, "/") + "/" + href
	}
	return "[" + mdEscape(text) + "](" + strings.ReplaceAll(strings.ReplaceAll(href, "(", "%28"), ")", "%29") + ")"
}

func (l *linker) relative(file string) (string, bool) {
	if file == "-" {
		return "", false
	}
	abs := filepath.FromSlash(file)
	if !filepath.IsAbs(abs) {
		wd, err := l.uris.workDir()
		if err != nil {
			return "", false
		}
		abs = filepath.Join(wd, abs)
	}
	rel, err := filepath.Rel(l.uris.root, filepath.Clean(abs))
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// mdEscape makes text safe in a Markdown table cell: no line breaks, no pipes, and the
// characters that start emphasis, code, links or HTML are escaped; control characters are
// escaped as in the text report.
func mdEscape(s string) string {
	s = clean(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '#', '~', '!', '&':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
