package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// deployDir is the in-cluster scheduled scan.
const deployDir = "deploy/kubernetes"

// kustomize builds a kustomization the way `kubectl kustomize` does, for the subset of
// kustomize that deploy/kubernetes uses: resources (files, and folders holding a
// kustomization.yaml), images (name, newName, newTag) and patches with an inline JSON 6902
// patch and a kind/name target, whose operations are "remove" and "add"/"replace" of a
// value. Any other field fails the test, so the kustomization cannot drift past what is
// tested. (kustomize itself is neither on this machine nor worth a dependency.)
func kustomize(t *testing.T, dir string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		APIVersion string   `yaml:"apiVersion"`
		Kind       string   `yaml:"kind"`
		Resources  []string `yaml:"resources"`
		Images     []struct {
			Name    string `yaml:"name"`
			NewName string `yaml:"newName"`
			NewTag  string `yaml:"newTag"`
		} `yaml:"images"`
		Patches []struct {
			Target struct {
				Kind string `yaml:"kind"`
				Name string `yaml:"name"`
			} `yaml:"target"`
			Patch string `yaml:"patch"`
		} `yaml:"patches"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&k); err != nil {
		t.Fatalf("%s/kustomization.yaml uses more of kustomize than this test interprets: %v", dir, err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		t.Fatalf("%s/kustomization.yaml: apiVersion %q kind %q", dir, k.APIVersion, k.Kind)
	}
	var objs []map[string]any
	for _, r := range k.Resources {
		p := filepath.Join(dir, r)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			objs = append(objs, kustomize(t, p)...)
			continue
		}
		objs = append(objs, readObjects(t, p)...)
	}
	for _, img := range k.Images {
		for _, o := range objs {
			for _, c := range containers(o) {
				if c["image"] == img.Name {
					c["image"] = img.NewName + ":" + img.NewTag
				}
			}
		}
	}
	for _, p := range k.Patches {
		var ops []struct {
			Op    string `yaml:"op"`
			Path  string `yaml:"path"`
			Value any    `yaml:"value"`
		}
		if err := yaml.Unmarshal([]byte(p.Patch), &ops); err != nil {
			t.Fatalf("%s: patch: %v", dir, err)
		}
		matched := 0
		for _, o := range objs {
			if o["kind"] != p.Target.Kind || o["metadata"].(map[string]any)["name"] != p.Target.Name {
				continue
			}
			matched++
			for _, op := range ops {
				keys := strings.Split(strings.TrimPrefix(op.Path, "/"), "/")
				parent := o
				for _, key := range keys[:len(keys)-1] {
					next, ok := parent[unescapePointer(key)].(map[string]any)
					if !ok {
						t.Fatalf("%s: patch path %s does not exist", dir, op.Path)
					}
					parent = next
				}
				last := unescapePointer(keys[len(keys)-1])
				switch op.Op {
				case "remove":
					if _, ok := parent[last]; !ok {
						t.Fatalf("%s: patch removes %s, which does not exist", dir, op.Path)
					}
					delete(parent, last)
				case "add", "replace":
					parent[last] = op.Value
				default:
					t.Fatalf("%s: patch op %q is not interpreted by this test", dir, op.Op)
				}
			}
		}
		if matched != 1 {
			t.Fatalf("%s: patch target %+v matched %d objects, want 1", dir, p.Target, matched)
		}
	}
	return objs
}

func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

func readObjects(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var objs []map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var o map[string]any
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if o != nil {
			objs = append(objs, o)
		}
	}
}

// containers returns the containers of a Pod template anywhere in o (a CronJob's).
func containers(o map[string]any) []map[string]any {
	var out []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if cs, ok := v["containers"].([]any); ok {
				for _, c := range cs {
					if m, ok := c.(map[string]any); ok {
						out = append(out, m)
					}
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(o)
	return out
}

func objectNamed(objs []map[string]any, kind string) map[string]any {
	for _, o := range objs {
		if o["kind"] == kind {
			return o
		}
	}
	return nil
}

// TestDeployKustomization checks deploy/kubernetes as kustomize builds it: every manifest of the
// folder is a resource, the image is set, the Pod Identity overlay drops the role annotation and
// changes nothing else, and the CronJob's arguments and configuration are ones this irsa-audit
// accepts.
func TestDeployKustomization(t *testing.T) {
	base := kustomize(t, deployDir)
	files, _ := filepath.Glob(filepath.Join(deployDir, "*.yaml"))
	var listed []string
	for _, f := range files {
		if filepath.Base(f) != "kustomization.yaml" {
			listed = append(listed, filepath.Base(f))
		}
	}
	var kinds []string
	for _, o := range base {
		kinds = append(kinds, o["kind"].(string))
	}
	if diff := cmp.Diff([]string{"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "CronJob"}, kinds); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	if len(listed) != 5 {
		t.Errorf("manifests in %s: %v; is every one a resource of the kustomization?", deployDir, listed)
	}
	cron := objectNamed(base, "CronJob")
	cs := containers(cron)
	if len(cs) != 1 || cs[0]["image"] != "registry.example.com/irsa-audit:v0.1.0" {
		t.Fatalf("containers: %+v", cs)
	}
	for _, o := range base {
		if ns, ok := o["metadata"].(map[string]any)["namespace"]; ok && ns != "irsa-audit" {
			t.Errorf("%s in namespace %v", o["kind"], ns)
		}
	}

	overlay := kustomize(t, filepath.Join(deployDir, "pod-identity"))
	sa := objectNamed(overlay, "ServiceAccount")
	if _, ok := sa["metadata"].(map[string]any)["annotations"]; ok {
		t.Errorf("pod-identity overlay keeps the ServiceAccount's annotations: %+v", sa["metadata"])
	}
	if a := objectNamed(base, "ServiceAccount")["metadata"].(map[string]any)["annotations"].(map[string]any); a["eks.amazonaws.com/role-arn"] == nil {
		t.Error("the base ServiceAccount has no IRSA role annotation")
	}
	if len(overlay) != len(base) {
		t.Errorf("overlay has %d objects, base %d", len(overlay), len(base))
	}

	// The CronJob's arguments parse as this irsa-audit's scan flags.
	var args []string
	for _, a := range cs[0]["args"].([]any) {
		args = append(args, a.(string))
	}
	if args[0] != "scan" {
		t.Fatalf("args = %v, want scan ...", args)
	}
	scan := newScanCommand(env{getenv: func(string) string { return "" }})
	if err := scan.ParseFlags(args[1:]); err != nil {
		t.Errorf("CronJob args %v: %v", args, err)
	}
	for _, flag := range []string{"aws", "kube", "in-cluster", "cluster", "config", "save-snapshot"} {
		if !scan.Flags().Changed(flag) {
			t.Errorf("the CronJob does not set --%s", flag)
		}
	}
	// The configuration in the ConfigMap loads, and names formats irsa-audit writes.
	cfgText := objectNamed(base, "ConfigMap")["data"].(map[string]any)["config.yaml"].(string)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(env{getwd: func() (string, error) { return dir, nil }}, filepath.Join(dir, "config.yaml"), false)
	if err != nil {
		t.Fatalf("ConfigMap config.yaml: %v", err)
	}
	if c.Output == "" || len(c.Outputs) != 2 || !slices.ContainsFunc(c.Outputs, func(o outputSpec) bool { return o.Format == "sarif" && isS3URL(o.Output) }) {
		t.Errorf("config: output %q, outputs %+v; want a file and JSON and SARIF in S3", c.Output, c.Outputs)
	}
}

// TestDeployRBACMatchesDocs keeps deploy/kubernetes/rbac.yaml's ClusterRole equal to the one in
// docs/permissions (which pkg/collect's integration tests collect with).
func TestDeployRBACMatchesDocs(t *testing.T) {
	rules := func(path string) any {
		for _, o := range readObjects(t, path) {
			if o["kind"] == "ClusterRole" {
				return o["rules"]
			}
		}
		t.Fatalf("%s has no ClusterRole", path)
		return nil
	}
	if diff := cmp.Diff(rules("docs/permissions/kubernetes-rbac.yaml"), rules(filepath.Join(deployDir, "rbac.yaml"))); diff != "" {
		t.Errorf("ClusterRole rules differ (-docs +deploy):\n%s", diff)
	}
}

// TestDeployScansClean scans the deploy manifests, and the built overlays, with irsa-audit.
func TestDeployScansClean(t *testing.T) {
	dir := t.TempDir()
	for i, d := range []string{deployDir, filepath.Join(deployDir, "pod-identity")} {
		var buf bytes.Buffer
		for _, o := range kustomize(t, d) {
			b, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			buf.Write(b)
			buf.WriteString("\n---\n")
		}
		name := filepath.Join(dir, []string{"base.yaml", "pod-identity.yaml"}[i])
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, target := range []string{deployDir, dir} {
		code, stdout, stderr := runCLI(t, "", "scan", "--no-config", "--format", "json", target)
		if code != exitOK {
			t.Errorf("scan %s: exit %d\n%s%s", target, code, stdout, stderr)
			continue
		}
		r := decodeReport(t, stdout)
		if len(r.Findings)+len(r.Errors) != 0 || r.Stats.Files == 0 {
			t.Errorf("scan %s: %d findings, %d errors in %d files", target, len(r.Findings), len(r.Errors), r.Stats.Files)
		}
		// The ConfigMap, Namespace, RBAC and Kustomization files are listed as skipped (nothing
		// IRSA involves), never anything else.
		for _, s := range r.Skipped {
			if !strings.HasPrefix(s.Reason, "no ServiceAccount or workload:") {
				t.Errorf("scan %s: skipped %s: %s", target, s.File, s.Reason)
			}
		}
	}
}
