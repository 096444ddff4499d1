package trust

import (
	"regexp"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// OIDCStatement is the Go form of one entry of lib/irsa.rego's oidc_statements: an Allow
// statement of a trust document (a standalone policy file or a role's trust policy) whose
// Principal.Federated names at least one IAM OIDC provider, with what lib/irsa derives from it
// for the trust rules. The rules read the statement itself from input; these are only the
// derived facts.
type OIDCStatement struct {
	// Kind is "policy" (the statement is input.policies[Index].document.statements[Statement])
	// or "role" (input.roles[Index].trust_policy.statements[Statement]).
	Kind      string `json:"kind"`
	Index     int    `json:"index"`
	Statement int    `json:"statement"`
	// Providers maps each OIDC provider ARN of Principal.Federated to its issuer
	// (irsa.oidc_providers).
	Providers map[string]string `json:"providers"`
	// WebIdentity has one entry per provider of a Kubernetes issuer when the statement allows
	// sts:AssumeRoleWithWebIdentity (irsa.web_identity), in provider ARN order; empty otherwise.
	WebIdentity []WebIdentity `json:"web_identity"`
}

// WebIdentity is one provider of a web-identity statement (an entry of irsa.web_identity).
type WebIdentity struct {
	Provider string `json:"provider"`
	Issuer   string `json:"issuer"`
	// Conditions are the statement's condition entries on this issuer's "sub" or "aud" key
	// (irsa.provider_conditions), in statement order.
	Conditions []ProviderCondition `json:"conditions"`
}

// ProviderCondition names one condition entry of a statement on a provider's own claim.
type ProviderCondition struct {
	// Index is the entry's index in the statement's conditions.
	Index int `json:"index"`
	// Claim is "sub" or "aud".
	Claim string `json:"claim"`
}

// The regular expressions of lib/irsa.rego, verbatim: Go's regexp is the engine OPA's regex
// built-ins use, so the facts match on the same strings (newlines, case folding included).
var (
	oidcProviderRE = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[^:]*:oidc-provider/(.+)$`)
	eksIssuerRE    = regexp.MustCompile(`(?i)^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/[0-9a-z]+$`)
	issuerKeyRE    = regexp.MustCompile(`^(.*[./].*):((?i:sub|aud))$`)
)

// webIdentityAction is the action an IRSA trust statement must allow.
const webIdentityAction = "sts:AssumeRoleWithWebIdentity"

// OIDCStatements computes the oidc_statements facts of snap: the standalone policy files first,
// then the roles, each in statement order.
func OIDCStatements(snap *snapshot.Snapshot) []OIDCStatement {
	out := []OIDCStatement{}
	if snap == nil {
		return out
	}
	for i := range snap.Policies {
		out = appendOIDC(out, "policy", i, &snap.Policies[i].Document)
	}
	for i := range snap.Roles {
		if doc := snap.Roles[i].TrustPolicy; doc != nil {
			out = appendOIDC(out, "role", i, doc)
		}
	}
	return out
}

func appendOIDC(out []OIDCStatement, kind string, index int, doc *snapshot.Document) []OIDCStatement {
	for j := range doc.Statements {
		st := &doc.Statements[j]
		if valid(st.Effect) != "Allow" || st.Principal == nil {
			continue
		}
		providers := map[string]string{}
		for _, arn := range st.Principal.Federated {
			arn = valid(arn)
			if issuer, ok := OIDCIssuer(arn); ok {
				providers[arn] = issuer
			}
		}
		if len(providers) == 0 {
			continue
		}
		os := OIDCStatement{Kind: kind, Index: index, Statement: j, Providers: providers, WebIdentity: []WebIdentity{}}
		if CoversAction(st, webIdentityAction) {
			keys := conditionKeys(st)
			for _, arn := range sortedKeys(providers) {
				issuer := providers[arn]
				if !kubernetesIssuer(issuer, st, keys) {
					continue
				}
				wi := WebIdentity{Provider: arn, Issuer: issuer, Conditions: []ProviderCondition{}}
				for k, key := range keys {
					if key.ok && strings.ToLower(key.issuer) == strings.ToLower(issuer) {
						wi.Conditions = append(wi.Conditions, ProviderCondition{Index: k, Claim: key.claim})
					}
				}
				os.WebIdentity = append(os.WebIdentity, wi)
			}
		}
		out = append(out, os)
	}
	return out
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
	issuer, claim string
	ok            bool
}

func conditionKeys(st *snapshot.Statement) []issuerKey {
	keys := make([]issuerKey, len(st.Conditions))
	for k := range st.Conditions {
		if m := issuerKeyRE.FindStringSubmatch(valid(st.Conditions[k].Key)); m != nil {
			keys[k] = issuerKey{issuer: m[1], claim: strings.ToLower(m[2]), ok: true}
		}
	}
	return keys
}

// kubernetesIssuer is irsa.is_kubernetes_issuer: an EKS issuer, or an issuer whose "sub"
// conditions name a ServiceAccount subject.
func kubernetesIssuer(issuer string, st *snapshot.Statement, keys []issuerKey) bool {
	if eksIssuerRE.MatchString(issuer) {
		return true
	}
	for k, key := range keys {
		if !key.ok || key.claim != "sub" || strings.ToLower(key.issuer) != strings.ToLower(issuer) {
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
