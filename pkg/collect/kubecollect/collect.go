package kubecollect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/irsa-audit/irsa-audit/pkg/collect/internal/progress"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// inClusterContext is the context name used for the in-cluster configuration.
const inClusterContext = "in-cluster"

// target is one cluster to collect: a kubeconfig context or the in-cluster config.
type target struct {
	context string
	config  *rest.Config
	eks     eksRef
	err     error // the client config could not be built
}

// Collect reads every selected context. One unreachable cluster, one forbidden list or one
// forbidden namespace never fails the whole collection: it is recorded in the snapshot's Errors
// and the cluster's Inventory notes, and everything else is still collected. Collect fails only
// when the kubeconfig cannot be loaded, a named context does not exist, or ctx ends.
func Collect(ctx context.Context, opts Options) (*snapshot.Snapshot, error) {
	opts = opts.withDefaults()
	targets, err := targets(ctx, opts)
	if err != nil {
		return nil, err
	}
	pr := progress.New(opts.Progress)
	results := make([]*clusterResult, len(targets))
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			results[i] = collectCluster(ctx, opts, pr, t)
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("collect kubernetes: %w", context.Cause(ctx))
	}
	return assemble(opts, results), nil
}

// targets resolves the contexts to collect.
func targets(ctx context.Context, opts Options) ([]target, error) {
	if opts.InCluster {
		return []target{inCluster(opts)}, nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if opts.Kubeconfig != "" {
		rules.ExplicitPath = opts.Kubeconfig
	}
	cleanup, err := boundKubeconfigs(ctx, rules)
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	defer cleanup()
	raw, err := rules.Load()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	names := opts.Contexts
	switch {
	case opts.AllContexts:
		names = slices.Sorted(maps.Keys(raw.Contexts))
	case len(names) == 0 && raw.CurrentContext != "":
		names = []string{raw.CurrentContext}
	case len(names) == 0:
		if len(raw.Contexts) == 0 {
			if _, err := rest.InClusterConfig(); err == nil {
				return []target{inCluster(opts)}, nil
			}
			return nil, errors.New("no kubeconfig context found and not running in a cluster: pass --kubeconfig or --context")
		}
		return nil, errors.New("the kubeconfig has no current context: pass --context or --all-contexts")
	}
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	if opts.Cluster != "" && len(names) > 1 {
		return nil, errors.New("--cluster names one cluster: use it with a single context")
	}
	var out []target
	for _, name := range names {
		if _, ok := raw.Contexts[name]; !ok {
			return nil, fmt.Errorf("kubeconfig context %q not found", name)
		}
		cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, rules).ClientConfig()
		t := target{context: name, eks: eksFromKubeconfig(*raw, name, opts.Cluster)}
		if err != nil {
			t.err = fmt.Errorf("client config: %w", err)
		} else {
			t.config = tune(cfg, opts)
		}
		out = append(out, t)
	}
	return out, nil
}

func inCluster(opts Options) target {
	t := target{context: inClusterContext, eks: eksFromKubeconfig(clientcmdapi.Config{}, "", opts.Cluster)}
	cfg, err := rest.InClusterConfig()
	if err != nil {
		t.err = fmt.Errorf("in-cluster config: %w", err)
		return t
	}
	t.config = tune(cfg, opts)
	return t
}

// tune sets the request timeout and a client-side rate limit that suits a handful of list calls,
// and adds Options.WrapTransport.
func tune(cfg *rest.Config, opts Options) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.Timeout = opts.RequestTimeout
	cfg.QPS, cfg.Burst = 50, 100
	cfg.UserAgent = "irsa-audit"
	if opts.WrapTransport != nil {
		cfg.Wrap(opts.WrapTransport)
	}
	return cfg
}

// clusterResult is what was read from one cluster.
type clusterResult struct {
	context  string
	cluster  snapshot.Cluster
	sas      []snapshot.ServiceAccount
	wls      []snapshot.Workload
	errs     []snapshot.InputError
	calls    map[string]int
	skipped  bool // unreachable or unusable: no lists were made
	complete map[string]bool
}

func (r *clusterResult) fail(api string, format string, args ...any) {
	r.errs = append(r.errs, snapshot.InputError{API: api, Message: fmt.Sprintf("context %s: ", r.context) + fmt.Sprintf(format, args...)})
}

func (r *clusterResult) note(format string, args ...any) {
	r.cluster.Inventory.Notes = append(r.cluster.Inventory.Notes, fmt.Sprintf(format, args...))
}

