package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bigPolicy is a policy of n statements, each granting s3:* on every bucket.
func bigPolicy(n int) string {
	var b strings.Builder
	b.WriteString(`{"Version": "2012-10-17", "Statement": [`)
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"Sid": "S%d", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}`, i)
	}
	b.WriteString("]}\n")
	return b.String()
}

// TestHugePolicy: a 5 MB policy of 100,000 statements took 2.4 GB and 55 s and wrote a 269 MB
// report. No AWS policy can hold that many: it is refused, located, at once.
func TestHugePolicy(t *testing.T) {
	dir := writeTree(t, map[string]string{"huge.json": bigPolicy(100000)})
	t.Chdir(dir)
	start := time.Now()
	code, stdout, stderr := runCLI(t, "", "scan", "--format", "json", "huge.json")
	took := time.Since(start)
	if code != exitError {
		t.Errorf("exit %d, want %d\n%s", code, exitError, stderr)
	}
	r := decodeReport(t, stdout)
	if len(r.Errors) != 1 || r.Errors[0].Line != 1 || !strings.Contains(r.Errors[0].Message, "has 100000 statements, more than the 1000 any AWS policy can hold") {
		t.Errorf("errors = %+v", r.Errors)
	}
	if len(stdout) > 200000 || took > 20*time.Second { // the rules list alone is some 40 KB
		t.Errorf("report of %d bytes in %v", len(stdout), took)
	}
}

// TestSimilarFindingsCapped: a policy AWS could hold, with hundreds of equal mistakes, lists at
// most 25 findings of each rule and a summary of the rest.
func TestSimilarFindingsCapped(t *testing.T) {
	dir := writeTree(t, map[string]string{"many.json": bigPolicy(400)})
	t.Chdir(dir)
	code, stdout, stderr := runCLI(t, "", "scan", "--format", "json", "many.json")
	if code != exitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	r := decodeReport(t, stdout)
	perRule := findingsPerRule(r)
	summaries := 0
	for _, f := range r.Findings {
		if strings.Contains(f.Message, "findings on policy many.json are not listed") {
			summaries++
		}
	}
	for id, n := range perRule {
		if n > 26 {
			t.Errorf("%s: %d findings listed, want at most 25 and a summary", id, n)
		}
	}
	if summaries == 0 {
		t.Errorf("no summary finding among %v", perRule)
	}
}

// slowRule iterates nine million times without finding anything; hugeRule builds a set of nine
// million findings. Custom rules had no time or memory bound: the first ran as long as it liked
// (--timeout bounded only live collection), the second ran the process out of memory.
const (
	ruleHeader = `# METADATA
# title: t
# description: d
# custom:
#   id: ACME-%s
#   severity: low
#   recommended_action: r
package acme.%s

`
	slowRule = `deny contains {"msg": "m", "resource": {"kind": "policy", "id": "x"}, "path": []} if {
	some i in numbers.range(1, 3000)
	some j in numbers.range(1, 3000)
	i * j == -1
}
`
	hugeRule = `deny contains {"msg": sprintf("finding %d/%d with some padding to make it weigh", [i, j]), "resource": {"kind": "policy", "id": sprintf("p%d", [i])}, "path": []} if {
	some i in numbers.range(1, 3000)
	some j in numbers.range(1, 3000)
}
`
)

func TestCustomRuleBounds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs rules until they are stopped")
	}
	for _, tc := range []struct {
		name, rule string
		args       []string
		want       string
	}{
		{"slow", slowRule, []string{"--timeout", "1s"}, "timed out after 1s (--timeout)"},
		{"huge", hugeRule, []string{"--max-memory", "200MiB", "--timeout", "5m"}, "memory use passed 200 MiB (--max-memory)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "rule.rego"), []byte(fmt.Sprintf(ruleHeader, strings.ToUpper(tc.name), tc.name)+tc.rule), 0o644); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			args := append(append([]string{"scan", "--policy", dir}, tc.args...), "examples/irsa-s3")
			code, stdout, stderr := runCLI(t, "", args...)
			if code != exitError || !strings.Contains(stderr, tc.want) || stdout != "" {
				t.Errorf("exit %d after %v, stdout %d bytes, stderr:\n%s\nwant %q", code, time.Since(start), len(stdout), stderr, tc.want)
			}
			t.Logf("stopped after %v", time.Since(start))
		})
	}
}

// TestEvaluationErrorWording: an evaluation error said "evaluate rules: evaluate rules: ...".
func TestEvaluationErrorWording(t *testing.T) {
	dir := t.TempDir()
	rule := fmt.Sprintf(ruleHeader, "CONFLICT", "conflict") + `deny contains {"msg": "m", "resource": {"kind": "policy", "id": "x"}, "path": []} if {
	x == 1
}

x := 1 if input.version
x := 2 if input.version
`
	if err := os.WriteFile(filepath.Join(dir, "rule.rego"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "", "scan", "--policy", dir, "examples/irsa-s3")
	if code != exitError || strings.Count(stderr, "evaluate rules") != 1 {
		t.Errorf("exit %d, stderr:\n%s\nwant one 'evaluate rules'", code, stderr)
	}
}

// FuzzParseSize: a size is positive and exact, or an error; never an overflow that silently
// became the default (--max-file-size 8589934592GiB did).
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"10MiB", "512KiB", "1GB", "8589934592GiB", "9223372036854775807B", "0", "-1MiB", " 3 KB "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize(s)
		if err != nil {
			return
		}
		if n <= 0 {
			t.Fatalf("parseSize(%q) = %d", s, n)
		}
		for _, u := range []struct {
			suffix string
			mult   int64
		}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}} {
			if strings.HasSuffix(strings.TrimSpace(s), u.suffix) && n%u.mult != 0 {
				t.Fatalf("parseSize(%q) = %d, not a multiple of %d", s, n, u.mult)
			}
		}
	})
}
