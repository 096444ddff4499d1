package kubecollect

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// roleARNAnnotation is the IRSA annotation on a ServiceAccount.
const roleARNAnnotation = "eks.amazonaws.com/role-arn"

// droppedAnnotations are not copied into the snapshot: last-applied-configuration repeats the
// whole object and can be large; nothing judges it.
func dropped(key string) bool {
	return key == "kubectl.kubernetes.io/last-applied-configuration"
}

// page is one page of a list, converted.
type page struct {
	sas  []snapshot.ServiceAccount
	wls  []snapshot.Workload
	next string
}

// resource is one kind of object to list.
type resource struct {
	name string // plural resource name, as in "kubernetes:list <name>"
	list func(ctx context.Context, cs kubernetes.Interface, ns string, o metav1.ListOptions, mk maker) (page, error)
}

// maker builds snapshot items with the cluster and location of the current collection.
type maker struct {
	cluster string
	loc     snapshot.Location
}

func (m maker) workload(kind string, meta metav1.ObjectMeta, spec *corev1.PodSpec) snapshot.Workload {
	sa := spec.ServiceAccountName
	if sa == "" {
		sa = spec.DeprecatedServiceAccount
	}
	if sa == "" {
		sa = "default"
	}
	return snapshot.Workload{
		Kind: kind, Cluster: m.cluster, Namespace: meta.Namespace, Name: meta.Name,
		ServiceAccount: sa, AutomountToken: spec.AutomountServiceAccountToken, Loc: m.loc,
	}
}

func (m maker) serviceAccount(sa *corev1.ServiceAccount) snapshot.ServiceAccount {
	out := snapshot.ServiceAccount{Cluster: m.cluster, Namespace: sa.Namespace, Name: sa.Name, RoleARN: sa.Annotations[roleARNAnnotation], Loc: m.loc}
	for k, v := range sa.Annotations {
		if dropped(k) {
			continue
		}
		if out.Annotations == nil {
			out.Annotations = map[string]string{}
		}
		out.Annotations[k] = v
	}
	return out
}

// resources are the kinds collected, ServiceAccounts first.
func resources() []resource {
	return []resource{
		{"serviceaccounts", func(ctx context.Context, cs kubernetes.Interface, ns string, o metav1.ListOptions, m maker) (page, error) {
			l, err := cs.CoreV1().ServiceAccounts(ns).List(ctx, o)
			if err != nil {
				return page{}, err
			}
			p := page{next: l.Continue}
			for i := range l.Items {
				p.sas = append(p.sas, m.serviceAccount(&l.Items[i]))
			}
			return p, nil
		}},
		{"pods", func(ctx context.Context, cs kubernetes.Interface, ns string, o metav1.ListOptions, m maker) (page, error) {
			l, err := cs.CoreV1().Pods(ns).List(ctx, o)
			if err != nil {
				return page{}, err
			}
			p := page{next: l.Continue}
			for i := range l.Items {
				p.wls = append(p.wls, m.workload("Pod", l.Items[i].ObjectMeta, &l.Items[i].Spec))
			}
			return p, nil
		}},
		{"deployments", func(ctx context.Context, cs kubernetes.Interface, ns string, o metav1.ListOptions, m maker) (page, error) {
			l, err := cs.AppsV1().Deployments(ns).List(ctx, o)
			if err != nil {
				return page{}, err
			}
			p := page{next: l.Continue}
			for i := range l.Items {
				p.wls = append(p.wls, m.workload("Deployment", l.Items[i].ObjectMeta, &l.Items[i].Spec.Template.Spec))
			}
			return p, nil
		}},
		{"statefulsets", func(ctx context.Context, cs kubernetes.Interface, ns string, o metav1.ListOptions, m maker) (page, error) {
			l, err := cs.AppsV1().StatefulSets(ns).List(ctx, o)
			if err != nil {
				return page{}, err
			}
			p := page{next: l.Continue}
			for i := range l.Items {
				p.wls = append(p.wls, m.workload("StatefulSet", l.Items[i].ObjectMeta, &l.Items[i].Spec.Template.Spec))
			}
			return p, nil
		}},
		{"daemonsets", func(ctx context.Context, cs kubernetes.Interface, ns string, o metav1.ListOptions, m maker) (page, error) {
			l, err := cs.AppsV1().DaemonSets(ns).List(ctx, o)
			if err != nil {
				return page{}, err
			}
			p := page{next: l.Continue}
			for i := range l.Items {
				p.wls = append(p.wls, m.workload("DaemonSet", l.Items[i].ObjectMeta, &l.Items[i].Spec.Template.Spec))
			}
			return p, nil
		}},
		{"replicasets", func(ctx context.Context, cs kubernetes.Interface, ns string, o metav1.ListOptions, m maker) (page, error) {
			l, err := cs.AppsV1().ReplicaSets(ns).List(ctx, o)
			if err != nil {
				return page{}, err
			}
			p := page{next: l.Continue}
			for i := range l.Items {
				p.wls = append(p.wls, m.workload("ReplicaSet", l.Items[i].ObjectMeta, &l.Items[i].Spec.Template.Spec))
			}
			return p, nil
		}},
		{"jobs", func(ctx context.Context, cs kubernetes.Interface, ns string, o metav1.ListOptions, m maker) (page, error) {
			l, err := cs.BatchV1().Jobs(ns).List(ctx, o)
			if err != nil {
				return page{}, err
			}
			p := page{next: l.Continue}
			for i := range l.Items {
				p.wls = append(p.wls, m.workload("Job", l.Items[i].ObjectMeta, &l.Items[i].Spec.Template.Spec))
			}
			return p, nil
		}},
		{"cronjobs", func(ctx context.Context, cs kubernetes.Interface, ns string, o metav1.ListOptions, m maker) (page, error) {
			l, err := cs.BatchV1().CronJobs(ns).List(ctx, o)
			if err != nil {
				return page{}, err
			}
			p := page{next: l.Continue}
			for i := range l.Items {
				p.wls = append(p.wls, m.workload("CronJob", l.Items[i].ObjectMeta, &l.Items[i].Spec.JobTemplate.Spec.Template.Spec))
			}
			return p, nil
		}},
	}
}

