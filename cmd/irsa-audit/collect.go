package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/irsa-audit/irsa-audit/pkg/report"
)

func newCollectCommand(e env) *cobra.Command {
	var (
		f      liveFlags
		output string
	)
	cmd := &cobra.Command{
		Use:   "collect [--aws] [--kube] -o snapshot.json",
		Short: "Collect a snapshot from live AWS and Kubernetes APIs",
		Long: `Collect IAM roles and policies, OIDC providers, EKS clusters, ServiceAccounts and workloads
into a snapshot file, for 'irsa-audit scan snapshot.json' later or elsewhere.

Faults in one account, region or cluster are recorded in the snapshot's errors and the rest is
collected; the exit code is then 2. The file is written only when collection ends: an
interrupted run writes nothing.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !f.any() {
				return usageError{fmt.Errorf("collect needs --aws, --kube or both")}
			}
			if err := f.checkSources(cmd.Flags()); err != nil {
				return err
			}
			if err := checkOutputPath(output); err != nil {
				return err
			}
			ctx, cancel, err := f.bound(cmd.Context())
			if err != nil {
				return err
			}
			defer cancel()
			snap, err := f.collect(ctx, e)
			if err != nil {
				return err
			}
			write := func(w io.Writer) error {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(snap)
			}
			if output == "" || output == "-" {
				if err := write(e.stdout); err != nil {
					return fmt.Errorf("write snapshot: %w", err)
				}
			} else if err := writeOutput(ctx, output, write); err != nil {
				return stopped(ctx, err)
			}
			if len(snap.Errors) > 0 {
				for _, ie := range snap.Errors {
					fmt.Fprintf(e.stderr, "irsa-audit: %s\n", report.FormatInputError(ie))
				}
				return exitCodeError{exitError}
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the snapshot to `FILE` (default: standard output)")
	return cmd
}
