// Package kubetest helps the kubeintegration tests of pkg/collect use the real kube-apiserver
// that scripts/test-kube.sh starts: it reads the kubeconfigs from the environment and creates
// namespaces, ServiceAccounts, Pods, workloads and RBAC through client-go.
package kubetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
)

// Env returns the path of the kubeconfig in environment variable name. Under the kubeintegration
// tag a missing variable is a failure, not a skip: run the tests through scripts/test-kube.sh.
func Env(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the kubeintegration tests through scripts/test-kube.sh", name)
	}
	return v
}

// Client returns a clientset for the kubeconfig at path, with a client-side rate limit high
// enough to create hundreds of objects quickly.
func Client(t testing.TB, path string) *kubernetes.Clientset {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS, cfg.Burst = 500, 1000
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// Suffix returns a random suffix that keeps one run's objects apart from another's.
func Suffix(t testing.TB) string {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// Namespace creates a namespace and deletes it when the test ends (without a controller manager
// it stays Terminating, which does not disturb other tests: their namespaces have other names).
func Namespace(t testing.TB, cs kubernetes.Interface, name string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	return name
}

// ServiceAccount creates a ServiceAccount, annotated with roleARN when it is not "".
func ServiceAccount(t testing.TB, cs kubernetes.Interface, ns, name, roleARN string) {
	t.Helper()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
	if roleARN != "" {
		sa.Annotations = map[string]string{"eks.amazonaws.com/role-arn": roleARN}
	}
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(context.Background(), sa, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create serviceaccount %s/%s: %v", ns, name, err)
	}
}

// ServiceAccounts creates n ServiceAccounts named name(i) in ns, 8 at a time.
func ServiceAccounts(t testing.TB, cs kubernetes.Interface, ns string, n int, name func(int) string, roleARN func(int) string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name(i), Namespace: ns}}
			if arn := roleARN(i); arn != "" {
				sa.Annotations = map[string]string{"eks.amazonaws.com/role-arn": arn}
			}
			if _, err := cs.CoreV1().ServiceAccounts(ns).Create(context.Background(), sa, metav1.CreateOptions{}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("create serviceaccounts in %s: %v", ns, err)
	}
}

// PodSpec is a minimal pod spec running as serviceAccount (which must exist: there is no
// controller manager to create "default"), with an environment variable holding env.
func PodSpec(serviceAccount string, automount *bool, env string) corev1.PodSpec {
	return corev1.PodSpec{
		ServiceAccountName:           serviceAccount,
		AutomountServiceAccountToken: automount,
		Containers: []corev1.Container{{
			Name: "app", Image: "registry.invalid/app:1",
			Env: []corev1.EnvVar{{Name: "API_TOKEN", Value: env}},
		}},
	}
}

// Pod creates a Pod (it stays Pending: there is no scheduler).
func Pod(t testing.TB, cs kubernetes.Interface, ns, name string, spec corev1.PodSpec) {
	t.Helper()
	if _, err := cs.CoreV1().Pods(ns).Create(context.Background(), &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: spec}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod %s/%s: %v", ns, name, err)
	}
}

// Deployment creates a Deployment with the pod spec.
func Deployment(t testing.TB, cs kubernetes.Interface, ns, name string, spec corev1.PodSpec) {
	t.Helper()
	labels := map[string]string{"app": name}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
		},
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(context.Background(), d, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create deployment %s/%s: %v", ns, name, err)
	}
}

// CronJob creates a CronJob with the pod spec.
func CronJob(t testing.TB, cs kubernetes.Interface, ns, name string, spec corev1.PodSpec) {
	t.Helper()
	spec.RestartPolicy = corev1.RestartPolicyNever
	c := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: batchv1.CronJobSpec{
			Schedule:    "0 3 * * *",
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: spec}}},
		},
	}
	if _, err := cs.BatchV1().CronJobs(ns).Create(context.Background(), c, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create cronjob %s/%s: %v", ns, name, err)
	}
}

// GrantReader lets user list and get ServiceAccounts, Pods and workload controllers in ns only
// (a ClusterRole bound by a RoleBinding), then waits until the authorizer has seen the binding.
func GrantReader(t testing.TB, admin kubernetes.Interface, user kubernetes.Interface, userName, ns, suffix string) {
	t.Helper()
	ctx := context.Background()
	role := "irsa-audit-reader-" + suffix
	if _, err := admin.RbacV1().ClusterRoles().Get(ctx, role, metav1.GetOptions{}); err != nil {
		_, err := admin.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: role},
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{""}, Resources: []string{"serviceaccounts", "pods"}, Verbs: []string{"get", "list"}},
				{APIGroups: []string{"apps"}, Resources: []string{"deployments", "statefulsets", "daemonsets", "replicasets"}, Verbs: []string{"get", "list"}},
				{APIGroups: []string{"batch"}, Resources: []string{"jobs", "cronjobs"}, Verbs: []string{"get", "list"}},
			},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create clusterrole: %v", err)
		}
		t.Cleanup(func() { _ = admin.RbacV1().ClusterRoles().Delete(context.Background(), role, metav1.DeleteOptions{}) })
	}
	_, err := admin.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role, Namespace: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: userName}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create rolebinding: %v", err)
	}
	// RBAC reaches the authorizer through an informer: wait until the grant is in force for
	// every resource it covers (not a timing assertion, only a precondition).
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, e1 := user.CoreV1().ServiceAccounts(ns).List(ctx, metav1.ListOptions{Limit: 1})
		_, e2 := user.BatchV1().CronJobs(ns).List(ctx, metav1.ListOptions{Limit: 1})
		if e1 == nil && e2 == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("rolebinding for %s in %s not in force: %v %v", userName, ns, e1, e2)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Apply creates every object of a multi-document YAML file of core and RBAC objects (Namespace,
// ServiceAccount, ClusterRole, ClusterRoleBinding); objects that exist already are left alone.
func Apply(t testing.TB, cs kubernetes.Interface, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, doc := range strings.Split(string(data), "\n---\n") {
		obj, _, err := scheme.Codecs.UniversalDeserializer().Decode([]byte(doc), nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		switch o := obj.(type) {
		case *corev1.Namespace:
			_, err = cs.CoreV1().Namespaces().Create(ctx, o, metav1.CreateOptions{})
		case *corev1.ServiceAccount:
			_, err = cs.CoreV1().ServiceAccounts(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		case *rbacv1.ClusterRole:
			_, err = cs.RbacV1().ClusterRoles().Create(ctx, o, metav1.CreateOptions{})
		case *rbacv1.ClusterRoleBinding:
			_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, o, metav1.CreateOptions{})
		default:
			t.Fatalf("%s: unexpected object %T", path, obj)
		}
		if err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatalf("%s: create %T: %v", path, obj, err)
		}
	}
}

// WaitAllowed waits until cs may list ServiceAccounts in ns ("" for all namespaces): RBAC
// reaches the authorizer through an informer.
func WaitAllowed(t testing.TB, cs kubernetes.Interface, ns string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := cs.CoreV1().ServiceAccounts(ns).List(context.Background(), metav1.ListOptions{Limit: 1})
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not allowed to list serviceaccounts in %q: %v", ns, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
