package main

import (
	"regexp"
	"runtime/debug"
)

// buildVersion is the version the binary reports. There is one version string however the
// binary was built:
//
//   - -ldflags "-X main.version=..." (make build, make release, the Dockerfile) wins; the
//     Makefile takes it from scripts/version.sh;
//   - otherwise the module version Go stamped from a release tag (go build or go install of a
//     tagged, clean checkout: "v1.2.3");
//   - otherwise the commit Go stamped from the checkout, "devel-<12 hex digits>", with "-dirty"
//     when the work tree had changes: what scripts/version.sh prints for the same checkout;
//   - otherwise (no VCS information, e.g. go run) "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return versionFromBuildInfo(bi)
}

// pseudoVersion matches the pseudo-versions Go stamps on untagged commits
// (v0.0.0-20260101120000-0123456789ab, v1.2.4-0.20260101120000-0123456789ab) and a "+dirty"
// suffix: neither names a release.
var pseudoVersion = regexp.MustCompile(`(-|\.)\d{14}-[0-9a-f]{12}|\+dirty$`)

func versionFromBuildInfo(bi *debug.BuildInfo) string {
	if v := bi.Main.Version; v != "" && v != "(devel)" && !pseudoVersion.MatchString(v) {
		return v
	}
	var rev string
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) < 12 {
		return "devel"
	}
	v := "devel-" + rev[:12]
	if dirty {
		v += "-dirty"
	}
	return v
}
