package awscollect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irsa-audit/irsa-audit/pkg/collect/internal/progress"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// defaultRegion is used for the global services (IAM, STS, Account) when no region is configured.
const defaultRegion = "us-east-1"

// Collector collects AWS accounts into a snapshot. Make one with New; it is safe for concurrent
// use by DescribeCluster once Collect has returned.
type Collector struct {
	opts     Options
	base     aws.Config
	calls    *callCounter
	progress *progress.Reporter

	mu       sync.Mutex
	accounts map[string]aws.Config // account id -> config whose credentials act in it
}

// New loads the AWS configuration (the SDK's default chain, Profile, RoleARN) without calling
// any API yet.
func New(ctx context.Context, opts Options) (*Collector, error) {
	opts = opts.withDefaults()
	c := &Collector{opts: opts, calls: &callCounter{}, progress: progress.New(opts.Progress), accounts: map[string]aws.Config{}}
	// The SDK logs warnings (an IMDSv1 fallback, an unparsable Date header) to standard error
	// by default, in the middle of a report; they go to the progress lines instead.
	logger := sdkLogger{c.progress}
	var cfg aws.Config
	if opts.Config != nil {
		cfg = opts.Config.Copy()
	} else {
		lo := []func(*config.LoadOptions) error{config.WithLogger(logger)}
		if opts.Profile != "" {
			lo = append(lo, config.WithSharedConfigProfile(opts.Profile))
		}
		var err error
		cfg, err = config.LoadDefaultConfig(ctx, lo...)
		if err != nil {
			return nil, fmt.Errorf("load aws config: %w", err)
		}
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
		if len(opts.Regions) > 0 {
			cfg.Region = opts.Regions[0]
		}
	}
	cfg.Retryer = func() aws.Retryer {
		return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
			o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
				so.MaxAttempts = opts.MaxAttempts
				if opts.MaxBackoff > 0 {
					so.MaxBackoff = opts.MaxBackoff
				}
			})
		})
	}
	cfg.Logger, cfg.ClientLogMode = logger, 0
	cfg.APIOptions = append(slices.Clone(cfg.APIOptions), instrument(opts.CallTimeout, c.calls))
	// Find the credentials now: without any, every call would fail with the SDK's account of
	// each provider it tried, which says nothing a person can act on.
	if cfg.Credentials == nil {
		return nil, &CredentialsError{Err: errors.New("no credentials provider")}
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("aws credentials: %w", context.Cause(ctx))
		}
		if ce, ok := asCredentialsError(err); ok {
			return nil, ce
		}
		return nil, &CredentialsError{Err: err}
	}
	if opts.RoleARN != "" {
		cfg.Credentials = c.assumeRole(cfg, opts.RoleARN)
	}
	c.base = cfg
	return c, nil
}

// assumeRole returns cached credentials for role, obtained with the credentials of cfg.
func (c *Collector) assumeRole(cfg aws.Config, role string) aws.CredentialsProvider {
	client := sts.NewFromConfig(cfg, c.stsEndpoint)
	return aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(client, role, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "irsa-audit"
		if c.opts.ExternalID != "" {
			o.ExternalID = aws.String(c.opts.ExternalID)
		}
	}))
}

