package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
)

// runIn runs the CLI in-process from dir (the process's working directory too, so that the
// configuration is discovered there and relative paths resolve) at the clock now.
func runIn(t *testing.T, dir string, now time.Time, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Chdir(dir)
	var out, errb bytes.Buffer
	code = runEnv(context.Background(), args, env{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv: func(string) string { return "" },
		now:    func() time.Time { return now },
		getwd:  os.Getwd, version: "test",
	})
	return code, out.String(), errb.String()
}

var (
	// The day the goldens were taken: the IRSA-026 inline suppression (until 2026-10-31) and a
	// configuration entry have expired, the others are in force.
	day = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	// After the inline IRSA-023 suppression's last day (2027-01-31), before the sidecar's.
	later = time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
)

// TestTriage scans testdata/triage, which has a configuration (inputs, fail-on, a severity
// override, suppressions by path and by resource), a sidecar for a JSON trust policy and inline
// comments in a manifest, against golden transcripts; at a later date, one more suppression has
// expired and its finding is back.
func TestTriage(t *testing.T) {
	dir := filepath.Join("cmd", "irsa-audit", "testdata", "triage")
	for _, tc := range []struct {
		name string
		now  time.Time
		args []string
	}{
		{"triage-text", day, []string{"scan"}},
		{"triage-json", day, []string{"scan", "--format", "json"}},
		{"triage-markdown", day, []string{"scan", "--format", "markdown"}},
		{"triage-junit", day, []string{"scan", "--format", "junit"}},
		{"triage-later", later, []string{"scan"}},
		{"triage-no-config", day, []string{"scan", "--no-config", "iam", "deploy", "permissions"}},
		{"triage-flags-win", day, []string{"scan", "--fail-on", "critical", "--skip-rule", "IRSA-002"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, _ := os.Getwd()
			code, stdout, stderr := runIn(t, dir, tc.now, tc.args...)
			t.Chdir(root)
			// The JSON report gives a configuration suppression's path resolved against the
			// configuration's folder, an absolute path: the golden names the checkout "$ROOT"
			// so that it holds in any clone.
			got := strings.ReplaceAll(transcript(code, stdout, stderr), filepath.ToSlash(root)+"/", "$ROOT/")
			checkGolden(t, tc.name, got)
		})
	}
}

// TestTriageSARIF checks the suppressions in SARIF: suppressed results carry them, expired ones
// are notifications, and the log is valid (go-sarif's own validation; the schema and the SARIF
// multitool check the same log in pkg/report and scripts/sarif-validate.sh).
func TestTriageSARIF(t *testing.T) {
	root, _ := os.Getwd()
	dir := filepath.Join(root, "cmd", "irsa-audit", "testdata", "triage")
	out := filepath.Join(t.TempDir(), "triage.sarif")
	code, _, stderr := runIn(t, dir, day, "scan", "--format", "sarif", "--category", "irsa-audit/repo", "-o", out)
	t.Chdir(root)
	if code != exitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			AutomationDetails struct{ ID string } `json:"automationDetails"`
			Results           []struct {
				RuleID       string `json:"ruleId"`
				Suppressions []struct {
					Kind, Status, Justification string
				}
			}
			Invocations []struct {
				Notifications []struct {
					Level   string
					Message struct{ Text string }
				} `json:"toolExecutionNotifications"`
			}
		}
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if run.AutomationDetails.ID != "irsa-audit/repo/" {
		t.Errorf("automationDetails.id = %q", run.AutomationDetails.ID)
	}
	var got []string
	for _, r := range run.Results {
		for _, s := range r.Suppressions {
			got = append(got, r.RuleID+" "+s.Kind+" "+s.Status)
		}
	}
	want := []string{"IRSA-002 external accepted", "IRSA-023 inSource accepted", "IRSA-031 external accepted"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("suppressions (-want +got):\n%s", diff)
	}
	expired := 0
	for _, n := range run.Invocations[0].Notifications {
		if n.Level == "warning" && strings.HasPrefix(n.Message.Text, "expired suppression") {
			expired++
		}
	}
	if expired != 2 {
		t.Errorf("%d expired-suppression notifications, want 2", expired)
	}
	validateSARIFFile(t, data)
}

