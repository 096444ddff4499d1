package permissions

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iamcatalog"
)

// part is some of the actions an Allow statement grants a holder, with the resources they
// apply to once a Deny with NotResource has narrowed them.
type part struct {
	bits actionSet
	rs   resourceSet
}

// effect is what an Allow statement grants one holder, after its Deny statements and its
// permissions boundary.
type effect struct {
	eff actionSet // every action granted
	// parts are the actions whose resources a Deny with NotResource narrowed: disjoint subsets
	// of eff, each with its resources. The other actions of eff apply to the statement's own.
	parts []part
	// scoped and unless come from conditional Deny statements that cover the statement's
	// dangerous actions: the positive reading of a Deny unless a scoping condition holds, and
	// the words of the others.
	scoped, unless []string
}

// rsFor returns the resources action i of the effect applies to.
func (e *effect) rsFor(i int, s *stmtInfo) resourceSet {
	for _, p := range e.parts {
		if p.bits.has(i) {
			return p.rs
		}
	}
	return s.rs
}

func (e *effect) hash() uint64 {
	h := e.eff.hash()
	for _, p := range e.parts {
		h = h*31 + p.bits.hash()
		for _, r := range p.rs.patterns {
			for k := 0; k < len(r); k++ {
				h = h*31 + uint64(r[k])
			}
		}
	}
	for _, w := range [][]string{e.scoped, e.unless} {
		for _, x := range w {
			for k := 0; k < len(x); k++ {
				h = h*31 + uint64(x[k])
			}
		}
		h = h*31 + 7
	}
	return h
}

func (e *effect) equal(o *effect) bool {
	if !e.eff.equal(o.eff) || len(e.parts) != len(o.parts) || !slices.Equal(e.scoped, o.scoped) || !slices.Equal(e.unless, o.unless) {
		return false
	}
	for k := range e.parts {
		if !e.parts[k].bits.equal(o.parts[k].bits) || !slices.Equal(e.parts[k].rs.patterns, o.parts[k].rs.patterns) {
			return false
		}
	}
	return true
}

// effectOf computes what Allow statement s grants a holder with the given Deny statements and
// boundary. Without any of them taking effect, the result's eff is s's shared applicable set.
func (a *analyzer) effectOf(s *stmtInfo, denies []*stmtInfo, boundary *docInfo) effect {
	e := effect{eff: a.applicable(s)}
	owned := false
	own := func() {
		if !owned {
			e.eff = e.eff.clone()
			owned = true
		}
	}
	drop := func(x actionSet) { // takes the actions of x away
		own()
		e.eff.andNot(x)
		for k := range e.parts {
			e.parts[k].bits.andNot(x)
		}
	}
	keepOnly := func(x actionSet) { // keeps the actions of x only
		own()
		e.eff.and(x)
		for k := range e.parts {
			e.parts[k].bits.and(x)
		}
	}
	for _, d := range denies {
		if !d.bits.intersects(e.eff) {
			continue
		}
		if d.notResource {
			a.denyOutside(&e, s, d, own)
			continue
		}
		if !resourcesCovered(d, s) {
			continue
		}
		if d.conditional {
			a.denyUnless(&e, d, "")
			continue
		}
		drop(d.bits)
	}
	if boundary != nil {
		if allowed := a.boundaryAllows(boundary, s); !allowed.contains(e.eff) {
			keepOnly(allowed)
		}
	}
	e.parts = slices.DeleteFunc(e.parts, func(p part) bool { return p.bits.empty() })
	return e
}

