package snapshot

import (
	"cmp"
	"slices"
)

// Merge returns one snapshot holding everything in the given ones: lists are concatenated in
// order, API call counts and file counts added, the newest GeneratedAt kept, and then the
// entities that several inputs describe are folded into one (see Fold), so that a saved
// snapshot scanned together with a live collection of the same estate, or the EKS and the
// Kubernetes views of one cluster, give one role, one account and one cluster each. The result
// may share the arrays of the given snapshots' lists (see join): Fold never writes into a list
// it is given.
func Merge(snaps ...*Snapshot) *Snapshot {
	out := &Snapshot{Version: Version}
	for _, s := range snaps {
		if s == nil {
			continue
		}
		if s.GeneratedAt > out.GeneratedAt {
			out.GeneratedAt = s.GeneratedAt
		}
		out.Sources = join(out.Sources, s.Sources)
		out.Accounts = join(out.Accounts, s.Accounts)
		out.OIDCProviders = join(out.OIDCProviders, s.OIDCProviders)
		out.Clusters = join(out.Clusters, s.Clusters)
		out.Roles = join(out.Roles, s.Roles)
		out.ManagedPolicies = join(out.ManagedPolicies, s.ManagedPolicies)
		out.Policies = join(out.Policies, s.Policies)
		out.ServiceAccounts = join(out.ServiceAccounts, s.ServiceAccounts)
		out.Workloads = join(out.Workloads, s.Workloads)
		out.PodIdentityAssociations = join(out.PodIdentityAssociations, s.PodIdentityAssociations)
		out.Errors = join(out.Errors, s.Errors)
		out.Skipped = join(out.Skipped, s.Skipped)
		out.NotJudged = join(out.NotJudged, s.NotJudged)
		out.Stats.Files += s.Stats.Files
		for op, n := range s.Stats.APICalls {
			if out.Stats.APICalls == nil {
				out.Stats.APICalls = map[string]int{}
			}
			out.Stats.APICalls[op] += n
		}
	}
	Fold(out)
	return out
}

// join is append(dst, src...), except that into an empty dst it returns src itself, capped so
// that a later append copies (or nil when src is empty too): merging one snapshot copies none
// of its lists, and merging several copies each item once.
func join[T any](dst, src []T) []T {
	if len(dst) > 0 {
		return append(dst, src...)
	}
	if len(src) == 0 {
		return nil
	}
	return src[:len(src):len(src)]
}

// Fold folds, in place, the entries that describe the same entity, keeping the first one's
// place in its list:
//   - accounts by ID, and clusters by ID: identity fields fill what the first lacks, an inventory
//     is complete when any view says so, and the notes of a view that inventoried nothing are
//     dropped when another view did (the EKS view of a cluster says its ServiceAccounts are read
//     through Kubernetes; once the Kubernetes view is there, that note is moot);
//   - OIDC providers by ARN: fields fill what the first lacks;
//   - roles and managed policies by ARN, ServiceAccounts by cluster, namespace and name,
//     workloads by cluster, kind, namespace and name: the first definition is kept;
//   - Pod Identity associations by ARN: the first that names a role is kept (a list export's
//     summary has none; the describe output of the same association does), with what it lacks
//     filled from the others.
//
// Entries without an identity (an empty ARN or ID) are never folded.
func Fold(s *Snapshot) {
	s.Accounts = foldBy(s.Accounts, func(a Account) string { return a.ID }, foldAccount)
	s.Clusters = foldBy(s.Clusters, func(c Cluster) string { return c.ID }, foldCluster)
	s.OIDCProviders = foldBy(s.OIDCProviders, func(p OIDCProvider) string { return p.ARN }, foldProvider)
	s.Roles = foldBy(s.Roles, func(r Role) string { return r.ARN }, keepFirst[Role])
	s.ManagedPolicies = foldBy(s.ManagedPolicies, func(p ManagedPolicy) string { return p.ARN }, keepFirst[ManagedPolicy])
	// Keys of several fields are never zero (present is set): entries whose fields are all empty
	// fold too.
	type key struct {
		present bool
		parts   [4]string
	}
	s.ServiceAccounts = foldBy(s.ServiceAccounts, func(sa ServiceAccount) key {
		return key{true, [4]string{sa.Cluster, sa.Namespace, sa.Name}}
	}, keepFirst[ServiceAccount])
	s.Workloads = foldBy(s.Workloads, func(w Workload) key {
		return key{true, [4]string{w.Cluster, w.Kind, w.Namespace, w.Name}}
	}, keepFirst[Workload])
	s.PodIdentityAssociations = foldBy(s.PodIdentityAssociations, func(p PodIdentityAssociation) string { return p.ARN }, foldAssociation)
}

