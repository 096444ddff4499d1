package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/load"
)

// reportFinding is the part of a JSON report finding the inventory tests compare.
type reportFinding struct {
	RuleID   string `json:"rule_id"`
	Severity string `json:"severity"`
	Resource struct {
		Kind string `json:"kind"`
		ID   string `json:"id"`
	} `json:"resource"`
	Location struct {
		File      string `json:"file"`
		StartLine int    `json:"start_line"`
	} `json:"location"`
}

// findingsOf runs scan --format json and returns the exit code and "rule resource file:line" per
// finding, in report order.
func findingsOf(t *testing.T, stdin string, args ...string) (int, []string) {
	t.Helper()
	code, stdout, stderr := runCLI(t, stdin, append([]string{"scan", "--format", "json"}, args...)...)
	var rep struct {
		Findings []reportFinding `json:"findings"`
		Errors   []any           `json:"errors"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\nstderr: %s", err, stderr)
	}
	if len(rep.Errors) > 0 {
		t.Errorf("input errors: %v", rep.Errors)
	}
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.RuleID+" "+f.Severity+" "+f.Resource.Kind+" "+f.Resource.ID+" "+f.Location.File+":"+itoa(f.Location.StartLine))
	}
	return code, out
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

const (
	brokenDir = "examples/inventory/broken"
	fixedDir  = "examples/inventory/fixed"
	prodARN   = "arn:aws:eks:us-east-1:444455556666:cluster/prod"
	appRole   = "arn:aws:iam::444455556666:role/payments-app"
)

// TestInventoryExports scans the worked example of examples/inventory, exported with the AWS CLI
// and kubectl: the broken estate (the cluster's issuer is not registered as an OIDC provider)
// reports IRSA-024 on the cluster and IRSA-007 on the role; the fixed one is clean. The same
// estate read as a saved snapshot, or with the kubectl export piped in, reports the same.
func TestInventoryExports(t *testing.T) {
	brokenWant := []string{
		"IRSA-007 high role " + appRole + " " + brokenDir + "/get-account-authorization-details.json:93",
		"IRSA-024 high cluster " + prodARN + " " + brokenDir + "/describe-cluster.json:2",
	}
	saved := savedSnapshotOf(t, brokenDir)
	sas, err := os.ReadFile(brokenDir + "/serviceaccounts.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		want     []string
	}{
		{"broken", "", []string{brokenDir}, 1, brokenWant},
		{"fixed", "", []string{fixedDir}, 0, nil},
		{"broken as a saved snapshot", "", []string{saved}, 1, brokenWant},
		{
			// Standard input is tied to a cluster by the folder of its --stdin-name, as a file is.
			name:  "broken with the kubectl export on standard input",
			stdin: string(sas),
			args: []string{"--stdin-name", brokenDir + "/from-stdin.json", brokenDir + "/describe-cluster.json", brokenDir + "/list-open-id-connect-providers.json",
				brokenDir + "/get-account-authorization-details.json", "-"},
			wantCode: 1,
			want:     brokenWant,
		},
		{
			// Two estates of different accounts scanned together: each keeps its findings
			// (they shared account ids and the fixed one's provider hid the broken one's
			// findings).
			name:     "broken and fixed together",
			args:     []string{brokenDir, fixedDir},
			wantCode: 1,
			want:     brokenWant,
		},
		{
			// Without the provider list the account's providers are not inventoried: the rules
			// that judge by absence stay silent.
			name:     "broken without the provider list",
			args:     []string{brokenDir + "/describe-cluster.json", brokenDir + "/get-account-authorization-details.json", brokenDir + "/serviceaccounts.json"},
			wantCode: 0,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, got := findingsOf(t, tc.stdin, tc.args...)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d", code, tc.wantCode)
			}
		})
	}
}

// TestInventoryText pins the text report of the broken estate.
func TestInventoryText(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "scan", brokenDir)
	checkGolden(t, "inventory-broken", transcript(code, stdout, stderr))
}

// savedSnapshotOf loads dir as a scan reads it and saves the snapshot as a file of the test's own,
// for the scans of a saved snapshot.
func savedSnapshotOf(t *testing.T, dir string) string {
	t.Helper()
	snap, err := load.Load(context.Background(), []string{dir}, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(t.TempDir(), "snapshot.json")
	if err := os.WriteFile(saved, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return saved
}
