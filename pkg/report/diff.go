package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
)

// WriteDiff renders the diff of two reports as text, JSON (findings.Diff as documented in
// docs/report-format.md) or Markdown. Other formats are an error.
func WriteDiff(w io.Writer, f Format, d *findings.Diff, opts Options) error {
	if d == nil {
		return fmt.Errorf("write diff: no diff")
	}
	switch f {
	case Text:
		return writeDiffText(w, d, opts)
	case JSON:
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return fmt.Errorf("encode json diff: %w", err)
		}
		if _, err := w.Write(append(b, '\n')); err != nil {
			return fmt.Errorf("write json diff: %w", err)
		}
		return nil
	case Markdown:
		return writeDiffMarkdown(w, d, opts)
	}
	return fmt.Errorf("write diff: format %v is not supported (want text, json or markdown)", f)
}

// DiffFormats are the formats WriteDiff renders.
var DiffFormats = []Format{Text, JSON, Markdown}

func diffSummary(d *findings.Diff) string {
	return fmt.Sprintf("%d new, %d fixed, %d changed severity, %d unchanged", d.Stats.New, d.Stats.Fixed, d.Stats.Changed, d.Stats.Unchanged)
}

func writeDiffText(w io.Writer, d *findings.Diff, opts Options) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s -> %s: %s\n", displayFile(d.Old.File), displayFile(d.New.File), diffSummary(d))
	list := func(title string, fs []findings.Finding, old []findings.Severity) {
		if len(fs) == 0 {
			return
		}
		fmt.Fprintf(bw, "\n%s:\n", title)
		for i, f := range fs {
			sev := strings.ToUpper(f.Severity.String())
			if old != nil {
				sev = strings.ToUpper(old[i].String()) + " -> " + sev
			}
			where := displayFile(f.Location.File)
			if f.Location.File != "" && f.Location.StartLine > 0 {
				where += ":" + lines(f.Location)
			}
			if where == "" {
				where = noFile
			}
			fmt.Fprintf(bw, "  %s  %s  %s  [%s]\n", where, sev, clean(f.RuleID), resource(f.Resource))
			writeWrapped(bw, "    ", clean(f.Message), opts.width())
		}
	}
	list("new", d.Added, nil)
	list("fixed", d.Fixed, nil)
	changed := make([]findings.Finding, len(d.Changed))
	olds := make([]findings.Severity, len(d.Changed))
	for i, c := range d.Changed {
		changed[i], olds[i] = c.Finding, c.OldSeverity
	}
	list("changed severity", changed, olds)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write text diff: %w", err)
	}
	return nil
}

func writeDiffMarkdown(w io.Writer, d *findings.Diff, opts Options) error {
	bw := bufio.NewWriter(w)
	links, err := newLinker(opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(bw, "### irsa-audit: %s\n\n", diffSummary(d))
	fmt.Fprintf(bw, "`%s` (%d findings) → `%s` (%d findings)\n\n", strings.ReplaceAll(d.Old.File, "`", "'"), d.Old.Findings,
		strings.ReplaceAll(d.New.File, "`", "'"), d.New.Findings)
	table := func(title string, rows []findings.SeverityChange, withOld bool) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(bw, "#### %s\n\n", title)
		if withOld {
			bw.WriteString("| Severity | Was | Rule | Where | Finding |\n|---|---|---|---|---|\n")
		} else {
			bw.WriteString("| Severity | Rule | Where | Finding |\n|---|---|---|---|\n")
		}
		for _, c := range rows {
			fmt.Fprintf(bw, "| %s |", strings.ToUpper(c.Severity.String()))
			if withOld {
				fmt.Fprintf(bw, " %s |", strings.ToUpper(c.OldSeverity.String()))
			}
			msg := mdEscape(c.Message)
			if c.Resource.ID != "" {
				msg += "<br>" + mdEscape(resource(c.Resource))
			}
			fmt.Fprintf(bw, " %s | %s | %s |\n", mdEscape(c.RuleID), links.where(c.Location), msg)
		}
		bw.WriteString("\n")
	}
	wrapRows := func(fs []findings.Finding) []findings.SeverityChange {
		out := make([]findings.SeverityChange, len(fs))
		for i, f := range fs {
			out[i] = findings.SeverityChange{Finding: f}
		}
		return out
	}
	table("New", wrapRows(d.Added), false)
	table("Fixed", wrapRows(d.Fixed), false)
	table("Changed severity", d.Changed, true)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write markdown diff: %w", err)
	}
	return nil
}
