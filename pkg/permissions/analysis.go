// Package permissions computes what IAM roles and standalone permission policies allow, and
// reduces it to the facts the permission rules (IRSA-030..037, IRSA-040) judge.
//
// Analyze looks at every role of a snapshot with all its policies (inline, attached
// customer-managed from Snapshot.ManagedPolicies, attached AWS-managed from the embedded
// iamcatalog map) and at every standalone permission policy file. For each Allow statement it
// computes the effective action set against the iamcatalog action catalog: the statement's
// actions (NotAction: every catalog action but those), minus the actions of the explicit,
// unconditional Deny statements that cover all of the statement's resources, intersected with
// what the role's permissions boundary allows on those resources. It then records only what the
// rules need: the dangerous action classes the statement grants (with sorted, capped names and
// counts), whether its resources name every bucket, object or resource, and the path of the
// statement in the input document, so that findings locate to file and line.
//
// Action sets are bit sets over the catalog, so "*" is never expanded into action strings;
// each distinct managed policy document is analysed once, and identical facts are stored once
// and referenced by index. See docs/permissions-analysis.md.
package permissions

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iamcatalog"
	"github.com/irsa-audit/irsa-audit/pkg/policydoc"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Version is the version of the Analysis JSON format (input.permissions).
const Version = "1"

// MaxNames caps every list of action names; ActionList.Count has the full size.
const MaxNames = 10

// Analysis is the effective-permission analysis of a snapshot. Its JSON form is what the
// evaluator puts at input.permissions.
type Analysis struct {
	// Version is the analysis format version (Version).
	Version string `json:"version"`
	// Catalog names the action catalog the analysis used (iamcatalog.CatalogSource).
	Catalog string `json:"catalog"`
	// Facts are the distinct statement facts; Grant.Facts indexes this list.
	Facts []Facts `json:"facts"`
	// Holders are the roles and standalone permission policy files with at least one grant,
	// combination or unresolved policy to report, roles first, each in input order.
	Holders []Holder `json:"holders"`
	// Notes say what could not be analysed (the catalog did not decode, ...).
	Notes []string `json:"notes,omitempty"`
}

// Resource identifies what a finding is about: {"kind": "role", "id": <role ARN>} or
// {"kind": "policy", "id": <policy file id or managed policy ARN>}.
type Resource struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// Holder is a role, or a standalone permission policy file judged on its own.
type Holder struct {
	Resource Resource `json:"resource"`
	// Role is the index of the role in input.roles; Policy the index of the file in
	// input.policies. Exactly one is set.
	Role   *int `json:"role,omitempty"`
	Policy *int `json:"policy,omitempty"`
	// ServiceAccounts are the ServiceAccounts that can assume the role through IRSA, from the
	// "sub" conditions of its trust policy: the subjects as written
	// ("system:serviceaccount:ns:name", patterns included), or "any ServiceAccount in cluster
	// <issuer>" when a web-identity statement has no sub condition. Sorted.
	ServiceAccounts []string `json:"service_accounts,omitempty"`
	// Boundary is the ARN of the role's permissions boundary, when it has one.
	Boundary string `json:"boundary,omitempty"`
	// Grants are the Allow statements with something to report, in policy order.
	Grants []Grant `json:"grants,omitempty"`
	// EscalationCombos are iam:PassRole grants together with an action that runs code as the
	// passed role (lambda:CreateFunction, ec2:RunInstances, ...), in any of the holder's
	// statements. Not reported for administrator-equivalent holders.
	EscalationCombos []Combo `json:"escalation_combos,omitempty"`
	// Dangerous summarises what makes the holder dangerous to reach (IRSA-040).
	Dangerous *Dangerous `json:"dangerous,omitempty"`
	// Unresolved are attached policy or boundary ARNs whose document is neither in the
	// snapshot nor an AWS managed policy: the analysis could not include them.
	Unresolved []string `json:"unresolved,omitempty"`
}

