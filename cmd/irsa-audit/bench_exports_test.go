package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/irsa-audit/irsa-audit/internal/estate"
)

// exportsEnv makes the test binary a child of BenchmarkScanExports: "write:DIR" writes the
// exports of the estate into DIR, "decode:DIR" decodes every file of DIR with encoding/json.
const exportsEnv = "IRSA_AUDIT_BENCH_EXPORTS"

// exportsEstate is the estate of BenchmarkScanExports: 10,000 roles and 100,000 ServiceAccounts
// in one account and one cluster, so that its exports are one get-account-authorization-details
// and one kubectl get serviceaccounts -A -o json.
var exportsEstate = estate.Config{Seed: 1, Roles: 10000, ServiceAccounts: 100000, Clusters: 1}

// BenchmarkScanExports is the scheduled scan of saved exports, end to end through the binary:
// `irsa-audit scan --format json` of the AWS CLI and kubectl exports of a 10,000-role /
// 100,000-ServiceAccount estate (estate.WriteExports: get-account-authorization-details,
// list-open-id-connect-providers, describe-cluster, serviceaccounts), op=scan, against the floor
// of reading and decoding the same files with encoding/json into interface values, op=decode.
// Both run as fresh processes (the test binary re-executed for the decode), so both pay for
// growing their heap, and the benchmark process, which only runs them, stays small: Linux
// counts the parent's RSS in a vforked child's peak. Reported: wall time per process (ns/op),
// its peak RSS, the export sizes, and the number of findings.
func BenchmarkScanExports(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "irsa-audit")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "github.com/irsa-audit/irsa-audit/cmd/irsa-audit")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	tree := filepath.Join(dir, "exports")
	child(b, "write", tree)
	var sizes [2]int64
	err := filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch d.Name() {
		case "get-account-authorization-details.json":
			sizes[0] += info.Size()
		case "serviceaccounts.json":
			sizes[1] += info.Size()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(sizes[0])/1e6, "MB-authdetails")
		b.ReportMetric(float64(sizes[1])/1e6, "MB-serviceaccounts")
	}
	b.Run("op=decode", func(b *testing.B) {
		var peak float64
		for b.Loop() {
			peak = max(peak, child(b, "decode", tree))
		}
		report(b)
		b.ReportMetric(peak, "peak-RSS-MiB")
	})
	b.Run("op=scan", func(b *testing.B) {
		out := filepath.Join(dir, "report.json")
		maxRSS := benchScan(b, bin, out, tree)
		rules, _ := benchFindings(b, out)
		report(b)
		b.ReportMetric(float64(len(rules)), "findings")
		b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MiB")
	})
}

// child runs op on dir in the test binary re-executed (TestBenchExportsChild) and returns its
// peak RSS in MiB (VmHWM, printed by the child).
func child(b *testing.B, op, dir string) float64 {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchExportsChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), exportsEnv+"="+op+":"+dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		b.Fatalf("child %s: %v\n%s", op, err, out.String())
	}
	for line := range strings.Lines(out.String()) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "child-hwm-MiB="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatal(err)
			}
			return f
		}
	}
	return 0
}

// TestBenchExportsChild is the child process of BenchmarkScanExports; it does nothing in a normal
// test run.
func TestBenchExportsChild(t *testing.T) {
	spec := os.Getenv(exportsEnv)
	if spec == "" {
		t.Skip("only run as a benchmark child process")
	}
	op, dir, _ := strings.Cut(spec, ":")
	switch op {
	case "write":
		if _, err := estate.WriteExports(dir, estate.Generate(exportsEstate)); err != nil {
			t.Fatal(err)
		}
	case "decode":
		var docs []any
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			docs = append(docs, v)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) == 0 {
			t.Fatal("no files")
		}
	default:
		t.Fatalf("unknown op %q", op)
	}
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			if kib, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64); err == nil {
				fmt.Printf("child-hwm-MiB=%f\n", kib/1024)
			}
		}
	}
}
