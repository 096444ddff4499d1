package permissions

import (
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iamcatalog"
)

// rtype is a resource type of the catalog with its ARN format, prepared for matching.
type rtype struct {
	service string // the service whose actions name it, e.g. "ssm" for ssm's "bucket" type
	name    string // e.g. "bucket"
	format  string // e.g. "arn:${Partition}:s3:::${BucketName}"
	tokens  []token
	// star is the format with every placeholder turned into "*": the pattern a Resource must
	// cover to name every resource of the type.
	star string
	// arnService is the service field of the format ("s3" for ssm's "bucket"), "" when the
	// format is no ARN.
	arnService string
	// anyField marks the partition, region and account fields (1, 3, 4) that are one
	// placeholder: a Resource's value there counts as every value (see coveredBy).
	anyField [5]bool
}

// typesOf returns the resource types of catalog action i: nil for an action that supports only
// Resource "*" (an account-level action), empty (not nil) when a type has no ARN format in the
// catalog (a few dozen of 21,900 references): with nothing to match against, such an action
// applies to any resource and is on every resource of none.
func (a *analyzer) typesOf(i int) []*rtype {
	if ts, ok := a.actTypes[i]; ok {
		return ts
	}
	act := a.cat.At(i)
	var ts []*rtype
	if len(act.ResourceTypes) > 0 {
		byName := a.serviceTypes(act.Service)
		for _, name := range act.ResourceTypes {
			rt, ok := byName[strings.ToLower(name)]
			if !ok {
				ts = []*rtype{}
				break
			}
			ts = append(ts, rt)
		}
	}
	a.actTypes[i] = ts
	return ts
}

// serviceTypes returns the resource types of a service by lower-case name (actions spell them
// as the reference's tables do, "Secret" for the type "secret"), prepared on first use.
func (a *analyzer) serviceTypes(service string) map[string]*rtype {
	if m, ok := a.rtypes[service]; ok {
		return m
	}
	m := map[string]*rtype{}
	if svc, ok := a.cat.Service(service); ok {
		for _, rt := range svc.ResourceTypes {
			m[strings.ToLower(rt.Name)] = newRType(service, rt)
		}
	}
	a.rtypes[service] = m
	return m
}

func newRType(service string, rt iamcatalog.ResourceType) *rtype {
	t := &rtype{service: service, name: rt.Name, format: rt.ARN, tokens: formatTokens(rt.ARN)}
	var b strings.Builder
	for _, tk := range t.tokens {
		switch {
		case tk.kind == tokLit:
			b.WriteByte(tk.c)
		case tk.more:
			b.WriteByte('*')
		}
	}
	t.star = b.String()
	if f := strings.SplitN(rt.ARN, ":", 6); len(f) == 6 && f[0] == "arn" {
		t.arnService = f[2]
		for _, i := range []int{1, 3, 4} {
			t.anyField[i] = isPlaceholder(f[i])
		}
	}
	return t
}

// canName reports whether Resource pattern r can name a resource of type t. The service
// fields are compared first: most pairs differ there.
func (t *rtype) canName(r string) bool {
	if r == "*" {
		return true
	}
	if svc, ok := serviceField(r); ok && t.arnService != "" && !hasWildcard(svc) && svc != t.arnService {
		return false
	}
	return overlaps(t.tokens, r)
}

// coveredBy reports whether Resource pattern r names every resource of type t: every ARN of
// the format matches r. A literal partition, region or account in r still counts as every
// resource (of that partition, region and account): a role can reach its own account's
// resources, and "every secret of account 111122223333" is as broad as "every secret".
func (t *rtype) coveredBy(r string) bool {
	if r == "*" {
		return true
	}
	if !hasWildcard(r) {
		return false // one resource, while a type's placeholders stand for many
	}
	if t.rejects(r) {
		return false
	}
	if t.arnService != "" && strings.HasPrefix(r, "arn:") {
		// Fields 1, 3 and 4 followed by another field (the last field of a short pattern also
		// holds the rest) that the format leaves to a placeholder become "*".
		r = relaxFields(r, &t.anyField)
	}
	return covers(r, t.star)
}

// rejects is coveredBy's quick test: an ARN pattern of another service, or whose resource part
// does not cover the type's, does not cover the type (most patterns fail there).
func (t *rtype) rejects(r string) bool {
	if t.arnService == "" || !strings.HasPrefix(r, "arn:") {
		return false
	}
	if svc, ok := serviceField(r); ok && !hasWildcard(svc) && svc != t.arnService {
		return true
	}
	ri, si := resourcePart(r), resourcePart(t.star)
	return ri >= 0 && si >= 0 && !covers(r[ri:], t.star[si:])
}

// relaxFields returns ARN pattern r with the fields that placeholder marks (and that another
// field follows) replaced by "*"; r itself when nothing changes.
func relaxFields(r string, placeholder *[5]bool) string {
	var b []byte
	field, start := 0, 0
	for i := 0; i < len(r) && field < 5; i++ {
		if r[i] != ':' {
			continue
		}
		if v := r[start:i]; placeholder[field] && v != "*" {
			if b == nil {
				b = make([]byte, 0, len(r))
				b = append(b, r[:start]...)
			}
			b = append(b, '*')
		} else if b != nil {
			b = append(b, v...)
		}
		if b != nil {
			b = append(b, ':')
		}
		field, start = field+1, i+1
	}
	if b == nil {
		return r
	}
	return string(append(b, r[start:]...))
}