// Grant is an Allow statement of one of a holder's policies.
type Grant struct {
	// Facts indexes Analysis.Facts.
	Facts int `json:"facts"`
	// Path is the path of the statement in the input document, e.g. ["roles", 3,
	// "inline_policies", 0, "document", "statements", 1], ["managed_policies", 5, "document",
	// "statements", 0] or ["policies", 2, "document", "statements", 0]. For an AWS managed
	// policy that is not in the snapshot it is the attachment, ["roles", 3,
	// "attached_policies", 1].
	Path []any `json:"path"`
	// Policy names the policy for messages: `inline policy "name"`, a managed policy ARN or a
	// policy file id.
	Policy string `json:"policy"`
	// Related are the resources, besides the holder, that the grant involves (the managed
	// policy); empty for inline policies and files.
	Related []Resource `json:"related"`
}

// Combo is an iam:PassRole grant combined with actions that run code as the passed role.
type Combo struct {
	// Path, Policy and Related are those of the statement that grants iam:PassRole.
	Path    []any      `json:"path"`
	Policy  string     `json:"policy"`
	Related []Resource `json:"related"`
	// With are the combined actions the holder is granted, in catalog order.
	With []string `json:"with"`
}

// Dangerous summarises the permissions of a holder that IRSA-040 weighs against its trust.
type Dangerous struct {
	// Kinds are, sorted: "admin" (IRSA-032), "privilege_escalation" (IRSA-034),
	// "s3_all_resources" (IRSA-031), "s3_wildcard_write" (IRSA-030), "secrets_read" (IRSA-037).
	Kinds []string `json:"kinds"`
	// Actions are the dangerous actions, most dangerous first; ["*"] (count 1) for an
	// administrator.
	Actions ActionList `json:"actions"`
}

// ActionList is a capped list of action names with the size of the whole set.
type ActionList struct {
	Names []string `json:"names"`
	Count int      `json:"count"`
}

// Facts are what the rules need to know about one Allow statement, after Deny statements and
// the permissions boundary are taken into account.
type Facts struct {
	Sid string `json:"sid,omitempty"`
	// Conditional is true when the statement has conditions: it may grant less than it says.
	Conditional bool `json:"conditional,omitempty"`
	// NotAction and NotResource are true when the statement uses them.
	NotAction   bool `json:"not_action,omitempty"`
	NotResource bool `json:"not_resource,omitempty"`
	// Admin is true when the statement grants every action on every resource ("*" or "*:*" on
	// "*") and nothing takes any of it away.
	Admin bool `json:"admin,omitempty"`
	// AllResources is true when a resource is "*" or the statement uses NotResource.
	AllResources bool `json:"all_resources,omitempty"`
	// Actions are the catalog actions the statement grants (catalog order).
	Actions ActionList `json:"actions"`
	// Reduced counts the catalog actions of the statement that Deny statements or the
	// permissions boundary take away.
	Reduced int `json:"reduced,omitempty"`
	// S3AllResources are the resources as written that name every bucket or object ("*",
	// "arn:aws:s3:::*", "arn:aws:s3:::*/*"), when the statement grants S3 actions; S3 then
	// lists those actions.
	S3AllResources []string    `json:"s3_all_resources,omitempty"`
	S3             *ActionList `json:"s3,omitempty"`
	// S3Wildcards are the wildcard action patterns that grant S3 Write or Permissions
	// management actions.
	S3Wildcards []WildcardGrant `json:"s3_wildcards,omitempty"`
	// S3PermissionsManagement are the S3 Permissions management actions granted (bucket
	// policies, ACLs, public access blocks, ...), explicitly or through wildcards.
	S3PermissionsManagement *ActionList `json:"s3_permissions_management,omitempty"`
	// PrivilegeEscalation are the privilege-escalation actions granted: iam:CreatePolicyVersion,
	// iam:Attach*Policy, ..., and iam:PassRole and sts:AssumeRole when on every role.
	PrivilegeEscalation *ActionList `json:"privilege_escalation,omitempty"`
	// SecretsRead are the secret-reading actions granted on every resource of their service.
	SecretsRead *ActionList `json:"secrets_read,omitempty"`
	// S3Unmatched are the S3 actions written without wildcards whose resource types none of
	// the statement's resources can name: they grant nothing.
	S3Unmatched []Unmatched `json:"s3_unmatched,omitempty"`
}

