package permissions

import (
	"cmp"
	"slices"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/trust"
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
	// Assumers are who can assume each role (trust.WhoCanAssume of its trust policy, by role
	// index), which the holders name; nil means computing them here. pkg/eval passes the trust
	// analysis' own.
	Assumers []trust.Assumers
}

// assumers returns who can assume role i of snap under o.
func (o Options) assumers(snap *snapshot.Snapshot, i int) trust.Assumers {
	if i < len(o.Assumers) {
		return o.Assumers[i]
	}
	return trust.WhoCanAssume(snap.Roles[i].TrustPolicy)
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

// WorkloadAssumable is the default answer to "can a workload identity assume this role?", the
// trust model's (trust.Assumers.Workload): the tokens of some IAM OIDC provider are or may be
// admitted (IRSA, and OIDC federation generally), or the EKS Pod Identity agent
// (pods.eks.amazonaws.com) is. A role that trusts only another service (ec2.amazonaws.com) or
// an account is not, nor one whose trust admits nobody.
func WorkloadAssumable(snap *snapshot.Snapshot) func(role int) bool {
	return func(i int) bool {
		return trust.WhoCanAssume(snap.Roles[i].TrustPolicy).Workload()
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
