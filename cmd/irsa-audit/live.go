package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/irsa-audit/irsa-audit/pkg/collect/awscollect"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// liveFlags select and configure live collection (scan --aws --kube, collect).
type liveFlags struct {
	aws  bool
	kube bool

	profile     string
	regions     []string
	roleARN     string
	externalID  string
	accountRole string
	accounts    []string

	timeout time.Duration
	quiet   bool
}

func (f *liveFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.aws, "aws", false, "collect IAM roles, policies, OIDC providers and EKS clusters from AWS")
	fl.BoolVar(&f.kube, "kube", false, "collect ServiceAccounts and workloads from Kubernetes")
	fl.StringVar(&f.profile, "profile", "", "AWS shared-config profile (default: the SDK's credential chain)")
	fl.StringArrayVar(&f.regions, "region", nil, "AWS region to scan for EKS clusters (repeatable; default: every enabled region)")
	fl.StringVar(&f.roleARN, "role-arn", "", "IAM role to assume first (a read-only audit role)")
	fl.StringVar(&f.externalID, "external-id", "", "external id for --role-arn and --account-role")
	fl.StringVar(&f.accountRole, "account-role", "", "role ARN template assumed in each of --accounts, e.g. 'arn:aws:iam::{account}:role/irsa-audit'")
	fl.StringSliceVar(&f.accounts, "accounts", nil, "comma-separated account ids to scan through --account-role")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Minute, "give up live collection after this long")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress output while collecting")
}

func (f *liveFlags) any() bool { return f.aws || f.kube }

// collect runs the selected live collectors. Faults in one account, region or cluster are in the
// snapshot's errors; an error here means nothing usable was collected.
func (f *liveFlags) collect(ctx context.Context, e env) (*snapshot.Snapshot, error) {
	if f.accountRole != "" && len(f.accounts) == 0 {
		return nil, usageError{fmt.Errorf("--account-role needs --accounts")}
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	progress := e.progress(f.quiet)
	var snaps []*snapshot.Snapshot
	if f.aws {
		s, err := awscollect.Collect(ctx, awscollect.Options{
			Profile:     f.profile,
			Regions:     f.regions,
			RoleARN:     f.roleARN,
			ExternalID:  f.externalID,
			AccountRole: f.accountRole,
			Accounts:    f.accounts,
			Progress:    progress,
			Now:         e.now,
		})
		if err != nil {
			return nil, fmt.Errorf("collect from aws: %w", err)
		}
		snaps = append(snaps, s)
	}
	return snapshot.Merge(snaps...), nil
}
