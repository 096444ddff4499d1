package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/irsa-audit/irsa-audit/internal/estate"
)

// BenchmarkScanFolder is the pull-request gate of a monorepo, end to end through the binary:
// `irsa-audit scan --format json` over a folder of 10,000 policy files and Kubernetes manifests
// (a synthetic estate written by estate.WriteFolder). It reports the wall time of the process
// (ns/op), its peak RSS (getrusage of the child), the number of files and of findings.
func BenchmarkScanFolder(b *testing.B) {
	const files = 10000
	dir := b.TempDir()
	bin := filepath.Join(dir, "irsa-audit")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "github.com/irsa-audit/irsa-audit/cmd/irsa-audit")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	cfg := estate.Config{Seed: 1, Roles: 2000, ServiceAccounts: 10000, Clusters: 4}
	trial := estate.Generate(cfg)
	st, err := estate.WriteFolder(filepath.Join(dir, "trial"), trial)
	if err != nil {
		b.Fatal(err)
	}
	cfg.PolicyFiles = files - st.Files() // one file each
	est := estate.Generate(cfg)
	tree := filepath.Join(dir, "repo")
	if st, err = estate.WriteFolder(tree, est); err != nil {
		b.Fatal(err)
	}
	if st.Files() != files {
		b.Fatalf("wrote %d files, want %d", st.Files(), files)
	}
	out := filepath.Join(dir, "report.json")
	maxRSS := benchScan(b, bin, out, tree)
	rules, _ := benchFindings(b, out)
	b.ReportMetric(float64(st.Files()), "files")
	b.ReportMetric(float64(len(rules)), "findings")
	b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(time.Second), "s/op")
}

// benchScan times the binary scanning tree into the JSON report out, once per iteration, and
// returns the largest peak RSS (KiB) of the runs.
func benchScan(b *testing.B, bin, out, tree string) int64 {
	var maxRSS int64
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(bin, "scan", "--format", "json", "-o", out, "--fail-on", "none", tree)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("scan: %v\n%s", err, stderr.String())
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			maxRSS = max(maxRSS, ru.Maxrss)
		}
	}
	b.StopTimer()
	return maxRSS
}

// benchFindings reads the JSON report a benchmark's scan wrote and returns the rule id of each
// finding and the number of files the scan read; a report with input errors fails the benchmark
// (it would time the wrong work).
func benchFindings(b *testing.B, out string) (rules []string, files int) {
	data, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	var rep struct {
		Findings []struct {
			RuleID string `json:"rule_id"`
		} `json:"findings"`
		Errors []json.RawMessage `json:"errors"`
		Stats  struct {
			Files int `json:"files"`
		} `json:"stats"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		b.Fatal(err)
	}
	if len(rep.Errors) > 0 {
		b.Fatalf("%d input errors, e.g. %s", len(rep.Errors), rep.Errors[0])
	}
	rules = make([]string, len(rep.Findings))
	for i, f := range rep.Findings {
		rules[i] = f.RuleID
	}
	return rules, rep.Stats.Files
}
