package main

import (
	"fmt"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// verdict is the exit code of a scan and, when it is exitError for a reason the report does not
// state as an error, one sentence for standard error.
//
// A scan never passes silently: input errors, a scan that judged nothing (every input skipped,
// an empty folder), and skipped inputs that were named on the command line or that hold what the
// rules judge (a template of a ServiceAccount, a statement with a placeholder, the pages after a
// truncated export) make it exit 2. --allow-skipped accepts the last two: a pre-commit hook that
// passes every changed file, a folder of Helm charts scanned on purpose.
func verdict(rep *findings.Report, snap *snapshot.Snapshot, failOn findings.FailOn, allowSkipped bool) (int, string) {
	if len(rep.Errors) > 0 {
		return exitError, ""
	}
	if !allowSkipped {
		if judgedNothing(snap) {
			what := "no input"
			if n := len(rep.Skipped); n > 0 {
				what = fmt.Sprintf("every input was skipped (%s listed in the report)", plural(n, "entry", "entries"))
			}
			return exitError, fmt.Sprintf("nothing was judged: %s; pass --allow-skipped to accept a scan with nothing to judge", what)
		}
		var named, needed int
		for _, s := range rep.Skipped {
			switch {
			case s.Needed:
				needed++
			case s.Named:
				named++
			}
		}
		if named+needed > 0 {
			var parts []string
			if needed > 0 {
				parts = append(parts, fmt.Sprintf("%s what the rules judge", plural(needed, "skipped entry holds", "skipped entries hold")))
			}
			if named > 0 {
				parts = append(parts, fmt.Sprintf("%s named on the command line", plural(named, "skipped input was", "skipped inputs were")))
			}
			return exitError, fmt.Sprintf("the scan is incomplete: %s (see skipped); pass --allow-skipped to accept that", strings.Join(parts, ", and "))
		}
	}
	if rep.Fails(failOn) {
		return exitFindings, ""
	}
	return exitOK, ""
}

// judgedNothing reports whether snap holds nothing for the rules: no account, role, policy,
// provider, cluster, ServiceAccount, workload or association.
func judgedNothing(s *snapshot.Snapshot) bool {
	return len(s.Accounts)+len(s.OIDCProviders)+len(s.Clusters)+len(s.Roles)+len(s.ManagedPolicies)+
		len(s.Policies)+len(s.ServiceAccounts)+len(s.Workloads)+len(s.PodIdentityAssociations) == 0
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