// Collect reads every account and returns the snapshot. It fails as a whole only when the
// credentials are rejected (*CredentialsError), the organization's accounts cannot be listed for
// AllAccounts (*OrganizationsError), or ctx ends; anything else (an account whose role cannot be
// assumed, a region denied, a document that does not parse) is recorded in the snapshot's Errors
// and in the account's Inventory notes, and the rest is still collected. Organization accounts
// that are not active are listed in the snapshot's Accounts with a note, not scanned.
func (c *Collector) Collect(parent context.Context) (*snapshot.Snapshot, error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	type target struct {
		label string
		cfg   aws.Config
	}
	var targets []target
	var notScanned []*accountResult // organization accounts that are not active
	var sources []snapshot.Source
	if c.opts.AllAccounts {
		switch {
		case len(c.opts.Accounts) > 0:
			return nil, errors.New("aws: --all-accounts and --accounts exclude each other")
		case c.opts.AccountRole == "":
			return nil, errors.New("aws: --all-accounts needs --account-role")
		}
	}
	if c.opts.AccountRole != "" {
		if !c.opts.AllAccounts && len(c.opts.Accounts) == 0 {
			return nil, errors.New("aws: --account-role needs --accounts or --all-accounts")
		}
		if !strings.Contains(c.opts.AccountRole, "{account}") {
			return nil, fmt.Errorf("aws: --account-role %q has no {account} placeholder", c.opts.AccountRole)
		}
		ids := slices.Compact(slices.Sorted(slices.Values(c.opts.Accounts)))
		if c.opts.AllAccounts {
			c.progress.Printf("aws: listing the organization's accounts")
			listed, err := c.listOrganizationAccounts(ctx, c.base)
			if err != nil {
				if parent.Err() != nil {
					return nil, fmt.Errorf("collect aws: %w", context.Cause(parent))
				}
				if ce, ok := asCredentialsError(err); ok {
					return nil, ce
				}
				return nil, &OrganizationsError{Code: errorCode(err), Err: err}
			}
			sources = append(sources, snapshot.Source{Kind: "api", Name: apiListAccounts, Format: "aws-organizations"})
			for _, a := range listed {
				if a.active() {
					ids = append(ids, a.id)
					continue
				}
				res := &accountResult{label: a.id, id: a.id}
				res.note("account not scanned: %s lists it as %s", apiListAccounts, cmp.Or(a.status, "(no status)"))
				notScanned = append(notScanned, res)
			}
			c.progress.Printf("aws: organization has %d accounts, %d active", len(listed), len(ids))
		}
		for _, id := range ids {
			cfg := c.base.Copy()
			cfg.Credentials = c.assumeRole(c.base, strings.ReplaceAll(c.opts.AccountRole, "{account}", id))
			targets = append(targets, target{label: id, cfg: cfg})
		}
	} else {
		targets = append(targets, target{label: "", cfg: c.base})
	}

	run := &run{c: c, sem: make(chan struct{}, c.opts.Concurrency), cancel: cancel}
	results := make([]*accountResult, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() { results[i] = run.account(ctx, t.label, t.cfg) })
	}
	wg.Wait()
	// The caller's deadline or cancellation explains every failure after it: report it first.
	if parent.Err() != nil {
		return nil, fmt.Errorf("collect aws: %w", context.Cause(parent))
	}
	if run.fatal != nil {
		return nil, run.fatal
	}
	return c.assemble(append(results, notScanned...), sources), nil
}

// DescribeCluster looks up one EKS cluster (eks:DescribeCluster) with the credentials of its
// account when Collect has seen that account, else with the base credentials.
func (c *Collector) DescribeCluster(ctx context.Context, accountID, region, name string) (snapshot.Cluster, error) {
	c.mu.Lock()
	cfg, ok := c.accounts[accountID]
	c.mu.Unlock()
	if !ok {
		cfg = c.base
	}
	cl, err := describeCluster(ctx, c.eksClient(cfg, region), accountID, region, name)
	if err != nil {
		if ce, ok := asCredentialsError(err); ok {
			return snapshot.Cluster{}, ce
		}
		return snapshot.Cluster{}, err
	}
	return cl, nil
}

// APICalls returns the HTTP requests sent so far per operation, retries included (what
// Snapshot.Stats.APICalls holds).
func (c *Collector) APICalls() map[string]int { return c.calls.snapshot() }

// Invocations returns the operations invoked so far, retries not included: the number of pages
// and lookups the collection needed.
func (c *Collector) Invocations() map[string]int { return c.calls.invocationsSnapshot() }

// Collect is New followed by Collector.Collect.
func Collect(ctx context.Context, opts Options) (*snapshot.Snapshot, error) {
	c, err := New(ctx, opts)
	if err != nil {
		return nil, err
	}
	return c.Collect(ctx)
}

// run is the state of one Collect call.
type run struct {
	c   *Collector
	sem chan struct{}

	mu     sync.Mutex
	fatal  error
	cancel context.CancelFunc
}

