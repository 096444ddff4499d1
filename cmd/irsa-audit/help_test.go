package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestHelpHasNoBoolNoise: pflag 1.1 would list boolean flags as "--aws[=true|false]"; every
// command's help lists them plainly, and the flags still parse alone and with a value.
func TestHelpHasNoBoolNoise(t *testing.T) {
	for _, cmd := range [][]string{{"--help"}, {"scan", "--help"}, {"collect", "--help"}, {"baseline", "--help"},
		{"diff", "--help"}, {"rules", "--help"}, {"version", "--help"}, {"completion", "bash", "--help"}} {
		code, stdout, stderr := runCLI(t, "", cmd...)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s", cmd, code, stderr)
		}
		if strings.Contains(stdout, "[=true|false]") {
			t.Errorf("%v shows [=true|false]:\n%s", cmd, stdout)
		}
		if cmd[0] == "scan" && !strings.Contains(stdout, "      --aws    ") && !strings.Contains(stdout, "--aws  ") {
			t.Errorf("scan --help does not list --aws:\n%s", stdout)
		}
	}
	if code, _, stderr := runCLI(t, "", "scan", "--aws=false", "--kube=false", "examples/irsa-s3"); code != exitOK {
		t.Errorf("--aws=false: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "", "scan", "--aws=maybe", "examples/irsa-s3"); code != exitError || !strings.Contains(stderr, "invalid argument") {
		t.Errorf("--aws=maybe: exit %d\n%s", code, stderr)
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name     string
		version  string
		settings map[string]string
		want     string
	}{
		{"release tag", "v1.2.3", nil, "v1.2.3"},
		{"pseudo-version, clean", "v0.0.0-20261127120000-0123456789ab", map[string]string{"vcs.revision": rev, "vcs.modified": "false"}, "devel-0123456789ab"},
		{"pseudo-version after a tag", "v1.2.4-0.20261127120000-0123456789ab", map[string]string{"vcs.revision": rev}, "devel-0123456789ab"},
		{"dirty tag", "v1.2.3+dirty", map[string]string{"vcs.revision": rev, "vcs.modified": "true"}, "devel-0123456789ab-dirty"},
		{"no module version", "(devel)", map[string]string{"vcs.revision": rev, "vcs.modified": "true"}, "devel-0123456789ab-dirty"},
		{"no vcs information", "(devel)", nil, "devel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bi := &debug.BuildInfo{Main: debug.Module{Version: tc.version}}
			for k, v := range tc.settings {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: k, Value: v})
			}
			if got := versionFromBuildInfo(bi); got != tc.want {
				t.Errorf("versionFromBuildInfo = %q, want %q", got, tc.want)
			}
		})
	}
}
