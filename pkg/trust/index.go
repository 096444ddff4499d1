package trust

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Index is the Go form of policies/lib/bindings.rego's indexes, which the cross-resource rules
// look ServiceAccounts, roles and clusters up in. Each field is documented in the library under
// the same name; pkg/eval turns it into input.trust.index, and its tests hold it equal to the
// library's Rego derivation.
type Index struct {
	// Annotated are the indexes of the ServiceAccounts with an eks.amazonaws.com/role-arn
	// annotation (empty or not) or a role_arn, in order.
	Annotated []int
	// RoleARNParts maps a ServiceAccount whose role_arn is an IAM role ARN to its parts, and
	// RoleKey to the role's key (RoleKey).
	RoleARNParts map[int]iam.RoleARN
	RoleKey      map[int]string
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

var providerPartsRE = regexp.MustCompile(`^arn:(aws[a-z-]*):iam::([0-9]{12}):oidc-provider/(.+)$`)

// BuildIndex computes the indexes of snap.
func BuildIndex(snap *snapshot.Snapshot) *Index {
	x := &Index{
		Annotated:             []int{},
		RoleARNParts:          map[int]iam.RoleARN{},
		RoleKey:               map[int]string{},
		Namers:                map[string][]int{},
		RolesByKey:            map[string][]int{},
		UnparsedRoles:         []int{},
		ClustersByID:          map[string][]int{},
		PinnedServiceAccounts: []string{},
		PinnedGrants:          []PinnedGrants{},
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
		}
	}
	pm := pinMatches{parts: map[string][]string{}, keys: map[string]string{}}
	for r := range snap.Roles {
		role := &snap.Roles[r]
		if key, ok := iam.RoleKey(valid(role.ARN)); ok {
			x.RolesByKey[key] = append(x.RolesByKey[key], r)
		} else {
			x.UnparsedRoles = append(x.UnparsedRoles, r)
		}
		if role.TrustPolicy != nil {
			if grants, ok := pm.pinnedGrants(role.TrustPolicy); ok {
				x.PinnedGrants = append(x.PinnedGrants, PinnedGrants{Role: r, Grants: grants})
			}
		}
	}
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
	for k := range snap.Clusters {
		c := &snap.Clusters[k]
		id := valid(c.ID)
		if _, ok := x.ClustersByID[id]; !ok {
			x.ClustersByID[id] = []int{}
		}
		if c.Issuer != "" {
			x.ClustersByID[id] = append(x.ClustersByID[id], k)
		}
	}
	return x
}

// pinMatches caches what pinnedGrants derives from provider ARNs and issuers, which an estate
// repeats in thousands of trust policies.
type pinMatches struct {
	parts map[string][]string // provider ARN -> providerPartsRE submatches (nil: none)
	keys  map[string]string   // issuer -> its lower-case "<issuer>:sub" key
}

// pinnedGrants is the grants of a role's trust policy for bindings.pinned_grants; ok is false
// when the role has no entry there.
func (pm pinMatches) pinnedGrants(doc *snapshot.Document) (grants []Grant, ok bool) {
	for j := range doc.Statements {
		st := &doc.Statements[j]
		if !webIdentityStatement(st) {
			continue
		}
		if anyPrincipal(st.Principal) {
			return nil, false
		}
		for _, provider := range st.Principal.Federated {
			arn := valid(provider)
			m, seen := pm.parts[arn]
			if !seen {
				m = providerPartsRE.FindStringSubmatch(arn)
				pm.parts[arn] = m
			}
			if m == nil {
				return nil, false
			}
			key, seen := pm.keys[m[3]]
			if !seen {
				key = subKey(m[3])
				pm.keys[m[3]] = key
			}
			subjects := pinnedSubjects(st, key)
			if len(subjects) == 0 {
				return nil, false
			}
			for _, subject := range subjects {
				namespace, name, ok := iam.ParseServiceAccountSubject(subject)
				if !ok || strings.ContainsAny(subject, "*?") {
					return nil, false
				}
				grants = append(grants, Grant{Issuer: strings.ToLower(m[3]), Namespace: namespace, Name: name})
			}
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
// Federated principal or any principal.
func webIdentityStatement(st *snapshot.Statement) bool {
	if valid(st.Effect) != "Allow" || st.NotPrincipal != nil || st.Principal == nil {
		return false
	}
	if !iam.CoversAction(st.Actions, st.NotActions, WebIdentityAction) {
		return false
	}
	return len(st.Principal.Federated) > 0 || anyPrincipal(st.Principal)
}

// anyPrincipal is true for "Principal": "*" or an AWS principal "*".
func anyPrincipal(p *snapshot.Principal) bool {
	return p.Wildcard || slices.ContainsFunc(p.AWS, func(a string) bool { return valid(a) == "*" })
}

// subKey is the lower-case "<issuer>:sub" condition key of an issuer.
func subKey(issuer string) string { return strings.ToLower(iam.NormalizeIssuer(issuer)) + ":sub" }

// pinnedSubjects is admits.pinned_subjects for the issuer whose subKey is key: the values of the
// statement's StringEquals conditions (any qualifier, with or without IfExists) on that key,
// sorted, without duplicates.
func pinnedSubjects(st *snapshot.Statement, key string) []string {
	var out []string
	for k := range st.Conditions {
		c := &st.Conditions[k]
		if valid(c.BaseOperator) != "StringEquals" || strings.ToLower(valid(c.Key)) != key {
			continue
		}
		for _, v := range c.Values {
			out = append(out, valid(v))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
