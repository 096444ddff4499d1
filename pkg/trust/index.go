package trust

import (
	"cmp"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Index is the Go form of policies/lib/bindings.rego's indexes, which the cross-resource rules
// look ServiceAccounts, roles and clusters up in. Each field is documented in the library under
// the same name; pkg/eval turns it into input.trust.index.
type Index struct {
	// Annotated are the indexes of the ServiceAccounts with an eks.amazonaws.com/role-arn
	// annotation (empty or not) or a role_arn, in order.
	Annotated []int
	// RoleARNParts maps a ServiceAccount whose role_arn is an IAM role ARN to its parts, and
	// RoleKey to the role's key (RoleKey).
	RoleARNParts map[int]iam.RoleARN
	RoleKey      map[int]string
	// Audiences maps those of them (RoleARNParts) with a non-empty eks.amazonaws.com/audience
	// annotation to it: the audience of their tokens. The others' is sts.amazonaws.com.
	Audiences map[int]string
	// Namers maps a role key to the ServiceAccounts whose role_arn has it; RolesByKey to the
	// roles with it. Both sorted.
	Namers     map[string][]int
	RolesByKey map[string][]int
	// UnparsedRoles are the roles whose ARN is no IAM role ARN, in order.
	UnparsedRoles []int
	// ClustersByID maps every cluster id to its clusters with an issuer, sorted (empty when
	// none has one).
	ClustersByID map[string][]int
	// PinnedServiceAccounts are "<cluster>/<namespace>/<name>" of the ServiceAccounts with a
	// cluster whose namespace and name a grant of PinnedGrants names, in ServiceAccount order (a
	// set in the input: duplicates are one member).
	PinnedServiceAccounts []string
	// PinnedGrants are the roles whose web-identity statements pin exact ServiceAccount subjects
	// only, with the ServiceAccounts they pin, in role order.
	PinnedGrants []PinnedGrants
	// PinnedInUse are the roles of PinnedGrants that pin a ServiceAccount that exists in a
	// cluster of the issuer it is pinned for, in role order (a set in the input).
	PinnedInUse []int
	// Unregistered are the Federated principals of the roles' Allow trust statements that are
	// no registered OIDC provider of the role's account (the role's account_id, else the
	// account of its ARN), compared exactly, as STS does: in role, statement and principal
	// order.
	Unregistered []FederatedRef
	// Dangling are the ServiceAccounts of RoleARNParts whose role key no role has (RolesByKey),
	// in order.
	Dangling []int
	// RoleUsers maps a cluster id to the accounts whose roles the cluster's ServiceAccounts
	// name (RoleARNParts), by partition and account, each with those ServiceAccounts.
	RoleUsers map[string][]RoleUsers
}

// FederatedRef is one entry of bindings.unregistered: a Federated principal of statement
// Statement of role Role's trust policy, and the role's account.
type FederatedRef struct {
	Role, Statement   int
	Account, Provider string
}

// RoleUsers is one entry of bindings.role_users: the ServiceAccounts of a cluster that name a
// role of an account, in order.
type RoleUsers struct {
	Partition, Account string
	ServiceAccounts    []int
}

// PinnedGrants is one entry of bindings.pinned_grants.
type PinnedGrants struct {
	Role int
	// Grants are sorted by issuer, namespace and name, without duplicates.
	Grants []Grant
}

// Grant is a ServiceAccount a trust statement pins: its namespace and name, and the lower-case
// issuer of the OIDC provider it is pinned for.
type Grant struct {
	Issuer, Namespace, Name string
}

// BuildIndex computes the indexes of snap; roles[r] is who can assume role r (WhoCanAssume),
// computed here when roles is nil.
func BuildIndex(snap *snapshot.Snapshot, roles []Assumers) *Index {
	x := &Index{
		Annotated:             []int{},
		RoleARNParts:          map[int]iam.RoleARN{},
		RoleKey:               map[int]string{},
		Audiences:             map[int]string{},
		Namers:                map[string][]int{},
		RolesByKey:            map[string][]int{},
		UnparsedRoles:         []int{},
		ClustersByID:          map[string][]int{},
		PinnedServiceAccounts: []string{},
		PinnedGrants:          []PinnedGrants{},
		PinnedInUse:           []int{},
		RoleUsers:             map[string][]RoleUsers{},
		Dangling:              []int{},
		Unregistered:          []FederatedRef{},
	}
	if snap == nil {
		return x
	}
	for i := range snap.ServiceAccounts {
		sa := &snap.ServiceAccounts[i]
		if _, ok := sa.Annotations[iam.RoleARNAnnotation]; ok || sa.RoleARN != "" {
			x.Annotated = append(x.Annotated, i)
		}
		if sa.RoleARN == "" {
			continue
		}
		if p, ok := iam.ParseRoleARN(valid(sa.RoleARN)); ok {
			key := p.Key()
			x.RoleARNParts[i] = p
			x.RoleKey[i] = key
			x.Namers[key] = append(x.Namers[key], i)
			if aud := sa.Annotations[iam.AudienceAnnotation]; aud != "" {
				x.Audiences[i] = aud
			}
			if sa.Cluster != "" {
				x.addRoleUser(valid(sa.Cluster), p, i)
			}
		}
	}
	for _, users := range x.RoleUsers {
		slices.SortFunc(users, func(a, b RoleUsers) int {
			return cmp.Or(strings.Compare(a.Partition, b.Partition), strings.Compare(a.Account, b.Account))
		})
	}
	for r := range snap.Roles {
		role := &snap.Roles[r]
		if key, ok := iam.RoleKey(valid(role.ARN)); ok {
			x.RolesByKey[key] = append(x.RolesByKey[key], r)
		} else {
			x.UnparsedRoles = append(x.UnparsedRoles, r)
		}
		if role.TrustPolicy != nil {
			var who Assumers
			if r < len(roles) {
				who = roles[r]
			} else {
				who = WhoCanAssume(role.TrustPolicy)
			}
			if grants, ok := pinnedGrants(role.TrustPolicy, who); ok {
				x.PinnedGrants = append(x.PinnedGrants, PinnedGrants{Role: r, Grants: grants})
			}
		}
	}
	for _, i := range x.Annotated {
		if key, ok := x.RoleKey[i]; ok && len(x.RolesByKey[key]) == 0 {
			x.Dangling = append(x.Dangling, i)
		}
	}
	x.Unregistered = unregistered(snap)
	type name struct{ namespace, name string }
	pinned := map[name]bool{}
	for _, pg := range x.PinnedGrants {
		for _, g := range pg.Grants {
			pinned[name{g.Namespace, g.Name}] = true
		}
	}
	for i := range snap.ServiceAccounts {
		sa := &snap.ServiceAccounts[i]
		if sa.Cluster == "" {
			continue
		}
		if n := (name{valid(sa.Namespace), valid(sa.Name)}); pinned[n] {
			x.PinnedServiceAccounts = append(x.PinnedServiceAccounts, valid(sa.Cluster)+"/"+n.namespace+"/"+n.name)
		}
	}
	byIssuer := map[string][]string{} // lower-case issuer -> ids of its clusters
	for k := range snap.Clusters {
		c := &snap.Clusters[k]
		id := valid(c.ID)
		if _, ok := x.ClustersByID[id]; !ok {
			x.ClustersByID[id] = []int{}
		}
		if c.Issuer != "" {
			x.ClustersByID[id] = append(x.ClustersByID[id], k)
			issuer := strings.ToLower(iam.NormalizeIssuer(valid(c.Issuer)))
			byIssuer[issuer] = append(byIssuer[issuer], id)
		}
	}
	exists := make(map[string]bool, len(x.PinnedServiceAccounts))
	for _, id := range x.PinnedServiceAccounts {
		exists[id] = true
	}
	for _, pg := range x.PinnedGrants {
		if slices.ContainsFunc(pg.Grants, func(g Grant) bool {
			return slices.ContainsFunc(byIssuer[g.Issuer], func(cluster string) bool {
				return exists[cluster+"/"+g.Namespace+"/"+g.Name]
			})
		}) {
			x.PinnedInUse = append(x.PinnedInUse, pg.Role)
		}
	}
	return x
}

// unregistered lists the Federated principals of the roles' Allow trust statements that are no
// registered OIDC provider of the role's account (Index.Unregistered).
func unregistered(snap *snapshot.Snapshot) []FederatedRef {
	registered := make(map[[2]string]bool, len(snap.OIDCProviders))
	for _, p := range snap.OIDCProviders {
		arn := valid(p.ARN)
		account := valid(p.AccountID)
		if account == "" {
			parts, ok := iam.ParseProviderARN(arn)
			if !ok {
				continue
			}
			account = parts.Account
		}
		registered[[2]string{account, arn}] = true
	}
	refs := []FederatedRef{}
	for r := range snap.Roles {
		role := &snap.Roles[r]
		if role.TrustPolicy == nil {
			continue
		}
		account := valid(role.AccountID)
		if account == "" {
			parts, ok := iam.ParseRoleARN(valid(role.ARN))
			if !ok {
				continue
			}
			account = parts.Account
		}
		for j := range role.TrustPolicy.Statements {
			st := &role.TrustPolicy.Statements[j]
			if st.Effect != "Allow" || st.Principal == nil {
				continue
			}
			for _, f := range st.Principal.Federated {
				if f := valid(f); !registered[[2]string{account, f}] {
					refs = append(refs, FederatedRef{Role: r, Statement: j, Account: account, Provider: f})
				}
			}
		}
	}
	return refs
}

// addRoleUser adds ServiceAccount i of cluster, which names the role p, to RoleUsers.
func (x *Index) addRoleUser(cluster string, p iam.RoleARN, i int) {
	users := x.RoleUsers[cluster]
	for n := range users {
		if users[n].Partition == p.Partition && users[n].Account == p.Account {
			users[n].ServiceAccounts = append(users[n].ServiceAccounts, i)
			return
		}
	}
	x.RoleUsers[cluster] = append(users, RoleUsers{Partition: p.Partition, Account: p.Account, ServiceAccounts: []int{i}})
}

// pinnedGrants is the grants of a role for bindings.pinned_grants, from who can assume it; ok
// is false when the role has no entry there: some provider's tokens are admitted beyond exact
// ServiceAccounts (any subject, namespaces, patterns) or only conditionally, a web-identity
// statement names a Federated principal that is no OIDC provider (its tokens cannot be judged
// by ServiceAccount), or no ServiceAccount is admitted at all.
func pinnedGrants(doc *snapshot.Document, who Assumers) (grants []Grant, ok bool) {
	for j := range doc.Statements {
		st := &doc.Statements[j]
		if !webIdentityStatement(st) {
			continue
		}
		for _, f := range st.Principal.Federated {
			if _, ok := providerIssuer(valid(f)); !ok {
				return nil, false
			}
		}
	}
	for _, w := range who.WebIdentity {
		if w.Nobody() {
			continue
		}
		if w.AnySubject || w.AnyServiceAccount || len(w.Namespaces) > 0 || len(w.Patterns) > 0 || w.Conditional {
			return nil, false
		}
		for _, sub := range w.ServiceAccounts {
			namespace, name, ok := iam.ParseServiceAccountSubject(sub)
			if !ok {
				return nil, false
			}
			grants = append(grants, Grant{Issuer: strings.ToLower(w.Issuer), Namespace: namespace, Name: name})
		}
	}
	if len(grants) == 0 {
		return nil, false
	}
	slices.SortFunc(grants, func(a, b Grant) int {
		return cmp.Or(strings.Compare(a.Issuer, b.Issuer), strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	return slices.Compact(grants), true
}

// webIdentityStatement is true for an Allow statement without NotPrincipal through which a
// web-identity token can assume the role: it covers sts:AssumeRoleWithWebIdentity and names a
// Federated principal.
func webIdentityStatement(st *snapshot.Statement) bool {
	return valid(st.Effect) == "Allow" && st.NotPrincipal == nil && st.Principal != nil &&
		len(st.Principal.Federated) > 0 && iam.CoversAction(st.Actions, st.NotActions, WebIdentityAction)
}