// WildcardGrant is a wildcard action pattern and the S3 Write and Permissions management
// actions it grants.
type WildcardGrant struct {
	Pattern string `json:"pattern"`
	// Actions are the S3 Write and Permissions management actions, most dangerous first.
	Actions ActionList `json:"actions"`
	// Write and PermissionsManagement count them by access level; Total counts every action
	// the pattern grants.
	Write                 int `json:"write"`
	PermissionsManagement int `json:"permissions_management"`
	Total                 int `json:"total"`
}

// Unmatched is an action that applies to none of its statement's resources.
type Unmatched struct {
	Action string `json:"action"`
	// ResourceTypes are the action's resource types; Resources the statement's resources.
	ResourceTypes []string `json:"resource_types"`
	Resources     []string `json:"resources"`
}

// reportable reports whether any rule has something to say about f.
func (f *Facts) reportable() bool {
	return f.Admin || f.NotAction || f.NotResource || f.S3 != nil || len(f.S3Wildcards) > 0 ||
		f.S3PermissionsManagement != nil || f.PrivilegeEscalation != nil || f.SecretsRead != nil ||
		len(f.S3Unmatched) > 0
}

// Analyze computes the analysis of every role and standalone permission policy of snap.
func Analyze(snap *snapshot.Snapshot) Analysis {
	out := Analysis{Version: Version, Catalog: iamcatalog.CatalogSource, Facts: []Facts{}, Holders: []Holder{}}
	cat, err := iamcatalog.Default()
	if err != nil {
		out.Notes = append(out.Notes, err.Error())
		return out
	}
	managed, err := iamcatalog.AWSManaged()
	if err != nil {
		out.Notes = append(out.Notes, err.Error())
		managed = nil
	}
	a := newAnalyzer(cat, managed, snap)
	for i := range snap.Roles {
		if h, ok := a.role(i); ok {
			out.Holders = append(out.Holders, h)
		}
	}
	for p := range snap.Policies {
		if h, ok := a.file(p); ok {
			out.Holders = append(out.Holders, h)
		}
	}
	out.Facts = a.facts
	out.Notes = append(out.Notes, a.notes...)
	return out
}

// analyzer holds the state of one Analyze call: caches of expanded patterns and analysed
// documents, and the interned facts.
type analyzer struct {
	snap    *snapshot.Snapshot
	cat     *iamcatalog.Catalog
	cls     classes
	managed *iamcatalog.ManagedPolicies
	s3Types map[string][]token

	patterns map[string]actionSet // lower-case action pattern -> expansion
	// actionLists caches the set of a statement's Action or NotAction list (key: the kind and
	// the patterns): statements share them, since nothing changes a statement's set once built.
	actionLists map[string]actionSet
	managedIx   map[string]int      // ARN -> index into snap.ManagedPolicies
	mdocs       []*docInfo          // per snap.ManagedPolicies index, analysed on first use
	docs        map[string]*docInfo // AWS managed policy ARN -> analysed document (nil: none)

	// reduced caches the facts of statements cut down by a Deny or boundary: roles with the same
	// Deny statements or boundary share them.
	reduced map[reducedKey][]reducedFacts
	// bounds caches what a boundary allows on a list of resources.
	bounds map[boundKey]actionSet

	facts     []Facts
	danger    []actionSet // per facts index: its dangerous actions (nil when none)
	factIndex map[string]int
	notes     []string
}

func newAnalyzer(cat *iamcatalog.Catalog, managed *iamcatalog.ManagedPolicies, snap *snapshot.Snapshot) *analyzer {
	a := &analyzer{
		snap: snap, cat: cat, cls: newClasses(cat), managed: managed,
		s3Types:     map[string][]token{},
		patterns:    map[string]actionSet{},
		actionLists: map[string]actionSet{},
		managedIx:   map[string]int{},
		mdocs:       make([]*docInfo, len(snap.ManagedPolicies)),
		docs:        map[string]*docInfo{},
		reduced:     map[reducedKey][]reducedFacts{},
		bounds:      map[boundKey]actionSet{},
		facts:       []Facts{},
		factIndex:   map[string]int{},
	}
	if s3, ok := cat.Service("s3"); ok {
		for _, rt := range s3.ResourceTypes {
			a.s3Types[rt.Name] = formatTokens(rt.ARN)
		}
	}
	for m, p := range snap.ManagedPolicies {
		if _, dup := a.managedIx[p.ARN]; !dup {
			a.managedIx[p.ARN] = m
		}
	}
	return a
}

