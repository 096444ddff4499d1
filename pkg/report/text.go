package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// noFile heads the group of findings that have no file (live API findings).
const noFile = "(no file)"

// stdinName shows standard input read without --stdin-name (file "-"), as Python and others do.
const stdinName = "<stdin>"

// ANSI SGR sequences for the severity names; only the name is coloured so that the rest of a
// line stays readable on any background.
const (
	sgrReset = "\x1b[0m"
)

var severityColors = [...]string{
	findings.Info:     "\x1b[2m",    // dim
	findings.Low:      "\x1b[36m",   // cyan
	findings.Medium:   "\x1b[33m",   // yellow
	findings.High:     "\x1b[31m",   // red
	findings.Critical: "\x1b[1;31m", // bold red
}

// severityWidth is the width of the widest severity name, CRITICAL.
const severityWidth = len("CRITICAL")

// ColorFor reports whether text written to w should be coloured: only when w is a terminal, the
// NO_COLOR environment variable is unset or empty (https://no-color.org) and TERM is not "dumb".
// env is os.Getenv in the CLI.
func ColorFor(w io.Writer, env func(string) string) bool {
	if env("NO_COLOR") != "" || env("TERM") == "dumb" {
		return false
	}
	f, ok := w.(interface{ Fd() uintptr })
	if !ok {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// writeText renders r for people: findings grouped by file (files in name order, findings by
// line within a file, findings without a file last), then suppressed findings, expired
// suppressions, the baseline comparison, input errors, skipped inputs and a one-line summary.
func writeText(w io.Writer, r *findings.Report, opts Options) error {
	bw := bufio.NewWriter(w)
	groups := groupByFile(r.Findings)
	for i, g := range groups {
		if i > 0 {
			bw.WriteString("\n")
		}
		writeGroup(bw, g, opts)
	}
	sections := len(groups) > 0
	sections = writeTriage(bw, r, opts, sections)
	if len(r.Errors) > 0 {
		if sections {
			bw.WriteString("\n")
		}
		bw.WriteString("errors:\n")
		for _, e := range r.Errors {
			writeHanging(bw, "  ", "      ", FormatInputError(e), opts.width())
		}
	}
	if len(r.Skipped) > 0 {
		if sections || len(r.Errors) > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("skipped:\n")
		for _, s := range r.Skipped {
			writeHanging(bw, "  ", "      ", skippedWhere(s)+": "+clean(s.Reason), opts.width())
		}
	}
	if len(r.NotChecked) > 0 {
		if sections || len(r.Errors) > 0 || len(r.Skipped) > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("not checked:\n")
		for _, c := range r.NotChecked {
			writeHanging(bw, "  ", "      ", c.Resource.Kind+" "+clean(c.Resource.ID)+": "+clean(c.Note), opts.width())
		}
	}
	if sections || len(r.Errors) > 0 || len(r.Skipped) > 0 || len(r.NotChecked) > 0 {
		bw.WriteString("\n")
	}
	writeWrapped(bw, "", summary(r), opts.width())
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write text report: %w", err)
	}
	return nil
}

type fileGroup struct {
	file     string // as displayed: escaped, noFile for findings without one
	findings []findings.Finding
}

// groupByFile groups findings by file in name order, with the no-file group last. Within a
// group findings are ordered by line; the report's own order (severity first) breaks ties.
func groupByFile(fs []findings.Finding) []fileGroup {
	byFile := map[string][]findings.Finding{}
	for _, f := range fs {
		byFile[f.Location.File] = append(byFile[f.Location.File], f)
	}
	files := make([]string, 0, len(byFile))
	for file := range byFile {
		files = append(files, file)
	}
	slices.SortFunc(files, func(a, b string) int {
		switch {
		case a == "" && b != "":
			return 1
		case b == "" && a != "":
			return -1
		}
		return cmp.Compare(a, b)
	})
	groups := make([]fileGroup, 0, len(files))
	for _, file := range files {
		g := byFile[file]
		slices.SortStableFunc(g, func(a, b findings.Finding) int {
			return cmp.Compare(a.Location.StartLine, b.Location.StartLine)
		})
		name := displayFile(file)
		if name == "" {
			name = noFile
		}
		groups = append(groups, fileGroup{file: name, findings: g})
	}
	return groups
}

func writeGroup(w *bufio.Writer, g fileGroup, opts Options) {
	w.WriteString(g.file)
	w.WriteString("\n")
	lineWidth, idWidth := 0, 0
	for _, f := range g.findings {
		lineWidth = max(lineWidth, len(lines(f.Location)))
		idWidth = max(idWidth, len(clean(f.RuleID)))
	}
	// The message and the related resources go on lines of their own, indented under the
	// severity and wrapped to the width.
	indent := strings.Repeat(" ", 2+lineWidth+2)
	for _, f := range g.findings {
		sev := strings.ToUpper(f.Severity.String())
		pad := strings.Repeat(" ", max(0, severityWidth-len(sev)))
		if opts.Color && f.Severity >= findings.Info && f.Severity <= findings.Critical {
			sev = severityColors[f.Severity] + sev + sgrReset
		}
		fmt.Fprintf(w, "  %-*s  %s%s  %-*s  ", lineWidth, lines(f.Location), sev, pad, idWidth, clean(f.RuleID))
		if f.BaselineState == findings.BaselineNew {
			w.WriteString("new  ")
		}
		fmt.Fprintf(w, "[%s]", resource(f.Resource))
		if f.Location.API != "" {
			fmt.Fprintf(w, " (from %s)", clean(f.Location.API))
		}
		w.WriteString("\n")
		writeWrapped(w, indent, clean(f.Message), opts.width())
		if len(f.Related) > 0 {
			related := make([]string, len(f.Related))
			for i, r := range f.Related {
				related[i] = resource(r)
			}
			writeWrapped(w, indent, "related: "+strings.Join(related, ", "), opts.width())
		}
	}
}

// displayFile is a file name as the text report shows it: escaped, with "-" as <stdin>.
func displayFile(file string) string {
	if file == "-" {
		return stdinName
	}
	return clean(file)
}

// lines renders a location's lines as "12", "12-18", or "-" when unknown or when there is no
// file to read them in (a document fetched from an API).
func lines(l snapshot.Location) string {
	switch {
	case l.StartLine <= 0 || l.File == "":
		return "-"
	case l.EndLine > l.StartLine:
		return fmt.Sprintf("%d-%d", l.StartLine, l.EndLine)
	}
	return strconv.Itoa(l.StartLine)
}

func resource(r findings.Resource) string {
	return strings.TrimSpace(clean(r.Kind) + " " + clean(r.ID))
}

// FormatInputError renders an input error the way compilers do, file:line:col: message (or
// api: message), so editors and terminals can jump to it; control characters are escaped.
func FormatInputError(e snapshot.InputError) string {
	var b strings.Builder
	switch {
	case e.File != "":
		b.WriteString(displayFile(e.File))
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
			if e.Column > 0 {
				fmt.Fprintf(&b, ":%d", e.Column)
			}
		}
		b.WriteString(": ")
	case e.API != "":
		b.WriteString(clean(e.API) + ": ")
	}
	b.WriteString(clean(e.Message))
	return b.String()
}

