package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/triage"
)

// configName is the configuration file scan and baseline look for in the working directory and
// its parents.
const configName = ".irsa-audit.yaml"

// fileConfig is .irsa-audit.yaml. Every setting is what the flag of the same name would say;
// a flag given on the command line wins over the file. Paths are relative to the file's folder.
type fileConfig struct {
	// Version is the configuration format, 1 (the only one so far); 0 means 1.
	Version int `yaml:"version"`
	// Inputs are scanned when scan is given no PATH.
	Inputs   []string `yaml:"inputs"`
	Policies []string `yaml:"policies"`
	Rules    struct {
		Include  []string                     `yaml:"include"`
		Skip     []string                     `yaml:"skip"`
		Severity map[string]findings.Severity `yaml:"severity"`
	} `yaml:"rules"`
	FailOn      string `yaml:"fail-on"`
	Format      string `yaml:"format"`
	Output      string `yaml:"output"`
	Category    string `yaml:"category"`
	Baseline    string `yaml:"baseline"`
	MaxFileSize string `yaml:"max-file-size"`
	// Outputs are more reports of the same run, each in its format: the CronJob's JSON for
	// diffs and SARIF for code scanning, say.
	Outputs      []outputSpec        `yaml:"outputs"`
	Suppressions []suppressionConfig `yaml:"suppressions"`
}

type outputSpec struct {
	Format string `yaml:"format"`
	Output string `yaml:"output"`
}

// suppressionConfig is one entry of suppressions (configuration file or sidecar).
type suppressionConfig struct {
	Rule        string   `yaml:"rule"`
	Rules       []string `yaml:"rules"`
	Fingerprint string   `yaml:"fingerprint"`
	Resource    string   `yaml:"resource"`
	Path        string   `yaml:"path"`
	Reason      string   `yaml:"reason"`
	Until       string   `yaml:"until"`
	line        int
	column      int
}

// UnmarshalYAML decodes an entry strictly and keeps its position, for error messages and the
// suppression's source.
func (s *suppressionConfig) UnmarshalYAML(n *yaml.Node) error {
	type plain suppressionConfig
	var p plain
	if err := decodeStrict(n, &p); err != nil {
		return err
	}
	*s = suppressionConfig(p)
	s.line, s.column = n.Line, n.Column
	return nil
}

// decodeStrict decodes a node refusing unknown fields (yaml.v3 checks them only in a Decoder).
func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		// Positions in the re-encoded entry are relative to it: say where the entry is.
		return fmt.Errorf("entry at line %d: %w", n.Line, err)
	}
	return nil
}

// config is a loaded configuration file.
type config struct {
	fileConfig
	// file is its path ("" when there is none); dir its folder, absolute.
	file, dir string
}

// loadConfig reads --config FILE, or the first .irsa-audit.yaml in the working directory or
// its parents, or none with --no-config.
func loadConfig(e env, explicit string, none bool) (*config, error) {
	if none {
		if explicit != "" {
			return nil, usageError{errors.New("--config and --no-config cannot be used together")}
		}
		return &config{}, nil
	}
	wd, err := e.getwd()
	if err != nil {
		return nil, fmt.Errorf("find working directory: %w", err)
	}
	path := explicit
	if path == "" {
		for dir := wd; ; dir = filepath.Dir(dir) {
			p := filepath.Join(dir, configName)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				path = p
				break
			}
			if filepath.Dir(dir) == dir {
				return &config{}, nil
			}
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if explicit != "" && errors.Is(err, fs.ErrNotExist) {
			return nil, usageError{fmt.Errorf("--config %s: no such file", explicit)}
		}
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	c := &config{file: path}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c.fileConfig); err != nil && !errors.Is(err, io.EOF) {
		return nil, usageError{fmt.Errorf("configuration %s: %w", path, err)}
	}
	if c.Version != 0 && c.Version != 1 {
		return nil, usageError{fmt.Errorf("configuration %s: version %d is not supported (want 1)", path, c.Version)}
	}
	abs := path
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(wd, abs)
	}
	c.dir = filepath.Dir(abs)
	c.file = filepath.ToSlash(path)
	if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		c.file = filepath.ToSlash(rel) // as a user would name it, in reports
	}
	return c, nil
}

// path resolves a path of the configuration against its folder and, when that is below the
// working directory, makes it relative to it again, so that reports name files as a user typed
// them. "-" and s3:// URLs are kept.
func (c *config) path(wd, p string) string {
	if p == "" || p == "-" || strings.HasPrefix(p, "s3://") || c.dir == "" {
		return p
	}
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(c.dir, filepath.FromSlash(p))
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return abs
}

// suppressions turns the configuration's entries into suppressions; an invalid one is an input
// error at its line (so the report lists it and the run exits 2).
func (c *config) suppressions() ([]findings.Suppression, []snapshot.InputError) {
	return suppressionsFrom(c.Suppressions, findings.SuppressConfig, c.file, c.dir)
}

func suppressionsFrom(entries []suppressionConfig, kind, file, dir string) ([]findings.Suppression, []snapshot.InputError) {
	var sups []findings.Suppression
	var errs []snapshot.InputError
	for _, s := range entries {
		sup := findings.Suppression{
			Kind: kind, Rules: s.Rules, Fingerprint: s.Fingerprint, Resource: s.Resource,
			Reason: s.Reason, Until: s.Until,
			Source: snapshot.Location{File: filepath.ToSlash(file), StartLine: s.line, EndLine: s.line, StartColumn: s.column},
		}
		if s.Rule != "" {
			sup.Rules = append([]string{s.Rule}, sup.Rules...)
		}
		if s.Path != "" {
			if kind == findings.SuppressSidecar {
				errs = append(errs, triage.InputError(sup, errors.New("a sidecar speaks for its own file: path is not allowed")))
				continue
			}
			sup.Path = filepath.ToSlash(s.Path)
			if !filepath.IsAbs(s.Path) {
				sup.Path = filepath.ToSlash(filepath.Join(dir, filepath.FromSlash(s.Path)))
			}
		}
		if err := triage.Validate(sup); err != nil {
			errs = append(errs, triage.InputError(sup, err))
			continue
		}
		sups = append(sups, sup)
	}
	return sups, errs
}

// configFlags are the flags of the configuration file, triage and report extras shared by scan
// and baseline.
type configFlags struct {
	config   string
	noConfig bool
	baseline string
	category string
	linkBase string
}

func (f *configFlags) register(cmd *cobra.Command, withBaseline bool) {
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "configuration `FILE` (default: the first "+configName+" in the working directory or its parents)")
	fl.BoolVar(&f.noConfig, "no-config", false, "read no configuration file")
	if withBaseline {
		fl.StringVar(&f.baseline, "baseline", "", "JSON report of an earlier run (irsa-audit baseline -o FILE): only findings it lacks fail the run")
	}
	fl.StringVar(&f.category, "category", "", "analysis category for code scanning (SARIF runAutomationDetails.id), e.g. irsa-audit/prod")
	fl.StringVar(&f.linkBase, "link-base", "", "URL that file links in markdown start with (default in GitHub Actions: the commit's blob URL)")
}
