package permissions

import (
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/trust"
)

// serviceAccounts describes who can assume a role with a web-identity token, from the trust
// model's answer (trust.WhoCanAssume). For a Kubernetes issuer (IRSA), per OIDC provider: "any
// ServiceAccount in cluster <issuer>" (with "except <subjects>" when a negated or Deny
// condition refuses some), the namespaces as "system:serviceaccount:<namespace>:*", the
// patterns as written and the exact subjects. For another issuer (a CI platform): "any token of
// OIDC issuer <issuer>" (with its exceptions) or "<issuer> subject <pattern or subject>".
// Sorted, without duplicates; only subjects IAM would admit.
func serviceAccounts(a trust.Assumers) []string {
	var out []string
	for _, w := range a.WebIdentity {
		if !w.Kubernetes {
			out = append(out, tokens(w)...)
			continue
		}
		// A pattern that admits every ServiceAccount ("system:serviceaccount:*") is named as
		// written.
		if w.AnyServiceAccount && (w.AnySubject || len(w.Patterns) == 0) {
			out = append(out, except("any ServiceAccount in cluster "+w.Issuer, "", w.Except))
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

// tokens names the tokens of an issuer that is no Kubernetes cluster's that w admits.
func tokens(w trust.WebIdentityAssumers) []string {
	if w.AnySubject {
		return []string{except("any token of OIDC issuer "+w.Issuer, "subjects ", w.Except)}
	}
	var out []string
	for _, s := range slices.Concat(w.Patterns, w.ServiceAccounts) {
		out = append(out, w.Issuer+" subject "+s)
	}
	return out
}

func except(s, what string, subjects []string) string {
	if len(subjects) == 0 {
		return s
	}
	return s + " except " + what + strings.Join(subjects, ", ")
}
