package report

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
)

// JUnit XML as Jenkins, GitLab and most CI dashboards read it: one <testsuite> per rule that
// ran, one failed <testcase> per finding (a rule without findings has one passing case), a
// skipped case per suppressed finding, and a suite "inputs" with an <error> case per input
// that could not be read. There are no timestamps or durations, so the output is deterministic.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitProblem `xml:"skipped,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, r *findings.Report, _ Options) error {
	rules, _ := ruleDescriptors(r)
	byRule := map[string]*junitSuite{}
	out := junitSuites{Name: cmp.Or(r.Tool.Name, defaultToolName)}
	titles := map[string]string{}
	for _, rule := range r.Rules {
		titles[rule.ID] = rule.Title
	}
	for _, f := range r.Findings {
		titles[f.RuleID] = cmp.Or(titles[f.RuleID], f.Title)
	}
	out.Suites = make([]junitSuite, len(rules))
	for i, d := range rules {
		id := *d.ID
		out.Suites[i] = junitSuite{Name: strings.TrimSpace(id + " " + titles[id])}
		byRule[id] = &out.Suites[i]
	}
	for _, f := range r.Findings {
		s := byRule[f.RuleID]
		c := findingCase(f)
		c.Failure = &junitProblem{Message: f.Message, Type: f.Severity.String(), Text: findingDetail(f)}
		s.Cases = append(s.Cases, c)
		s.Failures++
	}
	for _, f := range r.Suppressed {
		s, ok := byRule[f.RuleID]
		if !ok {
			continue // a rule filtered out: its suite is not in the report
		}
		c := findingCase(f.Finding)
		c.Skipped = &junitProblem{Message: "suppressed: " + suppressionText(f.Suppression)}
		s.Cases = append(s.Cases, c)
		s.Skipped++
	}
	for i := range out.Suites {
		s := &out.Suites[i]
		if len(s.Cases) == 0 {
			s.Cases = []junitCase{{Name: "no findings", Classname: strings.Fields(s.Name)[0]}}
		}
		s.Tests = len(s.Cases)
	}
	if len(r.Errors) > 0 {
		in := junitSuite{Name: "inputs"}
		for _, e := range r.Errors {
			in.Cases = append(in.Cases, junitCase{
				Name: cmp.Or(e.File, e.API, "input"), Classname: "inputs", File: e.File, Line: e.Line,
				Error: &junitProblem{Message: FormatInputError(e), Type: "input-error"},
			})
		}
		in.Tests, in.Errors = len(in.Cases), len(in.Cases)
		out.Suites = append(out.Suites, in)
	}
	for _, s := range out.Suites {
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
	}
	b, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return fmt.Errorf("encode junit report: %w", err)
	}
	if _, err := io.WriteString(w, xml.Header+string(b)+"\n"); err != nil {
		return fmt.Errorf("write junit report: %w", err)
	}
	return nil
}

func findingCase(f findings.Finding) junitCase {
	where := cmp.Or(f.Location.File, f.Location.API)
	if f.Location.File != "" && f.Location.StartLine > 0 {
		where += ":" + lines(f.Location)
	}
	name := resource(f.Resource)
	if where != "" {
		name = where + " " + name
	}
	return junitCase{Name: name, Classname: f.RuleID, File: f.Location.File, Line: f.Location.StartLine}
}

func findingDetail(f findings.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s\n", f.RuleID, f.Severity, f.Message)
	if f.Resource.ID != "" {
		fmt.Fprintf(&b, "resource: %s\n", resource(f.Resource))
	}
	if f.Location.File != "" {
		fmt.Fprintf(&b, "file: %s line %s\n", displayFile(f.Location.File), lines(f.Location))
	}
	if f.Location.API != "" {
		fmt.Fprintf(&b, "api: %s\n", f.Location.API)
	}
	if f.Fingerprint != "" {
		fmt.Fprintf(&b, "fingerprint: %s\n", f.Fingerprint)
	}
	return b.String()
}
