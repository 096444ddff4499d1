// Package triage decides which findings need attention: it applies suppressions (inline
// "# irsa-audit:ignore" comments, sidecar files and configuration entries, each with a reason
// and an optional expiry) and compares findings with a baseline report. It works on the
// canonical report model (pkg/findings) only; the time comes from the caller, so that expiry is
// testable.
package triage

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// DateLayout is the layout of an until date.
const DateLayout = "2006-01-02"

// Options control Apply.
type Options struct {
	// Now is the time expiry is judged at (UTC): a suppression with until 2027-01-31 applies
	// through that whole day and has expired from 2027-02-01 00:00 UTC.
	Now time.Time
	// WorkDir resolves relative finding files and suppression paths, so that a configuration
	// file found in a parent directory matches the files of a scan started below it.
	WorkDir string
}

// Result is what Apply decided.
type Result struct {
	// Active are the findings no suppression in force matched, in their input order.
	Active []findings.Finding
	// Suppressed are the findings a suppression in force matched, with the first one that did
	// (inline, then sidecar, then configuration; in declaration order within each).
	Suppressed []findings.SuppressedFinding
	// Expired are the suppressions whose until date has passed, matched or not.
	Expired []findings.Suppression
}

// Validate checks a suppression as declared: a reason, a valid until date and, for sidecar and
// configuration entries, at least one matcher (else it would silence everything).
func Validate(s findings.Suppression) error {
	if strings.TrimSpace(s.Reason) == "" {
		return fmt.Errorf("a suppression needs a reason")
	}
	if s.Until != "" {
		if _, err := time.Parse(DateLayout, s.Until); err != nil {
			return fmt.Errorf("until %q is not a date (want YYYY-MM-DD)", s.Until)
		}
	}
	if s.Kind != findings.SuppressInline && len(s.Rules) == 0 && s.Fingerprint == "" && s.Resource == "" && s.Path == "" {
		return fmt.Errorf("a suppression needs at least one of rule, fingerprint, resource or path")
	}
	if s.Path != "" {
		if _, err := globRegexp(s.Path); err != nil {
			return err
		}
	}
	return nil
}

// Expired reports whether s no longer applies at now.
func Expired(s findings.Suppression, now time.Time) bool {
	if s.Until == "" {
		return false
	}
	until, err := time.Parse(DateLayout, s.Until)
	if err != nil {
		return true // Validate refuses it; never let a malformed date suppress
	}
	return !now.UTC().Before(until.AddDate(0, 0, 1))
}

// Apply splits fs into active and suppressed findings. Suppressions must have passed Validate.
func Apply(fs []findings.Finding, sups []findings.Suppression, opts Options) Result {
	var res Result
	var live []matcher
	order := map[string]int{findings.SuppressInline: 0, findings.SuppressSidecar: 1, findings.SuppressConfig: 2}
	sorted := slices.Clone(sups)
	slices.SortStableFunc(sorted, func(a, b findings.Suppression) int { return order[a.Kind] - order[b.Kind] })
	for _, s := range sorted {
		if Expired(s, opts.Now) {
			res.Expired = append(res.Expired, s)
			continue
		}
		m := matcher{s: s, file: opts.abs(s.Source.File)}
		if s.Path != "" {
			m.path, _ = globRegexp(filepath.ToSlash(opts.abs(s.Path)))
		}
		live = append(live, m)
	}
	for _, f := range fs {
		file := opts.abs(f.Location.File)
		i := slices.IndexFunc(live, func(m matcher) bool { return m.matches(f, file) })
		if i < 0 {
			res.Active = append(res.Active, f)
			continue
		}
		res.Suppressed = append(res.Suppressed, findings.SuppressedFinding{Finding: f, Suppression: live[i].s})
	}
	findings.SortSuppressions(res.Expired)
	return res
}

func (o Options) abs(file string) string {
	if file == "" || file == "-" || filepath.IsAbs(file) || o.WorkDir == "" {
		return file
	}
	return filepath.Join(o.WorkDir, filepath.FromSlash(file))
}

type matcher struct {
	s    findings.Suppression
	file string         // the declaring file, absolute
	path *regexp.Regexp // the path glob, absolute
}

func (m matcher) matches(f findings.Finding, file string) bool {
	s := m.s
	if len(s.Rules) > 0 && !slices.Contains(s.Rules, f.RuleID) {
		return false
	}
	switch s.Kind {
	case findings.SuppressInline:
		// The comment's lines and the finding's overlap: a comment on the flagged object, or
		// anywhere within it, silences it.
		end := max(f.Location.EndLine, f.Location.StartLine)
		return file != "" && file == m.file && len(s.Lines) == 2 && f.Location.StartLine > 0 &&
			f.Location.StartLine <= s.Lines[1] && end >= s.Lines[0]
	case findings.SuppressSidecar:
		// A sidecar speaks for the file it sits beside: <file>.irsa-audit.yaml.
		if file == "" || file != strings.TrimSuffix(m.file, SidecarSuffix) {
			return false
		}
	}
	if s.Fingerprint != "" && s.Fingerprint != f.Fingerprint {
		return false
	}
	if s.Resource != "" && !globMatch(s.Resource, f.Resource.ID) {
		return false
	}
	if m.path != nil && (file == "" || !m.path.MatchString(filepath.ToSlash(file))) {
		return false
	}
	return true
}

// SidecarSuffix names the suppression file beside a file that cannot hold comments (JSON):
// policy.json's suppressions are in policy.json.irsa-audit.yaml.
const SidecarSuffix = ".irsa-audit.yaml"

// globMatch matches s against a pattern where "*" stands for any run of characters (ARNs and
// resource ids have no path structure to respect).
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// globRegexp compiles a path glob: "**" matches across "/", "*" and "?" within a segment.
func globRegexp(glob string) (*regexp.Regexp, error) {
	if _, err := path.Match(strings.ReplaceAll(glob, "**", "*"), ""); err != nil {
		return nil, fmt.Errorf("path %q is not a valid glob: %w", glob, err)
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(glob); i++ {
		switch c := glob[i]; {
		case c == '*' && i+1 < len(glob) && glob[i+1] == '*':
			i++
			if i+1 < len(glob) && glob[i+1] == '/' {
				i++
				b.WriteString("(.*/)?")
			} else {
				b.WriteString(".*")
			}
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// InputError turns a problem with a declared suppression into an input error at its source,
// so that the report lists it with its file and line and the run exits 2.
func InputError(s findings.Suppression, err error) snapshot.InputError {
	return snapshot.InputError{File: s.Source.File, Line: s.Source.StartLine, Column: s.Source.StartColumn, Message: err.Error()}
}