// denyUnless records a conditional Deny that covers the statement's dangerous actions (all of
// them; one that covers only some is left out, erring towards reporting): as a scope when it
// denies unless a scoping condition holds, as an "unless" otherwise. outside names the
// NotResource patterns of a Deny that applies outside them.
func (a *analyzer) denyUnless(e *effect, d *stmtInfo, outside string) {
	x := e.eff.intersect(a.cls.danger)
	if x.empty() {
		x = e.eff
	}
	if !d.bits.contains(x) || d.cond.ignore {
		return
	}
	if d.cond.scopedDeny != "" && outside == "" {
		if !slices.Contains(e.scoped, d.cond.scopedDeny) {
			e.scoped = append(e.scoped, d.cond.scopedDeny)
		}
		return
	}
	text := d.cond.deny
	if outside != "" {
		text = "outside " + outside + " " + text
	}
	if !slices.Contains(e.unless, text) {
		e.unless = append(e.unless, text)
	}
}

// denyOutside applies Deny statement d with NotResource to e: d denies its actions on every
// resource outside its NotResource patterns, so the statement keeps them only on its resources
// within those patterns (none left: they are taken away).
func (a *analyzer) denyOutside(e *effect, s *stmtInfo, d *stmtInfo, own func()) {
	within := d.resources
	var inside []string
	if s.notResource {
		// Every resource but the statement's, within the Deny's: at most the Deny's patterns.
		inside = within
	} else {
		if allCovered(s.resources, within) {
			return // the Deny never applies to the statement's resources
		}
		inside = intersectPatterns(s.resources, within)
	}
	if d.conditional {
		a.denyUnless(e, d, quoteList(within))
		return
	}
	own()
	x := e.eff.intersect(d.bits)
	n := len(e.parts)
	for k := 0; k < n; k++ {
		y := e.parts[k].bits.intersect(d.bits)
		if y.empty() {
			continue
		}
		x.andNot(y)
		e.parts[k].bits.andNot(y)
		a.narrow(e, y, intersectPatterns(e.parts[k].rs.patterns, within))
	}
	if !x.empty() {
		a.narrow(e, x, inside)
	}
}

// narrow keeps actions x of e only on the resources named by patterns: those that apply to
// none of them (account-level actions, other resource types) are taken away.
func (a *analyzer) narrow(e *effect, x actionSet, patterns []string) {
	rs := resourceSet{patterns: patterns}
	x.each(func(i int) bool {
		if len(patterns) == 0 || !a.applies(rs, i) {
			x.remove(i)
			e.eff.remove(i)
		}
		return true
	})
	if !x.empty() {
		e.parts = append(e.parts, part{bits: x, rs: rs})
	}
}

// allCovered reports whether every pattern of ps is covered by a pattern of within.
func allCovered(ps, within []string) bool {
	if len(ps) == 0 {
		return false
	}
	for _, p := range ps {
		if !slices.ContainsFunc(within, func(w string) bool { return covers(w, p) }) {
			return false
		}
	}
	return true
}

func quoteList(ps []string) string {
	q := make([]string, len(ps))
	for i, p := range ps {
		q[i] = fmt.Sprintf("%q", p)
	}
	return strings.Join(q, ", ")
}

// passCandidate is a statement that grants iam:PassRole in a way that may escalate.
type passCandidate struct {
	grant    Grant
	services []string
	roles    []string // named roles, when the statement names them one by one
	scoped   []string
}

// trustUpdate is a statement that grants iam:UpdateAssumeRolePolicy.
type trustUpdate struct {
	grant Grant
	rs    resourceSet
}