type reducedKey struct {
	stmt *stmtInfo
	hash uint64
}

type reducedFacts struct {
	eff actionSet
	fi  int
}

type boundKey struct {
	boundary  *docInfo
	resources string
}

// hash is FNV-1a over the words of s.
func (s actionSet) hash() uint64 {
	h := uint64(14695981039346656037)
	for _, w := range s {
		h ^= w
		h *= 1099511628211
	}
	return h
}

// docInfo is an analysed policy document.
type docInfo struct {
	stmts []stmtInfo
	// principals is true when a statement has a Principal or NotPrincipal: a trust or
	// resource policy, not a permission policy.
	principals bool
	// shared caches, per statement, the facts index of the statement unreduced (-1: none).
	shared map[int]int
}

// stmtInfo is an analysed statement.
type stmtInfo struct {
	index       int
	sid         string
	allow       bool
	conditional bool
	notAction   bool
	notResource bool
	allActions  bool      // Action "*" (or "*:*"): every action, catalogued or not
	bits        actionSet // the catalog actions it allows or denies
	resources   []string  // Resource, or NotResource when notResource
	wildcards   []string  // Action patterns with wildcards, as written
	unmatched   []Unmatched
	// quick is false when the statement can have no reportable facts.
	quick bool
}

func (a *analyzer) expand(pattern string) actionSet {
	key := strings.ToLower(pattern)
	if s, ok := a.patterns[key]; ok {
		return s
	}
	s := newSet(a.cls.n)
	for _, i := range a.cat.ExpandIndex(key) {
		s.add(i)
	}
	a.patterns[key] = s
	return s
}

func isAllActions(p string) bool {
	t := strings.Trim(p, "*")
	return t == "" || (t == ":" && strings.HasPrefix(p, "*") && strings.HasSuffix(p, "*"))
}

func (a *analyzer) analyseDoc(doc *snapshot.Document) *docInfo {
	d := &docInfo{shared: map[int]int{}}
	for k, st := range doc.Statements {
		s := stmtInfo{
			index:       k,
			sid:         st.Sid,
			allow:       st.Effect == "Allow",
			conditional: len(st.Conditions) > 0,
			resources:   st.Resources,
		}
		if st.Principal != nil || st.NotPrincipal != nil {
			d.principals = true
		}
		if len(st.Resources) == 0 && len(st.NotResources) > 0 {
			s.notResource = true
			s.resources = st.NotResources
		}
		switch {
		case len(st.Actions) > 0:
			s.bits = a.actionList("Action", st.Actions)
			for _, p := range st.Actions {
				if isAllActions(p) {
					s.allActions = true
				}
				if hasWildcard(p) {
					s.wildcards = append(s.wildcards, p)
				} else if s.allow && !s.notResource {
					s.unmatched = append(s.unmatched, a.unmatched(p, s.resources)...)
				}
			}
		case len(st.NotActions) > 0:
			s.notAction = true
			s.bits = a.actionList("NotAction", st.NotActions)
		default:
			s.bits = a.actionList("", nil)
		}
		s.quick = s.notAction || s.notResource || s.allActions || len(s.unmatched) > 0 ||
			s.bits.intersects(a.cls.danger)
		d.stmts = append(d.stmts, s)
	}
	return d
}

// actionList returns the set of catalog actions an Action (kind "Action") or NotAction list
// allows or denies; kind "" is the empty set. The set is shared: it must not be changed.
func (a *analyzer) actionList(kind string, patterns []string) actionSet {
	key := kind + "\x00" + strings.Join(patterns, "\x00")
	if s, ok := a.actionLists[key]; ok {
		return s
	}
	s := newSet(a.cls.n)
	switch kind {
	case "Action":
		for _, p := range patterns {
			s.or(a.expand(p))
		}
	case "NotAction":
		s.fill(a.cls.n)
		for _, p := range patterns {
			s.andNot(a.expand(p))
		}
	}
	a.actionLists[key] = s
	return s
}

