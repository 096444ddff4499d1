package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/irsa-audit/irsa-audit/internal/estate"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// The scale benchmarks run over synthetic estates (internal/estate) at the size of a large
// organisation, 10,000 roles, 100,000 ServiceAccounts and 20 clusters, and at 1/10 and 1/100 of
// it (roles, ServiceAccounts and policy files scaled, clusters kept). docs/performance.md has the
// method and the figures; `make bench` runs them.

// estateSizes are the scaled estates, smallest first.
var estateSizes = []struct {
	name string
	cfg  estate.Config
}{
	{"1%", estate.Config{Seed: 1, Roles: 100, ServiceAccounts: 1000, Clusters: 20, PolicyFiles: 10}},
	{"10%", estate.Config{Seed: 1, Roles: 1000, ServiceAccounts: 10000, Clusters: 20, PolicyFiles: 100}},
	{"100%", estate.Config{Seed: 1, Roles: 10000, ServiceAccounts: 100000, Clusters: 20, PolicyFiles: 1000}},
}

var estateCache sync.Map // name -> *cachedEstate

// TestMain removes the estate files cachedEstateOf wrote (34 MiB for the large one) when the
// test binary is done.
func TestMain(m *testing.M) {
	code := m.Run()
	estateCache.Range(func(_, v any) bool {
		if c := v.(*cachedEstate); c.file != "" {
			os.RemoveAll(filepath.Dir(c.file))
		}
		return true
	})
	os.Exit(code)
}

type cachedEstate struct {
	once sync.Once
	est  *estate.Estate
	json []byte
	file string
}

// cachedEstateOf generates an estate once per test binary and keeps its JSON in a file, for the
// child processes.
func cachedEstateOf(tb testing.TB, name string, cfg estate.Config) *cachedEstate {
	v, _ := estateCache.LoadOrStore(name, &cachedEstate{})
	c := v.(*cachedEstate)
	c.once.Do(func() {
		c.est = estate.Generate(cfg)
		data, err := json.Marshal(c.est.Snapshot)
		if err != nil {
			tb.Fatal(err)
		}
		c.json = data
		dir, err := os.MkdirTemp("", "irsa-audit-estate-")
		if err != nil {
			tb.Fatal(err)
		}
		c.file = filepath.Join(dir, "snapshot.json")
		if err := os.WriteFile(c.file, data, 0o644); err != nil {
			tb.Fatal(err)
		}
	})
	if c.est == nil {
		tb.Fatal("estate generation failed earlier")
	}
	return c
}

// BenchmarkEvaluateSmall is the regression benchmark CI runs briefly (-benchtime 1x): every
// built-in rule over the 1/100 estate (100 roles, 1,000 ServiceAccounts, 20 clusters), checking
// that the seeded misconfigurations are found.
func BenchmarkEvaluateSmall(b *testing.B) {
	c := cachedEstateOf(b, estateSizes[0].name, estateSizes[0].cfg)
	e := builtinEngine(b)
	ctx := context.Background()
	var fs int
	b.ReportAllocs()
	for b.Loop() {
		got, err := e.Evaluate(ctx, c.est.Snapshot)
		if err != nil {
			b.Fatal(err)
		}
		fs = len(got)
	}
	want := 0
	for _, n := range c.est.Expected {
		want += n
	}
	if fs != want {
		b.Fatalf("%d findings, want the %d seeded", fs, want)
	}
	b.ReportMetric(float64(fs), "findings")
}

// BenchmarkEstate measures, for every estate size, the evaluation of the decoded snapshot with
// every built-in rule (op=evaluate) and the decoding of its JSON into a snapshot.Snapshot alone
// (op=decode, the floor: rules cannot judge a snapshot faster than it is read). Besides the
// in-process time per operation it runs the operation once in a child process (the test binary
// re-executed: read the file, decode, build the engine and evaluate) and reports that process's
// peak RSS (peak-RSS-MiB, from getrusage) and the wall time of its decode and evaluate steps.
func BenchmarkEstate(b *testing.B) {
	for _, size := range estateSizes {
		c := cachedEstateOf(b, size.name, size.cfg)
		b.Run("size="+size.name+"/op=decode", func(b *testing.B) {
			for b.Loop() {
				var s snapshot.Snapshot
				if err := json.Unmarshal(c.json, &s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(c.json))/(1<<20), "MiB-json")
			reportChild(b, "decode", c.file)
		})
		b.Run("size="+size.name+"/op=evaluate", func(b *testing.B) {
			e := builtinEngine(b)
			ctx := context.Background()
			var fs int
			for b.Loop() {
				got, err := e.Evaluate(ctx, c.est.Snapshot)
				if err != nil {
					b.Fatal(err)
				}
				fs = len(got)
			}
			b.ReportMetric(float64(fs), "findings")
			b.ReportMetric(float64(size.cfg.Roles), "roles")
			b.ReportMetric(float64(size.cfg.ServiceAccounts), "SAs")
			reportChild(b, "evaluate", c.file)
		})
	}
}

// childEnv names the operation and snapshot file of a child process of reportChild.
const childEnv = "IRSA_AUDIT_BENCH_CHILD"

// reportChild runs op on file in a fresh process and reports its peak RSS and step times.
func reportChild(b *testing.B, op, file string) {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+op+":"+file)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		b.Fatalf("child %s: %v\n%s", op, err, out.String())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		b.Skip("no rusage on this platform")
	}
	// Linux keeps the largest RSS of the memory a process had before execve in its rusage, and
	// os/exec starts the child with vfork, whose memory is the parent's: Maxrss is then at least
	// the benchmark process's own RSS. The child's own high-water mark (VmHWM), when it reports
	// one, is the figure.
	peak := float64(ru.Maxrss) / 1024 // Linux: KiB
	for _, line := range strings.Split(out.String(), "\n") {
		name, value, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || !strings.HasPrefix(name, "child-") {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		if name == "child-hwm-MiB" {
			peak = v
			continue
		}
		b.ReportMetric(v, name)
	}
	b.ReportMetric(peak, "peak-RSS-MiB")
}

// printHighWaterMark prints the process's peak RSS from /proc/self/status (VmHWM), where there
// is one, for reportChild.
func printHighWaterMark() {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			if kib, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64); err == nil {
				fmt.Printf("child-hwm-MiB=%f\n", kib/1024)
			}
		}
	}
}

// TestBenchChild is the child process of reportChild; it does nothing in a normal test run.
func TestBenchChild(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		t.Skip("only run as a benchmark child process")
	}
	op, file, _ := strings.Cut(spec, ":")
	start := time.Now()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var snap snapshot.Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		t.Fatal(err)
	}
	data = nil
	decoded := time.Now()
	fmt.Printf("child-decode-s=%f\n", decoded.Sub(start).Seconds())
	defer printHighWaterMark()
	if op != "evaluate" {
		return
	}
	e, err := New(context.Background(), Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	ready := time.Now()
	fs, err := e.Evaluate(context.Background(), &snap)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("child-compile-s=%f\nchild-evaluate-s=%f\nchild-findings=%d\n",
		ready.Sub(decoded).Seconds(), time.Since(ready).Seconds(), len(fs))
}
