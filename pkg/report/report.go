// Package report renders the canonical report (findings.Report) as text for people, JSON as the
// canonical machine-readable record (docs/report-format.md), SARIF 2.1.0 for code scanning
// services, Markdown for pull-request comments and JUnit XML for CI dashboards, and the diff of
// two reports (WriteDiff) as text, JSON or Markdown. Every format is rendered from the same findings.Report and in its order, so the
// formats agree and their output is deterministic. It imports neither OPA nor any cloud SDK.
package report

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
)

// Format is an output format.
type Format int

// The output formats.
const (
	// Text is the human-readable listing grouped by file.
	Text Format = iota
	// JSON is findings.Report as documented in docs/report-format.md.
	JSON
	// SARIF is a SARIF 2.1.0 log.
	SARIF
	// Markdown is a pull-request comment: a summary table and the top findings with links.
	Markdown
	// JUnit is JUnit XML for CI dashboards: a test suite per rule, a failed test case per finding.
	JUnit
)

var formatNames = [...]string{"text", "json", "sarif", "markdown", "junit"}

// Formats returns the names ParseFormat accepts, for flag help.
func Formats() []string { return formatNames[:] }

// ParseFormat reads a format name: text, json or sarif, in lower case as documented. Any other
// name ("SARIF" included) is an error that lists the valid ones, so a typo never falls back to
// some default.
func ParseFormat(s string) (Format, error) {
	for i, n := range formatNames {
		if s == n {
			return Format(i), nil
		}
	}
	return 0, fmt.Errorf("unknown format %q (want one of %s)", s, strings.Join(formatNames[:], ", "))
}

// String returns the format's name.
func (f Format) String() string {
	if f < Text || f > JUnit {
		return fmt.Sprintf("format(%d)", int(f))
	}
	return formatNames[f]
}

// Options control rendering. The zero value renders plain text and resolves SARIF paths against
// the current directory.
type Options struct {
	// Color colours text output by severity. The CLI sets it from ColorFor.
	Color bool
	// Root is the scan root: SARIF artifact URIs are made relative to it (uriBaseId %SRCROOT%).
	// "" means the working directory. Files outside it get absolute file:// URIs.
	Root string
	// WorkDir is the directory relative file paths and a relative Root are resolved against when
	// they have to be made absolute; "" means the process's working directory. Tests set it so
	// that output does not depend on where they run.
	WorkDir string
	// Width is the column text output is wrapped at (messages, related resources, reasons);
	// 0 means DefaultWidth. A word longer than the line is not broken.
	Width int
	// Category names the analysis for code scanning: SARIF runAutomationDetails.id is
	// "<category>/". GitHub keeps the results of each category apart.
	Category string
	// LinkBase turns file locations into links in Markdown, e.g.
	// "https://github.com/o/r/blob/<sha>/" (a file's path relative to Root is appended, then
	// "#L12-L18"). "" links relative to Root, which works in files rendered in the repository.
	LinkBase string
	// Top is how many findings the Markdown comment lists in full; 0 means DefaultTop.
	Top int
}

// DefaultWidth is the text width when Options.Width is 0 (output that is not a terminal).
const DefaultWidth = 100

// DefaultTop is the number of findings a Markdown comment lists when Options.Top is 0.
const DefaultTop = 10

func (o Options) width() int { return cmp.Or(o.Width, DefaultWidth) }

// Write renders r to w in format f. It does not modify r and renders it in its own order
// (findings.NewReport sorts it).
func Write(w io.Writer, f Format, r *findings.Report, opts Options) error {
	if r == nil {
		return errors.New("write report: no report")
	}
	switch f {
	case Text:
		return writeText(w, r, opts)
	case JSON:
		return writeJSON(w, r)
	case SARIF:
		return writeSARIF(w, r, opts)
	case Markdown:
		return writeMarkdown(w, r, opts)
	case JUnit:
		return writeJUnit(w, r, opts)
	}
	return fmt.Errorf("write report: unknown format %v", f)
}