// judge fills in a holder's grants, combinations and danger summary from its policies.
func (a *analyzer) judge(h *Holder, sources []source, boundary *docInfo) {
	var denies []*stmtInfo
	for _, src := range sources {
		for k := range src.doc.stmts {
			if s := &src.doc.stmts[k]; !s.allow && !s.cond.ignore {
				denies = append(denies, s)
			}
		}
	}
	var (
		danger   actionSet
		admin    bool
		passes   []passCandidate
		updates  []trustUpdate
		assumes  []resourceSet
		partners actionSet
		kinds    = map[string]bool{}
	)
	for _, src := range sources {
		for k := range src.doc.stmts {
			s := &src.doc.stmts[k]
			if !s.allow || !s.quick {
				continue
			}
			e := a.effectOf(s, denies, boundary)
			var fi int
			if len(e.parts) == 0 && len(e.scoped) == 0 && len(e.unless) == 0 && e.eff.equal(a.applicable(s)) {
				fi = a.sharedFacts(src.doc, s)
			} else {
				fi = a.reducedFacts(s, e)
			}
			g := Grant{Facts: fi, Path: src.statementPath(s.index), Policy: src.policy, Related: src.related}
			if g.Related == nil {
				g.Related = []Resource{}
			}
			a.collectCombos(s, &e, g, &passes, &updates, &assumes)
			if e.eff.intersects(a.cls.combos) {
				if partners == nil {
					partners = newSet(a.cls.n)
				}
				partners.orAnd(e.eff, a.cls.combos)
			}
			if fi < 0 {
				continue
			}
			h.Grants = append(h.Grants, g)
			f := &a.facts[fi]
			if f.scoped() {
				continue // reported at a lower severity, and not weighed by IRSA-040
			}
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
	if !admin {
		if c, with, broad := a.passRoleCombo(passes, partners); c != nil {
			h.EscalationCombos = append(h.EscalationCombos, *c)
			if broad {
				kinds["privilege_escalation"] = true
				if danger == nil {
					danger = newSet(a.cls.n)
				}
				danger.or(with)
				danger.add(a.cls.passRole)
			}
		}
		if c := a.trustCombo(updates, assumes); c != nil {
			h.EscalationCombos = append(h.EscalationCombos, *c)
			kinds["privilege_escalation"] = true
			if danger == nil {
				danger = newSet(a.cls.n)
			}
			danger.add(a.cls.updateTrust)
			danger.add(a.cls.assumeRole)
		}
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

// collectCombos notes the statement's iam:PassRole, iam:UpdateAssumeRolePolicy and
// sts:AssumeRole grants for the combinations.
func (a *analyzer) collectCombos(s *stmtInfo, e *effect, g Grant, passes *[]passCandidate, updates *[]trustUpdate, assumes *[]resourceSet) {
	if i := a.cls.passRole; i >= 0 && e.eff.has(i) && (s.cond.passServices == nil || mayRunCode(s.cond.passServices)) {
		c := passCandidate{grant: g, services: s.cond.passServices, scoped: append(slices.Clone(s.cond.scoped), e.scoped...)}
		if rt := a.roleType(); rt != nil {
			if roles, literal := e.rsFor(i, s).named(rt); literal {
				c.roles = roles
			}
		}
		*passes = append(*passes, c)
	}
	if i := a.cls.updateTrust; i >= 0 && e.eff.has(i) {
		*updates = append(*updates, trustUpdate{grant: g, rs: e.rsFor(i, s)})
	}
	if i := a.cls.assumeRole; i >= 0 && e.eff.has(i) {
		*assumes = append(*assumes, e.rsFor(i, s))
	}
}

// passRoleCombo returns the holder's most dangerous iam:PassRole combination: the actions of
// partners that run code in a service the PassRole statement may pass roles to. A statement
// that names the roles one by one and the services it passes them to (what IRSA-034
// recommends) makes none. broad is false when the combination is limited to named roles or
// scoped by conditions; with are its actions.
func (a *analyzer) passRoleCombo(passes []passCandidate, partners actionSet) (*Combo, actionSet, bool) {
	if partners == nil {
		return nil, nil, false
	}
	var (
		best     *Combo
		bestWith actionSet
		bestRank = 3
	)
	for _, p := range passes {
		if len(p.roles) > 0 && p.services != nil {
			continue
		}
		rank := 0
		if len(p.roles) > 0 || len(p.scoped) > 0 {
			rank = 1
		}
		if rank >= bestRank {
			continue
		}
		with := partners
		if p.services != nil {
			with = newSet(a.cls.n)
			partners.each(func(i int) bool {
				for _, svc := range a.cls.comboServices[i] {
					if passesTo(p.services, svc) {
						with.add(i)
						break
					}
				}
				return true
			})
			if with.empty() {
				continue
			}
		}
		c := &Combo{Kind: "pass_role", Path: p.grant.Path, Policy: p.grant.Policy, Related: p.grant.Related,
			Roles: p.roles, Services: p.services, Scoped: p.scoped}
		c.With = a.list(with, false).Names
		if with.count() > MaxNames {
			c.With = nil
			with.each(func(i int) bool { c.With = append(c.With, a.cat.At(i).String()); return true })
		}
		best, bestWith, bestRank = c, with, rank
	}
	return best, bestWith, best != nil && bestRank == 0
}

// trustCombo returns the combination of iam:UpdateAssumeRolePolicy with sts:AssumeRole on a
// role it can rewrite, nil when there is none.
func (a *analyzer) trustCombo(updates []trustUpdate, assumes []resourceSet) *Combo {
	rt := a.roleType()
	if rt == nil || a.cls.assumeRole < 0 {
		return nil
	}
	for _, u := range updates {
		for _, as := range assumes {
			if rolesOverlap(u.rs, as, func(r string) bool { return rt.canName(r) }) {
				return &Combo{Kind: "update_trust", Path: u.grant.Path, Policy: u.grant.Policy, Related: u.grant.Related,
					With: []string{a.cat.At(a.cls.assumeRole).String()}}
			}
		}
	}
	return nil
}

// rolesOverlap reports whether two resource sets can name a common role (isRole tells the
// patterns that can name a role). A NotResource set can name any role.
func rolesOverlap(x, y resourceSet, isRole func(string) bool) bool {
	if x.not || y.not {
		return true
	}
	for _, p := range x.patterns {
		if !isRole(p) {
			continue
		}
		for _, q := range y.patterns {
			if isRole(q) && globsOverlap(p, q) {
				return true
			}
		}
	}
	return false
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
	f, danger := a.computeFacts(s, &effect{eff: a.applicable(s)})
	fi := a.intern(f, danger)
	d.shared[s.index] = fi
	return fi
}

// reducedFacts returns the facts index of statement s with effect e, computed once per
// distinct (statement, effect).
func (a *analyzer) reducedFacts(s *stmtInfo, e effect) int {
	key := reducedKey{stmt: s, hash: e.hash()}
	for _, r := range a.reduced[key] {
		if r.e.equal(&e) {
			return r.fi
		}
	}
	f, danger := a.computeFacts(s, &e)
	f.Reduced = a.applicable(s).count() - e.eff.count()
	fi := a.intern(f, danger)
	a.reduced[key] = append(a.reduced[key], reducedFacts{e: e, fi: fi})
	return fi
}

// intern stores f once and returns its index; -1 when f has nothing to report.
func (a *analyzer) intern(f Facts, danger actionSet) int {
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
	a.danger = append(a.danger, danger)
	a.factIndex[string(key)] = len(a.facts) - 1
	return len(a.facts) - 1
}

// computeFacts derives the facts of Allow statement s with effect e, and the actions of it
// that IRSA-040 weighs (S3 write and permissions management granted by wildcards, S3 actions
// on every bucket or object, privilege escalation and secret reads; nil when there are none).
func (a *analyzer) computeFacts(s *stmtInfo, e *effect) (Facts, actionSet) {
	eff := e.eff
	f := Facts{
		Sid:         s.sid,
		NotAction:   s.notAction,
		NotResource: s.notResource,
		Narrowed:    len(e.parts) > 0,
		Actions:     a.list(eff, false),
		S3Unmatched: s.unmatched,
	}
	if len(s.cond.scoped)+len(e.scoped)+len(s.cond.undecided)+len(e.unless) > 0 {
		f.Conditions = &Conditions{Scoped: append(slices.Clone(s.cond.scoped), e.scoped...), Undecided: s.cond.undecided, Unless: e.unless}
		f.Conditional = len(s.cond.undecided) > 0 || len(e.unless) > 0
	}
	star := !s.notResource && slices.Contains(s.resources, "*")
	f.AllResources = s.notResource || star
	f.Admin = s.allActions && star && len(e.parts) == 0 && eff.count() == a.cls.n
	var danger actionSet
	addDanger := func(x actionSet) {
		if x.empty() {
			return
		}
		if danger == nil {
			danger = newSet(a.cls.n)
		}
		danger.or(x)
	}
	if eff.intersects(a.cls.s3) && a.mayCoverBuckets(s, e) {
		every := newSet(a.cls.n)
		var named []string
		eff.eachAnd(a.cls.s3, func(i int) bool {
			for _, r := range a.every(e.rsFor(i, s), a.bucketObjectTypes(i)) {
				every.add(i)
				if !slices.Contains(named, r) {
					named = append(named, r)
				}
			}
			return true
		})
		if !every.empty() {
			// In the statement's order, the narrowed resources after its own.
			slices.SortStableFunc(named, func(x, y string) int {
				return indexOr(s.resources, x) - indexOr(s.resources, y)
			})
			f.S3AllResources = named
			l := a.list(every, true)
			f.S3 = &l
			addDanger(every)
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
		addDanger(x)
	}
	if eff.intersects(a.cls.s3Perm) {
		l := a.list(eff.intersect(a.cls.s3Perm), true)
		f.S3PermissionsManagement = &l
	}
	if !eff.intersects(a.cls.privOrSecrets) {
		return f, danger
	}
	pe := eff.intersect(a.cls.privesc)
	if i := a.cls.passRole; i >= 0 && eff.has(i) && len(a.every(e.rsFor(i, s), a.typesOf(i))) > 0 &&
		(s.cond.passServices == nil || mayRunCode(s.cond.passServices)) {
		pe.add(i)
		f.PassRoleServices = s.cond.passServices
	}
	if i := a.cls.assumeRole; i >= 0 && eff.has(i) && len(a.every(e.rsFor(i, s), a.typesOf(i))) > 0 {
		pe.add(i)
	}
	if !pe.empty() {
		l := a.list(pe, true)
		f.PrivilegeEscalation = &l
		addDanger(pe)
	}
	var sr actionSet
	eff.eachAnd(a.cls.secrets, func(i int) bool {
		if len(a.every(e.rsFor(i, s), a.typesOf(i))) > 0 {
			if sr == nil {
				sr = newSet(a.cls.n)
			}
			sr.add(i)
		}
		return true
	})
	if sr != nil {
		l := a.list(sr, true)
		f.SecretsRead = &l
		addDanger(sr)
	}
	return f, danger
}

// mayCoverBuckets reports whether a resource of the statement (or of the parts a Deny narrowed)
// can name every bucket or every object, before the actions are looked at one by one.
func (a *analyzer) mayCoverBuckets(s *stmtInfo, e *effect) bool {
	s3 := a.serviceTypes("s3")
	bucket, object := s3["bucket"], s3["object"]
	if bucket == nil || object == nil {
		return true
	}
	check := func(rs resourceSet) bool {
		if rs.not {
			return !rs.excludesAll(bucket) || !rs.excludesAll(object)
		}
		for _, r := range rs.patterns {
			if a.coveredBy(bucket, r) || a.coveredBy(object, r) {
				return true
			}
		}
		return false
	}
	if check(s.rs) {
		return true
	}
	for _, p := range e.parts {
		if check(p.rs) {
			return true
		}
	}
	return false
}

// indexOr returns the index of x in xs, or len(xs) when it is not there.
func indexOr(xs []string, x string) int {
	if i := slices.Index(xs, x); i >= 0 {
		return i
	}
	return len(xs)
}
