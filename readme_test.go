package irsaaudit_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMETranscripts runs every "$ irsa-audit ..." transcript of the README (from the
// repository root, as a user of a fresh clone would after make build) and compares the output;
// a line "..." stands for any number of lines. It also checks that every make target the
// README names exists.
func TestREADMETranscripts(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "irsa-audit")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/irsa-audit").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	type transcript struct {
		args []string
		want []string
	}
	var ts []transcript
	inFence, cur := false, -1
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "```") {
			inFence, cur = !inFence, -1
			continue
		}
		if !inFence {
			continue
		}
		if cmd, ok := strings.CutPrefix(line, "$ irsa-audit "); ok {
			ts = append(ts, transcript{args: strings.Fields(cmd)})
			cur = len(ts) - 1
			continue
		}
		if strings.HasPrefix(line, "$ ") {
			t.Fatalf("README transcript of another command: %s", line)
		}
		if cur >= 0 {
			ts[cur].want = append(ts[cur].want, line)
		}
	}
	if len(ts) < 3 {
		t.Fatalf("found %d transcripts in the README, want at least 3", len(ts))
	}
	for _, tc := range ts {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "NO_COLOR=1"}
			out, _ := cmd.Output()
			got := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
			want := tc.want
			for len(want) > 0 && want[len(want)-1] == "" {
				want = want[:len(want)-1]
			}
			if !matchLines(want, got) {
				t.Errorf("README shows:\n%s\n\nirsa-audit prints:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
			}
		})
	}

	makefile, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile("make (-C \\S+ )?([a-z][a-z-]*)").FindAllStringSubmatch(string(data), -1) {
		target := m[2]
		if !regexp.MustCompile("(?m)^" + regexp.QuoteMeta(target) + ":").Match(makefile) {
			t.Errorf("README names make %s, which the Makefile does not have", target)
		}
	}
}

// matchLines matches got against want, where a "..." line in want matches any run of lines.
func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "..." {
		for i := 0; i <= len(got); i++ {
			if matchLines(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && got[0] == want[0] && matchLines(want[1:], got[1:])
}
