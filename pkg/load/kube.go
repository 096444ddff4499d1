package load

import (
	"fmt"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// RoleARNAnnotation is the ServiceAccount annotation EKS Pod Identity Webhook reads (IRSA).
const RoleARNAnnotation = "eks.amazonaws.com/role-arn"

// maxListDepth bounds Lists nested in Lists.
const maxListDepth = 8

func isKubernetesObject(n *syntax.Node) bool {
	return n != nil && n.Kind == syntax.Object && n.Field("apiVersion") != nil && n.Field("kind") != nil
}

func loadKubernetes(d document, r *fileResult) error {
	return kubeObject(d, d.node, r, 0)
}

// podSpecPaths are where each workload kind keeps its pod spec, by API group.
func podSpecPath(group, kind string) ([]string, bool) {
	switch {
	case kind == "Pod" && group == "":
		return []string{"spec"}, true
	case (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" || kind == "ReplicaSet") &&
		(group == "apps" || group == "extensions"):
		return []string{"spec", "template", "spec"}, true
	case kind == "Job" && group == "batch":
		return []string{"spec", "template", "spec"}, true
	case kind == "CronJob" && group == "batch":
		return []string{"spec", "jobTemplate", "spec", "template", "spec"}, true
	}
	return nil, false
}

func kubeObject(d document, n *syntax.Node, r *fileResult, depth int) error {
	apiVersion, err := stringField(n, "apiVersion")
	if err != nil {
		return err
	}
	kind, err := stringField(n, "kind")
	if err != nil {
		return err
	}
	if kind == "" || apiVersion == "" {
		// kubectl refuses such an object ("Object 'Kind' is missing"): it is no manifest.
		return syntax.Errorf(n, "Kubernetes object with an empty apiVersion or kind")
	}
	if items := n.Field("items"); items != nil && strings.HasSuffix(kind, "List") {
		if depth >= maxListDepth {
			return syntax.Errorf(n, "%s nested deeper than %d levels", kind, maxListDepth)
		}
		if items.Value.Kind == syntax.Null {
			return nil
		}
		if items.Value.Kind != syntax.Array {
			return syntax.Errorf(items.Value, "%s items must be a list, not %s", kind, items.Value.Kind)
		}
		if depth == 0 {
			defer listClaims(d, r, len(r.items.ServiceAccounts), len(r.items.Workloads))
		}
		// kubectl get serviceaccounts -A (a "List"): up to hundreds of thousands, appended one by
		// one below; room for them at once. The items the parser's taker read come first.
		var takenSAs []snapshot.ServiceAccount
		if d.took(n, takeItems) {
			takenSAs = d.taker.serviceAccounts()
			r.items.Workloads = append(r.items.Workloads, d.taker.r.items.Workloads...)
		}
		sas := 0
		for _, it := range items.Value.Items {
			if k := it.Get("kind"); k != nil && k.Kind == syntax.String && k.Value == "ServiceAccount" {
				sas++
			}
		}
		if len(r.items.ServiceAccounts) == 0 && sas == 0 && takenSAs != nil {
			r.items.ServiceAccounts = takenSAs // the whole list was read while parsing
		} else {
			r.items.ServiceAccounts = slices.Grow(r.items.ServiceAccounts, len(takenSAs)+sas)
			r.items.ServiceAccounts = append(r.items.ServiceAccounts, takenSAs...)
		}
		// One broken item does not hide the others.
		for _, it := range items.Value.Items {
			if !isKubernetesObject(it) {
				r.addError(d.file, syntax.Errorf(it, "%s item is not a Kubernetes object (needs apiVersion and kind)", kind))
				continue
			}
			if err := kubeObject(d, it, r, depth+1); err != nil {
				r.addError(d.file, err)
			}
		}
		return nil
	}
	group := ""
	if g, _, ok := strings.Cut(apiVersion, "/"); ok {
		group = g
	}
	specPath, workload := podSpecPath(group, kind)
	isSA := kind == "ServiceAccount" && group == ""
	if !workload && !isSA {
		return nil // a kind IRSA does not involve
	}
	meta, err := objectAt(n, "metadata")
	if err != nil {
		return err
	}
	name, err := stringField(meta, "name")
	if err != nil {
		return err
	}
	if name == "" {
		if name, err = stringField(meta, "generateName"); err != nil {
			return err
		}
	}
	if name == "" {
		at := meta
		if at == nil {
			at = n
		}
		return syntax.Errorf(at, "%s has no metadata.name", kind)
	}
	namespace, err := stringField(meta, "namespace")
	if err != nil {
		return err
	}
	if namespace == "" {
		namespace = "default"
	}
	if isSA {
		return serviceAccount(d, n, meta, namespace, name, r)
	}
	spec, err := objectAt(n, specPath...)
	if err != nil {
		return err
	}
	w := snapshot.Workload{Kind: kind, Namespace: namespace, Name: name, Loc: d.loc(n)}
	if w.ServiceAccount, err = stringField(spec, "serviceAccountName"); err != nil {
		return err
	}
	if w.ServiceAccount == "" {
		if w.ServiceAccount, err = stringField(spec, "serviceAccount"); err != nil {
			return err
		}
	}
	if w.ServiceAccount == "" {
		w.ServiceAccount = "default"
	}
	if v := spec.Get("automountServiceAccountToken"); v != nil && v.Kind != syntax.Null {
		if v.Kind != syntax.Bool {
			return syntax.Errorf(v, "automountServiceAccountToken must be a boolean, not %s", v.Kind)
		}
		b := strings.EqualFold(v.Value, "true")
		w.AutomountToken = &b
	}
	r.items.Workloads = append(r.items.Workloads, w)
	return nil
}

func serviceAccount(d document, n, meta *syntax.Node, namespace, name string, r *fileResult) error {
	sa := snapshot.ServiceAccount{Namespace: namespace, Name: name, Loc: d.loc(n)}
	ann, err := objectAt(meta, "annotations")
	if err != nil {
		return err
	}
	if ann != nil {
		sa.Annotations = make(map[string]string, len(ann.Fields))
		for _, f := range ann.Fields {
			if f.Value.Kind != syntax.String {
				return syntax.Errorf(f.Value, "annotation %q must be a string, not %s", f.Key, f.Value.Kind)
			}
			sa.Annotations[f.Key] = f.Value.Value
			if f.Key == RoleARNAnnotation {
				sa.RoleARN = f.Value.Value
				l := d.loc(f.Value)
				sa.RoleARNLoc = &l
			}
		}
	}
	if v := n.Get("automountServiceAccountToken"); v != nil && v.Kind != syntax.Null && v.Kind != syntax.Bool {
		return syntax.Errorf(v, "automountServiceAccountToken must be a boolean, not %s", v.Kind)
	}
	r.items.ServiceAccounts = append(r.items.ServiceAccounts, sa)
	return nil
}

// objectAt follows keys from n and returns the object there; nil when a key is absent or null
// (Kubernetes treats null as unset), an error when something on the way is not an object.
func objectAt(n *syntax.Node, keys ...string) (*syntax.Node, error) {
	path := ""
	for _, k := range keys {
		if n == nil {
			return nil, nil
		}
		if path == "" {
			path = k
		} else {
			path += "." + k
		}
		n = n.Get(k)
		if n == nil || n.Kind == syntax.Null {
			return nil, nil
		}
		if n.Kind != syntax.Object {
			return nil, syntax.Errorf(n, "%s must be an object, not %s", path, n.Kind)
		}
	}
	return n, nil
}

// stringField returns the string value of key in n; "" when n is nil or the key is absent or
// null.
func stringField(n *syntax.Node, key string) (string, error) {
	v := n.Get(key)
	if v == nil || v.Kind == syntax.Null {
		return "", nil
	}
	if v.Kind != syntax.String {
		return "", syntax.Errorf(v, "%s must be a string, not %s", key, v.Kind)
	}
	return v.Value, nil
}

// listClaims records what a top-level List says about a cluster's inventories, judging by its
// content, since `kubectl get serviceaccounts -A` and `kubectl get serviceaccounts -n ns` print
// the same kind: List. Every namespace has a ServiceAccount named "default" (the ServiceAccount
// controller creates it), so a list of every namespace holds the default ServiceAccount of each
// namespace it mentions, and at least those of "default" and "kube-system". A Pod list counts as
// all workloads when it holds Pods of "kube-system" and of another namespace (a cluster runs system
// Pods; a per-namespace export holds one namespace). saStart and wlStart are where the List's
// items begin in r.items.
func listClaims(d document, r *fileResult, saStart, wlStart int) {
	at := d.loc(d.node)
	if sas := r.items.ServiceAccounts[saStart:]; len(sas) > 0 {
		namespaces := map[string]bool{"default": true, "kube-system": true}
		defaults := map[string]bool{}
		for _, sa := range sas {
			namespaces[sa.Namespace] = true
			if sa.Name == "default" {
				defaults[sa.Namespace] = true
			}
		}
		var missing []string
		for _, ns := range sortedKeys(namespaces) {
			if !defaults[ns] {
				missing = append(missing, ns)
			}
		}
		c := claim{kind: claimServiceAccounts, complete: len(missing) == 0, at: at}
		if !c.complete {
			c.note = fmt.Sprintf("service accounts incomplete: %s is not a list of every namespace (it has no default ServiceAccount in %s): export with kubectl get serviceaccounts -A", d.file, strings.Join(missing, ", "))
		}
		r.claims = append(r.claims, c)
	}
	var podNamespaces []string
	for _, w := range r.items.Workloads[wlStart:] {
		if w.Kind == "Pod" && !slices.Contains(podNamespaces, w.Namespace) {
			podNamespaces = append(podNamespaces, w.Namespace)
		}
	}
	if len(podNamespaces) > 0 {
		c := claim{kind: claimWorkloads, complete: slices.Contains(podNamespaces, "kube-system") && len(podNamespaces) > 1, at: at}
		if !c.complete {
			slices.Sort(podNamespaces)
			c.note = fmt.Sprintf("workloads incomplete: %s holds the Pods of %s only, not of every namespace: export with kubectl get pods -A", d.file, strings.Join(podNamespaces, ", "))
		}
		r.claims = append(r.claims, c)
	}
}