// acquire takes a concurrency slot; false when ctx ended first.
func (r *run) acquire(ctx context.Context) bool {
	select {
	case r.sem <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (r *run) release() { <-r.sem }

// check stops the whole collection when err means the credentials were rejected, and reports
// whether it did.
func (r *run) check(err error) bool {
	ce, ok := asCredentialsError(err)
	if !ok {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fatal == nil {
		r.fatal = ce
		r.cancel()
	}
	return true
}

// accountResult is what was read from one account.
type accountResult struct {
	label    string // the account id asked for ("" for the caller's own)
	id       string
	inv      snapshot.AccountInventory
	roles    []snapshot.Role
	policies []snapshot.ManagedPolicy
	provs    []snapshot.OIDCProvider
	clusters []snapshot.Cluster
	pias     []snapshot.PodIdentityAssociation
	errs     []snapshot.InputError
	sources  []snapshot.Source
}

func (a *accountResult) note(format string, args ...any) {
	a.inv.Notes = append(a.inv.Notes, fmt.Sprintf(format, args...))
}

func (a *accountResult) fail(api string, err error) {
	who := a.id
	if who == "" {
		who = a.label
	}
	a.errs = append(a.errs, snapshot.InputError{API: api, Message: fmt.Sprintf("account %s: %v", who, err)})
}

// account collects one account: identity, IAM, then the regions (each in its own goroutine).
func (r *run) account(ctx context.Context, label string, cfg aws.Config) *accountResult {
	c := r.c
	res := &accountResult{label: label}
	if !r.acquire(ctx) {
		return res
	}
	id, err := callerAccount(ctx, sts.NewFromConfig(cfg, c.stsEndpoint))
	if err != nil {
		r.release()
		if r.check(err) {
			return res
		}
		if label == "" {
			// Without an identity there is nothing to attribute anything to.
			r.mu.Lock()
			if r.fatal == nil {
				r.fatal = fmt.Errorf("aws: %w", err)
				r.cancel()
			}
			r.mu.Unlock()
			return res
		}
		res.id = label
		res.fail("sts:GetCallerIdentity", err)
		res.note("account not scanned: %v", err)
		return res
	}
	res.id = id
	if label != "" && id != label {
		res.note("role for account %s acts in account %s", label, id)
	}
	c.mu.Lock()
	c.accounts[id] = cfg
	c.mu.Unlock()
	c.progress.Printf("aws %s: reading iam", id)
	iamc := c.iamClient(cfg)
	r.collectIAM(ctx, iamc, res)
	regions, complete := r.regions(ctx, cfg, res)
	r.release()
	if ctx.Err() != nil {
		return res
	}

	regionResults := make([]*regionResult, len(regions))
	var wg sync.WaitGroup
	for i, region := range regions {
		wg.Go(func() {
			if !r.acquire(ctx) {
				return
			}
			defer r.release()
			regionResults[i] = r.region(ctx, c.eksClient(cfg, region), id, region)
		})
	}
	wg.Wait()
	allOK := complete
	for i, rr := range regionResults {
		if rr == nil {
			allOK = false
			continue
		}
		res.clusters = append(res.clusters, rr.clusters...)
		res.pias = append(res.pias, rr.pias...)
		res.errs = append(res.errs, rr.errs...)
		res.inv.Notes = append(res.inv.Notes, rr.notes...)
		res.sources = append(res.sources, snapshot.Source{Kind: "api", Name: "eks:" + id + ":" + regions[i], Format: "aws-eks"})
		if rr.complete {
			res.inv.ClusterRegions = append(res.inv.ClusterRegions, regions[i])
		} else {
			allOK = false
		}
	}
	slices.Sort(res.inv.ClusterRegions)
	res.inv.AllRegions = allOK
	c.progress.Printf("aws %s: %d roles, %d managed policies, %d oidc providers, %d clusters in %d regions",
		id, len(res.roles), len(res.policies), len(res.provs), len(res.clusters), len(res.inv.ClusterRegions))
	return res
}

func callerAccount(ctx context.Context, client *sts.Client) (string, error) {
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("get caller identity: %w", err)
	}
	return aws.ToString(out.Account), nil
}

// assemble builds the snapshot in a deterministic order.
func (c *Collector) assemble(results []*accountResult, sources []snapshot.Source) *snapshot.Snapshot {
	snap := &snapshot.Snapshot{Version: snapshot.Version, GeneratedAt: c.opts.Now().UTC().Format(time.RFC3339), Sources: sources}
	slices.SortFunc(results, func(a, b *accountResult) int { return cmp.Compare(a.id, b.id) })
	for _, r := range results {
		snap.Accounts = append(snap.Accounts, snapshot.Account{ID: r.id, Inventory: r.inv})
		snap.Sources = append(snap.Sources, r.sources...)
		snap.Roles = append(snap.Roles, r.roles...)
		snap.ManagedPolicies = append(snap.ManagedPolicies, r.policies...)
		snap.OIDCProviders = append(snap.OIDCProviders, r.provs...)
		snap.Clusters = append(snap.Clusters, r.clusters...)
		snap.PodIdentityAssociations = append(snap.PodIdentityAssociations, r.pias...)
		snap.Errors = append(snap.Errors, r.errs...)
	}
	slices.SortFunc(snap.Roles, func(a, b snapshot.Role) int { return cmp.Compare(a.ARN, b.ARN) })
	slices.SortFunc(snap.ManagedPolicies, func(a, b snapshot.ManagedPolicy) int { return cmp.Compare(a.ARN, b.ARN) })
	slices.SortFunc(snap.OIDCProviders, func(a, b snapshot.OIDCProvider) int { return cmp.Compare(a.ARN, b.ARN) })
	slices.SortFunc(snap.Clusters, func(a, b snapshot.Cluster) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(snap.PodIdentityAssociations, func(a, b snapshot.PodIdentityAssociation) int { return cmp.Compare(a.ARN, b.ARN) })
	slices.SortStableFunc(snap.Errors, func(a, b snapshot.InputError) int {
		return cmp.Or(cmp.Compare(a.API, b.API), cmp.Compare(a.Message, b.Message))
	})
	slices.SortFunc(snap.Sources, func(a, b snapshot.Source) int { return cmp.Compare(a.Name, b.Name) })
	snap.Stats.APICalls = c.calls.snapshot()
	return snap
}
