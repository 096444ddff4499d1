package main

import (
	"context"
	"fmt"
	"io"
	"math"
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
	allRoles   bool // scan --all-roles
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
		AllRoles:   f.allRoles,
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

	// Set from configFlags by runScan.
	category, linkBase string
	profile            string // --profile, for an s3:// output
}

func (f *outputFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.format, "format", "text", "report format: text, json, sarif, markdown or junit")
	cmd.Flags().StringVarP(&f.output, "output", "o", "", "write the report to `FILE` or s3://bucket/key (default: standard output)")
	cmd.Flags().StringVar(&f.color, "color", "auto", "colour text output: auto, always or never (auto honours NO_COLOR)")
}

type scanFlags struct {
	rules        ruleFlags
	out          outputFlags
	live         liveFlags
	iac          iacFlags
	cfg          configFlags
	failOn       string
	maxFileSize  string
	stdinName    string
	allowSkipped bool
	saveSnapshot string
	// baselineMode is the baseline command: a JSON report, and findings never fail the run.
	baselineMode bool
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

Exit codes: 0 nothing at or above --fail-on and every input judged; 1 findings at or above
--fail-on; 2 usage error, an input that could not be read or parsed, nothing judged at all, a
skipped input that was named on the command line or holds what the rules judge (unless
--allow-skipped), or --timeout reached (the report is still written for everything that was
read, and lists the errors and skipped inputs); 130 and 143 interrupted by SIGINT (Ctrl-C) or
SIGTERM, nothing written.`,
		Example: `  irsa-audit scan examples/
  irsa-audit scan --tf-vars prod.tfvars infra/
  irsa-audit scan --format sarif --category irsa-audit/repo -o irsa.sarif deploy/ iam/
  irsa-audit scan --baseline .irsa-audit-baseline.json deploy/ iam/
  irsa-audit scan --aws --kube --format json -o s3://reports/irsa.json --save-snapshot snap.json
  helm template charts/app | irsa-audit scan -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.live.checkSources(cmd.Flags()); err != nil {
				return err
			}
			return runScan(cmd.Context(), e, f, args, cmd.Flags().Changed)
		},
	}
	f.rules.register(cmd)
	f.out.register(cmd)
	f.live.register(cmd)
	f.iac.register(cmd)
	f.cfg.register(cmd, true)
	registerSaveSnapshot(cmd, &f.saveSnapshot)
	cmd.Flags().StringVar(&f.failOn, "fail-on", "low", "exit 1 when a finding is at or above this severity: none, low, medium, high or critical")
	cmd.Flags().StringVar(&f.maxFileSize, "max-file-size", "10MiB", "larger files are skipped unless they are AWS CLI or kubectl exports, Kubernetes manifests or snapshots, which are read whatever their size (e.g. 512KiB, 10MiB, 1GiB)")
	cmd.Flags().StringVar(&f.stdinName, "stdin-name", "-", "file name to report for standard input (its folder ties it to a cluster, as for files)")
	cmd.Flags().BoolVar(&f.allowSkipped, "allow-skipped", false, "exit 0 or 1 even when inputs named on the command line, or holding what rules judge, were skipped, or nothing was judged")
	cmd.Flags().BoolVar(&f.rules.allRoles, "all-roles", false, "judge the permissions of every role, not only of those a workload identity can assume")
	return cmd
}

