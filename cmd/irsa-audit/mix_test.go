package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
)

// TestLiveAndSavedTogether scans a live account together with a saved snapshot of the same
// account: each role is judged once, not once per source.
func TestLiveAndSavedTogether(t *testing.T) {
	useFakeAWS(t, false)
	saved := filepath.Join(t.TempDir(), "snapshot.json")
	if code, _, stderr := runCLI(t, "", "collect", "--aws", "--quiet", "-o", saved); code != exitOK {
		t.Fatalf("collect: exit %d\n%s", code, stderr)
	}
	count := func(args ...string) map[string]int {
		t.Helper()
		code, stdout, stderr := runCLI(t, "", append([]string{"scan", "--quiet", "--format", "json"}, args...)...)
		if code != exitFindings {
			t.Fatalf("scan %v: exit %d\n%s", args, code, stderr)
		}
		return findingsPerRule(decodeReport(t, stdout))
	}
	live := count("--aws")
	if len(live) == 0 {
		t.Fatal("the live scan found nothing; the test estate should have findings")
	}
	if diff := cmp.Diff(live, count("--aws", saved)); diff != "" {
		t.Errorf("findings per rule, live alone vs live + saved snapshot (-alone +together):\n%s", diff)
	}
	// Two copies of the snapshot: the loader folds them too.
	b, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(t.TempDir(), "copy.json")
	if err := os.WriteFile(copied, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(live, count(saved, copied)); diff != "" {
		t.Errorf("findings per rule, live vs two copies of the snapshot (-live +copies):\n%s", diff)
	}
}

func findingsPerRule(r findings.Report) map[string]int {
	n := map[string]int{}
	for _, f := range r.Findings {
		n[f.RuleID]++
	}
	return n
}
