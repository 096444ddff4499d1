package permissions

import (
	"fmt"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iamcatalog"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// serviceAccounts returns who can assume a role through IRSA according to its trust policy:
// for every Allow statement that trusts an IAM OIDC provider for
// sts:AssumeRoleWithWebIdentity, the values of its positive "<issuer>:sub" conditions as
// written, "any ServiceAccount in cluster <issuer>" when it has none, and "any ServiceAccount
// in cluster <issuer> except <values>" for a negated one. Sorted, without duplicates.
func serviceAccounts(trust *snapshot.Document) []string {
	if trust == nil {
		return nil
	}
	var out []string
	for _, st := range trust.Statements {
		if st.Effect != "Allow" || st.Principal == nil || !allowsWebIdentity(st) {
			continue
		}
		for _, fed := range st.Principal.Federated {
			_, issuer, ok := strings.Cut(fed, ":oidc-provider/")
			if !ok || !strings.HasPrefix(fed, "arn:") {
				continue
			}
			found := false
			for _, c := range st.Conditions {
				iss, ok := strings.CutSuffix(strings.ToLower(c.Key), ":sub")
				if !ok || iss != strings.ToLower(issuer) {
					continue
				}
				found = true
				if c.Negated {
					out = append(out, fmt.Sprintf("any ServiceAccount in cluster %s except %s", issuer, strings.Join(c.Values, ", ")))
					continue
				}
				out = append(out, c.Values...)
			}
			if !found {
				out = append(out, "any ServiceAccount in cluster "+issuer)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func allowsWebIdentity(st snapshot.Statement) bool {
	return allows(st, "sts:AssumeRoleWithWebIdentity")
}

// allows reports whether statement st covers action, through Action or NotAction.
func allows(st snapshot.Statement, action string) bool {
	for _, a := range st.Actions {
		if iamcatalog.Match(a, action) {
			return true
		}
	}
	if len(st.Actions) == 0 && len(st.NotActions) > 0 {
		for _, a := range st.NotActions {
			if iamcatalog.Match(a, action) {
				return false
			}
		}
		return true
	}
	return false
}