// skippedWhere is file, file:line or file:line:column, as in FormatInputError.
func skippedWhere(s snapshot.Skipped) string {
	w := displayFile(s.File)
	if s.Line > 0 {
		w += ":" + strconv.Itoa(s.Line)
		if s.Column > 0 {
			w += ":" + strconv.Itoa(s.Column)
		}
	}
	return w
}

// summary is the last line, e.g. "3 findings (1 critical, 2 high), 1 error, 2 skipped in 7 files".
func summary(r *findings.Report) string {
	var counts [findings.Critical + 1]int
	for _, f := range r.Findings {
		if f.Severity >= findings.Info && f.Severity <= findings.Critical {
			counts[f.Severity]++
		}
	}
	var b strings.Builder
	b.WriteString(plural(len(r.Findings), "finding", "findings"))
	var parts []string
	for s := findings.Critical; s >= findings.Info; s-- {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if r.Baseline != nil {
		parts = append(parts, fmt.Sprintf("%d new since the baseline", r.Baseline.New))
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	if len(r.Suppressed) > 0 {
		fmt.Fprintf(&b, ", %d suppressed", len(r.Suppressed))
	}
	if len(r.ExpiredSuppressions) > 0 {
		fmt.Fprintf(&b, ", %s", plural(len(r.ExpiredSuppressions), "expired suppression", "expired suppressions"))
	}
	fmt.Fprintf(&b, ", %s, %d skipped in %s", plural(len(r.Errors), "error", "errors"), len(r.Skipped),
		plural(r.Stats.Files, "file", "files"))
	calls := 0
	for _, n := range r.Stats.APICalls {
		calls += n
	}
	if calls > 0 {
		fmt.Fprintf(&b, " and %s", plural(calls, "API call", "API calls"))
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
