package main

import (
	"github.com/spf13/cobra"
)

// newBaselineCommand is scan writing the JSON report that --baseline reads later: today's
// findings, accepted as they are, so that later runs fail only on new ones.
func newBaselineCommand(e env) *cobra.Command {
	f := scanFlags{baselineMode: true}
	cmd := &cobra.Command{
		Use:   "baseline [flags] -o FILE PATH...",
		Short: "Write a baseline: a JSON report of today's findings for scan --baseline",
		Long: `Scan like 'irsa-audit scan' and write the JSON report to -o: the findings of an existing
estate, accepted as they are. 'irsa-audit scan --baseline FILE' then fails only on findings whose
fingerprint the baseline does not have, and reports the others as unchanged. Commit the file
(or keep it where the scheduled scan can read it) and refresh it when findings are fixed.

Findings never fail this command: it exits 0, or 2 when an input could not be read (the file is
still written).`,
		Example: `  irsa-audit baseline -o .irsa-audit-baseline.json iam/ deploy/
  irsa-audit scan --baseline .irsa-audit-baseline.json iam/ deploy/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.live.checkSources(cmd.Flags()); err != nil {
				return err
			}
			return runScan(cmd.Context(), e, f, args, cmd.Flags().Changed)
		},
	}
	f.rules.register(cmd)
	cmd.Flags().StringVarP(&f.out.output, "output", "o", "", "write the baseline to `FILE` or s3://bucket/key (default: standard output)")
	f.out.color = "never"
	f.live.register(cmd)
	f.cfg.register(cmd, false)
	registerSaveSnapshot(cmd, &f.saveSnapshot)
	cmd.Flags().StringVar(&f.maxFileSize, "max-file-size", "10MiB", "files larger than this are reported, not read (e.g. 512KiB, 10MiB, 1GiB)")
	cmd.Flags().StringVar(&f.stdinName, "stdin-name", "-", "file name to report for standard input")
	f.failOn = "none"
	return cmd
}
