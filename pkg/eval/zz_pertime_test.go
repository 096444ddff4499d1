package eval

import (
	"context"
	"fmt"
	"github.com/irsa-audit/irsa-audit/pkg/permissions"
	"github.com/irsa-audit/irsa-audit/pkg/trust"
	"github.com/irsa-audit/irsa-audit/policies"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/profiler"
	"github.com/open-policy-agent/opa/v1/rego"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func zzFS() fs.FS {
	if d := os.Getenv("ZZ_POL"); d != "" {
		return os.DirFS(d)
	}
	return policies.FS
}

func TestZZPerRule(t *testing.T) {
	if os.Getenv("ZZ_PERRULE") == "" {
		t.Skip()
	}
	size := estateSizes[2]
	if os.Getenv("ZZ_SMALL") != "" {
		size = estateSizes[1]
	}
	c := cachedEstateOf(t, size.name, size.cfg)
	ctx := context.Background()
	start := time.Now()
	input, err := inputOf(c.est.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("input %.3f\n", time.Since(start).Seconds())
	e0, _ := New(ctx, Options{Now: fixedNow, builtin: zzFS()})
	all := e0.Rules()
	var ids []string
	for _, r := range all {
		ids = append(ids, r.ID)
	}
	if s := os.Getenv("ZZ_RULES"); s != "" {
		ids = strings.Split(s, ",")
	}
	groups := map[string][]string{}
	for _, id := range ids {
		e, err := New(ctx, Options{Now: fixedNow, Include: []string{id}, builtin: zzFS()})
		if err != nil {
			t.Fatal(err)
		}
		at := fixedNow()
		sets := make([]any, 1)
		best := time.Hour
		for range 2 {
			s := time.Now()
			if err := e.queries[0].eval(ctx, input, at, e.vars, sets); err != nil {
				t.Fatal(err)
			}
			best = min(best, time.Since(s))
		}
		n := len(sets[0].([]any))
		fmt.Printf("%s %-40s %.3f  %d\n", id, e.rules[0].Package, best.Seconds(), n)
		g := fmt.Sprint(ruleGroup(e.rules[0].Package))
		groups[g] = append(groups[g], id)
	}
	for g, ids := range groups {
		e, err := New(ctx, Options{Now: fixedNow, Include: ids, builtin: zzFS()})
		if err != nil {
			t.Fatal(err)
		}
		sets := make([]any, len(ids))
		best := time.Hour
		for range 2 {
			s := time.Now()
			if err := e.queries[0].eval(ctx, input, fixedNow(), e.vars, sets); err != nil {
				t.Fatal(err)
			}
			best = min(best, time.Since(s))
		}
		fmt.Printf("group %s: %.3f\n", g, best.Seconds())
	}
}

func BenchmarkZZInput(b *testing.B) {
	c := cachedEstateOf(b, estateSizes[2].name, estateSizes[2].cfg)
	b.Run("snap", func(b *testing.B) {
		for b.Loop() {
			if _, err := toValue(c.est.Snapshot); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("perm", func(b *testing.B) {
		for b.Loop() {
			toValue(permissions.Analyze(c.est.Snapshot))
		}
	})
	b.Run("permonly", func(b *testing.B) {
		for b.Loop() {
			permissions.Analyze(c.est.Snapshot)
		}
	})
	b.Run("trust", func(b *testing.B) {
		for b.Loop() {
			toValue(trust.Analyze(c.est.Snapshot))
		}
	})
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			inputOf(c.est.Snapshot)
		}
	})
}

func TestZZPhases(t *testing.T) {
	if os.Getenv("ZZ_PHASES") == "" {
		t.Skip()
	}
	c := cachedEstateOf(t, estateSizes[2].name, estateSizes[2].cfg)
	ctx := context.Background()
	e := builtinEngine(t)
	for range 3 {
		t0 := time.Now()
		input, err := buildInput(c.est.Snapshot, true)
		if err != nil {
			t.Fatal(err)
		}
		t1 := time.Now()
		sets := make([]any, len(e.rules))
		var d [2]time.Duration
		done := make(chan int, 2)
		for q := range e.queries {
			go func() {
				s := time.Now()
				if err := e.queries[q].eval(ctx, input, fixedNow(), e.vars, sets); err != nil {
					panic(err)
				}
				d[q] = time.Since(s)
				done <- q
			}()
		}
		<-done
		<-done
		t2 := time.Now()
		loc := newLocator(input, c.est.Snapshot)
		n := 0
		for i, r := range e.rules {
			for _, elem := range sets[i].([]any) {
				if _, err := decodeFinding(r, elem, loc); err != nil {
					t.Fatal(err)
				}
				n++
			}
		}
		t3 := time.Now()
		fmt.Printf("input %.3f queries %.3f (%.3f, %.3f) findings %.3f (%d) total %.3f\n", t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), d[0].Seconds(), d[1].Seconds(), t3.Sub(t2).Seconds(), n, t3.Sub(t0).Seconds())
	}
}

func TestZZInputPhases(t *testing.T) {
	if os.Getenv("ZZ_PHASES") == "" {
		t.Skip()
	}
	c := cachedEstateOf(t, estateSizes[2].name, estateSizes[2].cfg)
	snap := c.est.Snapshot
	for range 3 {
		t0 := time.Now()
		v, _ := toValue(snap)
		t1 := time.Now()
		pa := permissions.Analyze(snap)
		t2 := time.Now()
		pv, _ := toValue(pa)
		t3 := time.Now()
		ta := trust.Analyze(snap)
		t4 := time.Now()
		tv, _ := toValue(ta)
		t5 := time.Now()
		f := irsaFacts(v.(ast.Object), ta.OIDCStatements)
		t6 := time.Now()
		x := bindingsIndex(ta.Index)
		t7 := time.Now()
		_, _, _, _ = pv, tv, f, x
		fmt.Printf("snap %.3f perm %.3f permconv %.3f trust %.3f trustconv %.3f facts %.3f index %.3f\n",
			t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), t3.Sub(t2).Seconds(), t4.Sub(t3).Seconds(), t5.Sub(t4).Seconds(), t6.Sub(t5).Seconds(), t7.Sub(t6).Seconds())
	}
}

