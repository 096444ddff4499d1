package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/report"
)

func newDiffCommand(e env) *cobra.Command {
	var out outputFlags
	var failOn string
	cmd := &cobra.Command{
		Use:   "diff [flags] OLD.json NEW.json",
		Short: "Compare two JSON reports: new, fixed and changed-severity findings",
		Long: `Compare two JSON reports of the same scan taken at different times (last night's scheduled
scan and tonight's, say), matching findings by fingerprint: new findings, fixed ones, and those
whose severity changed. Reports of format version 1 and 2 are read.

Exit codes: 0 nothing new at or above --fail-on; 1 a new finding (or one whose severity rose) at
or above --fail-on; 2 usage error or a report that could not be read.`,
		Example: `  irsa-audit diff last-night.json tonight.json
  irsa-audit diff --format markdown -o diff.md s3-old.json s3-new.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.ExactArgs(2)(cmd, args); err != nil {
				return usageError{err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := report.ParseFormat(out.format)
			if err != nil {
				return usageError{err}
			}
			if !slices.Contains(report.DiffFormats, format) {
				return usageError{fmt.Errorf("diff renders text, json or markdown, not %s", format)}
			}
			threshold, err := findings.ParseFailOn(failOn)
			if err != nil {
				return usageError{err}
			}
			if err := out.validate(); err != nil {
				return err
			}
			var reps [2]findings.Report
			for i, name := range args {
				if reps[i], err = readReportFile(name); err != nil {
					return fmt.Errorf("read report: %w", err)
				}
			}
			d := findings.NewDiff(e.tool(), args[0], reps[0], args[1], reps[1])
			wd, err := e.getwd()
			if err != nil {
				return fmt.Errorf("find working directory: %w", err)
			}
			opts := report.Options{Root: wd, WorkDir: wd, LinkBase: out.linkBaseFor(e)}
			render := func(w io.Writer) error { return report.WriteDiff(w, format, &d, opts) }
			switch {
			case out.output == "" || out.output == "-":
				opts.Width = e.width()
				if err := render(e.stdout); err != nil {
					return err
				}
			case isS3URL(out.output):
				if err := writeS3(cmd.Context(), e, "", out.output, format, render); err != nil {
					return err
				}
			default:
				if err := writeOutput(cmd.Context(), out.output, render); err != nil {
					return err
				}
			}
			if d.Fails(threshold) {
				return exitCodeError{exitFindings}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out.format, "format", "text", "diff format: "+strings.Join([]string{"text", "json", "markdown"}, ", "))
	cmd.Flags().StringVarP(&out.output, "output", "o", "", "write the diff to `FILE` or s3://bucket/key (default: standard output)")
	cmd.Flags().StringVar(&out.linkBase, "link-base", "", "URL that file links in markdown start with")
	cmd.Flags().StringVar(&failOn, "fail-on", "low", "exit 1 when a new finding is at or above this severity: none, low, medium, high or critical")
	out.color = "never"
	return cmd
}
