package trust

import (
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Assumers is who can assume a role according to its trust policy, as Evaluate answers for
// witness requests: per OIDC provider the policy names, which subjects and audiences of that
// issuer's tokens are admitted; per service principal it names, whether that service is.
type Assumers struct {
	// WebIdentity has one entry per OIDC provider ARN in a Federated principal, sorted by ARN.
	WebIdentity []WebIdentityAssumers `json:"web_identity"`
	// Services has one entry per service principal named in a Principal, sorted.
	Services []ServiceAssumer `json:"services"`
}

// WebIdentityAssumers is who can assume a role with a token of one OIDC provider's issuer.
type WebIdentityAssumers struct {
	Provider string `json:"provider"`
	// Issuer is the provider's issuer as in its ARN (as IAM keys it).
	Issuer string `json:"issuer"`
	// Kubernetes is true when the issuer is a Kubernetes cluster's: an EKS issuer, the issuer
	// of a cluster of the snapshot (Analyze), or one whose sub conditions name ServiceAccount
	// subjects.
	Kubernetes bool `json:"kubernetes"`
	// AnySubject: a token with any subject at all is admitted (no working condition on sub).
	AnySubject bool `json:"any_subject"`
	// AnyServiceAccount: every ServiceAccount of a cluster with this issuer is admitted (all of
	// them when AnySubject), except Except.
	AnyServiceAccount bool `json:"any_service_account"`
	// Namespaces are the namespaces every ServiceAccount of which is admitted (but Except),
	// beyond AnyServiceAccount; sorted.
	Namespaces []string `json:"namespaces"`
	// Patterns are the wildcard sub values (as written) that admit subjects beyond AnySubject
	// and the namespaces above (with AnyServiceAccount, the patterns that admit every
	// ServiceAccount, e.g. "system:serviceaccount:*"); sorted.
	Patterns []string `json:"patterns"`
	// ServiceAccounts are the exact subjects admitted beyond the above, sorted.
	ServiceAccounts []string `json:"service_accounts"`
	// Except are exact subjects that a negated or Deny condition refuses inside what
	// AnyServiceAccount or Namespaces admit; sorted.
	Except []string `json:"except"`
	// AnyAudience: a token with any audience is admitted (no working condition on aud, or
	// StringLike "*"); else Audiences are the audiences admitted, sorted.
	AnyAudience bool     `json:"any_audience"`
	Audiences   []string `json:"audiences"`
	// Conditional is true when no witness is surely admitted and the subjects above are those
	// that may be (the verdict is Unknown: a condition on an aws:/sts: key, a symbol);
	// Symbolic when that depends on a value known only after deployment (a symbol).
	Conditional bool `json:"conditional"`
	Symbolic    bool `json:"symbolic"`
	// Statement is the index of the Allow statement that admits the broadest subject above
	// (the first one that does); -1 when nobody is admitted.
	Statement int `json:"statement"`
}

// Admits reports whether a ServiceAccount's subject is among the admitted ones (whatever the
// audience).
func (w *WebIdentityAssumers) Admits(subject string) bool {
	if slices.Contains(w.Except, subject) {
		return false
	}
	if w.AnySubject || slices.Contains(w.ServiceAccounts, subject) {
		return true
	}
	ns, _, ok := iam.ParseServiceAccountSubject(subject)
	if !ok {
		return false
	}
	if w.AnyServiceAccount || slices.Contains(w.Namespaces, ns) {
		return true
	}
	for _, p := range w.Patterns {
		if iam.GlobMatch(p, subject) {
			return true
		}
	}
	return false
}

// Nobody reports whether no subject is admitted.
func (w *WebIdentityAssumers) Nobody() bool {
	return !w.AnySubject && !w.AnyServiceAccount && len(w.Namespaces) == 0 && len(w.Patterns) == 0 && len(w.ServiceAccounts) == 0
}

// ServiceAssumer is whether a service principal can assume a role (sts:AssumeRole).
type ServiceAssumer struct {
	Service string  `json:"service"`
	Verdict Verdict `json:"verdict"`
}

// Witness values: a subject, namespace, name and audience no trust policy names (if one did,
// the witness would only stand for itself). WitnessName is also the owner, project and
// ServiceAccount of pkg/workload's probes.
const (
	WitnessName     = "irsa-audit-witness"
	witnessSubject  = "irsa-audit:witness"
	witnessAudience = "irsa-audit-witness-audience"
)

// WhoCanAssume computes the Assumers of a trust policy.
func WhoCanAssume(doc *snapshot.Document) Assumers {
	out := Assumers{WebIdentity: []WebIdentityAssumers{}, Services: []ServiceAssumer{}}
	if doc == nil {
		return out
	}
	var providers, services []string
	for i := range doc.Statements {
		st := &doc.Statements[i]
		if st.Principal == nil {
			continue
		}
		for _, f := range st.Principal.Federated {
			if _, ok := providerIssuer(f); ok {
				providers = append(providers, f)
			}
		}
		services = append(services, st.Principal.Service...)
	}
	slices.Sort(providers)
	for _, p := range slices.Compact(providers) {
		out.WebIdentity = append(out.WebIdentity, webIdentityAssumers(doc, p))
	}
	slices.Sort(services)
	for _, s := range slices.Compact(services) {
		out.Services = append(out.Services, ServiceAssumer{Service: s, Verdict: Evaluate(doc, Request{Service: s}).Verdict})
	}
	return out
}

// providerIssuer is the issuer of an IAM OIDC provider ARN, also of one whose account or issuer
// is known only after apply (a symbol, as IaC inputs write them).
func providerIssuer(arn string) (string, bool) {
	if p, ok := iam.ParseProviderARN(arn); ok {
		return p.Issuer, true
	}
	if !snapshot.HasSymbol(arn) {
		return "", false
	}
	a, ok := iam.ParseARN(arn)
	if !ok || a.Service != "iam" {
		return "", false
	}
	issuer, ok := strings.CutPrefix(a.Resource, "oidc-provider/")
	return issuer, ok && issuer != ""
}

// Instantiate turns an IAM wildcard pattern into a value it matches (a value without wildcards
// stands for itself).
func Instantiate(pattern string) string {
	if !iam.HasWildcard(pattern) {
		return pattern
	}
	return wildcardWitness.Replace(pattern)
}

// wildcardWitness replaces each wildcard with a run of characters it matches (immutable).
var wildcardWitness = strings.NewReplacer("*", WitnessName, "?", "x")

func webIdentityAssumers(doc *snapshot.Document, provider string) WebIdentityAssumers {
	issuer, _ := providerIssuer(provider)
	p := iam.ProviderARN{Issuer: issuer}
	w := WebIdentityAssumers{Provider: provider, Issuer: p.Issuer, Namespaces: []string{}, Patterns: []string{},
		ServiceAccounts: []string{}, Except: []string{}, Audiences: []string{}, Statement: -1}
	// The candidate values: every value of a condition on this issuer's sub and aud keys.
	subKey, audKey := iam.ClaimKey(p.Issuer, "sub"), iam.ClaimKey(p.Issuer, "aud")
	var subs, auds []string
	_, w.Kubernetes = iam.EKSIssuer(p.Issuer)
	for i := range doc.Statements {
		for _, c := range doc.Statements[i].Conditions {
			switch {
			case strings.EqualFold(c.Key, subKey):
				subs = append(subs, c.Values...)
				for _, v := range c.Values {
					w.Kubernetes = w.Kubernetes || strings.Contains(v, "system:serviceaccount:")
				}
			case strings.EqualFold(c.Key, audKey):
				auds = append(auds, c.Values...)
			}
		}
	}
	type witness struct {
		subject string
		kind    int // the order of the kinds below
		value   string
	}
	const (
		anySubject = iota
		anySA
		namespace
		pattern
		exact
	)
	ws := []witness{
		{witnessSubject, anySubject, ""},
		{iam.ServiceAccountSubject(WitnessName, WitnessName), anySA, ""},
	}
	namespaces := map[string]bool{}
	for _, v := range subs {
		if strings.Contains(v, "\n") {
			continue
		}
		sub := Instantiate(v)
		ns, _, ok := iam.ParseServiceAccountSubject(sub)
		// An exact subject of another issuer (a CI platform's "repo:org/app:environment:prod")
		// is a workload identity too; a Kubernetes issuer issues ServiceAccount subjects only.
		if (ok || !w.Kubernetes) && !iam.HasWildcard(v) {
			ws = append(ws, witness{v, exact, v})
		} else if iam.HasWildcard(v) {
			ws = append(ws, witness{sub, pattern, v})
		}
		if ok && !strings.Contains(ns, WitnessName) && !namespaces[ns] {
			namespaces[ns] = true
			ws = append(ws, witness{iam.ServiceAccountSubject(ns, WitnessName), namespace, ns})
		}
	}
	audiences := []string{witnessAudience, iam.DefaultAudience}
	for _, a := range auds {
		if iam.HasWildcard(a) {
			a = Instantiate(a)
		}
		audiences = append(audiences, a)
	}
	slices.Sort(audiences)
	audiences = slices.Compact(audiences)

	// Judge every witness subject with every audience; a subject's verdict is its best.
	best := make([]Result, len(ws))
	audBest := make(map[string]Verdict, len(audiences))
	sub, aud := make([]string, 1), make([]string, 1)
	req := Request{Federated: provider, Issuer: p.Issuer, Claims: map[string][]string{"sub": sub, "aud": aud}}
	for n, wt := range ws {
		best[n] = Result{Verdict: Refused, Statement: -1}
		for _, a := range audiences {
			sub[0], aud[0] = wt.subject, a
			r := Evaluate(doc, req)
			if rank(r.Verdict) > rank(best[n].Verdict) {
				best[n] = r
			}
			if rank(r.Verdict) > rank(audBest[a]) {
				audBest[a] = r.Verdict
			}
		}
	}
	want := Admitted
	if !slices.ContainsFunc(best, func(r Result) bool { return r.Verdict == Admitted }) {
		want, w.Conditional = Unknown, true
	}
	for a, v := range audBest {
		if v == want {
			if a == witnessAudience {
				w.AnyAudience = true
			} else {
				w.Audiences = append(w.Audiences, a)
			}
		}
	}
	if w.AnyAudience {
		w.Audiences = []string{}
	}
	slices.Sort(w.Audiences)
	// Classify the admitted witnesses, broadest first; exact subjects inside an admitted
	// scope that are refused are its exceptions.
	covered := func(sub string) bool {
		cp := w
		cp.Except = nil
		return cp.Admits(sub)
	}
	for _, kind := range []int{anySubject, anySA, namespace, pattern, exact} {
		for n, wt := range ws {
			if wt.kind != kind {
				continue
			}
			if best[n].Verdict != want {
				if kind == exact && covered(wt.subject) {
					w.Except = append(w.Except, wt.subject)
				}
				continue
			}
			if w.Statement < 0 {
				w.Statement = best[n].Statement
			}
			w.Symbolic = w.Symbolic || (w.Conditional && best[n].Symbolic)
			switch kind {
			case anySubject:
				w.AnySubject, w.AnyServiceAccount = true, true
			case anySA:
				w.AnyServiceAccount = true
			case namespace:
				if !w.AnyServiceAccount {
					w.Namespaces = append(w.Namespaces, wt.value)
				}
			case pattern:
				if !patternCovered(&w, wt.value) && (w.AnyServiceAccount || !covered(wt.subject)) {
					w.Patterns = append(w.Patterns, wt.value)
				}
			case exact:
				if !covered(wt.subject) {
					w.ServiceAccounts = append(w.ServiceAccounts, wt.subject)
				}
			}
		}
	}
	for _, s := range []*[]string{&w.Namespaces, &w.Patterns, &w.ServiceAccounts, &w.Except} {
		slices.Sort(*s)
		*s = slices.Compact(*s)
	}
	if w.Nobody() {
		w.Conditional, w.Symbolic = false, false
	}
	return w
}

// patternCovered: every ServiceAccount subject a pattern matches is in a scope w admits
// already (a pattern can match other strings too, which no Kubernetes token carries).
func patternCovered(w *WebIdentityAssumers, pattern string) bool {
	rest, ok := strings.CutPrefix(pattern, "system:serviceaccount:")
	if !ok || w.AnySubject {
		return w.AnySubject
	}
	ns, _, ok := strings.Cut(rest, ":")
	return ok && !iam.HasWildcard(ns) && slices.Contains(w.Namespaces, ns)
}

func rank(v Verdict) int {
	switch v {
	case Admitted:
		return 2
	case Unknown:
		return 1
	}
	return 0
}

// PodIdentityService is the service principal of the EKS Pod Identity agent.
const PodIdentityService = "pods.eks.amazonaws.com"

// Workload reports whether a workload identity may assume the role: the tokens of some OIDC
// provider are (or may be) admitted, or the EKS Pod Identity agent is (or may be).
func (a Assumers) Workload() bool {
	for i := range a.WebIdentity {
		if !a.WebIdentity[i].Nobody() {
			return true
		}
	}
	for _, s := range a.Services {
		if s.Service == PodIdentityService && s.Verdict != Refused {
			return true
		}
	}
	return false
}
