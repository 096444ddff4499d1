//go:build kubeintegration

package collect

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/irsa-audit/irsa-audit/internal/fakeaws"
	"github.com/irsa-audit/irsa-audit/internal/kubetest"
	"github.com/irsa-audit/irsa-audit/pkg/collect/kubecollect"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// The live-collection estate of docs/performance.md (benchmark 5).
const (
	liveRoles           = 5000
	livePolicies        = 1200
	liveNamespaces      = 100
	liveServiceAccounts = 50000 // 500 per namespace
	livePodsPerNS       = 20    // 2,000 Pods
	// liveIAMConstant is the IAM calls that do not grow with roles and policies:
	// ListOpenIDConnectProviders and one GetOpenIDConnectProvider for the account's one provider.
	liveIAMConstant = 2
	// livePageSize is kubecollect's default list page size (Options.PageSize left at 0).
	livePageSize = 500
)

// BenchmarkCollectLive times collect.Collect of a large AWS account (5,000 roles, 1,200 managed
// policies, served by the loopback fake) and a large cluster (50,000 ServiceAccounts in 100
// namespaces, 2,000 Pods, 100 Deployments, on the real kube-apiserver of scripts/bench.sh) into
// one snapshot, as `irsa-audit collect --aws --kube --cluster ARN` does. The objects are
// created once, before the timed loop, and left in place (the benchmark's apiserver is thrown
// away afterwards; a second run against the same one creates only what is missing).
//
// Besides wall time it reports the API calls one collection costs, counted on the wire: IAM and
// EKS requests as the fake AWS received them, Kubernetes requests through a counting
// RoundTripper (kubecollect.Options.WrapTransport). It fails when a call budget is exceeded:
// IAM calls > ceil(roles/1000) + ceil(policies/1000) + 2, or list calls of a kind >
// ceil(objects/500) (at least 1: an empty list is one call).
func BenchmarkCollectLive(b *testing.B) {
	const (
		acct = "111111111111"
		key  = "AKIDBENCH"
		arn  = "arn:aws:eks:us-east-1:111111111111:cluster/prod"
	)
	admin := kubetest.Env(b, "IRSA_AUDIT_KUBECONFIG")
	t0 := time.Now()
	created, err := createLiveObjects(context.Background(), admin, acct)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("kubernetes objects: %d created in %.1fs (the rest existed)", created, time.Since(t0).Seconds())

	srv := fakeaws.New(fakeaws.Synthetic(acct, key, liveRoles, livePolicies))
	defer srv.Close()

	type run struct {
		snap  *snapshot.Snapshot
		aws   map[string]int // requests the fake AWS received, per operation
		kube  map[string]int // requests sent to the apiserver, per "list <resource>" or "<method> <path>"
		steps string         // the progress lines, with the time since the start
	}
	var runs []run
	for b.Loop() {
		before := srv.Calls()
		kube := &requestCounter{n: map[string]int{}}
		steps := &stepLog{start: time.Now()}
		snap, err := Collect(context.Background(), Options{
			AWS:      awsOptions(srv, key),
			Kube:     &kubecollect.Options{Kubeconfig: admin, Cluster: arn, WrapTransport: kube.wrap},
			Timeout:  10 * time.Minute,
			Progress: steps,
		})
		if err != nil {
			b.Fatal(err)
		}
		aws := srv.Calls()
		for op, n := range before {
			aws[op] -= n
		}
		runs = append(runs, run{snap: snap, aws: aws, kube: kube.counts(), steps: steps.String()})
	}
	elapsed := b.Elapsed()

	iamBudget := ceilDiv(liveRoles, 1000) + ceilDiv(livePolicies, 1000) + liveIAMConstant
	var iam, eks, awsAll, kubeAll, lists, listBudget int
	perKind := map[string]int{}
	for _, r := range runs {
		checkLiveSnapshot(b, r.snap, arn)
		ri := sumPrefix(r.aws, "iam:")
		if ri > iamBudget {
			b.Fatalf("iam calls = %d (%v), budget ceil(%d/1000) + ceil(%d/1000) + %d = %d", ri, r.aws, liveRoles, livePolicies, liveIAMConstant, iamBudget)
		}
		iam += ri
		eks += sumPrefix(r.aws, "eks:")
		awsAll += sumPrefix(r.aws, "")
		kubeAll += sumPrefix(r.kube, "")
		objects := objectsPerResource(r.snap)
		listBudget = 0
		for _, res := range slices.Sorted(maps.Keys(objects)) {
			n, calls := objects[res], r.kube["list "+res]
			budget := max(1, ceilDiv(n, livePageSize))
			listBudget += budget
			if calls > budget {
				b.Fatalf("kubernetes list %s: %d calls for %d objects, budget %d", res, calls, n, budget)
			}
			if own := r.snap.Stats.APICalls["kubernetes:list "+res]; own != calls {
				// Not a failure: client-go retried a request (the collector counts pages).
				b.Logf("kubernetes list %s: %d requests sent, %d pages counted by the collector", res, calls, own)
			}
			perKind[res] += calls
			lists += calls
		}
		for k := range r.kube {
			if res, ok := strings.CutPrefix(k, "list "); ok {
				if _, known := objects[res]; !known {
					b.Fatalf("unexpected kubernetes list %s (%d calls): %v", res, r.kube[k], r.kube)
				}
			}
		}
	}
	last := runs[len(runs)-1]
	b.Logf("aws requests: %v", last.aws)
	b.Logf("kubernetes requests: %v", last.kube)
	b.Logf("steps:\n%s", last.steps)

	n := float64(len(runs))
	b.ReportMetric(elapsed.Seconds()/n, "wall-s")
	b.ReportMetric(float64(iam)/n, "iam-calls")
	b.ReportMetric(float64(iamBudget), "iam-budget")
	b.ReportMetric(float64(eks)/n, "eks-calls")
	b.ReportMetric(float64(awsAll)/n, "aws-calls")
	b.ReportMetric(float64(lists)/n, "kube-lists")
	b.ReportMetric(float64(listBudget), "kube-list-budget")
	b.ReportMetric(float64(kubeAll)/n, "kube-requests")
	for res, calls := range perKind {
		b.ReportMetric(float64(calls)/n, "lists-"+res)
	}
	b.ReportMetric(float64(len(last.snap.Roles)), "roles")
	b.ReportMetric(float64(len(last.snap.ManagedPolicies)), "policies")
	b.ReportMetric(float64(len(last.snap.ServiceAccounts)), "serviceaccounts")
	b.ReportMetric(float64(len(last.snap.Workloads)), "workloads")
}

