package trust

import (
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Verdict is what a trust policy says about a request: Admitted, Refused or Unknown.
type Verdict string

// The verdicts of Evaluate.
const (
	Admitted Verdict = "admitted"
	Refused  Verdict = "refused"
	// Unknown is the verdict when the outcome depends on something the policy and the request
	// do not fix: a condition on an "aws:" or "sts:" key that the request does not carry, or a
	// value known only after deployment (a symbol, see snapshot.SymbolOpen).
	Unknown Verdict = "unknown"
)

// WebIdentityAction is the STS action a web-identity token exchange is evaluated as;
// AssumeRoleAction the one a service or AWS principal calls.
const (
	WebIdentityAction = "sts:AssumeRoleWithWebIdentity"
	AssumeRoleAction  = "sts:AssumeRole"
)

// Request is one call to STS as a trust policy sees it: who calls (exactly one of Federated,
// Service and AWS), which action, and the request context.
type Request struct {
	// Action is the STS action; "" means WebIdentityAction for a Federated principal and
	// AssumeRoleAction otherwise.
	Action string
	// Federated is the ARN of the IAM OIDC provider a web-identity token is matched to;
	// Service a service principal ("pods.eks.amazonaws.com"); AWS an AWS principal ARN.
	Federated, Service, AWS string
	// Issuer and Claims are the token of a web-identity request: the issuer as IAM keys it
	// (iam.NormalizeIssuer; compared case-insensitively as a key prefix) and the values of its
	// claims by lower-case name ("sub", "aud", "amr"). A claim that is not there is absent.
	Issuer string
	Claims map[string][]string
	// Context holds the values of every other condition key the request fixes, by lower-case
	// key. An "aws:" or "sts:" key that is not there is unknown (a real request may carry it);
	// any other key is absent.
	Context map[string][]string
	// OpenClaims says that the token carries claims besides Claims whose values the request
	// does not fix (a probe of a CI platform's tokens, which carry the repository, ref, workflow
	// and more): a condition on another claim of the issuer is unknown instead of absent.
	OpenClaims bool
	// Unfixed are lower-case condition keys the request carries with values it cannot fix (the
	// pod name session tag of an EKS Pod Identity request): a condition on one is unknown.
	Unfixed []string
	// Closed are lower-case key prefixes ("aws:requesttag/") under which every key the request
	// carries is in Context or Unfixed: another key under them is absent, not unknown.
	Closed []string
}

// Token is the Request of a web-identity token of issuer (a URL or as IAM keys it) with these
// claims, exchanged through the provider ARN provider.
func Token(provider, issuer string, claims map[string][]string) Request {
	return Request{Federated: provider, Issuer: iam.NormalizeIssuer(issuer), Claims: claims}
}

// ServiceAccountToken is the token the EKS Pod Identity Webhook projects for a ServiceAccount:
// issuer the cluster's, subject system:serviceaccount:<namespace>:<name>, one audience.
func ServiceAccountToken(provider, issuer, namespace, name, audience string) Request {
	return Token(provider, issuer, map[string][]string{
		"sub": {iam.ServiceAccountSubject(namespace, name)},
		"aud": {audience},
	})
}

// Result is the outcome of Evaluate.
type Result struct {
	Verdict Verdict
	// Statement is the index of the first Allow statement that admits the request (Admitted),
	// or that may (Unknown); -1 when the verdict is Refused.
	Statement int
	// Symbolic is true for an Unknown verdict that depends on a value known only after
	// deployment (a symbol), not only on aws:/sts: keys the request does not fix.
	Symbolic bool
}

// status is one statement's three-valued match of a request.
type status int

// The statuses in AND order (min): a statement that depends on a symbol is symbolic even if it
// also depends on an unfixed key.
const (
	no       status = iota
	maybeSym        // depends on a value known only after deployment
	maybe           // depends on an aws:/sts: key the request does not fix
	yes
)

// Evaluate is IAM's evaluation of a trust policy for one request: an explicit Deny that
// matches wins, else an Allow that matches admits, else the request is refused; a statement
// matches when its Principal or NotPrincipal, its Action or NotAction and every one of its
// conditions do (see pkg/iam for the operators). Where a statement's match cannot be told (an
// "aws:"/"sts:" key the request does not fix, a symbol), it is "maybe" and the verdict is
// Unknown unless a sure Deny or a sure Allow with no possible Deny decides. A nil doc refuses.
func Evaluate(doc *snapshot.Document, r Request) Result {
	res := Result{Verdict: Refused, Statement: -1}
	if doc == nil {
		return res
	}
	r.defaultAction()
	allowYes, allowMaybe, denyMaybe := -1, -1, false
	allowSym, denySym := false, false
	for i := range doc.Statements {
		st := &doc.Statements[i]
		if st.Effect != "Allow" && st.Effect != "Deny" {
			continue
		}
		s := statementStatus(st, &r)
		switch {
		case s == no:
		case st.Effect == "Deny" && s == yes:
			return res
		case st.Effect == "Deny":
			denyMaybe, denySym = true, denySym || s == maybeSym
		case s == yes && allowYes < 0:
			allowYes = i
		case s != yes && allowMaybe < 0:
			allowMaybe, allowSym = i, s == maybeSym
		}
	}
	switch {
	case allowYes >= 0 && !denyMaybe:
		return Result{Verdict: Admitted, Statement: allowYes}
	case allowYes >= 0:
		return Result{Verdict: Unknown, Statement: allowYes, Symbolic: denySym}
	case allowMaybe >= 0:
		return Result{Verdict: Unknown, Statement: allowMaybe, Symbolic: allowSym || denySym}
	}
	return res
}

// Matching returns the indexes of doc's Allow statements that match r or may (their match
// depends on what r does not fix), in order: the statements a finding about the request
// points at, whatever a Deny says.
func Matching(doc *snapshot.Document, r Request) []int {
	if doc == nil {
		return nil
	}
	r.defaultAction()
	var out []int
	for i := range doc.Statements {
		if st := &doc.Statements[i]; st.Effect == "Allow" && statementStatus(st, &r) != no {
			out = append(out, i)
		}
	}
	return out
}

// defaultAction sets the action a request without one is evaluated as.
func (r *Request) defaultAction() {
	if r.Action == "" {
		r.Action = AssumeRoleAction
		if r.Federated != "" {
			r.Action = WebIdentityAction
		}
	}
}

func statementStatus(st *snapshot.Statement, r *Request) status {
	out := yes
	switch {
	case st.NotPrincipal != nil:
		out = min(out, not(principalStatus(st.NotPrincipal, r)))
	case st.Principal != nil:
		out = min(out, principalStatus(st.Principal, r))
	default:
		return no
	}
	if out == no {
		return no
	}
	if !iam.CoversAction(st.Actions, st.NotActions, r.Action) {
		if !hasUnknown(st.Unknown, "actions", "not_actions") {
			return no
		}
		out = maybeSym
	}
	for i := range st.Conditions {
		out = min(out, conditionStatus(&st.Conditions[i], r))
		if out == no {
			return no
		}
	}
	return out
}

func not(s status) status {
	switch s {
	case yes:
		return no
	case no:
		return yes
	}
	return s
}

// principalStatus: the request's principal is one the Principal element names ("*" names
// every one). A name holding a symbol may be the request's.
func principalStatus(p *snapshot.Principal, r *Request) status {
	if p.Wildcard {
		return yes
	}
	var names []string
	want := ""
	switch {
	case r.Federated != "":
		names, want = p.Federated, r.Federated
	case r.Service != "":
		names, want = p.Service, r.Service
	case r.AWS != "":
		names, want = p.AWS, r.AWS
	}
	out := no
	for _, n := range p.AWS {
		if n == "*" {
			return yes
		}
	}
	for _, n := range names {
		switch {
		case iam.SameARN(n, want):
			return yes
		case r.AWS != "" && awsAccountMatch(n, want):
			return yes
		case snapshot.HasSymbol(n) || snapshot.HasSymbol(want):
			out = maybeSym
		}
	}
	return out
}

// awsAccountMatch: an account id or its root ARN names every principal of the account.
func awsAccountMatch(name, principal string) bool {
	a, ok := iam.ParseARN(principal)
	if !ok {
		return false
	}
	return name == a.Account || name == "arn:"+a.Partition+":iam::"+a.Account+":root"
}

// conditionStatus judges one condition entry against the request.
func conditionStatus(c *snapshot.Condition, r *Request) status {
	values, fixed := r.lookup(c.Key)
	if fixed != yes {
		return fixed // the key's values are not known: maybe or maybeSym
	}
	op := iam.Operator{Name: c.BaseOperator, Qualifier: c.Qualifier, IfExists: c.IfExists, Negated: c.Negated, Known: c.Known}
	holds := iam.Holds(op, c.Values, values)
	switch {
	case hasUnknown(c.Unknown, "key") && len(values) == 0:
		// The key holds a symbol and names none of the request's keys: it may be one of them.
		return maybeSym
	case hasUnknown(c.Unknown, "values") || anySymbol(values):
		if holds && !op.Negated && !anySymbol(values) {
			return yes // a known value matched already
		}
		return maybeSym
	case holds:
		return yes
	}
	return no
}

// lookup returns the values of a condition key (any case) in the request, and yes when the
// request fixes them (an absent key included); maybe for an "aws:" or "sts:" key the request
// does not carry and that no Closed prefix covers, for an Unfixed key and, with OpenClaims, for
// a claim of the token not in Claims; maybeSym for another issuer's key when the request's
// issuer is a symbol. It allocates only for keys not in lower case outside the token's: it runs
// for every condition of every witness of every role.
func (r *Request) lookup(key string) (values []string, fixed status) {
	if n := len(r.Issuer); n > 0 && len(key) > n && key[n] == ':' && strings.EqualFold(key[:n], r.Issuer) {
		v, ok := r.Claims[lowerASCII(key[n+1:])]
		if !ok && r.OpenClaims {
			return nil, maybe
		}
		return v, yes
	}
	for _, u := range r.Unfixed {
		if strings.EqualFold(key, u) {
			return nil, maybe
		}
	}
	if len(r.Context) > 0 {
		if v, ok := r.Context[strings.ToLower(key)]; ok {
			return v, yes
		}
	}
	for _, c := range r.Closed {
		if hasPrefixFold(key, c) {
			return nil, yes
		}
	}
	if hasPrefixFold(key, "aws:") || hasPrefixFold(key, "sts:") {
		return nil, maybe
	}
	if snapshot.HasSymbol(r.Issuer) {
		if _, _, ok := iam.SplitClaimKey(key); ok {
			return nil, maybeSym // another issuer's key, or this one's once the symbol is known
		}
	}
	return nil, yes
}

func hasUnknown(unknown []string, names ...string) bool {
	for _, u := range unknown {
		for _, n := range names {
			if u == n {
				return true
			}
		}
	}
	return false
}

func anySymbol(ss []string) bool {
	for _, s := range ss {
		if snapshot.HasSymbol(s) {
			return true
		}
	}
	return false
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// lowerASCII is strings.ToLower for the claim names ("sub", "SUB", "Aud"): no allocation for a
// name already in lower case, or for the three claims in any case.
func lowerASCII(s string) string {
	for _, c := range [...]string{"sub", "aud", "amr"} {
		if strings.EqualFold(s, c) {
			return c
		}
	}
	return strings.ToLower(s)
}
