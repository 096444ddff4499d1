// Package permissions computes what IAM roles and standalone permission policies allow, and
// reduces it to the facts the permission rules (IRSA-030..037, IRSA-040) judge.
//
// Analyze looks at the roles of a snapshot that a workload identity can assume (every role
// with Options.AllRoles), each with all its policies (inline, attached customer-managed from
// Snapshot.ManagedPolicies, attached AWS-managed from the embedded iamcatalog map), and at every
// standalone permission policy file. For each Allow statement it computes the effective action
// set against the iamcatalog action catalog: the statement's actions (NotAction: every catalog
// action but those) that apply to its resources (an action applies where a Resource pattern can
// name a resource of one of its types, by the catalog's ARN formats), minus the actions of the
// Deny statements that cover those resources (a Deny with NotResource narrows the resources
// instead; a conditional Deny leaves the grant "unless" its conditions hold), intersected with
// what the role's permissions boundary allows on them. It reads the statement's conditions
// (iam:PassedToService, tags, network keys, ...) and then records only what the rules need:
// the dangerous action classes the statement grants (with sorted, capped names and counts),
// whether its resources name every resource of the actions' types, and the path of the
// statement in the input document, so that findings locate to file and line.
//
// Action sets are bit sets over the catalog, so "*" is never expanded into action strings;
// each distinct managed policy document is analysed once, and identical facts are stored once
// and referenced by index. See docs/permissions-analysis.md.
package permissions