// checkLiveSnapshot fails unless the collection is whole: every role and policy, at least the
// objects created (other tests may have left more), the cluster joined under its EKS ARN with
// both inventories complete, and no errors.
func checkLiveSnapshot(b *testing.B, snap *snapshot.Snapshot, clusterARN string) {
	b.Helper()
	if len(snap.Roles) != liveRoles || len(snap.ManagedPolicies) != livePolicies {
		b.Fatalf("collected %d roles, %d managed policies; want %d, %d", len(snap.Roles), len(snap.ManagedPolicies), liveRoles, livePolicies)
	}
	pods := 0
	for _, w := range snap.Workloads {
		if w.Kind == "Pod" {
			pods++
		}
	}
	if len(snap.ServiceAccounts) < liveServiceAccounts || pods < liveNamespaces*livePodsPerNS {
		b.Fatalf("collected %d ServiceAccounts, %d Pods; want at least %d, %d", len(snap.ServiceAccounts), pods, liveServiceAccounts, liveNamespaces*livePodsPerNS)
	}
	if len(snap.Clusters) != 1 || snap.Clusters[0].ID != clusterARN || snap.Clusters[0].Issuer == "" ||
		!snap.Clusters[0].Inventory.ServiceAccounts || !snap.Clusters[0].Inventory.Workloads {
		b.Fatalf("clusters = %+v", snap.Clusters)
	}
	if len(snap.Errors) != 0 || len(snap.Accounts) != 1 || !snap.Accounts[0].Inventory.Roles {
		b.Fatalf("errors = %+v, accounts = %+v", snap.Errors, snap.Accounts)
	}
}

// objectsPerResource counts the collected objects per listed resource, the kinds kubecollect
// lists (a kind with no objects is still listed once).
func objectsPerResource(snap *snapshot.Snapshot) map[string]int {
	out := map[string]int{
		"serviceaccounts": len(snap.ServiceAccounts),
		"pods":            0, "deployments": 0, "statefulsets": 0, "daemonsets": 0,
		"replicasets": 0, "jobs": 0, "cronjobs": 0,
	}
	for _, w := range snap.Workloads {
		out[strings.ToLower(w.Kind)+"s"]++
	}
	return out
}

// stepLog is a Progress writer that keeps each line with the time since start, to show where the
// wall time goes.
type stepLog struct {
	start time.Time
	mu    sync.Mutex
	buf   strings.Builder
}

func (l *stepLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(&l.buf, "%7.3fs %s", time.Since(l.start).Seconds(), p)
	return len(p), nil
}

func (l *stepLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func sumPrefix(m map[string]int, prefix string) int {
	n := 0
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}

// requestCounter counts the requests a client sends, by kind: "list <resource>" for a GET of a
// collection (cluster-wide or in a namespace), "<method> <path>" for anything else.
type requestCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *requestCounter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		c.mu.Lock()
		c.n[requestKind(r)]++
		c.mu.Unlock()
		return rt.RoundTrip(r)
	})
}

