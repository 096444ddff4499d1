package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/term"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/report"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/triage"
)

// runConfig is the configuration as one scan uses it.
type runConfig struct {
	*config
	wd string
	// inputs are the configuration's inputs, resolved: what scan reads when given no PATH.
	inputs []string
}

// applyConfig loads the configuration file and fills in every setting the command line did not
// give.
func (f *scanFlags) applyConfig(e env, changed func(string) bool) (*runConfig, error) {
	if f.saveSnapshot != "" && !f.live.any() {
		return nil, usageError{errors.New("--save-snapshot needs --aws or --kube")}
	}
	c, err := loadConfig(e, f.cfg.config, f.cfg.noConfig)
	if err != nil {
		return nil, err
	}
	wd, err := e.getwd()
	if err != nil {
		return nil, fmt.Errorf("find working directory: %w", err)
	}
	rc := &runConfig{config: c, wd: wd}
	for _, p := range c.Inputs {
		rc.inputs = append(rc.inputs, c.path(wd, p))
	}
	set := func(flag string, dst *string, v string) {
		if v != "" && !changed(flag) {
			*dst = v
		}
	}
	if !f.baselineMode {
		set("format", &f.out.format, c.Format)
		set("output", &f.out.output, c.path(wd, c.Output))
		set("fail-on", &f.failOn, c.FailOn)
		set("baseline", &f.cfg.baseline, c.path(wd, c.Baseline))
	}
	set("category", &f.cfg.category, c.Category)
	set("max-file-size", &f.maxFileSize, c.MaxFileSize)
	setList := func(flag string, dst *[]string, v []string) {
		if len(v) > 0 && !changed(flag) {
			*dst = v
		}
	}
	var policies []string
	for _, p := range c.Policies {
		policies = append(policies, c.path(wd, p))
	}
	setList("policy", &f.rules.policyDirs, policies)
	setList("rule", &f.rules.include, c.Rules.Include)
	setList("skip-rule", &f.rules.exclude, c.Rules.Skip)
	f.out.category, f.out.linkBase, f.out.profile = f.cfg.category, f.cfg.linkBase, f.live.profile
	if f.baselineMode {
		f.out.format = "json"
	}
	return rc, nil
}

// triage applies the configuration's severity overrides, the suppressions (configuration,
// sidecars beside the files of findings, inline comments in them) and the baseline to rep.
func (f *scanFlags) triage(e env, rc *runConfig, rep *findings.Report) error {
	if err := overrideSeverities(rc.Rules.Severity, rep); err != nil {
		return err
	}
	sups, errs := rc.suppressions()
	fileSups, fileErrs, read := fileSuppressions(rep.Findings)
	sups = append(sups, fileSups...)
	errs = append(errs, fileErrs...)
	// A sidecar or configuration file the walk came across is not an input it skipped: it was read.
	rep.Skipped = slices.DeleteFunc(rep.Skipped, func(s snapshot.Skipped) bool {
		base := filepath.Base(s.File)
		return read[s.File] || base == configName || strings.HasSuffix(base, triage.SidecarSuffix)
	})
	rep.Stats.Skipped = len(rep.Skipped)

	res := triage.Apply(rep.Findings, sups, triage.Options{Now: e.now(), WorkDir: rc.wd})
	rep.Findings, rep.Suppressed, rep.ExpiredSuppressions = res.Active, res.Suppressed, res.Expired
	if len(errs) > 0 {
		rep.Errors = append(rep.Errors, errs...)
		findings.SortErrors(rep.Errors)
		rep.Stats.Errors = len(rep.Errors)
	}
	if f.cfg.baseline != "" {
		base, err := readReportFile(f.cfg.baseline)
		if err != nil {
			return usageError{fmt.Errorf("--baseline: %w", err)}
		}
		sum := triage.MarkBaseline(rep.Findings, f.cfg.baseline, base)
		rep.Baseline = &sum
	}
	rep.Recount()
	return nil
}