func collectCluster(ctx context.Context, opts Options, pr *progress.Reporter, t target) *clusterResult {
	api := "kubernetes:" + t.context
	res := &clusterResult{context: t.context, calls: map[string]int{}, complete: map[string]bool{}}
	name := t.context
	if t.eks.Name != "" {
		name = t.eks.Name
	} else if opts.Cluster != "" {
		name = opts.Cluster
	}
	id := name
	if t.eks.ARN != "" {
		id = t.eks.ARN
	}
	res.cluster = snapshot.Cluster{ID: id, Name: name, ARN: t.eks.ARN, AccountID: t.eks.AccountID, Region: t.eks.Region, Loc: snapshot.Location{API: api}}
	if t.err != nil {
		res.skipped = true
		res.fail(api, "%v", t.err)
		res.note("not collected: %v", t.err)
		return res
	}
	cs, err := kubernetes.NewForConfig(t.config)
	if err != nil {
		res.skipped = true
		res.fail(api, "client: %v", err)
		res.note("not collected: %v", err)
		return res
	}
	pr.Printf("kubernetes %s: connecting", t.context)
	res.calls["kubernetes:get version"]++
	if _, err := cs.Discovery().RESTClient().Get().AbsPath("/version").DoRaw(ctx); err != nil {
		res.skipped = true
		// An answer is not "unreachable": say what the server said.
		what, note := "unreachable", "cluster unreachable"
		switch {
		case apierrors.IsUnauthorized(err):
			what = "the API server rejected the credentials (401 Unauthorized): refresh them (e.g. aws eks update-kubeconfig, or log in again)"
			note = "credentials rejected (401 Unauthorized)"
		case apierrors.IsForbidden(err):
			what, note = "the API server refused access (403 Forbidden)", "access refused (403 Forbidden)"
		}
		res.fail(api, "%s: %v", what, err)
		res.note("not collected: %s", note)
		pr.Printf("kubernetes %s: %s", t.context, note)
		return res
	}
	identify(ctx, opts, cs, t, res)
	l := &lister{cs: cs, opts: opts, res: res}
	for _, rs := range resources() {
		if ctx.Err() != nil {
			return res
		}
		l.collect(ctx, rs)
	}
	res.cluster.Inventory.ServiceAccounts = res.complete["serviceaccounts"]
	res.cluster.Inventory.Workloads = true
	for _, rs := range resources() {
		if rs.name != "serviceaccounts" && !res.complete[rs.name] {
			res.cluster.Inventory.Workloads = false
		}
	}
	pr.Printf("kubernetes %s: %d service accounts, %d workloads", t.context, len(res.sas), len(res.wls))
	return res
}

// identify fills the cluster's EKS identity and issuer: from eks:DescribeCluster when the
// kubeconfig points at EKS and a lookup is configured, else from the API server's discovery
// document.
func identify(ctx context.Context, opts Options, cs kubernetes.Interface, t target, res *clusterResult) {
	if t.eks.known() && opts.EKS != nil {
		d, err := opts.EKS.DescribeCluster(ctx, t.eks.AccountID, t.eks.Region, t.eks.Name)
		if err == nil {
			applyEKS(&res.cluster, d)
			if res.cluster.Issuer != "" {
				return
			}
		} else {
			res.note("eks:DescribeCluster %s in %s failed, issuer read from the API server instead: %v", t.eks.Name, t.eks.Region, err)
		}
	}
	res.calls["kubernetes:get /.well-known/openid-configuration"]++
	issuer, err := discoveryIssuer(ctx, cs)
	if err != nil {
		res.fail("kubernetes:get /.well-known/openid-configuration", "%v", err)
		res.note("issuer unknown: %v", err)
		return
	}
	res.cluster.Issuer = issuer
}

// assemble builds the snapshot in a deterministic order.
func assemble(opts Options, results []*clusterResult) *snapshot.Snapshot {
	snap := &snapshot.Snapshot{Version: snapshot.Version, GeneratedAt: opts.Now().UTC().Format(time.RFC3339)}
	for _, r := range results {
		if r == nil {
			continue
		}
		snap.Sources = append(snap.Sources, snapshot.Source{Kind: "api", Name: "kubernetes:" + r.context, Format: "kubernetes"})
		snap.Clusters = append(snap.Clusters, r.cluster)
		snap.ServiceAccounts = append(snap.ServiceAccounts, r.sas...)
		snap.Workloads = append(snap.Workloads, r.wls...)
		snap.Errors = append(snap.Errors, r.errs...)
		for k, n := range r.calls {
			if snap.Stats.APICalls == nil {
				snap.Stats.APICalls = map[string]int{}
			}
			snap.Stats.APICalls[k] += n
		}
	}
	slices.SortFunc(snap.Sources, func(a, b snapshot.Source) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(snap.Clusters, func(a, b snapshot.Cluster) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(snap.ServiceAccounts, func(a, b snapshot.ServiceAccount) int {
		return cmp.Or(cmp.Compare(a.Cluster, b.Cluster), cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	slices.SortFunc(snap.Workloads, func(a, b snapshot.Workload) int {
		return cmp.Or(cmp.Compare(a.Cluster, b.Cluster), cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	// Errors stay in the order they were met: clusters in context order (targets are sorted),
	// and within a cluster in the order things were tried.
	return snap
}
