package irsaaudit_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// actionFile is action.yml as far as the tests read it.
type actionFile struct {
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
}

type actionStep struct {
	Name  string            `yaml:"name"`
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Env   map[string]string `yaml:"env"`
	With  map[string]string `yaml:"with"`
}

func readAction(t *testing.T) actionFile {
	t.Helper()
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

var expr = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// runner plays the GitHub Actions runner for the action's run steps: the runner's files and
// variables (GITHUB_OUTPUT, GITHUB_PATH, RUNNER_TEMP, ...), the ${{ }} expressions the steps use
// (inputs, github.action_path, github.action_repository, steps.<id>.outputs), and PATH updates.
type runner struct {
	t         *testing.T
	workspace string
	inputs    map[string]string
	outputs   map[string]map[string]string
	path      []string
	env       []string
}

func newRunner(t *testing.T, a actionFile, inputs map[string]string, server string) *runner {
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	r := &runner{t: t, workspace: t.TempDir(), inputs: map[string]string{}, outputs: map[string]map[string]string{}}
	for k, v := range a.Inputs {
		r.inputs[k] = v.Default
	}
	for k, v := range inputs {
		r.inputs[k] = v
	}
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	r.env = []string{
		"RUNNER_TEMP=" + t.TempDir(), "RUNNER_OS=Linux", "RUNNER_ARCH=" + arch,
		"GITHUB_SERVER_URL=" + server, "GITHUB_WORKSPACE=" + r.workspace, "GITHUB_ACTIONS=true",
		"GITHUB_ACTION_PATH=" + root, "HOME=" + os.Getenv("HOME"),
		"GOCACHE=" + goEnv(t, "GOCACHE"), "GOMODCACHE=" + goEnv(t, "GOMODCACHE"), "GOFLAGS=" + os.Getenv("GOFLAGS"),
	}
	return r
}

func goEnv(t *testing.T, name string) string {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// eval resolves the expressions of one value; any other expression fails the test, so the
// action cannot grow one this fake runner does not know.
func (r *runner) eval(s string) string {
	root, _ := os.Getwd()
	return expr.ReplaceAllStringFunc(s, func(m string) string {
		e := expr.FindStringSubmatch(m)[1]
		switch {
		case strings.HasPrefix(e, "inputs."):
			v, ok := r.inputs[strings.TrimPrefix(e, "inputs.")]
			if !ok {
				r.t.Fatalf("action.yml uses undeclared %s", e)
			}
			return v
		case e == "github.action_path":
			return root
		case e == "github.action_repository":
			return "irsa-audit/irsa-audit"
		case strings.HasPrefix(e, "steps."):
			parts := strings.Split(e, ".")
			if len(parts) == 4 && parts[2] == "outputs" {
				return r.outputs[parts[1]][parts[3]]
			}
		}
		r.t.Fatalf("the fake runner does not know the expression %q", e)
		return ""
	})
}

// run runs a run step as the runner would: bash, in the workspace, with the step's env and the
// runner's files; it returns the step's exit code and its outputs.
func (r *runner) run(s actionStep) (int, string) {
	r.t.Helper()
	if s.Shell != "bash" {
		r.t.Fatalf("step %q: shell %q, want bash", s.Name, s.Shell)
	}
	dir := r.t.TempDir()
	files := map[string]string{}
	for _, f := range []string{"GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_ENV", "GITHUB_STEP_SUMMARY"} {
		files[f] = filepath.Join(dir, f)
		if err := os.WriteFile(files[f], nil, 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", r.eval(s.Run))
	cmd.Dir = r.workspace
	cmd.Env = append([]string{}, r.env...)
	for k, f := range files {
		cmd.Env = append(cmd.Env, k+"="+f)
	}
	cmd.Env = append(cmd.Env, "PATH="+strings.Join(append(append([]string{}, r.path...), os.Getenv("PATH")), string(os.PathListSeparator)))
	for k, v := range s.Env {
		cmd.Env = append(cmd.Env, k+"="+r.eval(v))
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	code := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			r.t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	outputs := map[string]string{}
	data, _ := os.ReadFile(files["GITHUB_OUTPUT"])
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			outputs[k] = v
		}
	}
	if s.ID != "" {
		r.outputs[s.ID] = outputs
	}
	p, _ := os.ReadFile(files["GITHUB_PATH"])
	for _, line := range strings.Fields(string(p)) {
		r.path = append([]string{line}, r.path...)
	}
	return code, out.String()
}

func stepByID(t *testing.T, a actionFile, id string) actionStep {
	for _, s := range a.Runs.Steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("action.yml has no step %q", id)
	return actionStep{}
}

// TestActionDefinition checks what the runner would do with action.yml beyond the run steps: a
// composite action that uploads the SARIF report with codeql-action v4 and the category, even
// when the scan found something, and then fails the job on the scan's exit code.
func TestActionDefinition(t *testing.T) {
	a := readAction(t)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q", a.Runs.Using)
	}
	var upload, fail *actionStep
	for i, s := range a.Runs.Steps {
		switch {
		case strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@"):
			upload = &a.Runs.Steps[i]
		case strings.Contains(s.Run, `exit "$EXIT_CODE"`):
			fail = &a.Runs.Steps[i]
		}
	}
	if upload == nil || upload.Uses != "github/codeql-action/upload-sarif@v4" {
		t.Fatalf("no upload-sarif@v4 step: %+v", upload)
	}
	if !strings.HasPrefix(upload.If, "always()") || upload.With["category"] != "${{ inputs.category }}" ||
		upload.With["sarif_file"] != "${{ steps.scan.outputs.report }}" {
		t.Errorf("upload step: %+v", upload)
	}
	if fail == nil || fail.If != "steps.scan.outputs.exit-code != '0'" {
		t.Errorf("no final step failing on the exit code: %+v", fail)
	}
	if a.Outputs["exit-code"].Value != "${{ steps.scan.outputs.exit-code }}" {
		t.Errorf("outputs: %+v", a.Outputs)
	}
}

// TestActionScripts runs the action's install and scan steps with a fake runner: the release
// downloaded from a loopback server (built by scripts/release.sh) or built from source, a
// tampered archive refused, the scan's report and exit code in the step outputs.
func TestActionScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds a release")
	}
	const version = "v0.0.0-action-test"
	dist := t.TempDir()
	rel := exec.Command("bash", "scripts/release.sh")
	rel.Env = append(os.Environ(), "VERSION="+version, "PLATFORMS=linux/"+runtime.GOARCH, "DIST="+dist)
	if out, err := rel.CombinedOutput(); err != nil {
		t.Fatalf("release.sh: %v\n%s", err, out)
	}
	tampered := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		prefix := "/irsa-audit/irsa-audit/releases/download/" + version + "/"
		name, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		data, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if tampered && strings.HasSuffix(name, ".tar.gz") {
			data = append(data, 0)
		}
		w.Write(data)
	}))
	defer srv.Close()

	a := readAction(t)
	trust, err := os.ReadFile("examples/broken/no-sub/trust-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	// A clean repository holds a trust policy with nothing to report (an empty one judges
	// nothing, which fails the scan: see verdict in cmd/irsa-audit).
	cleanTrust, err := os.ReadFile("examples/irsa-s3/trust-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name        string
		inputs      map[string]string
		tamper      bool
		clean       bool
		wantInstall int
		wantVersion string
		wantCode    string
	}{
		{name: "release", inputs: map[string]string{"version": version}, wantVersion: version, wantCode: "1"},
		{name: "release, clean repository", inputs: map[string]string{"version": version}, clean: true, wantVersion: version, wantCode: "0"},
		{name: "tampered archive", inputs: map[string]string{"version": version}, tamper: true, wantInstall: 1},
		{name: "no such release", inputs: map[string]string{"version": "v0.0.0-missing"}, wantInstall: 22},
		{name: "from source", inputs: map[string]string{"version": "source", "fail-on": "critical", "category": "irsa/iam"}, wantCode: "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tampered = tc.tamper
			r := newRunner(t, a, tc.inputs, srv.URL)
			if err := os.MkdirAll(filepath.Join(r.workspace, "iam"), 0o755); err != nil {
				t.Fatal(err)
			}
			doc := trust
			if tc.clean {
				doc = cleanTrust
			}
			if err := os.WriteFile(filepath.Join(r.workspace, "iam", "trust.json"), doc, 0o644); err != nil {
				t.Fatal(err)
			}
			code, log := r.run(stepByID(t, a, "install"))
			if code != tc.wantInstall {
				t.Fatalf("install: exit %d, want %d\n%s", code, tc.wantInstall, log)
			}
			if code != 0 {
				return
			}
			bin := r.outputs["install"]["path"]
			v, err := exec.Command(bin, "version").Output()
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantVersion != "" && strings.TrimSpace(string(v)) != "irsa-audit "+tc.wantVersion {
				t.Errorf("installed %q, want %s", v, tc.wantVersion)
			}
			code, log = r.run(stepByID(t, a, "scan"))
			if code != 0 {
				t.Fatalf("scan step failed (exit %d); it must record the exit code instead\n%s", code, log)
			}
			out := r.outputs["scan"]
			if out["exit-code"] != tc.wantCode || out["report"] != "irsa-audit.sarif" {
				t.Fatalf("scan outputs %v, want exit-code %s and the report\n%s", out, tc.wantCode, log)
			}
			data, err := os.ReadFile(filepath.Join(r.workspace, "irsa-audit.sarif"))
			if err != nil {
				t.Fatal(err)
			}
			var log2 struct {
				Runs []struct {
					AutomationDetails struct{ ID string } `json:"automationDetails"`
					Results           []struct {
						RuleID    string `json:"ruleId"`
						Locations []struct {
							PhysicalLocation struct {
								ArtifactLocation struct{ URI string } `json:"artifactLocation"`
							} `json:"physicalLocation"`
						} `json:"locations"`
					} `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal(data, &log2); err != nil {
				t.Fatal(err)
			}
			wantCat := cmpOr(tc.inputs["category"], "irsa-audit") + "/"
			if got := log2.Runs[0].AutomationDetails.ID; got != wantCat {
				t.Errorf("category %q, want %q", got, wantCat)
			}
			if !tc.clean && (len(log2.Runs[0].Results) == 0 || log2.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != "iam/trust.json") {
				t.Errorf("results: %+v", log2.Runs[0].Results)
			}
			fail := a.Runs.Steps[len(a.Runs.Steps)-1]
			if code, _ := r.run(fail); fmt.Sprint(code) != tc.wantCode {
				t.Errorf("the last step exits %d, want %s", code, tc.wantCode)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
