//go:build kubeintegration

package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	authzv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/irsa-audit/irsa-audit/internal/kubetest"
)

// TestDeployOnRealAPIServer creates every object of deploy/kubernetes (as kustomize builds it)
// on the real kube-apiserver, under a namespace and cluster-scoped names of its own so that
// other tests (which apply docs/permissions) are not disturbed; asks the API server with
// SubjectAccessReviews what the CronJob's ServiceAccount may do (exactly the lists the
// collector makes, nothing more); and scans the cluster as that ServiceAccount (by
// impersonation): a complete inventory, no errors.
func TestDeployOnRealAPIServer(t *testing.T) {
	admin := kubetest.Env(t, "IRSA_AUDIT_KUBECONFIG")
	cs := kubetest.Client(t, admin)
	ctx := context.Background()
	sfx := kubetest.Suffix(t)
	ns := "irsa-audit-" + sfx
	role := "irsa-audit-reader-" + sfx

	for _, o := range kustomize(t, deployDir) {
		meta := o["metadata"].(map[string]any)
		if _, ok := meta["namespace"]; ok {
			meta["namespace"] = ns
		}
		switch o["kind"] {
		case "Namespace":
			meta["name"] = ns
		case "ClusterRole":
			meta["name"] = role
		case "ClusterRoleBinding":
			meta["name"] = role
			o["roleRef"].(map[string]any)["name"] = role
			for _, s := range o["subjects"].([]any) {
				s.(map[string]any)["namespace"] = ns
			}
		}
		create(t, ctx, cs, o)
	}
	t.Cleanup(func() {
		_ = cs.RbacV1().ClusterRoleBindings().Delete(ctx, role, metav1.DeleteOptions{})
		_ = cs.RbacV1().ClusterRoles().Delete(ctx, role, metav1.DeleteOptions{})
		_ = cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	})
	cron, err := cs.BatchV1().CronJobs(ns).Get(ctx, "irsa-audit", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the CronJob was not stored: %v", err)
	}
	if sa := cron.Spec.JobTemplate.Spec.Template.Spec.ServiceAccountName; sa != "irsa-audit" {
		t.Errorf("CronJob runs as %q", sa)
	}

	user := "system:serviceaccount:" + ns + ":irsa-audit"
	groups := []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}
	allowed := func(a authzv1.ResourceAttributes) bool {
		t.Helper()
		r, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
			User: user, Groups: groups, ResourceAttributes: &a,
		}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("SubjectAccessReview: %v", err)
		}
		return r.Status.Allowed
	}
	// Exactly the lists the collector makes (pkg/collect/kubecollect), cluster-wide.
	needed := []authzv1.ResourceAttributes{
		{Verb: "list", Resource: "serviceaccounts"}, {Verb: "list", Resource: "pods"}, {Verb: "list", Resource: "namespaces"},
		{Verb: "list", Group: "apps", Resource: "deployments"}, {Verb: "list", Group: "apps", Resource: "statefulsets"},
		{Verb: "list", Group: "apps", Resource: "daemonsets"}, {Verb: "list", Group: "apps", Resource: "replicasets"},
		{Verb: "list", Group: "batch", Resource: "jobs"}, {Verb: "list", Group: "batch", Resource: "cronjobs"},
	}
	// RBAC reaches the authorizer through an informer: wait for the first grant.
	for deadline := time.Now().Add(30 * time.Second); !allowed(needed[0]); {
		if time.Now().After(deadline) {
			t.Fatal("the ServiceAccount never got list serviceaccounts")
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, a := range needed {
		if !allowed(a) {
			t.Errorf("not allowed: %s %s/%s", a.Verb, a.Group, a.Resource)
		}
	}
	for _, a := range []authzv1.ResourceAttributes{
		{Verb: "get", Resource: "serviceaccounts", Namespace: "default", Name: "default"},
		{Verb: "watch", Resource: "pods"},
		{Verb: "list", Resource: "secrets"}, {Verb: "get", Resource: "secrets", Namespace: ns},
		{Verb: "list", Resource: "configmaps"},
		{Verb: "create", Resource: "serviceaccounts", Subresource: "token", Namespace: ns, Name: "irsa-audit"},
		{Verb: "create", Resource: "pods", Subresource: "exec", Namespace: ns},
		{Verb: "update", Resource: "serviceaccounts", Namespace: ns},
		{Verb: "delete", Group: "batch", Resource: "cronjobs", Namespace: ns},
		{Verb: "list", Resource: "nodes"},
		{Verb: "list", Group: "rbac.authorization.k8s.io", Resource: "clusterroles"},
		{Verb: "get", Group: "apps", Resource: "deployments", Namespace: "default", Name: "x"},
	} {
		if allowed(a) {
			t.Errorf("allowed, but the collector does not need it: %s %s/%s/%s in %q", a.Verb, a.Group, a.Resource, a.Subresource, a.Namespace)
		}
	}

	// Scan the cluster as the ServiceAccount.
	raw, err := clientcmd.LoadFromFile(admin)
	if err != nil {
		t.Fatal(err)
	}
	u := raw.AuthInfos[raw.Contexts[raw.CurrentContext].AuthInfo]
	u.Impersonate, u.ImpersonateGroups = user, groups
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*raw, kubeconfig); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "", "scan", "--kube", "--kubeconfig", kubeconfig, "--quiet", "--no-config", "--format", "json", "--fail-on", "none")
	if code != exitOK {
		t.Fatalf("scan as the CronJob's ServiceAccount: exit %d\n%s", code, stderr)
	}
	r := decodeReport(t, stdout)
	if len(r.Errors) != 0 {
		t.Errorf("errors: %+v", r.Errors)
	}
	for _, c := range r.NotChecked {
		if c.Resource.Kind == "cluster" {
			t.Errorf("not checked: %+v", c)
		}
	}
}

// create decodes one object of a manifest and creates it with the typed client.
func create(t *testing.T, ctx context.Context, cs kubernetes.Interface, o map[string]any) {
	t.Helper()
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(b, nil, nil)
	if err != nil {
		t.Fatalf("decode %s: %v", o["kind"], err)
	}
	switch x := obj.(type) {
	case *corev1.Namespace:
		_, err = cs.CoreV1().Namespaces().Create(ctx, x, metav1.CreateOptions{})
	case *corev1.ServiceAccount:
		_, err = cs.CoreV1().ServiceAccounts(x.Namespace).Create(ctx, x, metav1.CreateOptions{})
	case *corev1.ConfigMap:
		_, err = cs.CoreV1().ConfigMaps(x.Namespace).Create(ctx, x, metav1.CreateOptions{})
	case *rbacv1.ClusterRole:
		_, err = cs.RbacV1().ClusterRoles().Create(ctx, x, metav1.CreateOptions{})
	case *rbacv1.ClusterRoleBinding:
		_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, x, metav1.CreateOptions{})
	case *batchv1.CronJob:
		_, err = cs.BatchV1().CronJobs(x.Namespace).Create(ctx, x, metav1.CreateOptions{})
	default:
		t.Fatalf("no create for %T", obj)
	}
	if err != nil {
		t.Fatalf("the API server refused %s: %v", o["kind"], err)
	}
}