// TestSuppressionErrors: a suppression without a reason or with a bad date is an input error at
// its line, suppresses nothing, and the run exits 2.
func TestSuppressionErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sa, err := os.ReadFile("examples/broken/default-serviceaccount/serviceaccount.yaml")
	if err != nil {
		t.Fatal(err)
	}
	write("sa.yaml", "# irsa-audit:ignore IRSA-023\n"+string(sa))
	write(".irsa-audit.yaml", "suppressions:\n  - rule: IRSA-023\n    until: 2027-13-01\n    reason: x\n  - reason: matches everything\n")
	root, _ := os.Getwd()
	code, stdout, stderr := runIn(t, dir, day, "scan", "--format", "json", "sa.yaml")
	t.Chdir(root)
	if code != exitError {
		t.Errorf("exit %d, want %d\n%s", code, exitError, stderr)
	}
	r := decodeReport(t, stdout)
	var msgs []string
	for _, e := range r.Errors {
		msgs = append(msgs, e.File+":"+itoa(e.Line)+": "+e.Message)
	}
	want := []string{
		`.irsa-audit.yaml:2: until "2027-13-01" is not a date (want YYYY-MM-DD)`,
		".irsa-audit.yaml:5: a suppression needs at least one of rule, fingerprint, resource or path",
		`sa.yaml:1: irsa-audit:ignore: a suppression needs a reason`,
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if len(r.Findings) != 1 || r.Findings[0].RuleID != "IRSA-023" || len(r.Suppressed) != 0 {
		t.Errorf("findings %+v, suppressed %+v: want IRSA-023 active", r.Findings, r.Suppressed)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, config string
		args         []string
		want         string
	}{
		{"unknown key", "fail_on: high\n", nil, "field fail_on not found"},
		{"unknown key in a suppression", "suppressions:\n  - rule: IRSA-002\n    reason: x\n    expires: 2027-01-01\n", nil, "entry at line 2"},
		{"bad version", "version: 2\n", nil, "version 2 is not supported"},
		{"bad severity", "rules:\n  severity:\n    IRSA-002: severe\n", nil, `unknown severity "severe"`},
		{"unknown rule in an override", "rules:\n  severity:\n    IRSA-999: low\n", nil, `no rule "IRSA-999" ran`},
		{"bad format", "format: xml\n", nil, `unknown format "xml"`},
		{"bad output format", "outputs:\n  - format: pdf\n    output: r.pdf\n", nil, `outputs[0]: unknown format "pdf"`},
		{"both config flags", "", []string{"--config", "x.yaml", "--no-config"}, "cannot be used together"},
		{"missing config", "", []string{"--config", "missing.yaml"}, "--config missing.yaml: no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.config != "" {
				if err := os.WriteFile(filepath.Join(dir, ".irsa-audit.yaml"), []byte(tc.config), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "p.json"), []byte(`{"Version":"2012-10-17","Statement":[]}`), 0o644); err != nil {
				t.Fatal(err)
			}
			root, _ := os.Getwd()
			code, _, stderr := runIn(t, dir, day, append(append([]string{"scan"}, tc.args...), "p.json")...)
			t.Chdir(root)
			if code != exitError || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitError, tc.want)
			}
		})
	}
}

// TestConfigDiscovery: the configuration is found in a parent folder, its paths are relative
// to it, and its outputs are written too.
func TestConfigDiscovery(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "team", "app")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "inputs: [team/app]\nformat: json\noutputs:\n  - format: sarif\n    output: reports/irsa.sarif\n  - format: junit\n    output: reports/irsa.xml\n"
	if err := os.WriteFile(filepath.Join(dir, ".irsa-audit.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "reports"), 0o755); err != nil {
		t.Fatal(err)
	}
	sa, _ := os.ReadFile("examples/broken/default-serviceaccount/serviceaccount.yaml")
	if err := os.WriteFile(filepath.Join(sub, "sa.yaml"), sa, 0o644); err != nil {
		t.Fatal(err)
	}
	root, _ := os.Getwd()
	code, stdout, stderr := runIn(t, sub, day, "scan")
	t.Chdir(root)
	if code != exitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	r := decodeReport(t, stdout) // format: json from the configuration
	if len(r.Findings) != 1 || r.Findings[0].Location.File != "." && !strings.HasSuffix(r.Findings[0].Location.File, "sa.yaml") {
		t.Errorf("findings: %+v", r.Findings)
	}
	for _, name := range []string{"reports/irsa.sarif", "reports/irsa.xml"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
	}
}