// lister lists resources of one cluster, falling back to namespace by namespace when a
// cluster-wide list is forbidden.
type lister struct {
	cs   kubernetes.Interface
	opts Options
	res  *clusterResult

	nsDone     bool
	namespaces []string
	nsComplete bool // namespaces is every namespace of the cluster
}

// listAll reads every page of rs in ns ("" for all namespaces).
//
// A continue token expires when the API server's storage has compacted the revision the list
// began at (HTTP 410, reason Expired: pages that take longer than the compaction interval, five
// minutes by default). The pages read so far may then disagree with the rest, so the list starts
// again from the first page; if that expires too, the objects are read in one unpaged list, as
// client-go's pager does.
func (l *lister) listAll(ctx context.Context, rs resource, ns string) (page, error) {
	m := maker{cluster: l.res.cluster.ID, loc: snapshot.Location{API: "kubernetes:" + l.res.context}}
	var all page
	o := metav1.ListOptions{Limit: l.opts.PageSize}
	expired := 0
	seen := map[string]bool{}
	for {
		l.res.calls["kubernetes:list "+rs.name]++
		p, err := rs.list(ctx, l.cs, ns, o, m)
		if err != nil && o.Continue != "" && apierrors.IsResourceExpired(err) {
			expired++
			all, o.Continue, seen = page{}, "", map[string]bool{}
			how := "from the first page"
			if expired > 1 {
				o.Limit, how = 0, "in one unpaged list"
			}
			l.res.note("%s: the list's continue token expired (%s); listed again %s", rs.name, reason(err), how)
			continue
		}
		if err != nil {
			return all, err
		}
		all.sas = append(all.sas, p.sas...)
		all.wls = append(all.wls, p.wls...)
		if p.next == "" {
			return all, nil
		}
		if seen[p.next] {
			return all, &repeatedTokenError{list: rs.name, pages: len(seen) + 1}
		}
		seen[p.next] = true
		o.Continue = p.next
	}
}

// repeatedTokenError is a list whose continue token came back a second time: following it
// would read the same pages for ever (and hold them all in memory), so the list stops.
type repeatedTokenError struct {
	list  string
	pages int
}

