package permissions

import (
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/trust"
)

// serviceAccounts describes who can assume a role through IRSA, from the trust model's answer
// (trust.WhoCanAssume): per OIDC provider, "any ServiceAccount in cluster <issuer>" (with
// "except <subjects>" when a negated or Deny condition refuses some), the namespaces as
// "system:serviceaccount:<namespace>:*", the patterns as written and the exact subjects.
// Sorted, without duplicates; only subjects IAM would admit.
func serviceAccounts(a trust.Assumers) []string {
	var out []string
	for _, w := range a.WebIdentity {
		// A pattern that admits every ServiceAccount ("system:serviceaccount:*") is named as
		// written.
		if w.AnyServiceAccount && (w.AnySubject || len(w.Patterns) == 0) {
			s := "any ServiceAccount in cluster " + w.Issuer
			if len(w.Except) > 0 {
				s += " except " + strings.Join(w.Except, ", ")
			}
			out = append(out, s)
		}
		for _, ns := range w.Namespaces {
			out = append(out, iam.ServiceAccountSubject(ns, "*"))
		}
		out = append(out, w.Patterns...)
		out = append(out, w.ServiceAccounts...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
