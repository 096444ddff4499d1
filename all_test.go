// Package irsaaudit_test holds repository-wide hygiene tests: formatting, module tidiness and
// the direction of the dependency arrows between packages.
package irsaaudit_test

import (
	"bytes"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/irsa-audit/irsa-audit"

func goCmd(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func TestGofmt(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		formatted, err := format.Source(src)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		if !bytes.Equal(src, formatted) {
			t.Errorf("%s is not gofmt-ed", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestModTidy(t *testing.T) {
	if testing.Short() {
		t.Skip("go mod tidy may download modules")
	}
	cmd := exec.Command("go", "mod", "tidy", "-diff")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("go mod tidy would change go.mod/go.sum:\n%s", out)
	}
}

// TestDependencyArrows keeps the arrows pointing one way: inputs (load, collect) never import
// the evaluator or the renderers, the evaluator never imports the AWS SDK or client-go, and the
// renderers import neither OPA nor any SDK.
func TestDependencyArrows(t *testing.T) {
	forbidden := map[string][]string{
		"pkg/snapshot": {module + "/pkg/", "github.com/"},
		"pkg/findings": {module + "/pkg/eval", module + "/pkg/report", module + "/pkg/load", module + "/pkg/collect", "github.com/open-policy-agent/", "github.com/aws/", "k8s.io/"},
		"pkg/load":     {module + "/pkg/eval", module + "/pkg/report", module + "/pkg/collect", "github.com/open-policy-agent/", "github.com/aws/", "k8s.io/"},
		"pkg/collect":  {module + "/pkg/eval", module + "/pkg/report", module + "/pkg/load", "github.com/open-policy-agent/"},
		"pkg/eval":     {module + "/pkg/report", module + "/pkg/load", module + "/pkg/collect", "github.com/aws/", "k8s.io/"},
		"pkg/triage":   {module + "/pkg/eval", module + "/pkg/report", module + "/pkg/load", module + "/pkg/collect", module + "/pkg/permissions", module + "/pkg/trust", "github.com/open-policy-agent/", "github.com/aws/", "k8s.io/", "go.yaml.in/"},
		"pkg/report":   {module + "/pkg/eval", module + "/pkg/load", module + "/pkg/collect", "github.com/open-policy-agent/", "github.com/aws/", "k8s.io/"},
	}
	for dir, bad := range forbidden {
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		deps := goCmd(t, "list", "-deps", "./"+dir+"/...")
		for _, dep := range strings.Fields(deps) {
			if dep == module+"/pkg/snapshot" && dir != "pkg/snapshot" {
				continue
			}
			for _, b := range bad {
				self := strings.HasPrefix(dep, module+"/"+dir)
				if strings.HasPrefix(dep, b) && !self {
					t.Errorf("%s imports %s (directly or not)", dir, dep)
				}
			}
		}
	}
}
