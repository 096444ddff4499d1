//go:build kubeintegration

package kubecollect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/irsa-audit/irsa-audit/internal/kubetest"
	"github.com/irsa-audit/irsa-audit/pkg/collect/kubecollect"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

var fixedNow = func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }

// apiserverHost is host:port of the admin kubeconfig's server: the issuer the script configures
// is https://<that>, and the collector stores it without scheme.
func apiserverHost(t *testing.T, kubeconfig string) string {
	t.Helper()
	raw, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw.Clusters[raw.Contexts[raw.CurrentContext].Cluster].Server)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func inNamespace[T any](items []T, ns func(T) string, want ...string) []T {
	var out []T
	for _, it := range items {
		if slices.Contains(want, ns(it)) {
			out = append(out, it)
		}
	}
	return out
}

func saNS(s snapshot.ServiceAccount) string { return s.Namespace }
func wlNS(w snapshot.Workload) string       { return w.Namespace }

// TestPaginationAndWorkloads: more than 500 ServiceAccounts come back whole through Limit +
// Continue, with their role annotations; Pods and controllers come with their ServiceAccount; the
// issuer is read from the API server's discovery document.
func TestPaginationAndWorkloads(t *testing.T) {
	admin := kubetest.Env(t, "IRSA_AUDIT_KUBECONFIG")
	cs := kubetest.Client(t, admin)
	sfx := kubetest.Suffix(t)
	ns := kubetest.Namespace(t, cs, "pages-"+sfx)
	const n = 620
	name := func(i int) string { return fmt.Sprintf("sa-%04d", i) }
	role := func(i int) string {
		if i%100 == 0 {
			return fmt.Sprintf("arn:aws:iam::111111111111:role/app-%d", i)
		}
		return ""
	}
	kubetest.ServiceAccounts(t, cs, ns, n, name, role)
	no := false
	const podSecret = "POD-ENV-SECRET-MUST-NOT-LEAK"
	kubetest.Pod(t, cs, ns, "web-0", kubetest.PodSpec(name(0), &no, podSecret))
	kubetest.Deployment(t, cs, ns, "api", kubetest.PodSpec(name(100), nil, podSecret))
	kubetest.CronJob(t, cs, ns, "nightly", kubetest.PodSpec(name(200), nil, podSecret))

	snap, err := kubecollect.Collect(context.Background(), kubecollect.Options{Kubeconfig: admin, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}

	sas := inNamespace(snap.ServiceAccounts, saNS, ns)
	var want []snapshot.ServiceAccount
	for i := range n {
		sa := snapshot.ServiceAccount{Cluster: "admin", Namespace: ns, Name: name(i), Loc: snapshot.Location{API: "kubernetes:admin"}}
		if arn := role(i); arn != "" {
			sa.RoleARN = arn
			sa.Annotations = map[string]string{"eks.amazonaws.com/role-arn": arn}
		}
		want = append(want, sa)
	}
	if diff := cmp.Diff(want, sas); diff != "" {
		t.Errorf("service accounts (-want +got):\n%s", diff)
	}
	if pages := snap.Stats.APICalls["kubernetes:list serviceaccounts"]; pages < 2 {
		t.Errorf("list serviceaccounts calls = %d, want >= 2 pages for %d+ items", pages, n)
	}

	loc := snapshot.Location{API: "kubernetes:admin"}
	if diff := cmp.Diff([]snapshot.Workload{
		{Kind: "CronJob", Cluster: "admin", Namespace: ns, Name: "nightly", ServiceAccount: name(200), Loc: loc},
		{Kind: "Deployment", Cluster: "admin", Namespace: ns, Name: "api", ServiceAccount: name(100), Loc: loc},
		{Kind: "Pod", Cluster: "admin", Namespace: ns, Name: "web-0", ServiceAccount: name(0), AutomountToken: &no, Loc: loc},
	}, inNamespace(snap.Workloads, wlNS, ns)); diff != "" {
		t.Errorf("workloads (-want +got):\n%s", diff)
	}

	if diff := cmp.Diff([]snapshot.Cluster{{
		ID: "admin", Name: "admin", Issuer: apiserverHost(t, admin),
		Inventory: snapshot.ClusterInventory{ServiceAccounts: true, Workloads: true},
		Loc:       loc,
	}}, snap.Clusters); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
	if len(snap.Errors) != 0 {
		t.Errorf("errors = %+v", snap.Errors)
	}
	data, _ := json.Marshal(snap)
	if strings.Contains(string(data), podSecret) {
		t.Error("snapshot contains a pod's environment value")
	}
	t.Logf("api calls: %v", snap.Stats.APICalls)
}

// TestLimitedUser: a user who may list only namespace team-a gets 403 at cluster scope and in
// team-b. The collection falls back to the namespaces given, keeps what team-a holds, marks the
// inventory incomplete and reports each 403 with its API and resource.
func TestLimitedUser(t *testing.T) {
	admin := kubetest.Env(t, "IRSA_AUDIT_KUBECONFIG")
	limited := kubetest.Env(t, "IRSA_AUDIT_LIMITED_KUBECONFIG")
	cs := kubetest.Client(t, admin)
	sfx := kubetest.Suffix(t)
	teamA := kubetest.Namespace(t, cs, "team-a-"+sfx)
	teamB := kubetest.Namespace(t, cs, "team-b-"+sfx)
	kubetest.ServiceAccount(t, cs, teamA, "app", "arn:aws:iam::111111111111:role/team-a")
	kubetest.ServiceAccount(t, cs, teamB, "app", "arn:aws:iam::111111111111:role/team-b")
	kubetest.Pod(t, cs, teamA, "app-0", kubetest.PodSpec("app", nil, "x"))
	kubetest.Pod(t, cs, teamB, "app-0", kubetest.PodSpec("app", nil, "x"))
	kubetest.GrantReader(t, cs, kubetest.Client(t, limited), "limited", teamA, sfx)

	snap, err := kubecollect.Collect(context.Background(), kubecollect.Options{
		Kubeconfig: limited, Namespaces: []string{teamB, teamA}, Now: fixedNow,
	})
	if err != nil {
		t.Fatal(err)
	}
	loc := snapshot.Location{API: "kubernetes:limited"}
	if diff := cmp.Diff([]snapshot.ServiceAccount{{
		Cluster: "limited", Namespace: teamA, Name: "app", RoleARN: "arn:aws:iam::111111111111:role/team-a",
		Annotations: map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::111111111111:role/team-a"}, Loc: loc,
	}}, snap.ServiceAccounts); diff != "" {
		t.Errorf("service accounts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]snapshot.Workload{{Kind: "Pod", Cluster: "limited", Namespace: teamA, Name: "app-0", ServiceAccount: "app", Loc: loc}}, snap.Workloads); diff != "" {
		t.Errorf("workloads (-want +got):\n%s", diff)
	}
	if len(snap.Clusters) != 1 {
		t.Fatalf("clusters = %+v", snap.Clusters)
	}
	inv := snap.Clusters[0].Inventory
	if inv.ServiceAccounts || inv.Workloads {
		t.Errorf("inventory = %+v, want incomplete", inv)
	}
	wantNote := fmt.Sprintf("serviceaccounts: cluster-wide list forbidden; read namespaces [%s], forbidden in [%s], other namespaces unknown", teamA, teamB)
	if !slices.Contains(inv.Notes, wantNote) {
		t.Errorf("notes = %q, want one %q", inv.Notes, wantNote)
	}

	// Each 403 is reported once, with the API and resource, in the order it was met.
	type e struct{ API, Where string }
	var got []e
	for _, x := range snap.Errors {
		if !strings.Contains(x.Message, "forbidden") || !strings.HasPrefix(x.Message, "context limited: ") {
			t.Errorf("error %+v: want a 403 of context limited", x)
		}
		where, _, _ := strings.Cut(strings.TrimPrefix(x.Message, "context limited: "), ":")
		got = append(got, e{x.API, where})
	}
	want := []e{{"kubernetes:get /.well-known/openid-configuration", "get /.well-known/openid-configuration"}}
	for i, r := range []string{"serviceaccounts", "pods", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs"} {
		want = append(want, e{"kubernetes:list " + r, "cluster scope"})
		if i == 0 {
			want = append(want, e{"kubernetes:list namespaces", `namespaces is forbidden`})
		}
		want = append(want, e{"kubernetes:list " + r, "namespace " + teamB})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// TestUnreachableContext: a kubeconfig with two contexts, one pointing at a closed loopback
// port. The reachable one is collected; the other is reported and marked not collected. No
// credential of either context reaches the snapshot.
func TestUnreachableContext(t *testing.T) {
	admin := kubetest.Env(t, "IRSA_AUDIT_KUBECONFIG")
	cs := kubetest.Client(t, admin)
	sfx := kubetest.Suffix(t)
	ns := kubetest.Namespace(t, cs, "two-contexts-"+sfx)
	kubetest.ServiceAccount(t, cs, ns, "app", "")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()

	raw, err := clientcmd.LoadFromFile(admin)
	if err != nil {
		t.Fatal(err)
	}
	const deadToken = "DEAD-CONTEXT-BEARER-TOKEN-MUST-NOT-LEAK"
	raw.Clusters["dead"] = &clientcmdapi.Cluster{Server: "https://" + closed, InsecureSkipTLSVerify: true}
	raw.AuthInfos["dead"] = &clientcmdapi.AuthInfo{Token: deadToken}
	raw.Contexts["dead"] = &clientcmdapi.Context{Cluster: "dead", AuthInfo: "dead"}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*raw, path); err != nil {
		t.Fatal(err)
	}

	snap, err := kubecollect.Collect(context.Background(), kubecollect.Options{Kubeconfig: path, AllContexts: true, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]snapshot.Cluster{
		{ID: "admin", Name: "admin", Issuer: apiserverHost(t, admin), Inventory: snapshot.ClusterInventory{ServiceAccounts: true, Workloads: true}, Loc: snapshot.Location{API: "kubernetes:admin"}},
		{ID: "dead", Name: "dead", Inventory: snapshot.ClusterInventory{Notes: []string{"not collected: cluster unreachable"}}, Loc: snapshot.Location{API: "kubernetes:dead"}},
	}, snap.Clusters); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
	if got := inNamespace(snap.ServiceAccounts, saNS, ns); len(got) != 1 || got[0].Name != "app" || got[0].Cluster != "admin" {
		t.Errorf("service accounts in %s = %+v", ns, got)
	}
	if len(snap.Errors) != 1 || snap.Errors[0].API != "kubernetes:dead" || !strings.Contains(snap.Errors[0].Message, "unreachable") || !strings.Contains(snap.Errors[0].Message, closed) {
		t.Errorf("errors = %+v, want one for context dead", snap.Errors)
	}

	data, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	adminUser := raw.AuthInfos[raw.Contexts["admin"].AuthInfo]
	for what, secret := range map[string]string{
		"bearer token":   deadToken,
		"client key":     string(adminUser.ClientKeyData),
		"client cert":    string(adminUser.ClientCertificateData),
		"CA certificate": string(raw.Clusters["real-apiserver"].CertificateAuthorityData),
	} {
		if secret == "" {
			t.Fatalf("%s missing from the test kubeconfig: the check would prove nothing", what)
		}
		for _, line := range strings.Split(secret, "\n") {
			if len(line) > 20 && !strings.HasPrefix(line, "-----") && strings.Contains(string(data), line) {
				t.Errorf("snapshot contains the %s", what)
				break
			}
		}
	}
	if strings.Contains(string(data), os.Getenv("IRSA_AUDIT_KUBECONFIG")) {
		t.Error("snapshot contains the kubeconfig path")
	}
}

// TestDocumentedRBAC applies docs/permissions/kubernetes-rbac.yaml and collects as its
// ServiceAccount (by impersonation, as the in-cluster scanner would run): the documented
// ClusterRole is enough for a complete inventory with no errors.
func TestDocumentedRBAC(t *testing.T) {
	admin := kubetest.Env(t, "IRSA_AUDIT_KUBECONFIG")
	cs := kubetest.Client(t, admin)
	kubetest.Apply(t, cs, "../../../docs/permissions/kubernetes-rbac.yaml")
	ns := kubetest.Namespace(t, cs, "rbac-doc-"+kubetest.Suffix(t))
	kubetest.ServiceAccount(t, cs, ns, "app", "")

	raw, err := clientcmd.LoadFromFile(admin)
	if err != nil {
		t.Fatal(err)
	}
	u := raw.AuthInfos[raw.Contexts[raw.CurrentContext].AuthInfo]
	u.Impersonate = "system:serviceaccount:irsa-audit:irsa-audit"
	u.ImpersonateGroups = []string{"system:serviceaccounts", "system:serviceaccounts:irsa-audit", "system:authenticated"}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*raw, path); err != nil {
		t.Fatal(err)
	}
	kubetest.WaitAllowed(t, kubetest.Client(t, path), "")

	snap, err := kubecollect.Collect(context.Background(), kubecollect.Options{Kubeconfig: path, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Errors) != 0 {
		t.Errorf("errors = %+v", snap.Errors)
	}
	if diff := cmp.Diff([]snapshot.Cluster{{
		ID: "admin", Name: "admin", Issuer: apiserverHost(t, admin),
		Inventory: snapshot.ClusterInventory{ServiceAccounts: true, Workloads: true},
		Loc:       snapshot.Location{API: "kubernetes:admin"},
	}}, snap.Clusters); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
	if got := inNamespace(snap.ServiceAccounts, saNS, ns); len(got) != 1 {
		t.Errorf("service accounts in %s = %+v", ns, got)
	}
}

// TestExpiredContinue: on a kube-apiserver of its own (so that no other test is disturbed), the
// test compacts etcd between the first and the second page of the ServiceAccount list, which
// expires the list's continue token (HTTP 410). The collection lists again from the first page:
// every ServiceAccount once, a complete inventory, and a note that says so.
func TestExpiredContinue(t *testing.T) {
	script := kubetest.Env(t, "IRSA_AUDIT_APISERVER_SCRIPT")
	state := t.TempDir()
	run := func(args ...string) string {
		cmd := exec.Command("bash", append([]string{script}, args...)...)
		// Without the watch cache the API server reads every page from etcd at the revision of
		// the first; with it, it serves pages from its own snapshots, which compaction does not
		// touch at once.
		cmd.Env = append(os.Environ(), "REAL_APISERVER_STATE="+state, "KAS_EXTRA_FLAGS=--watch-cache=false")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", script, strings.Join(args, " "), err, stderr.String())
		}
		return strings.TrimSpace(string(out))
	}
	lines := strings.Split(run("start"), "\n")
	t.Cleanup(func() { run("stop") })
	kubeconfig := lines[len(lines)-1]
	port, err := os.ReadFile(filepath.Join(state, "etcd.port"))
	if err != nil {
		t.Fatal(err)
	}
	etcd := "http://127.0.0.1:" + strings.TrimSpace(string(port))

	cs := kubetest.Client(t, kubeconfig)
	ns := kubetest.Namespace(t, cs, "expired-"+kubetest.Suffix(t))
	name := func(i int) string { return fmt.Sprintf("sa-%d", i) }
	kubetest.ServiceAccounts(t, cs, ns, 7, name, func(int) string { return "" })

	var compacted atomic.Bool
	opts := kubecollect.Options{Kubeconfig: kubeconfig, Now: fixedNow, PageSize: 2,
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
			return roundTripper(func(r *http.Request) (*http.Response, error) {
				if strings.HasSuffix(r.URL.Path, "/serviceaccounts") && r.URL.Query().Get("continue") != "" && compacted.CompareAndSwap(false, true) {
					compactEtcd(t, etcd)
				}
				return rt.RoundTrip(r)
			})
		}}
	snap, err := kubecollect.Collect(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !compacted.Load() {
		t.Fatal("the list had no second page: nothing was compacted")
	}
	var got []string
	for _, sa := range inNamespace(snap.ServiceAccounts, saNS, ns) {
		got = append(got, sa.Name)
	}
	var want []string
	for i := range 7 {
		want = append(want, name(i))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("service accounts (-want +got):\n%s", diff)
	}
	if len(snap.Clusters) != 1 || !snap.Clusters[0].Inventory.ServiceAccounts {
		t.Fatalf("clusters %+v: want one with a complete ServiceAccount inventory", snap.Clusters)
	}
	notes := strings.Join(snap.Clusters[0].Inventory.Notes, "\n")
	if !strings.Contains(notes, "serviceaccounts: the list's continue token expired (Expired); listed again from the first page") {
		t.Errorf("notes %q: want the expired continue token", notes)
	}
	if len(snap.Errors) != 0 {
		t.Errorf("errors = %+v", snap.Errors)
	}
	t.Logf("api calls: %v", snap.Stats.APICalls)
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// compactEtcd writes a key (so that the revision moves past every list begun so far) and
// compacts etcd to that revision, through etcd's JSON gateway. It runs inside the collector's
// HTTP transport, so it reports with t.Errorf, never t.Fatal.
func compactEtcd(t *testing.T, etcd string) {
	post := func(path string, body any) (map[string]any, bool) {
		data, _ := json.Marshal(body)
		resp, err := http.Post(etcd+path, "application/json", bytes.NewReader(data))
		if err != nil {
			t.Errorf("etcd %s: %v", path, err)
			return nil, false
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("etcd %s: %s, %v %v", path, resp.Status, out, err)
			return nil, false
		}
		return out, true
	}
	put, ok := post("/v3/kv/put", map[string]string{"key": "aXJzYS1hdWRpdC10ZXN0", "value": "eA=="}) // "irsa-audit-test": "x"
	if !ok {
		return
	}
	header, _ := put["header"].(map[string]any)
	post("/v3/kv/compaction", map[string]any{"revision": header["revision"], "physical": true})
}

// TestRepeatedContinue: a real API server behind a faulty proxy that answers every page after
// the second with the second page again (and so with the same continue token). The collector
// followed the token for ever, its memory growing page by page; now it stops that list with an
// error, marks the ServiceAccount inventory incomplete, and collects the rest.
func TestRepeatedContinue(t *testing.T) {
	admin := kubetest.Env(t, "IRSA_AUDIT_KUBECONFIG")
	cs := kubetest.Client(t, admin)
	ns := kubetest.Namespace(t, cs, "repeat-"+kubetest.Suffix(t))
	kubetest.ServiceAccounts(t, cs, ns, 7, func(i int) string { return fmt.Sprintf("sa-%d", i) }, func(int) string { return "" })

	var first atomic.Value // the first continue token asked for
	var rewritten atomic.Int64
	opts := kubecollect.Options{Kubeconfig: admin, Now: fixedNow, PageSize: 2,
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
			return roundTripper(func(r *http.Request) (*http.Response, error) {
				tok := r.URL.Query().Get("continue")
				if strings.HasSuffix(r.URL.Path, "/serviceaccounts") && tok != "" {
					if f, ok := first.Load().(string); !ok {
						first.Store(tok)
					} else if tok != f {
						r = r.Clone(r.Context())
						q := r.URL.Query()
						q.Set("continue", f)
						r.URL.RawQuery = q.Encode()
						rewritten.Add(1)
					}
				}
				return rt.RoundTrip(r)
			})
		}}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	snap, err := kubecollect.Collect(ctx, opts)
	if err != nil {
		t.Fatalf("Collect: %v (it did not stop following the repeated token)", err)
	}
	if rewritten.Load() == 0 {
		t.Fatal("no request was rewritten: the list had fewer than three pages")
	}
	if len(snap.Clusters) != 1 || snap.Clusters[0].Inventory.ServiceAccounts {
		t.Fatalf("clusters %+v: want one whose ServiceAccount inventory is not complete", snap.Clusters)
	}
	notes := strings.Join(snap.Clusters[0].Inventory.Notes, "\n")
	if !strings.Contains(notes, "serviceaccounts: not listed: repeated continue token") {
		t.Errorf("notes %q", notes)
	}
	if len(snap.Errors) != 1 || snap.Errors[0].API != "kubernetes:list serviceaccounts" || !strings.Contains(snap.Errors[0].Message, "repeated a continue token") {
		t.Errorf("errors = %+v, want one for the ServiceAccount list", snap.Errors)
	}
	if !snap.Clusters[0].Inventory.Workloads {
		t.Errorf("the other lists were not collected: inventory %+v", snap.Clusters[0].Inventory)
	}
	t.Logf("api calls: %v, requests rewritten: %d", snap.Stats.APICalls, rewritten.Load())
}

// TestUnauthorizedContext: a context whose credentials the real API server rejects (HTTP 401)
// was reported as "unreachable", sending people to check the network. It says the credentials
// were rejected now.
func TestUnauthorizedContext(t *testing.T) {
	admin := kubetest.Env(t, "IRSA_AUDIT_KUBECONFIG")
	raw, err := clientcmd.LoadFromFile(admin)
	if err != nil {
		t.Fatal(err)
	}
	cluster := raw.Contexts[raw.CurrentContext].Cluster
	raw.AuthInfos["stale"] = &clientcmdapi.AuthInfo{Token: "not-a-token-the-server-knows"}
	raw.Contexts["stale"] = &clientcmdapi.Context{Cluster: cluster, AuthInfo: "stale"}
	raw.CurrentContext = "stale"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*raw, path); err != nil {
		t.Fatal(err)
	}
	snap, err := kubecollect.Collect(context.Background(), kubecollect.Options{Kubeconfig: path, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Errors) != 1 || !strings.Contains(snap.Errors[0].Message, "the API server rejected the credentials (401 Unauthorized)") || strings.Contains(snap.Errors[0].Message, "unreachable") {
		t.Errorf("errors = %+v, want one saying the credentials were rejected", snap.Errors)
	}
	if len(snap.Clusters) != 1 || !slices.Contains(snap.Clusters[0].Inventory.Notes, "not collected: credentials rejected (401 Unauthorized)") {
		t.Errorf("clusters = %+v", snap.Clusters)
	}
}