// resourcePart returns the index where the sixth field of an ARN (pattern) starts, -1 when it
// has fewer fields.
func resourcePart(r string) int {
	n := 0
	for i := 0; i < len(r); i++ {
		if r[i] == ':' {
			if n++; n == 5 {
				return i + 1
			}
		}
	}
	return -1
}

// isPlaceholder reports whether s is exactly one ${...} placeholder.
func isPlaceholder(s string) bool {
	return strings.HasPrefix(s, "${") && strings.IndexByte(s, '}') == len(s)-1
}

// serviceField returns the service field of an ARN pattern.
func serviceField(r string) (string, bool) {
	rest, ok := strings.CutPrefix(r, "arn:")
	if !ok {
		return "", false
	}
	_, rest, ok = strings.Cut(rest, ":")
	if !ok {
		return "", false
	}
	svc, _, ok := strings.Cut(rest, ":")
	return svc, ok
}

// resourceSet is the resources an Allow statement (or a part of it that a Deny narrowed)
// applies to: the listed patterns, or every resource but them (NotResource).
type resourceSet struct {
	patterns []string
	not      bool
}

// applies reports whether action i, of types ts (nil: account-level), applies to a resource of
// the set. An account-level action applies to "*" and to a pattern of its service whose
// resource part is "*" ("arn:aws:s3:::*" for s3:ListAllMyBuckets, as policies commonly write
// it), not to the ARN of one resource.
func (rs resourceSet) applies(service string, ts []*rtype) bool {
	if rs.not {
		if ts == nil || len(ts) == 0 {
			return true
		}
		for _, t := range ts {
			if !rs.excludesAll(t) {
				return true
			}
		}
		return false
	}
	for _, r := range rs.patterns {
		if ts == nil {
			if r == "*" {
				return true
			}
			if f := strings.SplitN(r, ":", 6); len(f) == 6 && f[0] == "arn" && f[5] == "*" && iamcatalog.Match(f[2], service) {
				return true
			}
			continue
		}
		if len(ts) == 0 {
			return true
		}
		for _, t := range ts {
			if t.canName(r) {
				return true
			}
		}
	}
	return false
}

// excludesAll reports whether a NotResource set leaves out every resource of type t.
func (rs resourceSet) excludesAll(t *rtype) bool {
	for _, r := range rs.patterns {
		if t.coveredBy(r) {
			return true
		}
	}
	return false
}

// every returns the patterns of the set that name every resource of one of the types ts (for
// a NotResource set, its patterns when some type keeps resources outside them); nil when none
// does. Account-level actions (ts nil) are on no resource at all, so never on every one.
func (rs resourceSet) every(ts []*rtype) []string {
	if len(ts) == 0 {
		return nil
	}
	if rs.not {
		for _, t := range ts {
			if !rs.excludesAll(t) {
				return rs.patterns
			}
		}
		return nil
	}
	var out []string
	for _, r := range rs.patterns {
		for _, t := range ts {
			if t.coveredBy(r) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// named returns the patterns of the set that can name a resource of type t, and whether they
// are all literal ARNs (no wildcard): the resources are then named one by one.
func (rs resourceSet) named(t *rtype) ([]string, bool) {
	if rs.not {
		return nil, false
	}
	var out []string
	literal := true
	for _, r := range rs.patterns {
		if t.canName(r) {
			out = append(out, r)
			literal = literal && !hasWildcard(r)
		}
	}
	return out, literal && len(out) > 0
}

// intersectPatterns returns patterns that name what both lists name, as far as patterns can
// say: for each pair, the one the other covers; for pairs that overlap without either covering
// the other, the first (so the result errs towards naming too much). Pairs that share nothing
// are left out.
func intersectPatterns(as, bs []string) []string {
	var out []string
	add := func(p string) {
		for _, q := range out {
			if q == p {
				return
			}
		}
		out = append(out, p)
	}
	for _, x := range as {
		for _, y := range bs {
			switch {
			case covers(x, y):
				add(y)
			case covers(y, x):
				add(x)
			case globsOverlap(x, y):
				add(x)
			}
		}
	}
	return out
}

// globsOverlap reports whether two IAM patterns ("*" any run, "?" one character) match a
// common string.
func globsOverlap(x, y string) bool {
	buf := memoPool.Get().(*[]uint8)
	defer memoPool.Put(buf)
	memo := newMemo(buf, len(x), len(y))
	var ov func(i, j int) bool
	ov = func(i, j int) bool {
		if i == len(x) && j == len(y) {
			return true
		}
		if v, ok := memo.get(i, j); ok {
			return v
		}
		var r bool
		switch {
		case i < len(x) && x[i] == '*':
			r = ov(i+1, j) || (j < len(y) && ov(i, j+1))
		case j < len(y) && y[j] == '*':
			r = ov(i, j+1) || (i < len(x) && ov(i+1, j))
		case i < len(x) && j < len(y):
			r = (x[i] == '?' || y[j] == '?' || x[i] == y[j]) && ov(i+1, j+1)
		}
		memo.set(i, j, r)
		return r
	}
	return ov(0, 0)
}
