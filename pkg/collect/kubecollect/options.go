// Package kubecollect collects the Kubernetes side of IRSA into a snapshot: ServiceAccounts (with
// their eks.amazonaws.com/role-arn annotation) and the workloads that run as them (Pods,
// Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs), per kubeconfig context or
// in-cluster, with each cluster's identity (EKS ARN and OIDC issuer). It only lists and gets.
package kubecollect

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Options configure a Kubernetes collection. The zero value collects the current context of the
// default kubeconfig (KUBECONFIG or ~/.kube/config), or the in-cluster config when there is none.
type Options struct {
	// Kubeconfig is the kubeconfig path (--kubeconfig); "" uses KUBECONFIG (several paths
	// allowed) or ~/.kube/config.
	Kubeconfig string
	// Contexts are the contexts to collect (--context, repeatable); empty means the current one.
	Contexts []string
	// AllContexts collects every context of the kubeconfig (--all-contexts).
	AllContexts bool
	// InCluster uses the pod's own ServiceAccount (--in-cluster). Without kubeconfig contexts it
	// is used automatically when the process runs in a pod.
	InCluster bool
	// Cluster names the cluster of the (single) context (--cluster): an EKS cluster ARN, an EKS
	// cluster name, or any name. Without it the identity is read from the kubeconfig.
	Cluster string
	// Namespaces are read one by one when a cluster-wide list is forbidden and the namespaces
	// cannot be listed either (--namespace, repeatable).
	Namespaces []string

	// PageSize is the list page size (default 500).
	PageSize int64
	// RequestTimeout bounds each API request (default 30s).
	RequestTimeout time.Duration
	// Concurrency bounds the contexts collected at once (default 4).
	Concurrency int

	// WrapTransport, when set, wraps the HTTP transport of every cluster's client (after the
	// kubeconfig's own wrappers, through rest.Config.Wrap), so it sees each request sent to an
	// API server, client-go's retries included. It is for instrumentation: the live-collection
	// benchmark counts the requests each kind of list costs with it. The same function is used
	// for every context, so it must be safe for concurrent use.
	WrapTransport func(http.RoundTripper) http.RoundTripper

	// EKS looks up EKS clusters (ARN, issuer) for contexts that point at EKS; nil reads the
	// issuer from the API server's /.well-known/openid-configuration only.
	EKS EKSLookup

	// Progress receives one line per step; nil is quiet.
	Progress io.Writer
	// Now is the clock for GeneratedAt (default time.Now).
	Now func() time.Time
}

// EKSLookup describes an EKS cluster. *awscollect.Collector implements it.
type EKSLookup interface {
	// DescribeCluster returns the cluster's identity; accountID may be "" when unknown.
	DescribeCluster(ctx context.Context, accountID, region, name string) (snapshot.Cluster, error)
}

func (o Options) withDefaults() Options {
	if o.PageSize <= 0 {
		o.PageSize = 500
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