func (c *requestCounter) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// requestKind names a Kubernetes API request: /api/v1/[namespaces/NS/]RESOURCE and
// /apis/GROUP/VERSION/[namespaces/NS/]RESOURCE fetched with GET are lists of RESOURCE.
func requestKind(r *http.Request) string {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var rest []string
	switch {
	case len(parts) >= 3 && parts[0] == "api":
		rest = parts[2:]
	case len(parts) >= 4 && parts[0] == "apis":
		rest = parts[3:]
	}
	if len(rest) == 3 && rest[0] == "namespaces" {
		rest = rest[2:]
	}
	if r.Method == http.MethodGet && len(rest) == 1 {
		return "list " + rest[0]
	}
	return strings.ToLower(r.Method) + " " + r.URL.Path
}

// createLiveObjects makes the benchmark's cluster: namespaces bench-000..bench-099, in each 500
// ServiceAccounts (sa-NNNNN, numbered across namespaces, annotated with the role
// role-(N mod 5000) of the synthetic account), 20 Pods and one Deployment running as them. It
// creates only what is missing, 16 requests at a time, and returns how many objects it created.
func createLiveObjects(ctx context.Context, kubeconfig, account string) (int, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return 0, err
	}
	cfg.QPS, cfg.Burst = 5000, 5000
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return 0, err
	}
	type job func(context.Context) error
	jobs := make(chan job)
	errs := make(chan error, 1)
	var created sync.WaitGroup
	var mu sync.Mutex
	count := 0
	for range 16 {
		created.Go(func() {
			for j := range jobs {
				err := j(ctx)
				if apierrors.IsAlreadyExists(err) {
					continue
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					continue
				}
				mu.Lock()
				count++
				mu.Unlock()
			}
		})
	}
	fail := func(err error) (int, error) {
		close(jobs)
		created.Wait()
		return count, err
	}
	perNS := liveServiceAccounts / liveNamespaces
	for k := range liveNamespaces {
		ns := fmt.Sprintf("bench-%03d", k)
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fail(fmt.Errorf("create namespace %s: %w", ns, err))
		}
		have, err := existing(ctx, cs, ns)
		if err != nil {
			return fail(err)
		}
		saName := func(j int) string { return fmt.Sprintf("sa-%05d", k+liveNamespaces*j) }
		for j := range perNS {
			name := saName(j)
			if have["sa/"+name] {
				continue
			}
			role := fmt.Sprintf("arn:aws:iam::%s:role/role-%05d", account, (k+liveNamespaces*j)%liveRoles)
			jobs <- func(ctx context.Context) error {
				_, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{
					Name: name, Namespace: ns, Annotations: map[string]string{"eks.amazonaws.com/role-arn": role},
				}}, metav1.CreateOptions{})
				return err
			}
		}
		// A Pod is admitted only once its ServiceAccount exists. The Pods run as the first 20
		// ServiceAccounts of the namespace, queued some 480 jobs earlier, so they are done by
		// then; a rare miss is retried once.
		for j := range livePodsPerNS {
			name := fmt.Sprintf("pod-%02d", j)
			if have["pod/"+name] {
				continue
			}
			spec := kubetest.PodSpec(saName(j), nil, "x")
			jobs <- retryOnce(func(ctx context.Context) error {
				_, err := cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: spec}, metav1.CreateOptions{})
				return err
			})
		}
		if !have["deployment/app"] {
			labels := map[string]string{"app": "app"}
			d := &appsv1.Deployment{
				ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns},
				Spec: appsv1.DeploymentSpec{
					Selector: &metav1.LabelSelector{MatchLabels: labels},
					Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: kubetest.PodSpec(saName(0), nil, "x")},
				},
			}
			jobs <- func(ctx context.Context) error {
				_, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{})
				return err
			}
		}
		select {
		case err := <-errs:
			return fail(err)
		default:
		}
	}
	close(jobs)
	created.Wait()
	select {
	case err := <-errs:
		return count, err
	default:
	}
	return count, nil
}

// retryOnce retries a create that failed for a reason other than AlreadyExists after a pause.
func retryOnce(j func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		err := j(ctx)
		if err == nil || apierrors.IsAlreadyExists(err) {
			return err
		}
		time.Sleep(time.Second)
		return j(ctx)
	}
}

// existing returns the benchmark objects already in ns ("sa/NAME", "pod/NAME", "deployment/NAME").
func existing(ctx context.Context, cs kubernetes.Interface, ns string) (map[string]bool, error) {
	have := map[string]bool{}
	sas, err := cs.CoreV1().ServiceAccounts(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list serviceaccounts in %s: %w", ns, err)
	}
	for _, o := range sas.Items {
		have["sa/"+o.Name] = true
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list pods in %s: %w", ns, err)
	}
	for _, o := range pods.Items {
		have["pod/"+o.Name] = true
	}
	ds, err := cs.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list deployments in %s: %w", ns, err)
	}
	for _, o := range ds.Items {
		have["deployment/"+o.Name] = true
	}
	return have, nil
}