// unmatched returns the action as an Unmatched when it is an S3 action with resource types and
// none of the resources can name a resource of those types.
func (a *analyzer) unmatched(action string, resources []string) []Unmatched {
	i, ok := a.cat.Lookup(action)
	if !ok {
		return nil
	}
	act := a.cat.At(i)
	if act.Service != "s3" || len(act.ResourceTypes) == 0 || len(resources) == 0 {
		return nil
	}
	for _, rt := range act.ResourceTypes {
		format, ok := a.s3Types[rt]
		if !ok {
			return nil
		}
		for _, r := range resources {
			if overlaps(format, r) {
				return nil
			}
		}
	}
	return []Unmatched{{Action: act.String(), ResourceTypes: slices.Clone(act.ResourceTypes), Resources: resources}}
}

// source is one policy of a holder.
type source struct {
	doc *docInfo
	// path is the document's path in the input; for an embedded AWS managed policy, the
	// attachment's (its statements have no path of their own).
	path     []any
	embedded bool
	policy   string
	related  []Resource
}

func (s source) statementPath(k int) []any {
	if s.embedded {
		return slices.Clone(s.path)
	}
	return append(slices.Clone(s.path), "statements", k)
}

// managedDoc returns the analysed document of a managed policy ARN and its path: the
// snapshot's ManagedPolicies first, then the embedded AWS managed policies.
func (a *analyzer) managedDoc(arn string) (*docInfo, []any, bool) {
	if m, ok := a.managedIx[arn]; ok && a.snap.ManagedPolicies[m].Document != nil {
		d := a.mdocs[m]
		if d == nil {
			d = a.analyseDoc(a.snap.ManagedPolicies[m].Document)
			a.mdocs[m] = d
		}
		return d, []any{"managed_policies", m, "document"}, true
	}
	if a.managed == nil || !iamcatalog.IsAWSManagedARN(arn) {
		return nil, nil, false
	}
	key := arn
	if d, ok := a.docs[key]; ok {
		return d, nil, d != nil
	}
	p, ok := a.managed.Lookup(arn)
	if !ok {
		a.docs[key] = nil
		return nil, nil, false
	}
	doc, err := policydoc.Parse(p.Document, snapshot.Location{API: iamcatalog.ManagedPoliciesSource})
	if err != nil {
		a.notes = append(a.notes, fmt.Sprintf("embedded managed policy %s: %v", arn, err))
		a.docs[key] = nil
		return nil, nil, false
	}
	d := a.analyseDoc(&doc)
	a.docs[key] = d
	return d, nil, true
}

func (a *analyzer) role(i int) (Holder, bool) {
	r := &a.snap.Roles[i]
	h := Holder{Resource: Resource{Kind: "role", ID: r.ARN}, Role: &i, Boundary: r.PermissionsBoundary}
	h.ServiceAccounts = serviceAccounts(r.TrustPolicy)
	var sources []source
	for j := range r.InlinePolicies {
		sources = append(sources, source{
			doc:    a.analyseDoc(&r.InlinePolicies[j].Document),
			path:   []any{"roles", i, "inline_policies", j, "document"},
			policy: fmt.Sprintf("inline policy %q", r.InlinePolicies[j].Name),
		})
	}
	for j, ap := range r.AttachedPolicies {
		d, path, ok := a.managedDoc(ap.ARN)
		if !ok {
			h.Unresolved = append(h.Unresolved, ap.ARN)
			continue
		}
		s := source{doc: d, path: path, policy: ap.ARN, related: []Resource{{Kind: "policy", ID: ap.ARN}}}
		if path == nil {
			s.embedded = true
			s.path = []any{"roles", i, "attached_policies", j}
		}
		sources = append(sources, s)
	}
	var boundary *docInfo
	if r.PermissionsBoundary != "" {
		d, _, ok := a.managedDoc(r.PermissionsBoundary)
		if ok {
			boundary = d
		} else {
			h.Unresolved = append(h.Unresolved, r.PermissionsBoundary)
		}
	}
	a.judge(&h, sources, boundary)
	return h, len(h.Grants) > 0 || len(h.EscalationCombos) > 0 || len(h.Unresolved) > 0
}