func (e *repeatedTokenError) Error() string {
	return fmt.Sprintf("list %s: page %d repeated a continue token of an earlier page (a faulty API server or proxy); the list was stopped", e.list, e.pages)
}

// collect lists rs cluster-wide, or namespace by namespace when that is forbidden, and records
// whether the result is complete.
func (l *lister) collect(ctx context.Context, rs resource) {
	api := "kubernetes:list " + rs.name
	p, err := l.listAll(ctx, rs, "")
	if err == nil {
		l.keep(p)
		l.res.complete[rs.name] = true
		return
	}
	if !apierrors.IsForbidden(err) {
		l.res.fail(api, "%v", err)
		l.res.note("%s: not listed: %s", rs.name, reason(err))
		return
	}
	l.res.fail(api, "cluster scope: %v", err)
	nss, nsComplete := l.fallbackNamespaces(ctx)
	var read, forbidden []string
	for _, ns := range nss {
		p, err := l.listAll(ctx, rs, ns)
		if err != nil {
			l.res.fail(api, "namespace %s: %v", ns, err)
			forbidden = append(forbidden, ns)
			continue
		}
		l.keep(p)
		read = append(read, ns)
	}
	complete := nsComplete && len(forbidden) == 0
	l.res.complete[rs.name] = complete
	switch {
	case len(nss) == 0:
		l.res.note("%s: cluster-wide list forbidden and no namespaces to read instead (pass --namespace)", rs.name)
	case !complete:
		l.res.note("%s: cluster-wide list forbidden; read namespaces [%s]%s", rs.name, strings.Join(read, " "), forbiddenText(forbidden, nsComplete))
	default:
		l.res.note("%s: cluster-wide list forbidden; read all %d namespaces one by one", rs.name, len(read))
	}
}

func forbiddenText(forbidden []string, nsComplete bool) string {
	s := ""
	if len(forbidden) > 0 {
		s = fmt.Sprintf(", forbidden in [%s]", strings.Join(forbidden, " "))
	}
	if !nsComplete {
		s += ", other namespaces unknown"
	}
	return s
}

func (l *lister) keep(p page) {
	l.res.sas = append(l.res.sas, p.sas...)
	l.res.wls = append(l.res.wls, p.wls...)
}

// fallbackNamespaces lists the namespaces once per cluster; when that is forbidden too it uses
// the namespaces given in Options (then the list is not known to be complete).
func (l *lister) fallbackNamespaces(ctx context.Context) ([]string, bool) {
	if l.nsDone {
		return l.namespaces, l.nsComplete
	}
	l.nsDone = true
	var names []string
	o := metav1.ListOptions{Limit: l.opts.PageSize}
	seen := map[string]bool{}
	for {
		l.res.calls["kubernetes:list namespaces"]++
		list, err := l.cs.CoreV1().Namespaces().List(ctx, o)
		if err == nil && list.Continue != "" && seen[list.Continue] {
			err = &repeatedTokenError{list: "namespaces", pages: len(seen) + 1}
		}
		if err != nil {
			l.res.fail("kubernetes:list namespaces", "%v", err)
			l.namespaces = slices.Compact(slices.Sorted(slices.Values(l.opts.Namespaces)))
			return l.namespaces, false
		}
		for _, ns := range list.Items {
			names = append(names, ns.Name)
		}
		if list.Continue == "" {
			break
		}
		seen[list.Continue] = true
		o.Continue = list.Continue
	}
	// Namespaces given by the user are read too: they may be listable where the list is not.
	all := map[string]bool{}
	for _, n := range names {
		all[n] = true
	}
	for _, n := range l.opts.Namespaces {
		all[n] = true
	}
	l.namespaces, l.nsComplete = slices.Sorted(maps.Keys(all)), true
	return l.namespaces, true
}

// reason is a short form of a Kubernetes API error for inventory notes.
func reason(err error) string {
	var rt *repeatedTokenError
	if errors.As(err, &rt) {
		return "repeated continue token"
	}
	if r := apierrors.ReasonForError(err); r != metav1.StatusReasonUnknown {
		return string(r)
	}
	return "error"
}
