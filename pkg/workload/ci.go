package workload

import (
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/trust"
)

// Resource names what holds a trust policy, as a finding does.
type Resource struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// CITrust is what a trust policy admits from one CI platform's OIDC provider.
type CITrust struct {
	Resource Resource `json:"resource"`
	// Path is the path into the input of the first Allow statement that may admit the
	// platform's tokens.
	Path     []any  `json:"path"`
	Provider string `json:"provider"`
	// Issuer is the provider's issuer as in its ARN.
	Issuer   string `json:"issuer"`
	Platform string `json:"platform"`
	// PlatformName, Project and OwnerKind word the platform in messages.
	PlatformName string `json:"platform_name"`
	Project      string `json:"project"`
	OwnerKind    string `json:"owner_kind"`
	// Shared is true when every customer of the platform gets tokens of this issuer;
	// Space names who does ("github.com", "enterprise acme", a GHES host).
	Shared bool   `json:"shared"`
	Space  string `json:"space"`
	// SubjectCondition is true when an Allow statement that may admit the tokens has a
	// condition on the issuer's "sub" key.
	SubjectCondition bool `json:"subject_condition"`
	// RefusedSince is set for a trust in a shared issuer without a subject condition that IAM
	// has refused to create or update since then (Platform.SubRequiredSince): it is legacy.
	RefusedSince string `json:"refused_since,omitempty"`
	// AnyTenant is true when the trust admits tokens of a project of an owner it does not name
	// (probed with tokens of every kind of run the platform issues).
	AnyTenant bool `json:"any_tenant"`
	// Owners are the owners named in the "sub" conditions every project of whom is admitted
	// (a token of a project the trust does not name is), sorted.
	Owners []string `json:"owners"`
	// Audience is "pinned" (tokens of an audience other than the expected one are refused),
	// "missing" (tokens of any audience are admitted), or "wrong" (tokens of the platform's
	// default audience are refused; only for platforms with one).
	Audience         string `json:"audience"`
	ExpectedAudience string `json:"expected_audience,omitempty"`
	// Role is the index in input.roles of the role whose trust this is; -1 for a policy file.
	Role int `json:"role"`
	// Refs are, per repository the "sub" conditions name exactly, the kinds of its runs the
	// trust admits without naming them ("any branch", "pull requests"), sorted by repository.
	Refs []RepositoryRefs `json:"refs"`
	// Workflows are the reusable workflows the trust's workflow claim conditions name (GitHub's
	// job_workflow_ref), as written, sorted. The probes call them: AnyTenant and Owners then
	// say which repositories can assume the role by calling one.
	Workflows []string `json:"workflows"`
}

// RepositoryRefs are the kinds of runs of one repository a trust admits.
type RepositoryRefs struct {
	Repository string   `json:"repository"`
	Admitted   []string `json:"admitted"`
}

// CITrusts judges every trust policy of snap (roles, then standalone policy files) that trusts
// a CI platform's OIDC provider, one entry per document and provider, in input order.
func CITrusts(snap *snapshot.Snapshot) []CITrust {
	out := []CITrust{}
	for tr := range trustProviders(snap) {
		if t, ok := ciTrust(tr.doc, tr.res, tr.base, tr.provider); ok {
			t.Role = tr.role
			out = append(out, t)
		}
	}
	return out
}

// trustProvider is one IAM OIDC provider (or other federated principal) that a trust document
// names in an Allow statement.
type trustProvider struct {
	doc      *snapshot.Document
	res      Resource
	base     []any // the path of doc in the input
	role     int   // the index in input.roles; -1 for a policy file
	provider string
}

// trustProviders yields, for every trust document of snap (role trust policies, then
// standalone policy files), each federated principal its Allow statements name, once per
// document, in order.
func trustProviders(snap *snapshot.Snapshot) iter.Seq[trustProvider] {
	return func(yield func(trustProvider) bool) {
		each := func(doc *snapshot.Document, res Resource, base []any, role int) bool {
			if doc == nil {
				return true
			}
			var seen []string
			for _, st := range doc.Statements {
				if st.Effect != "Allow" || st.Principal == nil {
					continue
				}
				for _, provider := range st.Principal.Federated {
					if slices.Contains(seen, provider) {
						continue
					}
					seen = append(seen, provider)
					if !yield(trustProvider{doc, res, base, role, provider}) {
						return false
					}
				}
			}
			return true
		}
		for i := range snap.Roles {
			r := &snap.Roles[i]
			if !each(r.TrustPolicy, Resource{Kind: "role", ID: r.ARN}, []any{"roles", i, "trust_policy"}, i) {
				return
			}
		}
		for i := range snap.Policies {
			p := &snap.Policies[i]
			if !each(&p.Document, Resource{Kind: "policy", ID: p.ID}, []any{"policies", i, "document"}, -1) {
				return
			}
		}
	}
}

