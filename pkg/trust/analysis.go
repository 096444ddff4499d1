package trust

import (
	"strings"
	"unicode/utf8"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Version is the version of the Analysis JSON format (input.trust).
const Version = "2"

// Analysis is the trust analysis of a snapshot. Its JSON form is what the evaluator puts at
// input.trust.
type Analysis struct {
	// Version is the analysis format version (Version).
	Version string `json:"version"`
	// Bindings has one entry per ServiceAccount, role and cluster where the ServiceAccount's
	// role_arn names the role (same account, same name regardless of case and path), the
	// ServiceAccount belongs to the cluster, the cluster has an issuer and the role has a trust
	// policy: exactly the triples lib/bindings.rego joins. Ordered by ServiceAccount, role,
	// cluster index.
	Bindings []Binding `json:"bindings"`
	// Roles says who can assume each role (WhoCanAssume of its trust policy), by index into
	// input.roles; Policies what each standalone policy file would admit as a trust policy, by
	// index into input.policies.
	Roles    []Assumers `json:"roles"`
	Policies []Assumers `json:"policies"`
	// AnySubject lists the entries of Roles' and Policies' WebIdentity that admit tokens of
	// any subject (AnySubject), in document order: the few the trust rules look at among
	// thousands.
	AnySubject []AssumerRef `json:"any_subject"`
	// OIDCStatements are the per-statement facts behind lib/irsa.rego's documents for the
	// trust rules (oidc_statements, web_identity, provider_conditions): see OIDCStatement.
	OIDCStatements []OIDCStatement `json:"-"`
	// Index holds lib/bindings.rego's indexes (see Index).
	Index *Index `json:"-"`
}

// AssumerRef names an entry of Analysis.Roles or Analysis.Policies: Kind "role" or "policy",
// Index into that list, Entry into its WebIdentity.
type AssumerRef struct {
	Kind  string `json:"kind"`
	Index int    `json:"index"`
	Entry int    `json:"entry"`
}

// Binding is the admission verdict of one ServiceAccount's token for one role it names.
type Binding struct {
	// ServiceAccount, Role and Cluster are indexes into input.service_accounts, input.roles
	// and input.clusters.
	ServiceAccount int `json:"service_account"`
	Role           int `json:"role"`
	Cluster        int `json:"cluster"`
	// Verdict is what the role's trust policy says about the token the pod identity webhook
	// projects for the ServiceAccount in that cluster (issuer the cluster's, subject
	// system:serviceaccount:<namespace>:<name>, audience the eks.amazonaws.com/audience
	// annotation or sts.amazonaws.com), through the provider of that issuer in the role's
	// account: Evaluate.
	Verdict Verdict `json:"verdict"`
}

// Analyze computes who can assume each role and what each policy file would admit
// (WhoCanAssume), the verdict of every ServiceAccount-role binding of snap (Evaluate), the
// statement facts of lib/irsa and the indexes of lib/bindings.
func Analyze(snap *snapshot.Snapshot) *Analysis {
	a := &Analysis{Version: Version, Bindings: []Binding{}, Roles: []Assumers{}, Policies: []Assumers{}, AnySubject: []AssumerRef{}, OIDCStatements: OIDCStatements(snap)}
	if snap == nil {
		a.Index = BuildIndex(snap, nil)
		return a
	}
	// The issuers of the snapshot's clusters are Kubernetes issuers, symbols included: a
	// trust to a cluster Terraform has yet to create names its issuer by the same symbol.
	clusterIssuers := map[string]bool{}
	for k := range snap.Clusters {
		if iss := snap.Clusters[k].Issuer; iss != "" {
			clusterIssuers[strings.ToLower(iam.NormalizeIssuer(valid(iss)))] = true
		}
	}
	kube := func(as Assumers) Assumers {
		for n := range as.WebIdentity {
			w := &as.WebIdentity[n]
			w.Kubernetes = w.Kubernetes || clusterIssuers[strings.ToLower(w.Issuer)]
		}
		return as
	}
	for i := range snap.Roles {
		a.Roles = append(a.Roles, kube(WhoCanAssume(snap.Roles[i].TrustPolicy)))
	}
	for i := range snap.Policies {
		a.Policies = append(a.Policies, kube(WhoCanAssume(&snap.Policies[i].Document)))
	}
	anySubject := func(kind string, all []Assumers) {
		for i := range all {
			for n := range all[i].WebIdentity {
				if all[i].WebIdentity[n].AnySubject {
					a.AnySubject = append(a.AnySubject, AssumerRef{Kind: kind, Index: i, Entry: n})
				}
			}
		}
	}
	anySubject("role", a.Roles)
	anySubject("policy", a.Policies)
	for n := range a.OIDCStatements {
		f := &a.OIDCStatements[n]
		var who Assumers
		switch {
		case f.Kind == "role" && f.Index < len(a.Roles):
			who = a.Roles[f.Index]
		case f.Kind == "policy" && f.Index < len(a.Policies):
			who = a.Policies[f.Index]
		}
		for m := range f.WebIdentity {
			w := &f.WebIdentity[m]
			for _, x := range who.WebIdentity {
				if x.Provider == w.Provider {
					w.AnyAudience = x.AnyAudience
				}
			}
		}
	}
	x := BuildIndex(snap, a.Roles)
	a.Index = x
	rolesByKey := make(map[string][]int, len(x.RolesByKey))
	for key, roles := range x.RolesByKey {
		for _, r := range roles {
			if snap.Roles[r].TrustPolicy != nil { // the rules read role.trust_policy: undefined, no verdict
				rolesByKey[key] = append(rolesByKey[key], r)
			}
		}
	}
	clustersByID := make(map[string][]int)
	for k := range snap.Clusters {
		if c := &snap.Clusters[k]; c.Issuer != "" {
			id := valid(c.ID)
			clustersByID[id] = append(clustersByID[id], k)
		}
	}
	for i := range snap.ServiceAccounts {
		sa := &snap.ServiceAccounts[i]
		key, ok := x.RoleKey[i]
		if !ok {
			continue
		}
		roles, clusters := rolesByKey[key], clustersByID[valid(sa.Cluster)]
		if len(roles) == 0 || len(clusters) == 0 {
			continue
		}
		audience, ok := sa.Annotations[iam.AudienceAnnotation]
		if !ok {
			audience = iam.DefaultAudience
		}
		for _, r := range roles {
			role := &snap.Roles[r]
			for _, k := range clusters {
				issuer := valid(snap.Clusters[k].Issuer)
				provider, ok := iam.ProviderFor(valid(role.ARN), issuer)
				if !ok {
					continue
				}
				token := ServiceAccountToken(provider, issuer, valid(sa.Namespace), valid(sa.Name), valid(audience))
				a.Bindings = append(a.Bindings, Binding{
					ServiceAccount: i,
					Role:           r,
					Cluster:        k,
					Verdict:        Evaluate(role.TrustPolicy, token).Verdict,
				})
			}
		}
	}
	return a
}

// valid replaces every invalid UTF-8 byte with U+FFFD, as encoding/json (and the evaluator's
// input conversion) does, so that Go compares the strings the rules see.
func valid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
