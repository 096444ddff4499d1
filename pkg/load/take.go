package load

import (
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// taker reads the items of the big exports as the JSON parser meets them
// (syntax.ParseJSONTaking): the ServiceAccounts and workloads of a kubectl List ("items") and
// the roles and managed policies of get-account-authorization-details ("RoleDetailList",
// "Policies"). It reads each with the code that reads one from the tree (kubeObject, authRole,
// managedPolicy), so a 100,000-item export is never a tree of millions of nodes. An item it
// cannot read cleanly (an error, or not exactly one ServiceAccount or workload) stays in the
// tree with the items after it, for the recogniser to read and report as usual. What it read
// is used by the recogniser of the document's format (kubeObject for a List, loadAuthDetails);
// when the document turns out to be of another format, recogniseWith parses the file again
// without a taker, so the result never depends on it.
type taker struct {
	d document
	// r holds what was read: ServiceAccounts and Workloads from "items", Roles and
	// ManagedPolicies from the two lists of an export. Its errors stay empty: an item whose
	// reading reports one is left in the tree.
	r fileResult
	// taken counts the items read, per key; used records which keys a recogniser used.
	taken map[string]int
	used  map[string]bool
	// sas and roles are the full chunks of r.items' ServiceAccounts and Roles, in order: a
	// list of 100,000 grown by doubling is copied over and over (with write barriers, while
	// the collector runs); chunks are copied once, into the recogniser's list.
	sas   [][]snapshot.ServiceAccount
	roles [][]snapshot.Role
}

// chunk is the length of the taker's chunks.
const chunk = 4096

// serviceAccounts returns the ServiceAccounts read, in order, in one slice.
func (t *taker) serviceAccounts() []snapshot.ServiceAccount {
	return concatChunks(t.sas, t.r.items.ServiceAccounts)
}

// rolesRead returns the roles read, in order, in one slice.
func (t *taker) rolesRead() []snapshot.Role {
	return concatChunks(t.roles, t.r.items.Roles)
}

func concatChunks[T any](chunks [][]T, last []T) []T {
	if len(chunks) == 0 {
		return last
	}
	out := make([]T, 0, len(chunks)*chunk+len(last))
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, last...)
}

// rotate moves a full chunk of list to chunks and returns an empty list for the next.
func rotate[T any](chunks *[][]T, list []T) []T {
	if len(list) < chunk {
		return list
	}
	*chunks = append(*chunks, list)
	return make([]T, 0, chunk)
}

// takenKeys are the members of a root object whose array elements a taker reads.
const (
	takeItems    = "items"
	takeRoles    = "RoleDetailList"
	takePolicies = "Policies"
)

func newTaker(file string) *taker {
	return &taker{d: document{file: file}, taken: map[string]int{}, used: map[string]bool{}}
}

// take is the syntax.ParseJSONTaking callback.
func (t *taker) take(key string, n *syntax.Node) bool {
	var ok bool
	switch key {
	case takeItems:
		ok = t.takeKube(n)
	case takeRoles:
		ok = t.takeRole(n)
	case takePolicies:
		ok = t.takePolicy(n)
	}
	if ok {
		t.taken[key]++
	}
	return ok
}

func (t *taker) takeKube(n *syntax.Node) bool {
	if !isKubernetesObject(n) {
		return false
	}
	it := &t.r.items
	sas, wls := len(it.ServiceAccounts), len(it.Workloads)
	if t.clean(kubeObject(t.d, n, &t.r, 1)) && len(it.ServiceAccounts)-sas+len(it.Workloads)-wls == 1 {
		it.ServiceAccounts = rotate(&t.sas, it.ServiceAccounts)
		return true
	}
	it.ServiceAccounts, it.Workloads = it.ServiceAccounts[:sas], it.Workloads[:wls]
	return false
}

func (t *taker) takeRole(n *syntax.Node) bool {
	role, err := authRole(t.d, n, &t.r)
	if !t.clean(err) {
		return false
	}
	t.r.items.Roles = rotate(&t.roles, append(t.r.items.Roles, role))
	return true
}

func (t *taker) takePolicy(n *syntax.Node) bool {
	mp, err := managedPolicy(t.d, n, &t.r)
	if !t.clean(err) {
		return false
	}
	t.r.items.ManagedPolicies = append(t.r.items.ManagedPolicies, mp)
	return true
}

// clean reports whether reading an item went without an error (returned, or added to t.r), and
// forgets the errors: an item that had one stays in the tree, where the recogniser reports it.
func (t *taker) clean(err error) bool {
	ok := err == nil && len(t.r.errors) == 0
	t.r.errors = t.r.errors[:0]
	return ok
}

// forget drops what the taker read (nothing when t is nil): the JSON it read it from did not
// parse.
func (t *taker) forget() {
	if t != nil {
		*t = *newTaker(t.d.file)
	}
}

// took reports whether the taker of d read elements of the array member key of n, and records
// that they are used; false when n is not the document's root (the taker reads the root's
// members only) or d has no taker.
func (d document) took(n *syntax.Node, key string) bool {
	if d.taker == nil || n != d.node || d.taker.taken[key] == 0 {
		return false
	}
	d.taker.used[key] = true
	return true
}

// unused reports whether the taker read items that no recogniser used: the document was not
// the export they belong to, and the file must be read again without a taker.
func (t *taker) unused() bool {
	for key, k := range t.taken {
		if k > 0 && !t.used[key] {
			return true
		}
	}
	return false
}
