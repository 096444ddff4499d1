package trust

import (
	"regexp"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// OIDCStatement is the Go form of one entry of lib/irsa.rego's oidc_statements: an Allow
// statement of a trust document (a standalone policy file or a role's trust policy) whose
// Principal.Federated names at least one IAM OIDC provider, with the facts lib/irsa gives the
// trust rules about it. The statement itself is in the input; these are only the derived facts,
// which pkg/eval turns into lib/irsa's entries.
type OIDCStatement struct {
	// Kind is "policy" (the statement is input.policies[Index].document.statements[Statement])
	// or "role" (input.roles[Index].trust_policy.statements[Statement]).
	Kind      string
	Index     int
	Statement int
	// Providers maps each OIDC provider ARN of Principal.Federated to its issuer
	// (irsa.oidc_providers).
	Providers map[string]string
	// WebIdentityAction is true when the statement allows sts:AssumeRoleWithWebIdentity
	// (irsa.covers_action).
	WebIdentityAction bool
	// OtherActions is true when the statement allows an action besides
	// sts:AssumeRoleWithWebIdentity and sts:TagSession (names compared in lower case), or uses
	// NotAction (irsa.other_actions).
	OtherActions bool
	// Keys are the statement's condition entries whose key is an OIDC claim key
	// "<issuer>:sub" or "<issuer>:aud" (irsa.issuer_key), in statement order; lib/irsa's
	// untrusted_keys are those that are not Trusted.
	Keys []IssuerKey
	// PrincipalIssuers are the issuers of every Federated principal in lower case, the
	// principal itself for one that is no OIDC provider ARN; sorted, no duplicates.
	PrincipalIssuers []string
	// KubernetesIssuers are the issuers of Providers and Keys, in lower case, that are
	// Kubernetes issuers (EKS issuers, the snapshot's cluster issuers, or named by the sub values
	// of the statement's conditions); sorted, no duplicates.
	KubernetesIssuers []string
	// Blocking maps each provider ARN of Providers to the other issuers, as written, whose keys
	// carry a blocking condition; sorted, no duplicates.
	Blocking map[string][]string
	// WebIdentity has one entry per provider of a Kubernetes issuer when the statement allows
	// sts:AssumeRoleWithWebIdentity (irsa.web_identity), in provider ARN order; empty otherwise.
	WebIdentity []WebIdentity
}

// IssuerKey is one condition entry on an OIDC claim key.
type IssuerKey struct {
	// Index is the entry's index in the statement's conditions.
	Index int
	// Issuer is the key's issuer as written; Claim is "sub" or "aud".
	Issuer, Claim string
	// Blocking is true when the condition fails for a request without the key
	// (iam.FailsWhenAbsent): it refuses the tokens of every other issuer.
	Blocking bool
	// Trusted is true when the issuer, in lower case, is one of PrincipalIssuers.
	Trusted bool
}

// WebIdentity is one provider of a web-identity statement (an entry of irsa.web_identity).
type WebIdentity struct {
	Provider string
	Issuer   string
	// Claims are the claims ("aud", "sub") that carry a condition on this issuer's keys;
	// sorted.
	Claims []string
	// Blocking are the issuers, as written, other than this one whose keys carry a blocking
	// condition (irsa.other_issuers_blocking); sorted, no duplicates.
	Blocking []string
	// Conditions are the statement's condition entries on this issuer's "sub" or "aud" key
	// (irsa.provider_conditions), in statement order.
	Conditions []ProviderCondition
	// AnyAudience is true when the trust model of the statement's document admits tokens of
	// any audience from the provider (Assumers.WebIdentity's AnyAudience); set by Analyze.
	AnyAudience bool
}

// ProviderCondition names one condition entry of a statement on a provider's own claim.
type ProviderCondition struct {
	// Index is the entry's index in the statement's conditions.
	Index int
	// Claim is "sub" or "aud".
	Claim string
	// Lenient is true when the entry can hold whatever the claim's value is: a negated
	// operator, IfExists, ForAllValues, or Null (irsa.lenient_conditions).
	Lenient bool
	// Wildcard is true when one of its values has an IAM wildcard, "*" or "?"
	// (irsa.wildcard_conditions).
	Wildcard bool
	// OtherAudience is true for an entry on "aud" with a value other than
	// sts.amazonaws.com, the audience of IRSA tokens (irsa.other_audiences).
	OtherAudience bool
}

// The regular expressions of lib/irsa.rego, verbatim: Go's regexp is the engine OPA's regex
// built-ins use, so the facts match on the same strings (newlines, case folding included).
var (
	oidcProviderRE = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[^:]*:oidc-provider/(.+)$`)
	eksIssuerRE    = regexp.MustCompile(`(?i)^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/[0-9a-z]+$`)
	issuerKeyRE    = regexp.MustCompile(`^(.*[./].*):((?i:sub|aud))$`)
)

// OIDCStatements computes the oidc_statements facts of snap: the standalone policy files first,
// then the roles, each in statement order.
func OIDCStatements(snap *snapshot.Snapshot) []OIDCStatement {
	out := []OIDCStatement{}
	if snap == nil {
		return out
	}
	m := newMatches()
	for k := range snap.Clusters {
		if iss := snap.Clusters[k].Issuer; iss != "" {
			m.clusters[strings.ToLower(iam.NormalizeIssuer(valid(iss)))] = true
		}
	}
	for i := range snap.Policies {
		out = m.appendOIDC(out, "policy", i, &snap.Policies[i].Document)
	}
	for i := range snap.Roles {
		if doc := snap.Roles[i].TrustPolicy; doc != nil {
			out = m.appendOIDC(out, "role", i, doc)
		}
	}
	return out
}

// matches caches the regular expression matches of one analysis: an estate repeats a few
// provider ARNs, condition keys and issuers in thousands of statements.
type matches struct {
	issuers map[string]oidcIssuer
	keys    map[string]issuerKey
	eks     map[string]bool
	// clusters are the lower-case issuers of the snapshot's clusters: Kubernetes issuers.
	clusters map[string]bool
}

type oidcIssuer struct {
	issuer string
	ok     bool
}

func newMatches() *matches {
	return &matches{issuers: map[string]oidcIssuer{}, keys: map[string]issuerKey{}, eks: map[string]bool{}, clusters: map[string]bool{}}
}

func (m *matches) oidcIssuer(arn string) (string, bool) {
	r, ok := m.issuers[arn]
	if !ok {
		r.issuer, r.ok = OIDCIssuer(arn)
		m.issuers[arn] = r
	}
	return r.issuer, r.ok
}

func (m *matches) issuerKey(key string) issuerKey {
	r, ok := m.keys[key]
	if !ok {
		if sm := issuerKeyRE.FindStringSubmatch(key); sm != nil {
			r = issuerKey{issuer: sm[1], lower: strings.ToLower(sm[1]), claim: strings.ToLower(sm[2]), ok: true}
		}
		m.keys[key] = r
	}
	return r
}

func (m *matches) eksIssuer(issuer string) bool {
	r, ok := m.eks[issuer]
	if !ok {
		r = eksIssuerRE.MatchString(issuer)
		m.eks[issuer] = r
	}
	return r
}

func (m *matches) appendOIDC(out []OIDCStatement, kind string, index int, doc *snapshot.Document) []OIDCStatement {
	for j := range doc.Statements {
		st := &doc.Statements[j]
		if valid(st.Effect) != "Allow" || st.Principal == nil {
			continue
		}
		providers := map[string]string{}
		var principals []string
		for _, arn := range st.Principal.Federated {
			arn = valid(arn)
			issuer, ok := m.oidcIssuer(arn)
			if ok {
				providers[arn] = issuer
			} else {
				issuer = arn
			}
			principals = append(principals, strings.ToLower(issuer))
		}
		if len(providers) == 0 {
			continue
		}
		keys := m.conditionKeys(st)
		os := OIDCStatement{
			Kind:              kind,
			Index:             index,
			Statement:         j,
			Providers:         providers,
			WebIdentityAction: iam.CoversAction(st.Actions, st.NotActions, WebIdentityAction),
			OtherActions:      otherActions(st),
			Keys:              []IssuerKey{},
			PrincipalIssuers:  sortedSet(principals),
			WebIdentity:       []WebIdentity{},
		}
		var candidates []string
		for _, issuer := range providers {
			candidates = append(candidates, issuer)
		}
		for _, key := range keys {
			if key.ok {
				os.Keys = append(os.Keys, IssuerKey{
					Index:    key.index,
					Issuer:   key.issuer,
					Claim:    key.claim,
					Blocking: failsWhenMissing(&st.Conditions[key.index]),
					Trusted:  slices.Contains(os.PrincipalIssuers, key.lower),
				})
				candidates = append(candidates, key.issuer)
			}
		}
		os.Blocking = make(map[string][]string, len(providers))
		for arn, issuer := range providers {
			var blocking []string
			lower := strings.ToLower(issuer)
			for n, key := range os.Keys {
				if key.Blocking && keys[key.Index].lower != lower {
					blocking = append(blocking, os.Keys[n].Issuer)
				}
			}
			os.Blocking[arn] = sortedSet(blocking)
		}
		var kube []string
		for _, issuer := range candidates {
			if m.kubernetesIssuer(issuer, st, keys) {
				kube = append(kube, strings.ToLower(issuer))
			}
		}
		os.KubernetesIssuers = sortedSet(kube)
		if os.WebIdentityAction {
			for _, arn := range sortedKeys(providers) {
				issuer := providers[arn]
				lower := strings.ToLower(issuer)
				if _, ok := slices.BinarySearch(os.KubernetesIssuers, lower); !ok {
					continue // KubernetesIssuers judged every provider's issuer already
				}
				wi := WebIdentity{Provider: arn, Issuer: issuer, Conditions: []ProviderCondition{}}
				var claims []string
				for _, key := range os.Keys {
					if keys[key.Index].lower == lower {
						wi.Conditions = append(wi.Conditions, providerCondition(&st.Conditions[key.Index], key.Index, key.Claim))
						claims = append(claims, key.Claim)
					}
				}
				wi.Claims, wi.Blocking = sortedSet(claims), os.Blocking[arn]
				os.WebIdentity = append(os.WebIdentity, wi)
			}
		}
		out = append(out, os)
	}
	return out
}

// failsWhenMissing: the condition is false for a request without its key (iam.FailsWhenAbsent),
// so a condition on another issuer's key refuses every token of this one.
func failsWhenMissing(c *snapshot.Condition) bool {
	op := iam.Operator{Name: c.BaseOperator, Qualifier: c.Qualifier, IfExists: c.IfExists, Negated: c.Negated, Known: c.Known}
	return iam.FailsWhenAbsent(op, c.Values)
}

// sortedSet sorts ss and drops duplicates; never nil.
func sortedSet(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	slices.Sort(ss)
	return slices.Compact(ss)
}

// OIDCIssuer is irsa.oidc_issuer: the issuer of an IAM OIDC provider ARN.
func OIDCIssuer(arn string) (string, bool) {
	m := oidcProviderRE.FindStringSubmatch(arn)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// issuerKey is irsa.issuer_key of one condition key; ok is false where that is undefined.
type issuerKey struct {
	index                int
	issuer, lower, claim string // lower is the issuer in lower case
	ok                   bool
}

func (m *matches) conditionKeys(st *snapshot.Statement) []issuerKey {
	keys := make([]issuerKey, len(st.Conditions))
	for k := range st.Conditions {
		keys[k] = m.issuerKey(valid(st.Conditions[k].Key))
		keys[k].index = k
	}
	return keys
}

// kubernetesIssuer: an EKS issuer, the issuer of a cluster of the snapshot (symbols included),
// or an issuer whose "sub" conditions name a ServiceAccount subject.
func (m *matches) kubernetesIssuer(issuer string, st *snapshot.Statement, keys []issuerKey) bool {
	if m.eksIssuer(issuer) || m.clusters[strings.ToLower(issuer)] {
		return true
	}
	for k, key := range keys {
		if !key.ok || key.claim != "sub" || key.lower != strings.ToLower(issuer) {
			continue
		}
		for _, v := range st.Conditions[k].Values {
			if strings.Contains(valid(v), "system:serviceaccount:") {
				return true
			}
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// providerCondition describes condition entry i of a statement, on a provider's claim.
func providerCondition(c *snapshot.Condition, i int, claim string) ProviderCondition {
	pc := ProviderCondition{
		Index:   i,
		Claim:   claim,
		Lenient: c.Negated || c.IfExists || valid(c.Qualifier) == "ForAllValues" || valid(c.BaseOperator) == "Null",
	}
	for _, v := range c.Values {
		v = valid(v)
		pc.Wildcard = pc.Wildcard || strings.ContainsAny(v, "*?")
		pc.OtherAudience = pc.OtherAudience || claim == "aud" && v != iam.DefaultAudience
	}
	return pc
}

// otherActions reports whether a statement allows an action besides the two a web-identity
// trust needs, or uses NotAction (OIDCStatement.OtherActions).
func otherActions(st *snapshot.Statement) bool {
	if len(st.NotActions) > 0 {
		return true
	}
	for _, a := range st.Actions {
		if a := strings.ToLower(valid(a)); a != "sts:assumerolewithwebidentity" && a != "sts:tagsession" {
			return true
		}
	}
	return false
}
