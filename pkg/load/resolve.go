package load

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// claimKind is what a claim is about.
type claimKind int

const (
	// claimAccountSeen: an export names the account (describe-cluster); nothing is complete.
	claimAccountSeen claimKind = iota
	// claimRoles: a get-account-authorization-details export, complete unless truncated.
	claimRoles
	// claimProviders: a list-open-id-connect-providers export, complete.
	claimProviders
	// claimClusterList: a list-clusters export (names only; region and account from resolve).
	claimClusterList
	// claimServiceAccounts: a kubectl List holding ServiceAccounts.
	claimServiceAccounts
	// claimWorkloads: a kubectl List holding Pods.
	claimWorkloads
)

// claim is what one input says about an inventory. Account and cluster claims are settled by
// resolve, once every input is read, because an export may not name what it inventories.
type claim struct {
	kind claimKind
	// account is the AWS account the claim is about; "" when the export does not say (an empty
	// list), and resolve ties it by folder.
	account string
	// partition is the ARN partition seen in the export ("" when none).
	partition string
	complete  bool
	// note says why the inventory is not complete; it starts with the inventory's name
	// ("roles", "oidc providers", "clusters", "service accounts", "workloads").
	note string
	// names are the cluster names of a claimClusterList.
	names []string
	at    snapshot.Location
}

// resolver settles what single inputs cannot: which account an account-less export belongs to,
// which cluster kubectl exports were taken from, which inventories are complete. See the
// package doc for the conventions.
type resolver struct {
	results []*fileResult
	// dirAccounts and dirClusters index the accounts and cluster IDs named by the inputs of
	// each folder.
	dirAccounts map[string][]string
	dirClusters map[string][]string
	accounts    []string // every account named, in input order
	clusters    []string // every cluster ID, in input order
	partitions  map[string]string

	// What the claims settle, by account and by cluster ID.
	acct map[string]*accountState
	clus map[string]*clusterState
	// skipped collects claims that could not be tied to anything.
	skipped []snapshot.Skipped
}

type accountState struct {
	roles, providers bool
	regions          []string
	notes            []string
	fromFiles        bool
}

type clusterState struct {
	serviceAccounts, workloads bool
	notes                      []string
}

// resolve runs after every input is read and before the results are merged: it ties exports to
// accounts and clusters, settles their claims, and returns the snapshot.
func resolve(results []*fileResult) *snapshot.Snapshot {
	rv := &resolver{
		results:     results,
		dirAccounts: map[string][]string{},
		dirClusters: map[string][]string{},
		partitions:  map[string]string{},
		acct:        map[string]*accountState{},
		clus:        map[string]*clusterState{},
	}
	rv.index()
	rv.tieAccounts()
	rv.tieProviders()
	rv.clusterLists()
	rv.bindKubernetes()

	snap := &snapshot.Snapshot{Version: snapshot.Version}
	presize(snap, results)
	for _, r := range results {
		r.mergeInto(snap)
	}
	snap.Skipped = append(snap.Skipped, rv.skipped...)
	snapshot.Fold(snap)
	snap.Accounts = rv.buildAccounts(snap.Accounts)
	rv.settleClusters(snap.Clusters)
	return snap
}

// presize gives the big lists of s room for the items of every result when several results
// have some, so that merging copies each item once (the list of a single result is taken as it
// is: appendOwned).
func presize(s *snapshot.Snapshot, results []*fileResult) {
	type count struct{ items, results int }
	var roles, sas, wls count
	add := func(c *count, n int) {
		if n > 0 {
			c.items += n
			c.results++
		}
	}
	for _, r := range results {
		add(&roles, len(r.items.Roles))
		add(&sas, len(r.items.ServiceAccounts))
		add(&wls, len(r.items.Workloads))
	}
	if roles.results > 1 {
		s.Roles = slices.Grow(s.Roles, roles.items)
	}
	if sas.results > 1 {
		s.ServiceAccounts = slices.Grow(s.ServiceAccounts, sas.items)
	}
	if wls.results > 1 {
		s.Workloads = slices.Grow(s.Workloads, wls.items)
	}
}