import (
	"fmt"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iamcatalog"
	"github.com/irsa-audit/irsa-audit/pkg/policydoc"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Version is the version of the Analysis JSON format (input.permissions).
const Version = "2"

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
	// ServiceAccounts are who can assume the role with a web-identity token, as the trust
	// model answers (trust.WhoCanAssume, see serviceAccounts): for IRSA exact subjects
	// ("system:serviceaccount:ns:name"), namespaces ("system:serviceaccount:ns:*"), patterns
	// as written, or "any ServiceAccount in cluster <issuer>" (with its exceptions); for another
	// OIDC issuer (a CI platform) "<issuer> subject <subject>" or "any token of OIDC issuer
	// <issuer>". Sorted.
	ServiceAccounts []string `json:"service_accounts,omitempty"`
	// Boundary is the ARN of the role's permissions boundary, when it has one.
	Boundary string `json:"boundary,omitempty"`
	// Grants are the Allow statements with something to report, in policy order.
	Grants []Grant `json:"grants,omitempty"`
	// EscalationCombos are escalation paths made of two grants, in any of the holder's
	// statements: iam:PassRole together with an action that runs code as the passed role
	// (lambda:CreateFunction, ec2:RunInstances, ...) in a service it may pass roles to, and
	// iam:UpdateAssumeRolePolicy together with sts:AssumeRole on a role it can rewrite. Not
	// reported for administrator-equivalent holders.
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

// Combo is an escalation path made of two actions a holder is granted, in one statement or in
// several.
type Combo struct {
	// Kind is "pass_role" (iam:PassRole with an action that runs code as the passed role) or
	// "update_trust" (iam:UpdateAssumeRolePolicy with sts:AssumeRole on roles it can rewrite:
	// the holder can make such a role trust it, then assume it).
	Kind string `json:"kind"`
	// Path, Policy and Related are those of the statement that grants iam:PassRole
	// (iam:UpdateAssumeRolePolicy).
	Path    []any      `json:"path"`
	Policy  string     `json:"policy"`
	Related []Resource `json:"related"`
	// With are the combined actions the holder is granted, in catalog order.
	With []string `json:"with"`
	// Roles are the roles iam:PassRole may pass when its statement names them one by one;
	// empty when a pattern names the roles ("*", "arn:aws:iam::*:role/app-*").
	Roles []string `json:"roles,omitempty"`
	// Services are the iam:PassedToService values of the statement, as written; empty when it
	// does not restrict the services a role may be passed to. With names only actions of those
	// services.
	Services []string `json:"services,omitempty"`
	// Scoped are the conditions of the statement that narrow it (Conditions.Scoped).
	Scoped []string `json:"scoped,omitempty"`
}

// Dangerous summarises the permissions of a holder that IRSA-040 weighs against its trust. Grants
// whose conditions scope them (Conditions.Scoped) and PassRole combinations limited to named
// roles are left out: they are reported on their own, at a lower severity.
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
	// Conditional is true when the grant depends on conditions the analysis cannot decide
	// (Conditions.Undecided, Conditions.Unless): it may grant less than it says.
	Conditional bool `json:"conditional,omitempty"`
	// Conditions say what the statement's conditions and the conditional Deny statements that
	// cover it do to the grant; nil when they do nothing to it.
	Conditions *Conditions `json:"conditions,omitempty"`
	// NotAction and NotResource are true when the statement uses them.
	NotAction   bool `json:"not_action,omitempty"`
	NotResource bool `json:"not_resource,omitempty"`
	// Admin is true when the statement grants every action on every resource ("*" or "*:*" on
	// "*") and nothing takes any of it away.
	Admin bool `json:"admin,omitempty"`
	// AllResources is true when a resource is "*" or the statement uses NotResource.
	AllResources bool `json:"all_resources,omitempty"`
	// Actions are the catalog actions the statement grants (catalog order): those that apply
	// to its resources.
	Actions ActionList `json:"actions"`
	// Reduced counts the catalog actions of the statement that Deny statements or the
	// permissions boundary take away.
	Reduced int `json:"reduced,omitempty"`
	// Narrowed is true when a Deny with NotResource narrows the resources of some of the
	// actions (the resource facts then judge those actions on the narrowed resources).
	Narrowed bool `json:"narrowed,omitempty"`
	// S3AllResources are the resources as written that name every bucket or every object
	// ("*", "arn:aws:s3:::*", "arn:aws:s3:::*/*", "arn:aws:s3:::*-logs*" does not), when the
	// statement grants S3 actions on them; S3 then lists those actions (bucket and object
	// actions only: account-level ones such as s3:ListAllMyBuckets are on no bucket). For a
	// NotResource statement, its NotResource patterns: it applies to every other bucket.
	S3AllResources []string    `json:"s3_all_resources,omitempty"`
	S3             *ActionList `json:"s3,omitempty"`
	// S3Wildcards are the wildcard action patterns that grant S3 Write or Permissions
	// management actions.
	S3Wildcards []WildcardGrant `json:"s3_wildcards,omitempty"`
	// S3PermissionsManagement are the S3 Permissions management actions granted (bucket
	// policies, ACLs, public access blocks, ...), explicitly or through wildcards.
	S3PermissionsManagement *ActionList `json:"s3_permissions_management,omitempty"`
	// PrivilegeEscalation are the privilege-escalation actions granted: iam:CreatePolicyVersion,
	// iam:Attach*Policy, ..., and iam:PassRole and sts:AssumeRole when on every role
	// (iam:PassRole only when it may pass roles to a service that runs code of the caller's
	// choosing, see PassRoleServices).
	PrivilegeEscalation *ActionList `json:"privilege_escalation,omitempty"`
	// PassRoleServices are the iam:PassedToService values that restrict an escalating
	// iam:PassRole, as written.
	PassRoleServices []string `json:"pass_role_services,omitempty"`
	// SecretsRead are the secret-reading actions granted on every resource of their type
	// (every secret, parameter or key: "*", "arn:aws:ssm:*:*:parameter*", not
	// "arn:aws:kms:*:*:alias/*", which names no key).
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

// scoped reports whether conditions the analysis understands narrow the grant.
func (f *Facts) scoped() bool { return f.Conditions != nil && len(f.Conditions.Scoped) > 0 }

// Analyze computes the analysis of the roles opts selects and of every standalone permission
// policy of snap.
func Analyze(snap *snapshot.Snapshot, opts Options) Analysis {
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
	judged := opts.judged(snap)
	a := newAnalyzer(cat, managed, snap)
	for i := range snap.Roles {
		if !judged(i) {
			continue
		}
		sas := serviceAccounts(opts.assumers(snap, i))
		if h, ok := a.role(i, sas); ok {
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

	rtypes map[string]map[string]*rtype // service -> resource type name -> type
	// actTypes are the resource types of the catalog actions looked at (see typesOf): an
	// analysis looks at a few hundred of the 22,000.
	actTypes map[int][]*rtype
	s3Types  map[int][]*rtype // S3 action -> its bucket and object types
	// covered caches rtype.coveredBy: statements of one estate repeat a few resource patterns
	// many times. (rtype.canName is not cached: matching a pattern against a format costs
	// about what a cache insertion does, and most patterns are seen once per statement.)
	covered map[typePattern]bool

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

type typePattern struct {
	t *rtype
	r string
}

func newAnalyzer(cat *iamcatalog.Catalog, managed *iamcatalog.ManagedPolicies, snap *snapshot.Snapshot) *analyzer {
	a := &analyzer{
		snap: snap, cat: cat, cls: newClasses(cat), managed: managed,
		rtypes:      map[string]map[string]*rtype{},
		actTypes:    make(map[int][]*rtype, 256),
		s3Types:     map[int][]*rtype{},
		covered:     map[typePattern]bool{},
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
	for m, p := range snap.ManagedPolicies {
		if _, dup := a.managedIx[p.ARN]; !dup {
			a.managedIx[p.ARN] = m
		}
	}
	return a
}

// coveredBy is t.coveredBy(r), cached for the patterns that pass its quick tests.
func (a *analyzer) coveredBy(t *rtype, r string) bool {
	if r == "*" || !hasWildcard(r) || t.rejects(r) {
		return t.coveredBy(r)
	}
	k := typePattern{t, r}
	v, ok := a.covered[k]
	if !ok {
		v = t.coveredBy(r)
		a.covered[k] = v
	}
	return v
}

type reducedKey struct {
	stmt *stmtInfo
	hash uint64
}

type reducedFacts struct {
	e  effect
	fi int
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
	conditional bool // it has conditions
	cond        condInfo
	notAction   bool
	notResource bool
	allActions  bool        // Action "*" (or "*:*"): every action, catalogued or not
	bits        actionSet   // the catalog actions it allows or denies
	rs          resourceSet // its resources: Resource, or NotResource
	resources   []string    // Resource, or NotResource when notResource, as written
	wildcards   []string    // Action patterns with wildcards, as written
	unmatched   []Unmatched
	// quick is false when the statement can have no reportable facts.
	quick bool
	// appl is bits restricted to the actions that apply to the resources (see applicable);
	// nil until first needed.
	appl actionSet
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
			cond:        readConditions(st),
			resources:   st.Resources,
		}
		if st.Principal != nil || st.NotPrincipal != nil {
			d.principals = true
		}
		if len(st.Resources) == 0 && len(st.NotResources) > 0 {
			s.notResource = true
			s.resources = st.NotResources
		}
		s.rs = resourceSet{patterns: s.resources, not: s.notResource}
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
		if s.allow && s.cond.passRoleOnly {
			// Only iam:PassRole requests carry the key the statement requires.
			only := newSet(a.cls.n)
			if a.cls.passRole >= 0 && s.bits.has(a.cls.passRole) {
				only.add(a.cls.passRole)
			}
			s.bits = only
			s.allActions = false
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

// applicable returns the actions of Allow statement s that apply to its resources: an action
// applies where a Resource pattern can name a resource of one of its types (see
// resourceSet.applies). The set is shared: it must not be changed.
func (a *analyzer) applicable(s *stmtInfo) actionSet {
	if s.appl != nil {
		return s.appl
	}
	if s.rs.not || len(s.rs.patterns) == 0 || slices.Contains(s.rs.patterns, "*") {
		s.appl = s.bits
		return s.appl
	}
	// Most statements name resources their actions apply to: copy the set only on a miss.
	out := s.bits
	s.bits.each(func(i int) bool {
		if !a.applies(s.rs, i) {
			if &out[0] == &s.bits[0] {
				out = s.bits.clone()
			}
			out.remove(i)
		}
		return true
	})
	s.appl = out
	return out
}

// applies is rs.applies for catalog action i, with the analyzer's caches.
func (a *analyzer) applies(rs resourceSet, i int) bool {
	ts := a.typesOf(i)
	if rs.not || ts == nil || len(ts) == 0 {
		return rs.applies(a.cat.At(i).Service, ts)
	}
	for _, r := range rs.patterns {
		svc, arn := serviceField(r)
		arn = arn && !hasWildcard(svc)
		for _, t := range ts {
			if arn && t.arnService != "" && svc != t.arnService {
				continue // another service's ARN: the cheapest test first
			}
			if t.canName(r) {
				return true
			}
		}
	}
	return false
}

// every returns the patterns of rs that name every resource of one of types ts (see
// resourceSet.every), with the analyzer's caches.
func (a *analyzer) every(rs resourceSet, ts []*rtype) []string {
	if rs.not || len(ts) == 0 {
		return rs.every(ts)
	}
	var out []string
	for _, r := range rs.patterns {
		for _, t := range ts {
			if a.coveredBy(t, r) {
				out = append(out, r)
				break
			}
		}
	}
	return out
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
	ts := a.typesOf(i)
	if len(ts) != len(act.ResourceTypes) {
		return nil // a type without an ARN format: nothing to judge by
	}
	for _, t := range ts {
		for _, r := range resources {
			if t.canName(r) {
				return nil
			}
		}
	}
	return []Unmatched{{Action: act.String(), ResourceTypes: slices.Clone(act.ResourceTypes), Resources: resources}}
}

// bucketObjectTypes returns the "bucket" and "object" types among S3 action i's types.
func (a *analyzer) bucketObjectTypes(i int) []*rtype {
	if ts, ok := a.s3Types[i]; ok {
		return ts
	}
	var out []*rtype
	for _, t := range a.typesOf(i) {
		if t.service == "s3" && (t.name == "bucket" || t.name == "object") {
			out = append(out, t)
		}
	}
	a.s3Types[i] = out
	return out
}

// roleType is IAM's "role" resource type (nil when the catalog lacks it).
func (a *analyzer) roleType() *rtype { return a.serviceTypes("iam")["role"] }

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

// role analyses role i, whose trust admits the ServiceAccounts sas (see serviceAccounts).
func (a *analyzer) role(i int, sas []string) (Holder, bool) {
	r := &a.snap.Roles[i]
	h := Holder{Resource: Resource{Kind: "role", ID: r.ARN}, Role: &i, Boundary: r.PermissionsBoundary}
	h.ServiceAccounts = sas
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