// TestBaselineAndDiff: a baseline accepts today's findings; a later scan with one more finding
// fails only on it; diff shows it, in every format.
func TestBaselineAndDiff(t *testing.T) {
	dir := t.TempDir()
	trust, _ := os.ReadFile("examples/broken/wildcard-sub/trust-policy.json")
	sa, _ := os.ReadFile("examples/broken/default-serviceaccount/serviceaccount.yaml")
	if err := os.Mkdir(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "trust-policy.json"), trust, 0o644); err != nil {
		t.Fatal(err)
	}
	root, _ := os.Getwd()
	defer t.Chdir(root)
	step := func(want int, args ...string) string {
		t.Helper()
		code, stdout, stderr := runIn(t, dir, day, args...)
		if code != want {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, want, stdout, stderr)
		}
		return stdout
	}
	step(exitOK, "baseline", "-o", "baseline.json", "src")
	step(exitOK, "scan", "--baseline", "baseline.json", "src")
	step(exitFindings, "scan", "--format", "json", "-o", "old.json", "src")
	// A new problem appears, an old one is fixed.
	if err := os.WriteFile(filepath.Join(dir, "src", "sa.yaml"), sa, 0o644); err != nil {
		t.Fatal(err)
	}
	fixed := strings.Replace(string(trust), `"system:serviceaccount:*"`, `"system:serviceaccount:web:frontend"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "src", "trust-policy.json"), []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	text := step(exitFindings, "scan", "--baseline", "baseline.json", "src")
	step(exitFindings, "scan", "--format", "json", "-o", "new.json", "src")
	step(exitOK, "scan", "--baseline", "baseline.json", "--fail-on", "critical", "src") // the new one is high
	diffText := step(exitFindings, "diff", "old.json", "new.json")
	diffJSON := step(exitFindings, "diff", "--format", "json", "old.json", "new.json")
	diffMD := step(exitOK, "diff", "--format", "markdown", "--fail-on", "critical", "old.json", "new.json")
	step(exitOK, "diff", "old.json", "old.json")
	t.Chdir(root)
	checkGolden(t, "baseline-scan", text)
	checkGolden(t, "diff-text", diffText)
	checkGolden(t, "diff-json", diffJSON)
	checkGolden(t, "diff-markdown", diffMD)

	var d findings.Diff
	if err := json.Unmarshal([]byte(diffJSON), &d); err != nil {
		t.Fatal(err)
	}
	if d.Stats != (findings.DiffStats{New: 1, Fixed: 1, Unchanged: 1}) {
		t.Errorf("diff stats = %+v", d.Stats)
	}
}

func TestDiffErrors(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"v9.json": `{"version":"9","findings":[]}`, "sarif.json": `{"runs":[]}`, "ok.json": `{"version":"1","findings":[]}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "ok.json"}, "accepts 2 arg(s)"},
		{[]string{"diff", "ok.json", "v9.json"}, `version "9" is not supported`},
		{[]string{"diff", "sarif.json", "ok.json"}, "not an irsa-audit json report"},
		{[]string{"diff", "ok.json", "missing.json"}, "missing.json"},
		{[]string{"diff", "--format", "sarif", "ok.json", "ok.json"}, "diff renders text, json or markdown"},
	} {
		root, _ := os.Getwd()
		code, _, stderr := runIn(t, dir, day, tc.args...)
		t.Chdir(root)
		if code != exitError || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, exitError, tc.want)
		}
	}
}

// validateSARIFFile checks a SARIF log with go-sarif v3's Report.Validate (the JSON schema
// check of the SARIF 2.1.0 schema it embeds).
func validateSARIFFile(t *testing.T, data []byte) {
	t.Helper()
	log, err := sarif.FromBytes(data)
	if err != nil {
		t.Fatalf("parse sarif: %v", err)
	}
	if err := log.Validate(); err != nil {
		t.Errorf("go-sarif Validate(): %v", err)
	}
}