func BenchmarkZZFacts(b *testing.B) {
	c := cachedEstateOf(b, estateSizes[2].name, estateSizes[2].cfg)
	v, _ := toValue(c.est.Snapshot)
	ta := trust.Analyze(c.est.Snapshot)
	for b.Loop() {
		irsaFacts(v.(ast.Object), ta.OIDCStatements)
	}
}

func BenchmarkZZBuild(b *testing.B) {
	c := cachedEstateOf(b, estateSizes[2].name, estateSizes[2].cfg)
	for b.Loop() {
		buildInput(c.est.Snapshot, true)
	}
}

func TestZZProfile(t *testing.T) {
	if os.Getenv("ZZ_PROFILE") == "" {
		t.Skip()
	}
	c := cachedEstateOf(t, estateSizes[1].name, estateSizes[1].cfg)
	input, err := inputOf(c.est.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	ids := strings.Split(os.Getenv("ZZ_PROFILE"), ",")
	e, err := New(context.Background(), Options{Now: fixedNow, Include: ids})
	if err != nil {
		t.Fatal(err)
	}
	p := profiler.New()
	_, err = e.queries[0].prepared.Eval(context.Background(), rego.EvalParsedInput(input), rego.EvalQueryTracer(p))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.ReportTopNResults(25, []string{"total_time_ns"}) {
		fmt.Printf("%8.1fms %7d %s:%d\n", float64(s.ExprTimeNs)/1e6, s.NumEval, s.Location.File, s.Location.Row)
	}
}

func BenchmarkZZParts(b *testing.B) {
	c := cachedEstateOf(b, estateSizes[2].name, estateSizes[2].cfg)
	s := c.est.Snapshot
	for name, v := range map[string]any{"sas": s.ServiceAccounts, "roles": s.Roles, "workloads": s.Workloads, "policies": s.Policies, "managed": s.ManagedPolicies} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				toValue(v)
			}
		})
	}
}

func BenchmarkZZQueries(b *testing.B) {
	c := cachedEstateOf(b, estateSizes[2].name, estateSizes[2].cfg)
	input, _ := inputOf(c.est.Snapshot)
	e := builtinEngine(b)
	g := 0
	if os.Getenv("ZZ_GROUP") == "1" {
		g = 1
	}
	sets := make([]any, len(e.rules))
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	for b.Loop() {
		if err := e.queries[g].eval(context.Background(), input, fixedNow(), e.vars, sets); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(b.N)/(1<<20), "MiB/op")
	b.ReportMetric(float64(ms1.NumGC-ms0.NumGC)/float64(b.N), "gc/op")
}

func TestZZMem(t *testing.T) {
	if os.Getenv("ZZ_MEM") == "" {
		t.Skip()
	}
	c := cachedEstateOf(t, estateSizes[2].name, estateSizes[2].cfg)
	snap := c.est.Snapshot
	heap := func() float64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc) / (1 << 20)
	}
	h0 := heap()
	v, _ := toValue(snap)
	h1 := heap()
	ta := trust.Analyze(snap)
	h2 := heap()
	f := irsaFacts(v.(ast.Object), ta.OIDCStatements)
	h3 := heap()
	x := bindingsIndex(ta.Index)
	h4 := heap()
	pa, _ := toValue(permissions.Analyze(snap))
	h5 := heap()
	runtime.KeepAlive(v)
	runtime.KeepAlive(f)
	runtime.KeepAlive(x)
	runtime.KeepAlive(pa)
	runtime.KeepAlive(ta)
	fmt.Printf("base %.0f snap %.0f trust %.0f facts %.0f index %.0f perms %.0f MiB\n", h0, h1-h0, h2-h1, h3-h2, h4-h3, h5-h4)
}
