package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/irsa-audit/irsa-audit/pkg/collect"
	"github.com/irsa-audit/irsa-audit/pkg/collect/awscollect"
	"github.com/irsa-audit/irsa-audit/pkg/collect/kubecollect"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// liveFlags select and configure live collection (scan --aws --kube, collect).
type liveFlags struct {
	aws  bool
	kube bool

	// AWS
	profile     string
	regions     []string
	roleARN     string
	externalID  string
	accountRole string
	accounts    []string
	allAccounts bool

	// Kubernetes
	kubeconfig  string
	contexts    []string
	allContexts bool
	inCluster   bool
	cluster     string
	namespaces  []string

	timeout   time.Duration
	maxMemory string
	quiet     bool
}

func (f *liveFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.aws, "aws", false, "collect IAM roles, policies, OIDC providers and EKS clusters from AWS")
	fl.BoolVar(&f.kube, "kube", false, "collect ServiceAccounts and workloads from Kubernetes")

	fl.StringVar(&f.profile, "profile", "", "AWS shared-config profile (default: the SDK's credential chain)")
	fl.StringArrayVar(&f.regions, "region", nil, "AWS region to scan for EKS clusters (repeatable; default: every region enabled for the account)")
	fl.StringVar(&f.roleARN, "role-arn", "", "IAM role to assume first (a read-only audit role)")
	fl.StringVar(&f.externalID, "external-id", "", "external id for --role-arn and --account-role")
	fl.StringVar(&f.accountRole, "account-role", "", "role ARN template assumed in each of --accounts or --all-accounts, e.g. 'arn:aws:iam::{account}:role/irsa-audit'")
	fl.StringSliceVar(&f.accounts, "accounts", nil, "comma-separated account ids to scan through --account-role")
	fl.BoolVar(&f.allAccounts, "all-accounts", false, "scan every active account of the AWS Organization (organizations:ListAccounts, from the management or delegated-admin account) through --account-role")

	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	fl.StringArrayVar(&f.contexts, "context", nil, "kubeconfig context to scan (repeatable; default: the current context)")
	fl.BoolVar(&f.allContexts, "all-contexts", false, "scan every context of the kubeconfig")
	fl.BoolVar(&f.inCluster, "in-cluster", false, "use the pod's in-cluster configuration (irsa-audit running as a CronJob)")
	fl.StringVar(&f.cluster, "cluster", "", "EKS cluster name or ARN of the context, when the kubeconfig does not say")
	fl.StringArrayVar(&f.namespaces, "namespace", nil, "namespaces to read when cluster-wide lists are forbidden (repeatable)")

	fl.DurationVar(&f.timeout, "timeout", 30*time.Minute, "give up the whole run (reading, collection, evaluation, writing) after this long; 0 for no limit")
	fl.StringVar(&f.maxMemory, "max-memory", "auto", "stop the run when its memory use passes this (e.g. 2GiB; auto: three quarters of the memory available; 0: no limit)")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress output while collecting")
}

func (f *liveFlags) any() bool { return f.aws || f.kube }

// checkSources refuses AWS flags without --aws and Kubernetes flags without --kube: they would
// silently do nothing.
func (f *liveFlags) checkSources(fs *pflag.FlagSet) error {
	for _, group := range []struct {
		on    bool
		need  string
		flags []string
	}{
		{f.aws, "--aws", []string{"profile", "region", "role-arn", "external-id", "account-role", "accounts", "all-accounts"}},
		{f.kube, "--kube", []string{"kubeconfig", "context", "all-contexts", "in-cluster", "cluster", "namespace"}},
	} {
		if group.on {
			continue
		}
		for _, name := range group.flags {
			if fs.Changed(name) {
				return usageError{fmt.Errorf("--%s needs %s", name, group.need)}
			}
		}
	}
	return nil
}

// collect runs the selected live collectors. Faults in one account, region, namespace or
// cluster are in the snapshot's errors; an error here means nothing usable was collected
// (credentials rejected, the organization's accounts not listed for --all-accounts, kubeconfig
// unusable, timeout or interrupt).
func (f *liveFlags) collect(ctx context.Context, e env) (*snapshot.Snapshot, error) {
	switch {
	case f.allAccounts && len(f.accounts) > 0:
		return nil, usageError{errors.New("--all-accounts and --accounts cannot be used together")}
	case f.allAccounts && f.accountRole == "":
		return nil, usageError{errors.New("--all-accounts needs --account-role")}
	case f.accountRole != "" && len(f.accounts) == 0 && !f.allAccounts:
		return nil, usageError{errors.New("--account-role needs --accounts or --all-accounts")}
	case len(f.accounts) > 0 && f.accountRole == "":
		return nil, usageError{errors.New("--accounts needs --account-role")}
	}
	// --timeout bounds the whole run, set by the command around this call.
	opts := collect.Options{Progress: e.progress(f.quiet), Now: e.now}
	if f.aws {
		opts.AWS = &awscollect.Options{
			Profile:     f.profile,
			Regions:     f.regions,
			RoleARN:     f.roleARN,
			ExternalID:  f.externalID,
			AccountRole: f.accountRole,
			Accounts:    f.accounts,
			AllAccounts: f.allAccounts,
		}
	}
	if f.kube {
		opts.Kube = &kubecollect.Options{
			Kubeconfig:  f.kubeconfig,
			Contexts:    f.contexts,
			AllContexts: f.allContexts,
			InCluster:   f.inCluster,
			Cluster:     f.cluster,
			Namespaces:  f.namespaces,
		}
	}
	snap, err := collect.Collect(ctx, opts)
	if err != nil {
		// The error says what to do already, once.
		var ce *awscollect.CredentialsError
		if errors.As(err, &ce) {
			return nil, ce
		}
		// Nothing was scanned: the command line has to change (another --role-arn, or --accounts).
		var oe *awscollect.OrganizationsError
		if errors.As(err, &oe) {
			return nil, usageError{oe}
		}
		return nil, fmt.Errorf("collect: %w", stopped(ctx, err))
	}
	return snap, nil
}

// bound applies --timeout and --max-memory to the whole run.
func (f *liveFlags) bound(ctx context.Context) (context.Context, context.CancelFunc, error) {
	limit := int64(0)
	switch f.maxMemory {
	case "auto":
		limit = defaultMaxMemory()
	case "0":
	default:
		n, err := parseSize(f.maxMemory)
		if err != nil {
			return nil, nil, usageError{fmt.Errorf("--max-memory: %w", err)}
		}
		limit = n
	}
	ctx, stopWatch := watchMemory(ctx, limit)
	ctx, cancel := withTimeout(ctx, f.timeout)
	return ctx, func() { cancel(); stopWatch() }, nil
}
