// Package collect turns live AWS accounts and Kubernetes clusters into one snapshot: the same
// model the file loader builds, so the same rules judge both. AWS is read by awscollect,
// Kubernetes by kubecollect; this package runs them, lets the Kubernetes side look up EKS
// clusters through the AWS side, and joins the two views of the same EKS cluster.
package collect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/irsa-audit/irsa-audit/pkg/collect/awscollect"
	"github.com/irsa-audit/irsa-audit/pkg/collect/kubecollect"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Options select what to collect. At least one of AWS and Kube must be set.
type Options struct {
	// AWS collects AWS (--aws); nil skips it.
	AWS *awscollect.Options
	// Kube collects Kubernetes (--kube); nil skips it.
	Kube *kubecollect.Options
	// Timeout bounds the whole collection (--timeout); 0 means none.
	Timeout time.Duration
	// Progress receives progress lines (pass os.Stderr only when it is a terminal); nil is quiet.
	// It is used for AWS and Kube when their own Progress is nil.
	Progress io.Writer
	// Now is the clock for GeneratedAt (default time.Now).
	Now func() time.Time
}

// Collect collects everything selected into one snapshot. It fails as a whole only when AWS
// rejects the credentials (*awscollect.CredentialsError), a kubeconfig or context cannot be
// loaded, or the timeout or ctx ends; every other failure is recorded in the snapshot's Errors
// and inventories.
func Collect(ctx context.Context, opts Options) (*snapshot.Snapshot, error) {
	if opts.AWS == nil && opts.Kube == nil {
		return nil, errors.New("collect: nothing to collect: choose --aws and/or --kube")
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, opts.Timeout, fmt.Errorf("collection timed out after %s", opts.Timeout))
		defer cancel()
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}

	var awsSnap *snapshot.Snapshot
	var awsc *awscollect.Collector
	if opts.AWS != nil {
		o := *opts.AWS
		o.Progress = cmp.Or(o.Progress, opts.Progress)
		o.Now = now
		var err error
		if awsc, err = awscollect.New(ctx, o); err != nil {
			return nil, err
		}
		if awsSnap, err = awsc.Collect(ctx); err != nil {
			return nil, err
		}
	}

	var kubeSnap *snapshot.Snapshot
	if opts.Kube != nil {
		o := *opts.Kube
		o.Progress = cmp.Or(o.Progress, opts.Progress)
		o.Now = now
		if o.EKS == nil {
			o.EKS = &eksLookup{known: awsClusters(awsSnap), collector: awsc}
		}
		var err error
		if kubeSnap, err = kubecollect.Collect(ctx, o); err != nil {
			return nil, err
		}
		if l, ok := o.EKS.(*eksLookup); ok && l.collector != nil && awsc == nil {
			// Calls made only to describe clusters for the Kubernetes side still count.
			addCalls(kubeSnap, l.collector.APICalls())
		}
	}
	// Merge folds the two views of one EKS cluster (same ID: its ARN) into one entry: the
	// identity from EKS, the inventory of ServiceAccounts and workloads from Kubernetes.
	out := snapshot.Merge(awsSnap, kubeSnap)
	slices.SortStableFunc(out.Clusters, func(a, b snapshot.Cluster) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

func awsClusters(s *snapshot.Snapshot) []snapshot.Cluster {
	if s == nil {
		return nil
	}
	return s.Clusters
}

func addCalls(s *snapshot.Snapshot, calls map[string]int) {
	for k, n := range calls {
		if s.Stats.APICalls == nil {
			s.Stats.APICalls = map[string]int{}
		}
		s.Stats.APICalls[k] += n
	}
}

// eksLookup answers the Kubernetes side's questions about EKS clusters: from the clusters the
// AWS collection already described, else with one eks:DescribeCluster through the AWS collector
// (made on first use with the SDK's default credentials when AWS collection was not asked for).
type eksLookup struct {
	known     []snapshot.Cluster
	collector *awscollect.Collector

	once    sync.Once
	initErr error
}

// DescribeCluster implements kubecollect.EKSLookup.
func (l *eksLookup) DescribeCluster(ctx context.Context, accountID, region, name string) (snapshot.Cluster, error) {
	for _, c := range l.known {
		if c.Name == name && c.Region == region && (accountID == "" || c.AccountID == accountID) {
			return c, nil
		}
	}
	l.once.Do(func() {
		if l.collector == nil {
			l.collector, l.initErr = awscollect.New(ctx, awscollect.Options{})
		}
	})
	if l.initErr != nil {
		return snapshot.Cluster{}, l.initErr
	}
	return l.collector.DescribeCluster(ctx, accountID, region, name)
}