// overrideSeverities sets the severity of every finding (and the rule) of the rules named in
// the configuration's rules.severity.
func overrideSeverities(over map[string]findings.Severity, rep *findings.Report) error {
	if len(over) == 0 {
		return nil
	}
	for id := range over {
		if !slices.ContainsFunc(rep.Rules, func(r findings.Rule) bool { return r.ID == id }) {
			return usageError{fmt.Errorf("configuration rules.severity: no rule %q ran (see irsa-audit rules)", id)}
		}
	}
	for i := range rep.Rules {
		if s, ok := over[rep.Rules[i].ID]; ok {
			rep.Rules[i].Severity = s
		}
	}
	for i := range rep.Findings {
		if s, ok := over[rep.Findings[i].RuleID]; ok {
			rep.Findings[i].Severity = s
		}
	}
	findings.Sort(rep.Findings)
	return nil
}

// fileSuppressions reads the inline suppressions of the files that have findings (YAML, HCL)
// and the sidecar beside each (<file>.irsa-audit.yaml). It returns the sidecars it read.
func fileSuppressions(fs []findings.Finding) ([]findings.Suppression, []snapshot.InputError, map[string]bool) {
	var sups []findings.Suppression
	var errs []snapshot.InputError
	read := map[string]bool{}
	seen := map[string]bool{}
	for _, f := range fs {
		file := f.Location.File
		if file == "" || file == "-" || seen[file] {
			continue
		}
		seen[file] = true
		if triage.CommentFile(file) {
			if data, err := os.ReadFile(filepath.FromSlash(file)); err == nil {
				s, e := triage.ParseInline(file, data)
				sups, errs = append(sups, s...), append(errs, e...)
			}
		}
		sidecar := file + triage.SidecarSuffix
		data, err := os.ReadFile(filepath.FromSlash(sidecar))
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, snapshot.InputError{File: sidecar, Message: err.Error()})
			}
			continue
		}
		read[sidecar] = true
		var side struct {
			Suppressions []suppressionConfig `yaml:"suppressions"`
		}
		if err := yaml.Unmarshal(data, &side); err != nil {
			errs = append(errs, snapshot.InputError{File: sidecar, Message: "sidecar: " + err.Error()})
			continue
		}
		s, e := suppressionsFrom(side.Suppressions, findings.SuppressSidecar, sidecar, filepath.Dir(sidecar))
		sups, errs = append(sups, s...), append(errs, e...)
	}
	return sups, errs, read
}

func readReportFile(name string) (findings.Report, error) {
	fh, err := os.Open(name)
	if err != nil {
		return findings.Report{}, err
	}
	defer fh.Close()
	r, err := findings.ReadReport(fh)
	if err != nil {
		return findings.Report{}, fmt.Errorf("%s: %w", name, err)
	}
	return r, nil
}

// writeOutputs writes the configuration's extra reports (outputs:) of the same run.
func (rc *runConfig) writeOutputs(ctx context.Context, e env, base outputFlags, rep *findings.Report) error {
	for i, o := range rc.Outputs {
		format, err := report.ParseFormat(o.Format)
		if err != nil {
			return usageError{fmt.Errorf("configuration outputs[%d]: %w", i, err)}
		}
		if o.Output == "" || o.Output == "-" {
			return usageError{fmt.Errorf("configuration outputs[%d]: output must name a file or s3:// URL", i)}
		}
		out := base
		out.format, out.output, out.color = o.Format, rc.path(rc.wd, o.Output), "never"
		if err := out.write(ctx, e, format, rep); err != nil {
			return err
		}
	}
	return nil
}

// width is where text reports wrap: the terminal's width, else $COLUMNS, else the default.
func (e env) width() int {
	if f, ok := e.stdout.(interface{ Fd() uintptr }); ok && isTerminal(e.stdout) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	var n int
	if _, err := fmt.Sscan(e.getenv("COLUMNS"), &n); err == nil && n > 0 {
		return n
	}
	return 0
}

// linkBaseFor is --link-base, or in GitHub Actions the blob URL of the commit being checked.
func (f *outputFlags) linkBaseFor(e env) string {
	if f.linkBase != "" {
		return f.linkBase
	}
	server, repo, sha := e.getenv("GITHUB_SERVER_URL"), e.getenv("GITHUB_REPOSITORY"), e.getenv("GITHUB_SHA")
	if server != "" && repo != "" && sha != "" {
		return strings.TrimSuffix(server, "/") + "/" + repo + "/blob/" + sha + "/"
	}
	return ""
}