func ciTrust(doc *snapshot.Document, res Resource, base []any, provider string) (CITrust, bool) {
	// The account may be a symbol (a template's AWS::AccountId): the issuer decides.
	parsed, ok := iam.ParseProviderARN(provider)
	if a, isARN := iam.ParseARN(provider); !ok && isARN && a.Service == "iam" {
		parsed.Issuer, ok = strings.CutPrefix(a.Resource, "oidc-provider/")
	}
	if !ok || snapshot.HasSymbol(parsed.Issuer) {
		return CITrust{}, false
	}
	p, shared, space, ok := PlatformOf(parsed.Issuer)
	if !ok {
		return CITrust{}, false
	}
	allowing := trust.Matching(doc, probeToken(provider, parsed.Issuer, nil, nil))
	if len(allowing) == 0 {
		return CITrust{}, false
	}
	t := CITrust{
		Resource: res, Path: append(slices.Clone(base), "statements", allowing[0]), Provider: provider, Issuer: parsed.Issuer,
		Platform: p.ID, PlatformName: p.Name, Project: p.Project, OwnerKind: p.OwnerKind, Shared: shared, Space: space,
		Owners: []string{}, ExpectedAudience: p.Audience, Refs: []RepositoryRefs{}, Workflows: []string{},
	}
	subKey := strings.ToLower(parsed.Issuer) + ":sub"
	audKey := strings.ToLower(parsed.Issuer) + ":aud"
	workflowKey := ""
	if p.workflowClaim != "" {
		workflowKey = strings.ToLower(parsed.Issuer) + ":" + p.workflowClaim
	}
	var owners, repos []string
	// A job chooses the audience of its token: the probes try the platform's default, every
	// audience the trust names, and one it does not.
	audiences := []string{witnessName + "-audience"}
	if p.Audience != "" {
		audiences = append(audiences, p.Audience)
	}
	for _, s := range allowing {
		for _, c := range doc.Statements[s].Conditions {
			switch strings.ToLower(c.Key) {
			case subKey:
				t.SubjectCondition = true
				for _, v := range c.Values {
					if o, ok := p.owner(v); ok && !slices.Contains(owners, o) {
						owners = append(owners, o)
					}
					if p.repository == nil {
						continue
					}
					if r, ok := p.repository(v); ok && !slices.Contains(repos, r) {
						repos = append(repos, r)
					}
				}
			case audKey:
				for _, v := range c.Values {
					if !slices.Contains(audiences, v) {
						audiences = append(audiences, v)
					}
				}
			case workflowKey:
				for _, v := range c.Values {
					if !slices.Contains(t.Workflows, v) {
						t.Workflows = append(t.Workflows, v)
					}
				}
			}
		}
	}
	slices.Sort(t.Workflows)
	// A probe job calls each reusable workflow the trust names (or none): its token carries
	// the workflow claim with that value.
	calls := []map[string][]string{nil}
	for _, w := range t.Workflows {
		calls = append(calls, map[string][]string{p.workflowClaim: {trust.Instantiate(w)}})
	}
	admits := func(subs []string) bool {
		for _, sub := range subs {
			for _, aud := range audiences {
				for _, call := range calls {
					r := probeToken(provider, parsed.Issuer, []string{sub}, []string{aud})
					maps.Copy(r.Claims, call)
					if admitted(doc, r) {
						return true
					}
				}
			}
		}
		return false
	}
	if shared && !t.SubjectCondition {
		t.RefusedSince = p.SubRequiredSince
	}
	t.AnyTenant = admits(p.subjects(witnessName, witnessName)) || admits(p.subjects(witnessName+"@1", witnessName+"@2"))
	if !t.AnyTenant {
		for _, o := range owners {
			project := witnessName
			if strings.Contains(o, "@") {
				project += "@1" // GitHub's immutable form names the repository by id too
			}
			if admits(p.subjects(o, project)) {
				t.Owners = append(t.Owners, o)
			}
		}
		slices.Sort(t.Owners)
		slices.Sort(repos)
		for _, r := range repos {
			rr := RepositoryRefs{Repository: r, Admitted: []string{}}
			for _, ref := range p.refs(r) {
				if admits([]string{ref.Subject}) {
					rr.Admitted = append(rr.Admitted, ref.What)
				}
			}
			if len(rr.Admitted) > 0 {
				t.Refs = append(t.Refs, rr)
			}
		}
	}
	// The audience, with the subject left unknown: refused for a stranger's audience means
	// pinned; refused for the platform's own audience means wrong.
	audienceOnly := func(a string) trust.Verdict {
		return trust.Evaluate(doc, probeToken(provider, parsed.Issuer, nil, []string{a})).Verdict
	}
	switch {
	case p.Audience != "" && audienceOnly(p.Audience) == trust.Refused:
		t.Audience = "wrong"
	case audienceOnly(witnessName+"-audience") != trust.Refused:
		t.Audience = "missing"
	default:
		t.Audience = "pinned"
	}
	return t, true
}
