package permissions

import (
	"cmp"
	"slices"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Options says which roles Analyze judges. Standalone permission policy files are always
// judged: they are what a pull request changes.
type Options struct {
	// AllRoles judges every role of the snapshot (--all-roles).
	AllRoles bool
	// Assumable reports whether a workload identity can assume role i (an index into
	// Snapshot.Roles); only those roles are judged unless AllRoles is set. Nil means
	// WorkloadAssumable of the snapshot.
	Assumable func(role int) bool
}

// judged returns whether role i is judged under o.
func (o Options) judged(snap *snapshot.Snapshot) func(int) bool {
	if o.AllRoles {
		return func(int) bool { return true }
	}
	if o.Assumable != nil {
		return o.Assumable
	}
	return WorkloadAssumable(snap)
}

// WorkloadAssumable is the default answer to "can a workload identity assume this role?": a
// role whose trust policy has an Allow statement for sts:AssumeRoleWithWebIdentity whose
// Federated principal is an IAM OIDC provider (IRSA, and OIDC federation generally), or for
// sts:AssumeRole by the EKS Pod Identity agent (Service pods.eks.amazonaws.com). A role that
// trusts only another service (ec2.amazonaws.com) or an account is not. This is the seam
// between the permission and the trust analysis: the trust model replaces it with its own
// verdict (which will also know EKS Pod Identity and CI OIDC identities).
func WorkloadAssumable(snap *snapshot.Snapshot) func(role int) bool {
	return func(i int) bool {
		trust := snap.Roles[i].TrustPolicy
		return len(serviceAccounts(trust)) > 0 || podIdentity(trust)
	}
}

// AccountRoles counts the roles of one account.
type AccountRoles struct {
	// Account is the account id, "" when the role ARN names none.
	Account string
	Roles   int
}

// NotJudged counts, per account (sorted), the roles of snap that Analyze leaves out under
// opts: the report's "not checked" section lists them.
func NotJudged(snap *snapshot.Snapshot, opts Options) []AccountRoles {
	if opts.AllRoles {
		return nil
	}
	judged := opts.judged(snap)
	counts := map[string]int{}
	for i := range snap.Roles {
		if !judged(i) {
			counts[snap.Roles[i].AccountID]++
		}
	}
	out := make([]AccountRoles, 0, len(counts))
	for acct, n := range counts {
		out = append(out, AccountRoles{Account: acct, Roles: n})
	}
	slices.SortFunc(out, func(a, b AccountRoles) int { return cmp.Compare(a.Account, b.Account) })
	return out
}

// podIdentityService is the service principal of the EKS Pod Identity agent.
const podIdentityService = "pods.eks.amazonaws.com"

// podIdentity reports whether trust lets the EKS Pod Identity agent assume the role.
func podIdentity(trust *snapshot.Document) bool {
	if trust == nil {
		return false
	}
	return slices.ContainsFunc(trust.Statements, func(st snapshot.Statement) bool {
		return st.Effect == "Allow" && st.Principal != nil && slices.Contains(st.Principal.Service, podIdentityService) &&
			allows(st, "sts:AssumeRole")
	})
}
