package irsaaudit_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestPreCommitHook reads .pre-commit-hooks.yaml and does what pre-commit does with it: select
// the changed files with files/exclude, and run entry with them as arguments, once
// (require_serial). A broken trust policy among unrelated files fails the hook; the fixed one
// passes; the configuration and sidecar files are never passed.
func TestPreCommitHook(t *testing.T) {
	data, err := os.ReadFile(".pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID            string `yaml:"id"`
		Entry         string `yaml:"entry"`
		Language      string `yaml:"language"`
		Files         string `yaml:"files"`
		Exclude       string `yaml:"exclude"`
		PassFilenames bool   `yaml:"pass_filenames"`
		RequireSerial bool   `yaml:"require_serial"`
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 || hooks[0].ID != "irsa-audit" || hooks[0].Language != "golang" || !hooks[0].PassFilenames || !hooks[0].RequireSerial {
		t.Fatalf("hooks: %+v", hooks)
	}
	h := hooks[0]
	files, exclude := regexp.MustCompile(h.Files), regexp.MustCompile(h.Exclude)
	entry := strings.Fields(h.Entry)
	if entry[0] != "irsa-audit" {
		t.Fatalf("entry %q does not run the binary pre-commit installs", h.Entry)
	}
	// language: golang installs the repository's commands with go install; build the one the
	// entry names.
	bin := filepath.Join(t.TempDir(), "irsa-audit")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/irsa-audit").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	repo := t.TempDir()
	write := func(name, from string) {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(repo, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("iam/trust.json", "examples/broken/no-sub/trust-policy.json")
	write("k8s/sa.yaml", "examples/irsa-s3/serviceaccount.yaml")
	write("package.json", "pkg/load/testdata/tree/misc/package.json")
	write("README.md", "README.md")
	// The configuration and a sidecar changed too: pre-commit selects by name only.
	changed := []string{"iam/trust.json", "k8s/sa.yaml", "package.json", "README.md", ".irsa-audit.yaml", "iam/trust.json.irsa-audit.yaml"}
	run := func() (int, string) {
		var args []string
		for _, f := range changed {
			if files.MatchString(f) && !exclude.MatchString(f) {
				args = append(args, f)
			}
		}
		if strings.Join(args, " ") != "iam/trust.json k8s/sa.yaml package.json" {
			t.Fatalf("files passed: %v", args)
		}
		cmd := exec.Command(bin, append(entry[1:], args...)...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if code, out := run(); code != 1 || !strings.Contains(out, "IRSA-001") {
		t.Errorf("broken trust policy: exit %d\n%s", code, out)
	}
	write("iam/trust.json", "examples/irsa-s3/trust-policy.json")
	if code, out := run(); code != 0 {
		t.Errorf("fixed trust policy: exit %d\n%s", code, out)
	}
}
