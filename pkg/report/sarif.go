package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

const (
	// sarifSchemaURI names the schema the log conforms to: SARIF 2.1.0 with Errata 01, the version
	// kept in testdata/sarif-schema-2.1.0.json and validated against in tests.
	sarifSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// srcRoot is the uriBaseId of files under the scan root (the name GitHub and CodeQL use).
	srcRoot = "%SRCROOT%"
	// fingerprintKey versions the partial fingerprint: change it if Finding.Fingerprint changes
	// meaning, so that code scanning services do not match old alerts to new ones by mistake.
	fingerprintKey = "irsaAuditFingerprint/v1"
	// stdinURI stands for standard input read without --stdin-name. It is a relative reference
	// with no uriBaseId: valid SARIF, and it resolves to no file of the repository.
	stdinURI = "stdin"
	// defaultToolName is used when the report names no tool.
	defaultToolName = "irsa-audit"
)

// writeSARIF renders r as a SARIF 2.1.0 log with one run.
func writeSARIF(w io.Writer, r *findings.Report, opts Options) error {
	log, err := buildSARIF(r, opts)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(log)
	if err != nil {
		return fmt.Errorf("encode sarif report: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("encode sarif report: %w", err)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(prune(doc)); err != nil {
		return fmt.Errorf("encode sarif report: %w", err)
	}
	if _, err := w.Write(escapeJSONText(out.Bytes())); err != nil {
		return fmt.Errorf("write sarif report: %w", err)
	}
	return nil
}

// sentinelKeys are the properties go-sarif always writes with SARIF's "unset" value -1 (an index,
// an offset, a rank). The value means the same as leaving the property out, and the SARIF
// multitool flags each one (SARIF2004), so prune drops them.
var sentinelKeys = map[string]bool{
	"index": true, "parentIndex": true, "byteOffset": true, "charOffset": true, "rank": true,
	"id": true, "ruleIndex": true,
}

// keptEmpty are the arrays that must be present even when empty: a log without runs, a run
// without results (GitHub rejects it) or a driver without rules (GitHub's GH1018).
var keptEmpty = map[string]bool{"runs": true, "results": true, "rules": true}

// prune removes what go-sarif writes that carries no information: -1 sentinels and empty
// arrays (go-sarif writes every array it knows, e.g. "graphs": []) and empty property bags. The
// log is still built with go-sarif's types; this only trims their zero values from the
// encoding. Property bags are left as they are, since their contents are ours.
func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if k == "properties" {
				if m, ok := x.(map[string]any); ok && len(m) == 0 {
					continue
				}
				out[k] = x
				continue
			}
			if n, ok := x.(json.Number); ok && sentinelKeys[k] && n.String() == "-1" {
				continue
			}
			if a, ok := x.([]any); ok && len(a) == 0 && !keptEmpty[k] {
				continue
			}
			out[k] = prune(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = prune(x)
		}
		return out
	}
	return v
}