func runScan(ctx context.Context, e env, f scanFlags, paths []string, changed func(string) bool) error {
	cfg, err := f.applyConfig(e, changed)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		paths = cfg.inputs
	}
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
	if err := checkOutputPath(f.out.output); err != nil {
		return err
	}
	ctx, cancel, err := f.live.bound(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	// The rules compile while the inputs are read: on a big estate reading keeps the two cores
	// busy but unevenly (one file is longer than the others). A rule error is still reported
	// before anything else, and before any live API is called.
	var (
		eng     *eval.Engine
		engErr  error
		engDone = make(chan struct{})
	)
	go func() {
		defer close(engDone)
		if eng, engErr = f.rules.engine(ctx, e.now); engErr == nil {
			eng.Warm()
		}
	}()
	engine := func() error {
		<-engDone
		return engErr
	}
	var snaps []*snapshot.Snapshot
	if len(paths) > 0 {
		opts := load.Options{MaxFileSize: maxSize, Stdin: e.stdin, StdinName: f.stdinName}
		f.iac.apply(&opts)
		snap, err := load.Load(ctx, paths, opts)
		if err != nil {
			if err := engine(); err != nil && ctx.Err() == nil {
				return err
			}
			return fmt.Errorf("read inputs: %w", stopped(ctx, err))
		}
		if err := engine(); err != nil {
			return err
		}
		if err := refuseInputAsOutput(f.out.output, paths, snap); err != nil {
			return err
		}
		snaps = append(snaps, snap)
	}
	if err := engine(); err != nil {
		return err
	}
	if f.live.any() {
		live, err := f.live.collect(ctx, e)
		if err != nil {
			return err
		}
		if f.saveSnapshot != "" {
			if live, err = saveSnapshot(ctx, f.saveSnapshot, live); err != nil {
				return err
			}
		}
		snaps = append(snaps, live)
	}
	var snap *snapshot.Snapshot
	if len(snaps) == 1 && !f.live.any() {
		snap = snaps[0] // load.Load folds what it reads: merging it alone would fold it again
	} else {
		snap = snapshot.Merge(snaps...)
	}
	fs, err := eng.Evaluate(ctx, snap)
	if err != nil {
		return stopped(ctx, err) // pkg/eval says "evaluate rules" itself
	}
	rep := findings.NewReport(e.tool(), eng.Rules(), fs, snap, eng.NotChecked(snap)...)
	if err := f.triage(e, cfg, &rep); err != nil {
		return err
	}
	if err := f.out.write(ctx, e, format, &rep); err != nil {
		return stopped(ctx, err)
	}
	if err := cfg.writeOutputs(ctx, e, f.out, &rep); err != nil {
		return stopped(ctx, err)
	}
	if f.baselineMode {
		failOn = findings.FailNone // a baseline records findings; they never fail its run
	}
	code, why := verdict(&rep, snap, failOn, f.allowSkipped)
	// The text report on standard output already lists the errors; elsewhere say so on stderr,
	// so a CI log shows why the run failed.
	if len(rep.Errors) > 0 && (format != report.Text || f.out.output != "") {
		for _, ie := range rep.Errors {
			fmt.Fprintf(e.stderr, "irsa-audit: %s\n", report.FormatInputError(ie))
		}
	}
	if why != "" {
		fmt.Fprintf(e.stderr, "irsa-audit: %s\n", why)
	}
	if code != exitOK {
		return exitCodeError{code}
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

// write renders the report to --output (see writeOutput and writeS3) or standard output.
func (f *outputFlags) write(ctx context.Context, e env, format report.Format, rep *findings.Report) error {
	wd, err := e.getwd()
	if err != nil {
		return fmt.Errorf("find working directory: %w", err)
	}
	opts := report.Options{Root: wd, WorkDir: wd, Category: f.category, LinkBase: f.linkBaseFor(e)}
	if f.output == "" || f.output == "-" {
		switch f.color {
		case "always":
			opts.Color = true
		case "auto":
			opts.Color = report.ColorFor(e.stdout, e.getenv)
		}
		opts.Width = e.width()
		if err := report.Write(e.stdout, format, rep, opts); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	opts.Color = f.color == "always"
	opts.Color = f.color == "always"
	if isS3URL(f.output) {
		return writeS3(ctx, e, f.profile, f.output, format, func(w io.Writer) error { return report.Write(w, format, rep, opts) })
	}
	return writeOutput(ctx, f.output, func(w io.Writer) error { return report.Write(w, format, rep, opts) })
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
	if n > math.MaxInt64/mult {
		return 0, fmt.Errorf("size %q is too large (at most %d bytes)", s, int64(math.MaxInt64))
	}
	return n * mult, nil
}
