package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// TestSaveSnapshotLocatesFindings: a live scan with --save-snapshot writes the snapshot and
// locates every finding at the lines of its resource in that file, keeping the API it came from,
// so that the SARIF results have a file and a region.
func TestSaveSnapshotLocatesFindings(t *testing.T) {
	useFakeAWS(t, false)
	dir := t.TempDir()
	snapFile := filepath.Join(dir, "snapshot.json")
	code, stdout, stderr := runCLI(t, "", "scan", "--aws", "--quiet", "--format", "json", "--save-snapshot", snapFile)
	if code != exitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	data, err := os.ReadFile(snapFile)
	if err != nil {
		t.Fatal(err)
	}
	var snap snapshot.Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		t.Fatal(err)
	}
	if len(snap.Roles) != 3 || snap.Roles[0].Loc.File != "" {
		t.Fatalf("saved snapshot: %d roles, first loc %+v (want 3, API only, as collect writes it)", len(snap.Roles), snap.Roles[0].Loc)
	}
	lines := strings.Split(string(data), "\n")
	r := decodeReport(t, stdout)
	if len(r.Findings) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range r.Findings {
		l := f.Location
		if l.File != filepath.ToSlash(snapFile) || l.API == "" || l.StartLine < 1 || l.EndLine < l.StartLine || l.EndLine > len(lines) {
			t.Errorf("%s %s: location %+v, want %s with lines and the API", f.RuleID, f.Resource.ID, l, snapFile)
			continue
		}
		// The lines are within the role the finding is about: the nearest role ARN above them is
		// its own (a finding points at the statement or condition entry, inside the role).
		if f.Resource.Kind == "role" {
			owner := ""
			for i := l.StartLine - 1; i >= 0 && owner == ""; i-- {
				if strings.Contains(lines[i], `"arn": "arn:aws:iam::`) && strings.Contains(lines[i], ":role/") {
					owner = strings.TrimSpace(lines[i])
				}
			}
			if !strings.Contains(owner, `"`+f.Resource.ID+`"`) {
				t.Errorf("%s: lines %d-%d are in %q, not in role %s", f.RuleID, l.StartLine, l.EndLine, owner, f.Resource.ID)
			}
		}
	}
	sarifFile := filepath.Join(dir, "live.sarif")
	if code, _, stderr := runCLI(t, "", "scan", "--aws", "--quiet", "--format", "sarif", "-o", sarifFile, "--save-snapshot", snapFile); code != exitFindings {
		t.Fatalf("sarif: exit %d\n%s", code, stderr)
	}
	out, err := os.ReadFile(sarifFile)
	if err != nil {
		t.Fatal(err)
	}
	validateSARIFFile(t, out)
	var log struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					} `json:"physicalLocation"`
				}
			}
		}
	}
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	for i, res := range log.Runs[0].Results {
		if len(res.Locations) == 0 || res.Locations[0].PhysicalLocation == nil || res.Locations[0].PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("result %d has no physical location with a line", i)
		}
	}
	if code, _, stderr := runCLI(t, "", "scan", "--save-snapshot", snapFile, "examples/irsa-s3"); code != exitError || !strings.Contains(stderr, "--save-snapshot needs --aws or --kube") {
		t.Errorf("without --aws: exit %d, %s", code, stderr)
	}
}