// foldBy folds the entries of list with the same non-zero key into the first of them. The
// list itself is returned when no two entries share a key (the usual case: one export of each
// thing), a new slice otherwise; the caller's slice stays as it was.
func foldBy[T any, K comparable](list []T, key func(T) K, fold func(first, next T) T) []T {
	if len(list) < 2 {
		return list
	}
	var zero K
	index := make(map[K]int, len(list))
	var out []T // nil until the first entry to fold
	for i, e := range list {
		k := key(e)
		if j, ok := index[k]; ok && k != zero {
			if out == nil {
				out = make([]T, i, len(list))
				copy(out, list[:i])
			}
			out[j] = fold(out[j], e)
			continue
		}
		if out == nil {
			index[k] = i
			continue
		}
		index[k] = len(out)
		out = append(out, e)
	}
	if out == nil {
		return list
	}
	return out
}

func keepFirst[T any](first, _ T) T { return first }

func foldAssociation(a, b PodIdentityAssociation) PodIdentityAssociation {
	if a.RoleARN == "" && b.RoleARN != "" {
		a, b = b, a
	}
	a.ID = cmp.Or(a.ID, b.ID)
	a.Cluster = cmp.Or(a.Cluster, b.Cluster)
	a.AccountID = cmp.Or(a.AccountID, b.AccountID)
	a.Region = cmp.Or(a.Region, b.Region)
	a.OwnerARN = cmp.Or(a.OwnerARN, b.OwnerARN)
	if a.Loc == (Location{}) {
		a.Loc = b.Loc
	}
	return a
}

func foldAccount(a, b Account) Account {
	inv := AccountInventory{
		Roles:          a.Inventory.Roles || b.Inventory.Roles,
		OIDCProviders:  a.Inventory.OIDCProviders || b.Inventory.OIDCProviders,
		ClusterRegions: union(a.Inventory.ClusterRegions, b.Inventory.ClusterRegions),
		AllRegions:     a.Inventory.AllRegions || b.Inventory.AllRegions,
	}
	slices.Sort(inv.ClusterRegions)
	inv.Notes = foldNotes(a.Inventory.Notes, b.Inventory.Notes, a.Inventory.empty(), b.Inventory.empty())
	a.Inventory = inv
	return a
}

func (i AccountInventory) empty() bool {
	return !i.Roles && !i.OIDCProviders && len(i.ClusterRegions) == 0 && !i.AllRegions
}

func foldCluster(a, b Cluster) Cluster {
	out := a
	out.Name = cmp.Or(a.Name, b.Name)
	out.ARN = cmp.Or(a.ARN, b.ARN)
	out.AccountID = cmp.Or(a.AccountID, b.AccountID)
	out.Region = cmp.Or(a.Region, b.Region)
	out.Issuer = cmp.Or(a.Issuer, b.Issuer)
	out.Inventory = ClusterInventory{
		ServiceAccounts: a.Inventory.ServiceAccounts || b.Inventory.ServiceAccounts,
		Workloads:       a.Inventory.Workloads || b.Inventory.Workloads,
		Notes:           foldNotes(a.Inventory.Notes, b.Inventory.Notes, a.Inventory.empty(), b.Inventory.empty()),
	}
	if out.Loc == (Location{}) {
		out.Loc = b.Loc
	}
	return out
}

func (i ClusterInventory) empty() bool { return !i.ServiceAccounts && !i.Workloads }

// foldNotes keeps the notes of both views, except those of a view that inventoried nothing
// when the other one did.
func foldNotes(a, b []string, aEmpty, bEmpty bool) []string {
	switch {
	case aEmpty && !bEmpty:
		return slices.Clone(b)
	case bEmpty && !aEmpty:
		return slices.Clone(a)
	}
	return union(a, b)
}

func foldProvider(a, b OIDCProvider) OIDCProvider {
	a.AccountID = cmp.Or(a.AccountID, b.AccountID)
	a.Issuer = cmp.Or(a.Issuer, b.Issuer)
	if len(a.ClientIDs) == 0 {
		a.ClientIDs = b.ClientIDs
	}
	if len(a.Thumbprints) == 0 {
		a.Thumbprints = b.Thumbprints
	}
	if a.Loc == (Location{}) {
		a.Loc = b.Loc
	}
	return a
}

// union returns a followed by the elements of b it lacks.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