func addUnique(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func (rv *resolver) index() {
	for _, r := range rv.results {
		add := func(id string) {
			if id == "" {
				return
			}
			rv.dirAccounts[r.dir] = addUnique(rv.dirAccounts[r.dir], id)
			rv.accounts = addUnique(rv.accounts, id)
		}
		for _, a := range r.items.Accounts {
			add(a.ID)
		}
		for _, c := range r.claims {
			add(c.account)
			if c.account != "" && c.partition != "" && rv.partitions[c.account] == "" {
				rv.partitions[c.account] = c.partition
			}
		}
		for _, p := range r.items.OIDCProviders {
			add(p.AccountID)
		}
		for _, c := range r.items.Clusters {
			add(c.AccountID)
			rv.dirClusters[r.dir] = addUnique(rv.dirClusters[r.dir], c.ID)
			rv.clusters = addUnique(rv.clusters, c.ID)
		}
	}
}

// nearest returns the single entry of the nearest folder, from dir up, that names any; "" when
// that folder names several (ambiguous). With no folder naming any, it returns the single entry
// of all, or "".
func nearest(byDir map[string][]string, all []string, dir string) string {
	for d := dir; ; d = path.Dir(d) {
		if ids := byDir[d]; len(ids) > 0 {
			if len(ids) == 1 {
				return ids[0]
			}
			return ""
		}
		if d == "." || d == "/" || path.Dir(d) == d {
			break
		}
	}
	if len(all) == 1 {
		return all[0]
	}
	return ""
}

func (rv *resolver) accountFor(dir string) string {
	return nearest(rv.dirAccounts, rv.accounts, dir)
}

func (rv *resolver) account(id string) *accountState {
	a := rv.acct[id]
	if a == nil {
		a = &accountState{}
		rv.acct[id] = a
	}
	return a
}

func (rv *resolver) cluster(id string) *clusterState {
	c := rv.clus[id]
	if c == nil {
		c = &clusterState{}
		rv.clus[id] = c
	}
	return c
}

// tieAccounts settles role and provider claims: an export without an account (an empty list)
// belongs to the account of its folder.
func (rv *resolver) tieAccounts() {
	for _, r := range rv.results {
		for _, c := range r.claims {
			if c.kind != claimRoles && c.kind != claimProviders && c.kind != claimAccountSeen {
				continue
			}
			id := c.account
			if id == "" {
				id = rv.accountFor(r.dir)
			}
			if id == "" {
				what := "role list"
				if c.kind == claimProviders {
					what = "OIDC provider list"
				}
				rv.skipped = append(rv.skipped, snapshot.Skipped{File: c.at.File, Named: r.explicit, Reason: fmt.Sprintf(
					"empty %s: the export does not name its account, and no other export in its folder names exactly one", what)})
				continue
			}
			a := rv.account(id)
			a.fromFiles = true
			switch c.kind {
			case claimRoles:
				a.roles = a.roles || c.complete
			case claimProviders:
				a.providers = a.providers || c.complete
			}
			if c.note != "" {
				a.notes = addUnique(a.notes, c.note)
			}
		}
	}
}

// tieProviders gives get-open-id-connect-provider outputs (no ARN) their provider: the listed
// provider with the same issuer in the account of the output's folder (or, with no account
// there, in the only account that lists that issuer), else an ARN derived from the folder's
// account. The details are copied onto the listed provider and the output's entry removed.
func (rv *resolver) tieProviders() {
	type ref struct {
		r *fileResult
		i int
	}
	listed := map[string][]ref{} // lower-case issuer -> providers with an ARN
	for _, r := range rv.results {
		for i, p := range r.items.OIDCProviders {
			if p.ARN != "" {
				key := strings.ToLower(p.Issuer)
				listed[key] = append(listed[key], ref{r, i})
			}
		}
	}
	// Fill first, then drop the tied entries: indexes in listed stay valid while filling.
	tied := map[*fileResult][]bool{}
	for _, r := range rv.results {
		for i := range r.items.OIDCProviders {
			p := &r.items.OIDCProviders[i]
			if p.ARN != "" {
				continue
			}
			acct := rv.accountFor(r.dir)
			candidates := listed[strings.ToLower(p.Issuer)]
			var target *snapshot.OIDCProvider
			var owners []string
			for _, c := range candidates {
				lp := &c.r.items.OIDCProviders[c.i]
				owners = addUnique(owners, lp.AccountID)
				if acct != "" && lp.AccountID == acct && target == nil {
					target = lp
				}
			}
			if target == nil && acct == "" && len(owners) == 1 {
				target = &candidates[0].r.items.OIDCProviders[candidates[0].i]
			}
			if target != nil {
				target.ClientIDs, target.Thumbprints = p.ClientIDs, p.Thumbprints
				if tied[r] == nil {
					tied[r] = make([]bool, len(r.items.OIDCProviders))
				}
				tied[r][i] = true
				continue
			}
			if acct != "" {
				p.AccountID = acct
				p.ARN = iam.ProviderARN{Partition: cmp.Or(rv.partitions[acct], iam.IssuerPartition(p.Issuer)), Account: acct, Issuer: p.Issuer}.String()
			}
		}
	}
	for r, drop := range tied {
		var kept []snapshot.OIDCProvider
		for i, p := range r.items.OIDCProviders {
			if !drop[i] {
				kept = append(kept, p)
			}
		}
		r.items.OIDCProviders = kept
	}
}

// clusterLists settles list-clusters outputs. The output has neither region nor account: they
// are those of the listed clusters' describe-cluster outputs (looked for in the list's folder and
// below, else anywhere). The region's cluster list is complete when every listed cluster is
// described and all are in one account and region.
func (rv *resolver) clusterLists() {
	type described struct{ name, account, region string }
	var all []described
	var dirs []string
	for _, r := range rv.results {
		for _, c := range r.items.Clusters {
			if c.AccountID != "" && c.Region != "" {
				all = append(all, described{c.Name, c.AccountID, c.Region})
				dirs = append(dirs, r.dir)
			}
		}
	}
	for _, r := range rv.results {
		for _, c := range r.claims {
			if c.kind != claimClusterList {
				continue
			}
			if len(c.names) == 0 {
				rv.skipped = append(rv.skipped, snapshot.Skipped{File: c.at.File, Named: r.explicit, Reason: fmt.Sprintf(
					"empty cluster list: the output of %s has no region, so it cannot say that a region has no clusters", cmdListClusters)})
				continue
			}
			match := func(inside bool) (pairs [][2]string) {
				for i, d := range all {
					if slices.Contains(c.names, d.name) && (!inside || within(dirs[i], r.dir)) {
						if p := [2]string{d.account, d.region}; !slices.Contains(pairs, p) {
							pairs = append(pairs, p)
						}
					}
				}
				return pairs
			}
			pairs := match(true)
			if len(pairs) == 0 {
				pairs = match(false)
			}
			names := strings.Join(c.names, ", ")
			switch len(pairs) {
			case 0:
				note := fmt.Sprintf("clusters: %s lists %s, but none of them is described (%s), so the list's region is unknown", c.at.File, names, cmdDescribe)
				if id := rv.accountFor(r.dir); id != "" {
					a := rv.account(id)
					a.fromFiles = true
					a.notes = addUnique(a.notes, note)
				} else {
					rv.skipped = append(rv.skipped, snapshot.Skipped{File: c.at.File, Named: r.explicit, Reason: note})
				}
				continue
			case 1:
			default:
				var where []string
				for _, p := range pairs {
					where = append(where, p[0]+" "+p[1])
				}
				for _, p := range pairs {
					a := rv.account(p[0])
					a.fromFiles = true
					a.notes = addUnique(a.notes, fmt.Sprintf("clusters: %s lists clusters described in several regions (%s); a list-clusters output covers one region", c.at.File, strings.Join(where, ", ")))
				}
				continue
			}
			acct, region := pairs[0][0], pairs[0][1]
			a := rv.account(acct)
			a.fromFiles = true
			var missing []string
			for _, n := range c.names {
				if !slices.ContainsFunc(all, func(d described) bool { return d.name == n && d.account == acct && d.region == region }) {
					missing = append(missing, n)
				}
			}
			switch {
			case !c.complete:
				a.notes = addUnique(a.notes, fmt.Sprintf("clusters in %s incomplete: %s", region, c.note))
			case len(missing) > 0:
				a.notes = addUnique(a.notes, fmt.Sprintf("clusters in %s incomplete: %s lists %s, but no %s output of them was read, so their issuers are unknown", region, c.at.File, strings.Join(missing, ", "), cmdDescribe))
			default:
				a.regions = addUnique(a.regions, region)
			}
		}
	}
}

// within reports whether folder dir is parent or below it.
func within(dir, parent string) bool {
	if dir == parent {
		return true
	}
	if parent == "." {
		return !strings.HasPrefix(dir, "/")
	}
	return strings.HasPrefix(dir, strings.TrimSuffix(parent, "/")+"/")
}

// bindKubernetes ties the ServiceAccounts and workloads that name no cluster (kubectl exports,
// manifests) to a cluster, and settles their Lists' claims on it, by folder only: the nearest
// folder, from the input's own up, that describes clusters decides; with exactly one cluster
// there, that one; with several, none (the input stays unbound). An input with no such folder
// stays unbound: tying it to the only cluster of the scan would re-home every manifest (and
// change its findings' resource ids and fingerprints) as soon as one describe-cluster output is
// added anywhere.
func (rv *resolver) bindKubernetes() {
	for _, r := range rv.results {
		if !hasUnbound(r) {
			continue
		}
		if id := nearest(rv.dirClusters, nil, r.dir); id != "" {
			rv.bind(r, id)
		}
	}
}

func hasUnbound(r *fileResult) bool {
	for _, sa := range r.items.ServiceAccounts {
		if sa.Cluster == "" {
			return true
		}
	}
	for _, w := range r.items.Workloads {
		if w.Cluster == "" {
			return true
		}
	}
	return false
}

func (rv *resolver) bind(r *fileResult, id string) {
	for i := range r.items.ServiceAccounts {
		if r.items.ServiceAccounts[i].Cluster == "" {
			r.items.ServiceAccounts[i].Cluster = id
		}
	}
	for i := range r.items.Workloads {
		if r.items.Workloads[i].Cluster == "" {
			r.items.Workloads[i].Cluster = id
		}
	}
	for _, c := range r.claims {
		cs := rv.cluster(id)
		switch c.kind {
		case claimServiceAccounts:
			cs.serviceAccounts = cs.serviceAccounts || c.complete
		case claimWorkloads:
			cs.workloads = cs.workloads || c.complete
		default:
			continue
		}
		if c.note != "" {
			cs.notes = addUnique(cs.notes, c.note)
		}
	}
}

// buildAccounts merges the accounts of saved snapshots (by ID) with what the exports' claims
// settled, sorted by ID, with notes for every inventory that is not complete.
func (rv *resolver) buildAccounts(saved []snapshot.Account) []snapshot.Account {
	byID := map[string]*snapshot.Account{}
	var ids []string
	get := func(id string) *snapshot.Account {
		if a := byID[id]; a != nil {
			return a
		}
		byID[id] = &snapshot.Account{ID: id}
		ids = append(ids, id)
		return byID[id]
	}
	for _, s := range saved {
		a := get(s.ID)
		inv := &a.Inventory
		inv.Roles = inv.Roles || s.Inventory.Roles
		inv.OIDCProviders = inv.OIDCProviders || s.Inventory.OIDCProviders
		inv.AllRegions = inv.AllRegions || s.Inventory.AllRegions
		for _, r := range s.Inventory.ClusterRegions {
			inv.ClusterRegions = addUnique(inv.ClusterRegions, r)
		}
		for _, n := range s.Inventory.Notes {
			inv.Notes = addUnique(inv.Notes, n)
		}
	}
	for _, id := range rv.accounts {
		st := rv.acct[id]
		if st == nil {
			continue
		}
		a := get(id)
		inv := &a.Inventory
		inv.Roles = inv.Roles || st.roles
		inv.OIDCProviders = inv.OIDCProviders || st.providers
		for _, r := range st.regions {
			inv.ClusterRegions = addUnique(inv.ClusterRegions, r)
		}
		for _, n := range st.notes {
			inv.Notes = addUnique(inv.Notes, n)
		}
	}
	slices.Sort(ids)
	var out []snapshot.Account
	for _, id := range ids {
		a := byID[id]
		inv := &a.Inventory
		slices.Sort(inv.ClusterRegions)
		inv.Notes = keepNotes(inv.Notes, map[string]bool{"roles": inv.Roles, "oidc providers": inv.OIDCProviders, "clusters": inv.AllRegions})
		if st := rv.acct[id]; st != nil && st.fromFiles {
			if !inv.Roles && !hasNote(inv.Notes, "roles") {
				inv.Notes = append(inv.Notes, fmt.Sprintf("roles not inventoried: no %s export of this account was read", cmdAuthDetails))
			}
			if !inv.OIDCProviders && !hasNote(inv.Notes, "oidc providers") {
				inv.Notes = append(inv.Notes, fmt.Sprintf("oidc providers not inventoried: no %s export of this account was read", cmdListProvider))
			}
			if !inv.AllRegions {
				regions := "no region"
				if len(inv.ClusterRegions) > 0 {
					regions = "only " + strings.Join(inv.ClusterRegions, ", ")
				}
				inv.Notes = append(inv.Notes, fmt.Sprintf("clusters: complete lists for %s (%s, with %s output for every listed cluster); exports do not show which regions the account uses, so all_regions is false", regions, cmdListClusters, cmdDescribe))
			}
		}
		if len(inv.Notes) == 0 {
			inv.Notes = nil
		}
		out = append(out, *a)
	}
	return out
}

// settleClusters applies the kubectl claims to the clusters and notes what is not complete.
func (rv *resolver) settleClusters(clusters []snapshot.Cluster) {
	for i := range clusters {
		c := &clusters[i]
		inv := &c.Inventory
		st := rv.clus[c.ID]
		if st != nil {
			inv.ServiceAccounts = inv.ServiceAccounts || st.serviceAccounts
			inv.Workloads = inv.Workloads || st.workloads
			for _, n := range st.notes {
				inv.Notes = addUnique(inv.Notes, n)
			}
		}
		inv.Notes = keepNotes(inv.Notes, map[string]bool{"service accounts": inv.ServiceAccounts, "workloads": inv.Workloads})
		if c.Loc.File != "" { // described by a file: say what its folder lacked
			if !inv.ServiceAccounts && !hasNote(inv.Notes, "service accounts") {
				inv.Notes = append(inv.Notes, "service accounts not inventoried: no all-namespaces export (kubectl get serviceaccounts -A -o json) is tied to this cluster (put it in the folder of the cluster's describe-cluster output)")
			}
			if !inv.Workloads && !hasNote(inv.Notes, "workloads") {
				inv.Notes = append(inv.Notes, "workloads not inventoried: no all-namespaces Pod export (kubectl get pods -A -o json) is tied to this cluster (put it in the folder of the cluster's describe-cluster output)")
			}
		}
		if len(inv.Notes) == 0 {
			inv.Notes = nil
		}
	}
}

// keepNotes drops the notes about inventories that turned out complete (a note starts with the
// name of its inventory).
func keepNotes(notes []string, complete map[string]bool) []string {
	var out []string
	for _, n := range notes {
		drop := false
		for prefix, ok := range complete {
			if ok && strings.HasPrefix(n, prefix) {
				drop = true
			}
		}
		if !drop {
			out = append(out, n)
		}
	}
	return out
}

func hasNote(notes []string, prefix string) bool {
	return slices.ContainsFunc(notes, func(n string) bool { return strings.HasPrefix(n, prefix) })
}