func (a *analyzer) file(p int) (Holder, bool) {
	f := &a.snap.Policies[p]
	d := a.analyseDoc(&f.Document)
	if d.principals || len(d.stmts) == 0 {
		return Holder{}, false
	}
	h := Holder{Resource: Resource{Kind: "policy", ID: f.ID}, Policy: &p}
	a.judge(&h, []source{{doc: d, path: []any{"policies", p, "document"}, policy: f.ID}}, nil)
	return h, len(h.Grants) > 0 || len(h.EscalationCombos) > 0
}

// judge fills in a holder's grants, combinations and danger summary from its policies.
func (a *analyzer) judge(h *Holder, sources []source, boundary *docInfo) {
	var denies []*stmtInfo
	for _, src := range sources {
		for k := range src.doc.stmts {
			if s := &src.doc.stmts[k]; !s.allow && !s.conditional {
				denies = append(denies, s)
			}
		}
	}
	var (
		danger   actionSet
		admin    bool
		passRole *Grant
		partners actionSet
		kinds    = map[string]bool{}
	)
	for _, src := range sources {
		for k := range src.doc.stmts {
			s := &src.doc.stmts[k]
			if !s.allow || !s.quick {
				continue
			}
			eff := s.bits
			for _, d := range denies {
				if d.bits.intersects(eff) && resourcesCovered(d, s) {
					if &eff[0] == &s.bits[0] {
						eff = s.bits.clone()
					}
					eff.andNot(d.bits)
				}
			}
			if boundary != nil {
				if allowed := a.boundaryAllows(boundary, s); !allowed.contains(eff) {
					if &eff[0] == &s.bits[0] {
						eff = s.bits.clone()
					}
					eff.and(allowed)
				}
			}
			var fi int
			if eff.equal(s.bits) {
				fi = a.sharedFacts(src.doc, s)
			} else {
				fi = a.reducedFacts(s, eff)
			}
			g := Grant{Facts: fi, Path: src.statementPath(s.index), Policy: src.policy, Related: src.related}
			if g.Related == nil {
				g.Related = []Resource{}
			}
			if a.cls.passRole >= 0 && eff.has(a.cls.passRole) && passRole == nil {
				passRole = &g
			}
			if eff.intersects(a.cls.combos) {
				if partners == nil {
					partners = newSet(a.cls.n)
				}
				partners.or(eff.intersect(a.cls.combos))
			}
			if fi < 0 {
				continue
			}
			h.Grants = append(h.Grants, g)
			f := &a.facts[fi]
			switch {
			case f.Admin:
				admin = true
			default:
				kinds["s3_wildcard_write"] = kinds["s3_wildcard_write"] || len(f.S3Wildcards) > 0
				kinds["s3_all_resources"] = kinds["s3_all_resources"] || f.S3 != nil
				kinds["privilege_escalation"] = kinds["privilege_escalation"] || f.PrivilegeEscalation != nil
				kinds["secrets_read"] = kinds["secrets_read"] || f.SecretsRead != nil
			}
			if a.danger[fi] != nil {
				if danger == nil {
					danger = newSet(a.cls.n)
				}
				danger.or(a.danger[fi])
			}
		}
	}
	if passRole != nil && partners != nil && !admin {
		c := Combo{Path: passRole.Path, Policy: passRole.Policy, Related: passRole.Related, With: a.list(partners, false).Names}
		if partners.count() > MaxNames {
			c.With = nil
			partners.each(func(i int) bool { c.With = append(c.With, a.cat.At(i).String()); return true })
		}
		h.EscalationCombos = append(h.EscalationCombos, c)
		kinds["privilege_escalation"] = true
		if danger == nil {
			danger = newSet(a.cls.n)
		}
		danger.or(partners)
		danger.add(a.cls.passRole)
	}
	if admin {
		h.Dangerous = &Dangerous{Kinds: []string{"admin"}, Actions: ActionList{Names: []string{"*"}, Count: 1}}
		for k, v := range kinds {
			if v {
				h.Dangerous.Kinds = append(h.Dangerous.Kinds, k)
			}
		}
		slices.Sort(h.Dangerous.Kinds)
		return
	}
	var ks []string
	for k, v := range kinds {
		if v {
			ks = append(ks, k)
		}
	}
	if len(ks) > 0 && danger != nil {
		slices.Sort(ks)
		h.Dangerous = &Dangerous{Kinds: ks, Actions: a.list(danger, true)}
	}
}

