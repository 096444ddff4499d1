package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/irsa-audit/irsa-audit/pkg/eval"
	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/load"
	"github.com/irsa-audit/irsa-audit/pkg/report"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

type ruleFlags struct {
	policyDirs []string
	include    []string
	exclude    []string
}

func (f *ruleFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.policyDirs, "policy", nil, "directory of extra Rego rules (repeatable)")
	cmd.Flags().StringArrayVar(&f.include, "rule", nil, "run only this rule id (repeatable)")
	cmd.Flags().StringArrayVar(&f.exclude, "skip-rule", nil, "do not run this rule id (repeatable)")
}

func (f *ruleFlags) engine(ctx context.Context, now func() time.Time) (*eval.Engine, error) {
	eng, err := eval.New(ctx, eval.Options{
		PolicyDirs: f.policyDirs,
		Include:    f.include,
		Exclude:    f.exclude,
		Now:        now,
	})
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	return eng, nil
}

type outputFlags struct {
	format string
	output string
	color  string
}

func (f *outputFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.format, "format", "text", "report format: text, json or sarif")
	cmd.Flags().StringVarP(&f.output, "output", "o", "", "write the report to `FILE` (default: standard output)")
	cmd.Flags().StringVar(&f.color, "color", "auto", "colour text output: auto, always or never (auto honours NO_COLOR)")
}

type scanFlags struct {
	rules       ruleFlags
	out         outputFlags
	live        liveFlags
	iac         iacFlags
	failOn      string
	maxFileSize string
	stdinName   string
}

func newScanCommand(e env) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan [flags] PATH...",
		Short: "Scan policy files, manifests and exports (and live APIs with --aws/--kube)",
		Long: `Scan files and directories (recursively; "-" reads standard input) for IRSA problems.

Inputs are recognised by content: IAM policy documents (trust and permission policies, also
URL-encoded as the IAM API returns them), Kubernetes manifests in YAML or JSON (multi-document,
kind: List), AWS CLI and kubectl exports, saved snapshots, Terraform plans (terraform show
-json), CloudFormation, SAM and CDK synth templates, and eksctl ClusterConfig files. A folder of
.tf files is one Terraform module: root modules are evaluated (variables, .tfvars, locals,
modules); values known only after apply are reported as not judged. Go templates (Helm charts) are
skipped: render them and pipe them in, e.g. helm template . | irsa-audit scan -

Exit codes: 0 nothing at or above --fail-on and every input read; 1 findings at or above
--fail-on; 2 usage error, or an input that could not be read or parsed (the report is still
written for everything that was read, and lists the errors).`,
		Example: `  irsa-audit scan examples/
  irsa-audit scan --tf-vars prod.tfvars infra/
  irsa-audit scan --format sarif -o irsa.sarif deploy/ iam/
  helm template charts/app | irsa-audit scan -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.live.checkSources(cmd.Flags()); err != nil {
				return err
			}
			return runScan(cmd.Context(), e, f, args)
		},
	}
	f.rules.register(cmd)
	f.out.register(cmd)
	f.live.register(cmd)
	f.iac.register(cmd)
	cmd.Flags().StringVar(&f.failOn, "fail-on", "low", "exit 1 when a finding is at or above this severity: none, low, medium, high or critical")
	cmd.Flags().StringVar(&f.maxFileSize, "max-file-size", "10MiB", "files larger than this are reported, not read (e.g. 512KiB, 10MiB, 1GiB)")
	cmd.Flags().StringVar(&f.stdinName, "stdin-name", "-", "file name to report for standard input")
	return cmd
}

func runScan(ctx context.Context, e env, f scanFlags, paths []string) error {
	format, err := report.ParseFormat(f.out.format)
	if err != nil {
		return usageError{err}
	}
	failOn, err := findings.ParseFailOn(f.failOn)
	if err != nil {
		return usageError{err}
	}
	maxSize, err := parseSize(f.maxFileSize)
	if err != nil {
		return usageError{fmt.Errorf("--max-file-size: %w", err)}
	}
	if err := f.out.validate(); err != nil {
		return err
	}
	if len(paths) == 0 && !f.live.any() {
		return usageError{fmt.Errorf("scan needs at least one PATH (or - for standard input, or --aws/--kube)")}
	}
	eng, err := f.rules.engine(ctx, e.now)
	if err != nil {
		return err
	}
	var snaps []*snapshot.Snapshot
	if len(paths) > 0 {
		opts := load.Options{MaxFileSize: maxSize, Stdin: e.stdin, StdinName: f.stdinName}
		f.iac.apply(&opts)
		snap, err := load.Load(ctx, paths, opts)
		if err != nil {
			return fmt.Errorf("read inputs: %w", err)
		}
		snaps = append(snaps, snap)
	}
	if f.live.any() {
		live, err := f.live.collect(ctx, e)
		if err != nil {
			return err
		}
		snaps = append(snaps, live)
	}
	snap := snapshot.Merge(snaps...)
	fs, err := eng.Evaluate(ctx, snap)
	if err != nil {
		return fmt.Errorf("evaluate rules: %w", err)
	}
	rep := findings.NewReport(e.tool(), eng.Rules(), fs, snap)
	if err := f.out.write(e, format, &rep); err != nil {
		return err
	}
	switch {
	case len(rep.Errors) > 0:
		// The text report on standard output already lists them; elsewhere say so on stderr,
		// so a CI log shows why the run failed.
		if format != report.Text || f.out.output != "" {
			for _, ie := range rep.Errors {
				fmt.Fprintf(e.stderr, "irsa-audit: %s\n", report.FormatInputError(ie))
			}
		}
		return exitCodeError{exitError}
	case failing(failOn, rep.Findings):
		return exitCodeError{exitFindings}
	}
	return nil
}

func (f *outputFlags) validate() error {
	switch f.color {
	case "auto", "always", "never":
		return nil
	}
	return usageError{fmt.Errorf("--color must be auto, always or never, not %q", f.color)}
}

// write renders the report to --output or standard output. A file is written to a temporary
// name and renamed, so an interrupted run never leaves half a report behind.
func (f *outputFlags) write(e env, format report.Format, rep *findings.Report) error {
	wd, err := e.getwd()
	if err != nil {
		return fmt.Errorf("find working directory: %w", err)
	}
	opts := report.Options{Root: wd, WorkDir: wd}
	if f.output == "" {
		switch f.color {
		case "always":
			opts.Color = true
		case "auto":
			opts.Color = report.ColorFor(e.stdout, e.getenv)
		}
		if err := report.Write(e.stdout, format, rep, opts); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	opts.Color = f.color == "always"
	return writeFileAtomic(f.output, func(w io.Writer) error { return report.Write(w, format, rep, opts) })
}

func writeFileAtomic(name string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func (e env) tool() findings.Tool {
	return findings.Tool{Name: "irsa-audit", Version: e.version, InformationURI: "https://github.com/irsa-audit/irsa-audit"}
}

// parseSize reads a byte count with an optional binary suffix (KiB, MiB, GiB) or decimal one
// (KB, MB, GB).
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid size %q (want e.g. 512KiB, 10MiB)", s)
	}
	return n * mult, nil
}

func failing(threshold findings.FailOn, fs []findings.Finding) bool {
	for _, f := range fs {
		if threshold.Fails(f.Severity) {
			return true
		}
	}
	return false
}
