package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testEnv runs the CLI in-process with a fixed clock and version, from the repository root so
// that paths in arguments and reports read like a user's.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runEnv(context.Background(), args, env{
		stdin:   strings.NewReader(stdin),
		stdout:  &out,
		stderr:  &errb,
		getenv:  func(string) string { return "" },
		now:     func() time.Time { return time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC) },
		getwd:   func() (string, error) { return "/src/irsa-audit", nil },
		version: "test",
	})
	return code, out.String(), errb.String()
}

// checkGolden compares got with testdata/e2e/<name>.golden, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(goldenDir, name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

var goldenDir string

func TestMain(m *testing.M) {
	flag.Parse()
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	goldenDir = filepath.Join(wd, "testdata", "e2e")
	// Run from the repository root, as a user would.
	if err := os.Chdir(filepath.Join(wd, "..", "..")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

func transcript(code int, stdout, stderr string) string {
	return fmt.Sprintf("exit: %d\n--- stdout\n%s--- stderr\n%s", code, stdout, stderr)
}

// TestExamples scans every shipped example, in every format, against golden transcripts.
func TestExamples(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"irsa-s3", []string{"scan", "examples/irsa-s3"}},
		{"broken-no-sub", []string{"scan", "examples/broken/no-sub"}},
		{"broken-wildcard-sub", []string{"scan", "examples/broken/wildcard-sub"}},
		{"broken-no-aud", []string{"scan", "examples/broken/no-aud"}},
		{"broken-permissive-operators", []string{"scan", "examples/broken/permissive-operators"}},
		{"broken-mismatched-issuer", []string{"scan", "examples/broken/mismatched-issuer"}},
		{"broken-literal-wildcard", []string{"scan", "examples/broken/literal-wildcard"}},
		{"broken-public-principal", []string{"scan", "examples/broken/public-principal"}},
		{"broken-extra-actions", []string{"scan", "examples/broken/extra-actions"}},
		{"broken-wrong-audience", []string{"scan", "examples/broken/wrong-audience"}},
		{"broken-default-serviceaccount", []string{"scan", "examples/broken/default-serviceaccount"}},
		{"broken-bad-annotation", []string{"scan", "examples/broken/bad-annotation"}},
		{"inventory-stale-provider", []string{"scan", "examples/inventory/stale-provider"}},
		{"inventory-orphan-role", []string{"scan", "examples/inventory/orphan-role"}},
		{"inventory-dangling-annotation", []string{"scan", "examples/inventory/dangling-annotation"}},
		{"inventory-binding-mismatch", []string{"scan", "examples/inventory/binding-mismatch"}},
		{"inventory-shared-role", []string{"scan", "examples/inventory/shared-role"}},
		{"inventory-wrong-audience", []string{"scan", "examples/inventory/wrong-audience"}},
		{"examples-text", []string{"scan", "examples"}},
		{"examples-json", []string{"scan", "--format", "json", "examples"}},
		{"examples-sarif", []string{"scan", "--format", "sarif", "examples"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", tc.args...)
			checkGolden(t, tc.name, transcript(code, stdout, stderr))
		})
	}
}