// buildSARIF converts r into a SARIF log. See docs/report-format.md for the mapping.
func buildSARIF(r *findings.Report, opts Options) (*sarif.Report, error) {
	uris, err := newURIMapper(opts)
	if err != nil {
		return nil, err
	}

	rules, index := ruleDescriptors(r)
	driver := sarif.NewToolComponent()
	driver.Name = ptr(cmp.Or(r.Tool.Name, defaultToolName))
	if r.Tool.Version != "" {
		driver.Version = ptr(r.Tool.Version)
	}
	if isAbsURI(r.Tool.InformationURI) {
		driver.InformationURI = ptr(r.Tool.InformationURI)
	}
	driver.Rules = rules

	run := sarif.NewRun()
	run.Tool = sarif.NewTool()
	run.Tool.Driver = driver

	for _, f := range r.Findings {
		res, err := sarifResult(f, index[f.RuleID], uris)
		if err != nil {
			return nil, err
		}
		run.AddResult(res)
	}
	for _, f := range r.Suppressed {
		res, err := sarifResult(f.Finding, index[f.RuleID], uris)
		if err != nil {
			return nil, err
		}
		sup, err := sarifSuppression(f.Suppression, uris)
		if err != nil {
			return nil, err
		}
		res.Suppressions = append(res.Suppressions, sup)
		run.AddResult(res)
	}
	if opts.Category != "" {
		// GitHub reads the category from runAutomationDetails.id: what precedes its last "/".
		run.AutomationDetails = &sarif.RunAutomationDetails{ID: ptr(strings.TrimSuffix(opts.Category, "/") + "/")}
	}

	inv := sarif.NewInvocation()
	inv.ExecutionSuccessful = ptr(len(r.Errors) == 0)
	for _, e := range r.Errors {
		n, err := errorNotification(e, uris)
		if err != nil {
			return nil, err
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	for _, s := range r.Skipped {
		n, err := skippedNotification(s, uris)
		if err != nil {
			return nil, err
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	for _, x := range r.ExpiredSuppressions {
		n := sarif.NewNotification()
		n.Level = sarif.LevelWarning
		n.Message = sarif.NewTextMessage(fmt.Sprintf("expired suppression (until %s, %s): %s; it no longer suppresses anything", x.Until, suppressionTarget(x), x.Reason))
		if x.Source.File != "" {
			pl, err := uris.physicalLocation(x.Source.File, x.Source.StartLine, x.Source.StartLine, 0)
			if err != nil {
				return nil, err
			}
			n.Locations = append(n.Locations, sarif.NewLocationWithPhysicalLocation(pl))
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	for _, c := range r.NotChecked {
		n := sarif.NewNotification()
		n.Level = sarif.LevelNote
		n.Message = sarif.NewTextMessage(sarifText(fmt.Sprintf("not checked: %s %s: %s", c.Resource.Kind, c.Resource.ID, c.Note)))
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	run.AddInvocation(inv)

	if uris.usedRoot {
		run.OriginalUriBaseIds = map[string]sarif.ArtifactLocation{
			srcRoot: {URI: ptr(uris.rootURI()), Index: -1},
		}
	}

	log := sarif.NewReport()
	log.Schema = sarifSchemaURI
	log.AddRun(run)
	return log, nil
}

// ruleDescriptors returns one reportingDescriptor per rule, ordered by id, and the index of each
// id. A finding whose rule is not in r.Rules (a report assembled by hand, or a rule that was
// filtered out after it ran) gets a descriptor built from the finding, so that every result has
// a ruleIndex into the run's rules. When an id appears twice in r.Rules the first one is kept.
func ruleDescriptors(r *findings.Report) ([]*sarif.ReportingDescriptor, map[string]int) {
	var rules []findings.Rule
	seen := map[string]bool{}
	for _, rule := range r.Rules {
		if !seen[rule.ID] {
			seen[rule.ID] = true
			rules = append(rules, rule)
		}
	}
	for _, f := range r.Findings {
		if !seen[f.RuleID] {
			seen[f.RuleID] = true
			rules = append(rules, findings.Rule{ID: f.RuleID, Severity: f.Severity, Title: f.Title})
		}
	}
	for _, f := range r.Suppressed {
		if !seen[f.RuleID] {
			seen[f.RuleID] = true
			rules = append(rules, findings.Rule{ID: f.RuleID, Severity: f.Severity, Title: f.Title})
		}
	}
	slices.SortStableFunc(rules, func(a, b findings.Rule) int { return cmp.Compare(a.ID, b.ID) })

	descs := make([]*sarif.ReportingDescriptor, len(rules))
	index := make(map[string]int, len(rules))
	for i, rule := range rules {
		descs[i] = ruleDescriptor(rule)
		index[rule.ID] = i
	}
	return descs, index
}

func ruleDescriptor(rule findings.Rule) *sarif.ReportingDescriptor {
	d := sarif.NewRule(rule.ID)
	d.Name = ptr(camelCase(cmp.Or(rule.Title, rule.ID)))
	d.ShortDescription = multiformat(cmp.Or(rule.Title, rule.ID))
	// GitHub requires a fullDescription (GH2012), so a rule without a description repeats its
	// title.
	d.FullDescription = multiformat(cmp.Or(rule.Description, rule.Title, rule.ID))
	text, markdown := ruleHelp(rule)
	d.Help = &sarif.MultiformatMessageString{Text: ptr(text), Markdown: ptr(markdown)}
	if isAbsURI(rule.DocURL) {
		d.HelpURI = ptr(rule.DocURL)
	}
	conf := sarif.NewReportingConfiguration()
	conf.Level = level(rule.Severity)
	d.DefaultConfiguration = conf

	props := sarif.NewPropertyBag()
	if s := securitySeverity(rule.Severity); s != "" {
		props.Add("security-severity", s)
	}
	props.Add("severity", rule.Severity.String())
	tags := []string{"security", "irsa"}
	if !rule.Builtin && rule.Package != "" {
		tags = append(tags, "custom-policy")
	}
	props.WithTags(tags)
	d.Properties = props
	return d
}

// ruleHelp renders the rule's documentation as plain text and as Markdown.
func ruleHelp(rule findings.Rule) (text, markdown string) {
	var t, m strings.Builder
	title := cmp.Or(rule.Title, rule.ID)
	fmt.Fprintf(&t, "%s (%s, %s)\n", title, rule.ID, rule.Severity)
	fmt.Fprintf(&m, "**%s** (`%s`, %s)\n", title, rule.ID, rule.Severity)
	if rule.Description != "" {
		fmt.Fprintf(&t, "\n%s\n", rule.Description)
		fmt.Fprintf(&m, "\n%s\n", rule.Description)
	}
	if rule.RecommendedAction != "" {
		fmt.Fprintf(&t, "\nRecommended action: %s\n", rule.RecommendedAction)
		fmt.Fprintf(&m, "\n**Recommended action:** %s\n", rule.RecommendedAction)
	}
	for _, ex := range []struct{ name, body string }{
		{"Bad example", rule.BadExample},
		{"Good example", rule.GoodExample},
	} {
		if body := strings.TrimRight(ex.body, "\n"); body != "" {
			fmt.Fprintf(&t, "\n%s:\n%s\n", ex.name, indent(body, "    "))
			fence := codeFence(body)
			fmt.Fprintf(&m, "\n%s:\n\n%s\n%s\n%s\n", ex.name, fence, body, fence)
		}
	}
	if rule.DocURL != "" {
		fmt.Fprintf(&t, "\nDocumentation: %s\n", rule.DocURL)
		fmt.Fprintf(&m, "\n[Documentation](%s)\n", rule.DocURL)
	}
	return t.String(), m.String()
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// codeFence returns a backtick fence longer than any run of backticks in body.
func codeFence(body string) string {
	longest, run := 0, 0
	for _, r := range body {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

func sarifResult(f findings.Finding, ruleIndex int, uris *uriMapper) (*sarif.Result, error) {
	res := sarif.NewResult()
	res.RuleID = ptr(f.RuleID)
	res.RuleIndex = ruleIndex
	res.Level = level(f.Severity)
	res.Message = sarif.NewTextMessage(sarifText(cmp.Or(f.Message, f.Title, f.RuleID)))

	loc := sarif.NewLocation()
	if f.Location.File != "" {
		pl, err := uris.physicalLocation(f.Location.File, f.Location.StartLine, f.Location.EndLine, f.Location.StartColumn)
		if err != nil {
			return nil, err
		}
		loc.PhysicalLocation = pl
	}
	if f.Resource.ID != "" {
		loc.LogicalLocations = append(loc.LogicalLocations, resourceLocation(f.Resource))
	}
	if loc.PhysicalLocation != nil || len(loc.LogicalLocations) > 0 {
		res.Locations = append(res.Locations, loc)
	}
	for i, rel := range f.Related {
		rl := sarif.NewLocation()
		rl.ID = i
		rl.Message = sarif.NewTextMessage(sarifText(resource(rel)))
		if rel.ID != "" {
			rl.LogicalLocations = append(rl.LogicalLocations, resourceLocation(rel))
		}
		res.RelatedLocations = append(res.RelatedLocations, rl)
	}
	if f.Fingerprint != "" {
		res.PartialFingerprints = map[string]string{fingerprintKey: f.Fingerprint}
	}
	if f.BaselineState != "" {
		res.BaselineState = ptr(f.BaselineState)
	}

	props := sarif.NewPropertyBag()
	props.Add("severity", f.Severity.String())
	props.Add("resource", f.Resource)
	if len(f.Related) > 0 {
		props.Add("related", f.Related)
	}
	if f.Location.API != "" {
		props.Add("api", f.Location.API)
	}
	res.Properties = props
	return res, nil
}

// sarifSuppression is a suppression as SARIF has it: "inSource" for an inline comment,
// "external" for a sidecar or configuration entry, status "accepted", the reason as
// justification, and where it is declared.
func sarifSuppression(s findings.Suppression, uris *uriMapper) (*sarif.Suppression, error) {
	sup := sarif.NewSuppression()
	kind := "external"
	if s.Kind == findings.SuppressInline {
		kind = "inSource"
	}
	sup.Kind = ptr(kind)
	sup.Status = ptr("accepted")
	sup.Justification = ptr(s.Reason)
	if s.Source.File != "" {
		pl, err := uris.physicalLocation(s.Source.File, s.Source.StartLine, s.Source.StartLine, 0)
		if err != nil {
			return nil, err
		}
		sup.Location = sarif.NewLocationWithPhysicalLocation(pl)
	}
	props := sarif.NewPropertyBag()
	props.Add("kind", s.Kind)
	if s.Until != "" {
		props.Add("until", s.Until)
	}
	sup.Properties = props
	return sup, nil
}

// resourceLocation names a resource as a logical location of SARIF's conventional kind
// "resource"; its fully qualified name carries the resource kind.
func resourceLocation(r findings.Resource) *sarif.LogicalLocation {
	l := sarif.NewLogicalLocation()
	l.Name = ptr(validText(r.ID))
	l.Kind = ptr("resource")
	if r.Kind != "" {
		l.FullyQualifiedName = ptr(validText(r.Kind + "/" + r.ID))
	}
	return l
}

func errorNotification(e snapshot.InputError, uris *uriMapper) (*sarif.Notification, error) {
	n := sarif.NewNotification()
	n.Level = sarif.LevelError
	msg := e.Message
	if e.File == "" && e.API != "" {
		msg = e.API + ": " + msg
	}
	n.Message = sarif.NewTextMessage(sarifText(cmp.Or(msg, "input error")))
	if e.File != "" {
		pl, err := uris.physicalLocation(e.File, e.Line, e.Line, e.Column)
		if err != nil {
			return nil, err
		}
		n.Locations = append(n.Locations, sarif.NewLocationWithPhysicalLocation(pl))
	}
	return n, nil
}

func skippedNotification(s snapshot.Skipped, uris *uriMapper) (*sarif.Notification, error) {
	n := sarif.NewNotification()
	n.Level = sarif.LevelNote
	if s.Needed || s.Named {
		n.Level = sarif.LevelWarning // the run is incomplete: it fails unless --allow-skipped
	}
	n.Message = sarif.NewTextMessage(sarifText("skipped: " + cmp.Or(s.Reason, "no reason given")))
	if s.File != "" {
		pl, err := uris.physicalLocation(s.File, s.Line, s.Line, s.Column)
		if err != nil {
			return nil, err
		}
		n.Locations = append(n.Locations, sarif.NewLocationWithPhysicalLocation(pl))
	}
	return n, nil
}

// level maps a severity to a SARIF level: GitHub shows error, warning and note, and fails
// checks on error by default.
func level(s findings.Severity) string {
	switch {
	case s >= findings.High:
		return sarif.LevelError
	case s == findings.Medium:
		return sarif.LevelWarning
	}
	return sarif.LevelNote
}

// securitySeverity is GitHub's properties.security-severity, a CVSS-like score as a string:
// GitHub shows over 9.0 as critical, 7.0-8.9 high, 4.0-6.9 medium and 3.9 or less as low. Info
// findings get none, so GitHub shows them by level ("note") rather than as low security alerts.
func securitySeverity(s findings.Severity) string {
	switch s {
	case findings.Critical:
		return "9.5"
	case findings.High:
		return "8.0"
	case findings.Medium:
		return "5.5"
	case findings.Low:
		return "3.0"
	}
	return ""
}

// camelCase turns a title into a reportingDescriptor name: "Trust policy allows any
// ServiceAccount" becomes "TrustPolicyAllowsAnyServiceAccount".
func camelCase(s string) string {
	s = strings.NewReplacer("'", "", "\u2019", "").Replace(s)
	var b strings.Builder
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		rs := []rune(w)
		b.WriteRune(unicode.ToUpper(rs[0]))
		b.WriteString(string(rs[1:]))
	}
	return b.String()
}

func multiformat(s string) *sarif.MultiformatMessageString {
	return &sarif.MultiformatMessageString{Text: ptr(s)}
}

func isAbsURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.IsAbs() && u.Host != ""
}

func ptr[T any](v T) *T { return &v }

// uriMapper turns file paths into SARIF artifact locations relative to the scan root.
type uriMapper struct {
	opts     Options
	root     string // absolute, cleaned; "" until first needed
	wd       string // absolute; "" until first needed
	usedRoot bool   // some location used %SRCROOT%
}

func newURIMapper(opts Options) (*uriMapper, error) {
	m := &uriMapper{opts: opts}
	root := cmp.Or(opts.Root, ".")
	if !filepath.IsAbs(root) {
		wd, err := m.workDir()
		if err != nil {
			return nil, err
		}
		root = filepath.Join(wd, root)
	}
	m.root = filepath.Clean(root)
	return m, nil
}

func (m *uriMapper) workDir() (string, error) {
	if m.wd != "" {
		return m.wd, nil
	}
	wd := m.opts.WorkDir
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			return "", fmt.Errorf("sarif report: resolve relative paths: %w", err)
		}
	}
	if !filepath.IsAbs(wd) {
		return "", fmt.Errorf("sarif report: work directory %q is not absolute", wd)
	}
	m.wd = filepath.Clean(wd)
	return m.wd, nil
}

// artifactLocation maps a file to a URI relative to the scan root with uriBaseId %SRCROOT%, or
// to an absolute file:// URI when it is outside the root. Standard input read without a name
// ("-") becomes the relative URI "stdin".
func (m *uriMapper) artifactLocation(file string) (*sarif.ArtifactLocation, error) {
	al := sarif.NewArtifactLocation()
	if file == "-" {
		al.URI = ptr(stdinURI)
		return al, nil
	}
	abs := filepath.FromSlash(file)
	if !filepath.IsAbs(abs) {
		wd, err := m.workDir()
		if err != nil {
			return nil, err
		}
		abs = filepath.Join(wd, abs)
	}
	abs = filepath.Clean(abs)
	if rel, err := filepath.Rel(m.root, abs); err == nil && rel != "." && rel != ".." &&
		!strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		al.URI = ptr((&url.URL{Path: filepath.ToSlash(rel)}).String())
		al.URIBaseID = ptr(srcRoot)
		m.usedRoot = true
		return al, nil
	}
	al.URI = ptr(fileURI(abs))
	return al, nil
}

// physicalLocation is a file with a region when the line is known; SARIF lines and columns are
// 1-based, so unknown (0) values are left out rather than written as 0.
func (m *uriMapper) physicalLocation(file string, startLine, endLine, startColumn int) (*sarif.PhysicalLocation, error) {
	al, err := m.artifactLocation(file)
	if err != nil {
		return nil, err
	}
	pl := sarif.NewPhysicalLocation()
	pl.ArtifactLocation = al
	if startLine > 0 {
		region := sarif.NewRegion()
		region.StartLine = ptr(startLine)
		if endLine >= startLine {
			region.EndLine = ptr(endLine)
		}
		if startColumn > 0 {
			region.StartColumn = ptr(startColumn)
		}
		pl.Region = region
	}
	return pl, nil
}

// rootURI is the scan root as a file:// URI ending in "/", as SARIF requires of a base URI.
func (m *uriMapper) rootURI() string {
	u := fileURI(m.root)
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// fileURI turns an absolute path into a file:// URI ("C:\x" becomes "file:///C:/x").
func fileURI(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