// resourcesCovered reports whether Deny (or boundary) statement d applies to every resource of
// statement s. An s with NotResource counts as "*". A d with NotResource covers only literal
// resources that none of its NotResource patterns matches. Partial coverage counts as none, so
// the analysis errs towards reporting a grant.
func resourcesCovered(d, s *stmtInfo) bool {
	targets := s.resources
	if s.notResource {
		targets = []string{"*"}
	}
	if len(targets) == 0 {
		return false
	}
	for _, t := range targets {
		if d.notResource {
			if hasWildcard(t) {
				return false
			}
			for _, p := range d.resources {
				if iamcatalog.Match(p, t) {
					return false
				}
			}
			continue
		}
		ok := false
		for _, p := range d.resources {
			if covers(p, t) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// boundaryAllows returns the catalog actions that boundary b allows on all of s's resources:
// its Allow statements that cover them, minus its unconditional Deny statements that cover
// them. Conditional Allow statements of the boundary count as allowing.
func (a *analyzer) boundaryAllows(b *docInfo, s *stmtInfo) actionSet {
	key := boundKey{boundary: b, resources: fmt.Sprint(s.notResource, s.resources)}
	if allowed, ok := a.bounds[key]; ok {
		return allowed
	}
	allowed := newSet(a.cls.n)
	defer func() { a.bounds[key] = allowed }()
	for k := range b.stmts {
		bs := &b.stmts[k]
		if bs.allow && resourcesCovered(bs, s) {
			allowed.or(bs.bits)
		}
	}
	for k := range b.stmts {
		bs := &b.stmts[k]
		if !bs.allow && !bs.conditional && resourcesCovered(bs, s) {
			allowed.andNot(bs.bits)
		}
	}
	return allowed
}

// sharedFacts returns the facts index of a statement as written (nothing taken away), computed
// once per document.
func (a *analyzer) sharedFacts(d *docInfo, s *stmtInfo) int {
	if fi, ok := d.shared[s.index]; ok {
		return fi
	}
	fi := a.intern(a.computeFacts(s, s.bits), s, s.bits)
	d.shared[s.index] = fi
	return fi
}

// reducedFacts returns the facts index of statement s cut down to eff, computed once per
// distinct (statement, eff).
func (a *analyzer) reducedFacts(s *stmtInfo, eff actionSet) int {
	key := reducedKey{stmt: s, hash: eff.hash()}
	for _, r := range a.reduced[key] {
		if r.eff.equal(eff) {
			return r.fi
		}
	}
	f := a.computeFacts(s, eff)
	f.Reduced = s.bits.count() - eff.count()
	fi := a.intern(f, s, eff)
	a.reduced[key] = append(a.reduced[key], reducedFacts{eff: eff, fi: fi})
	return fi
}

// intern stores f once and returns its index; -1 when f has nothing to report.
func (a *analyzer) intern(f Facts, s *stmtInfo, eff actionSet) int {
	if !f.reportable() {
		return -1
	}
	key, err := json.Marshal(f)
	if err != nil { // cannot happen: Facts holds only strings, numbers and booleans
		a.notes = append(a.notes, fmt.Sprintf("intern facts: %v", err))
		return -1
	}
	if fi, ok := a.factIndex[string(key)]; ok {
		return fi
	}
	a.facts = append(a.facts, f)
	a.danger = append(a.danger, a.dangerOf(&f, s, eff))
	a.factIndex[string(key)] = len(a.facts) - 1
	return len(a.facts) - 1
}

// dangerOf returns the actions of a statement that IRSA-040 weighs: S3 write and permissions
// management granted by wildcards, S3 actions on every bucket or object, privilege escalation
// and secret reads. nil when there are none.
func (a *analyzer) dangerOf(f *Facts, s *stmtInfo, eff actionSet) actionSet {
	if f.S3 == nil && len(s.wildcards) == 0 && f.PrivilegeEscalation == nil && f.SecretsRead == nil {
		return nil
	}
	d := newSet(a.cls.n)
	for _, w := range s.wildcards {
		x := a.expand(w).intersect(eff)
		x.and(a.cls.s3WriteOrPerm)
		d.or(x)
	}
	if f.S3 != nil {
		d.or(eff.intersect(a.cls.s3))
	}
	if f.PrivilegeEscalation != nil || f.SecretsRead != nil {
		d.or(a.escalationAndSecrets(s, eff))
	}
	if d.empty() {
		return nil
	}
	return d
}

// allResourcesFor reports whether s applies to every resource of a service.
func allResourcesFor(s *stmtInfo, service string) bool {
	if s.notResource {
		return true
	}
	for _, r := range s.resources {
		if allOfService(r, service) {
			return true
		}
	}
	return false
}

// escalationAndSecrets returns the privilege-escalation and secret-reading actions that s
// grants with eff, with their resource conditions applied.
func (a *analyzer) escalationAndSecrets(s *stmtInfo, eff actionSet) actionSet {
	x := eff.intersect(a.cls.privesc)
	if allResourcesFor(s, "iam") {
		for _, i := range []int{a.cls.passRole, a.cls.assumeRole} {
			if i >= 0 && eff.has(i) {
				x.add(i)
			}
		}
	}
	eff.intersect(a.cls.secrets).each(func(i int) bool {
		if allResourcesFor(s, a.cat.At(i).Service) {
			x.add(i)
		}
		return true
	})
	return x
}

// computeFacts derives the facts of Allow statement s granting the catalog actions eff.
func (a *analyzer) computeFacts(s *stmtInfo, eff actionSet) Facts {
	f := Facts{
		Sid:         s.sid,
		Conditional: s.conditional,
		NotAction:   s.notAction,
		NotResource: s.notResource,
		Actions:     a.list(eff, false),
		S3Unmatched: s.unmatched,
	}
	star := !s.notResource && slices.Contains(s.resources, "*")
	f.AllResources = s.notResource || star
	f.Admin = s.allActions && star && eff.count() == a.cls.n
	if eff.intersects(a.cls.s3) && !s.notResource {
		for _, r := range s.resources {
			if allS3(r) {
				f.S3AllResources = append(f.S3AllResources, r)
			}
		}
		if len(f.S3AllResources) > 0 {
			l := a.list(eff.intersect(a.cls.s3), true)
			f.S3 = &l
		}
	}
	wp := a.cls.s3WriteOrPerm
	for _, w := range s.wildcards {
		all := a.expand(w).intersect(eff)
		x := all.intersect(wp)
		if x.empty() {
			continue
		}
		f.S3Wildcards = append(f.S3Wildcards, WildcardGrant{
			Pattern:               w,
			Actions:               a.list(x, true),
			Write:                 x.countAnd(a.cls.s3Write),
			PermissionsManagement: x.countAnd(a.cls.s3Perm),
			Total:                 all.count(),
		})
	}
	if eff.intersects(a.cls.s3Perm) {
		l := a.list(eff.intersect(a.cls.s3Perm), true)
		f.S3PermissionsManagement = &l
	}
	if !eff.intersects(a.cls.privOrSecrets) {
		return f
	}
	es := a.escalationAndSecrets(s, eff)
	pe := es.clone()
	pe.andNot(a.cls.secrets)
	if !pe.empty() {
		l := a.list(pe, true)
		f.PrivilegeEscalation = &l
	}
	if sr := es.intersect(a.cls.secrets); !sr.empty() {
		l := a.list(sr, true)
		f.SecretsRead = &l
	}
	return f
}
