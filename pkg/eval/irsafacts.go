package eval

import (
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/irsa-audit/irsa-audit/pkg/trust"
)

// irsaFacts builds the documents of policies/lib/irsa.rego (trust_statements, oidc_statements,
// web_identity, provider_conditions) from pkg/trust's facts, for input.trust.irsa. The entries
// are those the library derives in Rego from an input without them, in the same order, and
// their statements and conditions are the input's own terms, not copies.
func irsaFacts(in ast.Object, facts []trust.OIDCStatement) ast.Object {
	var (
		statements []*ast.Term
		byPath     = map[trustStatement]ast.Object{}
	)
	add := func(kind, resourceKey, documentKey string, i int, res *ast.Term, doc ast.Value) {
		docObj, ok := doc.(ast.Object)
		if !ok || res == nil {
			return
		}
		arr, ok := member(docObj, "statements").(*ast.Array)
		if !ok {
			return
		}
		resource := ast.ObjectTerm(
			ast.Item(ast.StringTerm("kind"), ast.StringTerm(kind)),
			ast.Item(ast.StringTerm("id"), res),
		)
		for j := range arr.Len() {
			path := ast.ArrayTerm(ast.StringTerm(resourceKey), ast.InternedTerm(i), ast.StringTerm(documentKey), ast.StringTerm("statements"), ast.InternedTerm(j))
			entry := ast.NewObject(
				ast.Item(ast.StringTerm("resource"), resource),
				ast.Item(ast.StringTerm("path"), path),
				ast.Item(ast.StringTerm("statement"), arr.Elem(j)),
			)
			statements = append(statements, ast.NewTerm(entry))
			byPath[trustStatement{kind, i, j}] = entry
		}
	}
	if policies, ok := member(in, "policies").(*ast.Array); ok {
		for i := range policies.Len() {
			if p, ok := policies.Elem(i).Value.(ast.Object); ok {
				add("policy", "policies", "document", i, p.Get(ast.StringTerm("id")), member(p, "document"))
			}
		}
	}
	if roles, ok := member(in, "roles").(*ast.Array); ok {
		for i := range roles.Len() {
			if r, ok := roles.Elem(i).Value.(ast.Object); ok {
				add("role", "roles", "trust_policy", i, r.Get(ast.StringTerm("arn")), member(r, "trust_policy"))
			}
		}
	}

	var oidc, webIdentity, providerConditions []*ast.Term
	for _, f := range facts {
		ts, ok := byPath[trustStatement{f.Kind, f.Index, f.Statement}]
		if !ok {
			continue // no resource id: the Rego derivation has no entry either
		}
		resource, path, statement := ts.Get(ast.StringTerm("resource")), ts.Get(ast.StringTerm("path")), ts.Get(ast.StringTerm("statement"))
		providers, blocking := ast.NewObject(), ast.NewObject()
		for arn, issuer := range f.Providers {
			providers.Insert(ast.StringTerm(arn), ast.StringTerm(issuer))
			blocking.Insert(ast.StringTerm(arn), stringsTerm(f.Blocking[arn]))
		}
		keys := make([]*ast.Term, len(f.Keys))
		for k, key := range f.Keys {
			keys[k] = ast.ObjectTerm(
				ast.Item(ast.StringTerm("index"), ast.InternedTerm(key.Index)),
				ast.Item(ast.StringTerm("issuer"), ast.StringTerm(key.Issuer)),
				ast.Item(ast.StringTerm("claim"), ast.StringTerm(key.Claim)),
				ast.Item(ast.StringTerm("blocking"), ast.InternedTerm(key.Blocking)),
				ast.Item(ast.StringTerm("trusted"), ast.InternedTerm(key.Trusted)),
			)
		}
		oidc = append(oidc, ast.ObjectTerm(
			ast.Item(ast.StringTerm("resource"), resource),
			ast.Item(ast.StringTerm("path"), path),
			ast.Item(ast.StringTerm("statement"), statement),
			ast.Item(ast.StringTerm("providers"), ast.NewTerm(providers)),
			ast.Item(ast.StringTerm("web_identity_action"), ast.InternedTerm(f.WebIdentityAction)),
			ast.Item(ast.StringTerm("keys"), ast.ArrayTerm(keys...)),
			ast.Item(ast.StringTerm("principal_issuers"), stringsTerm(f.PrincipalIssuers)),
			ast.Item(ast.StringTerm("kubernetes_issuers"), stringsTerm(f.KubernetesIssuers)),
			ast.Item(ast.StringTerm("blocking"), ast.NewTerm(blocking)),
		))
		var conditions *ast.Array
		if obj, ok := statement.Value.(ast.Object); ok {
			conditions, _ = member(obj, "conditions").(*ast.Array)
		}
		for _, wi := range f.WebIdentity {
			provider, issuer := ast.StringTerm(wi.Provider), ast.StringTerm(wi.Issuer)
			webIdentity = append(webIdentity, ast.ObjectTerm(
				ast.Item(ast.StringTerm("resource"), resource),
				ast.Item(ast.StringTerm("path"), path),
				ast.Item(ast.StringTerm("statement"), statement),
				ast.Item(ast.StringTerm("provider"), provider),
				ast.Item(ast.StringTerm("issuer"), issuer),
				ast.Item(ast.StringTerm("claims"), stringsTerm(wi.Claims)),
				ast.Item(ast.StringTerm("blocking"), stringsTerm(wi.Blocking)),
			))
			for _, pc := range wi.Conditions {
				if conditions == nil || pc.Index >= conditions.Len() {
					continue // not from this input: the facts and the input disagree
				}
				p := path.Value.(*ast.Array).Append(ast.StringTerm("conditions")).Append(ast.InternedTerm(pc.Index))
				providerConditions = append(providerConditions, ast.ObjectTerm(
					ast.Item(ast.StringTerm("resource"), resource),
					ast.Item(ast.StringTerm("path"), ast.NewTerm(p)),
					ast.Item(ast.StringTerm("provider"), provider),
					ast.Item(ast.StringTerm("issuer"), issuer),
					ast.Item(ast.StringTerm("claim"), ast.StringTerm(pc.Claim)),
					ast.Item(ast.StringTerm("condition"), conditions.Elem(pc.Index)),
				))
			}
		}
	}
	return ast.NewObject(
		ast.Item(ast.StringTerm("trust_statements"), ast.ArrayTerm(statements...)),
		ast.Item(ast.StringTerm("oidc_statements"), ast.ArrayTerm(oidc...)),
		ast.Item(ast.StringTerm("web_identity"), ast.ArrayTerm(webIdentity...)),
		ast.Item(ast.StringTerm("provider_conditions"), ast.ArrayTerm(providerConditions...)),
	)
}

// trustStatement names a statement of a trust document: kind "policy" or "role", the index of
// the policy file or role, the index of the statement.
type trustStatement struct {
	kind         string
	index, entry int
}

// valueOf returns the value of obj's key, nil when obj has none.
func member(obj ast.Object, key string) ast.Value {
	if t := obj.Get(ast.StringTerm(key)); t != nil {
		return t.Value
	}
	return nil
}

func stringsTerm(ss []string) *ast.Term {
	terms := make([]*ast.Term, len(ss))
	for i, s := range ss {
		terms[i] = ast.StringTerm(s)
	}
	return ast.ArrayTerm(terms...)
}

// bindingsIndex builds input.trust.index, the indexes of policies/lib/bindings.rego, from
// pkg/trust's: the same documents the library derives in Rego from an input without them.
func bindingsIndex(x *trust.Index) ast.Object {
	annotated := make([]*ast.Term, len(x.Annotated))
	for n, i := range x.Annotated {
		annotated[n] = ast.InternedTerm(i)
	}
	parts, keys := ast.NewObject(), ast.NewObject()
	for i, p := range x.RoleARNParts {
		parts.Insert(ast.InternedTerm(i), ast.ObjectTerm(
			ast.Item(ast.StringTerm("partition"), ast.StringTerm(p.Partition)),
			ast.Item(ast.StringTerm("account"), ast.StringTerm(p.Account)),
			ast.Item(ast.StringTerm("path"), ast.StringTerm(p.Path)),
			ast.Item(ast.StringTerm("name"), ast.StringTerm(p.Name)),
		))
	}
	for i, key := range x.RoleKey {
		keys.Insert(ast.InternedTerm(i), ast.StringTerm(key))
	}
	unparsed := make([]*ast.Term, len(x.UnparsedRoles))
	for n, r := range x.UnparsedRoles {
		unparsed[n] = ast.InternedTerm(r)
	}
	ids := make([]*ast.Term, len(x.ServiceAccountIDs))
	for n, id := range x.ServiceAccountIDs {
		ids[n] = ast.StringTerm(id)
	}
	pinned := make([]*ast.Term, len(x.PinnedGrants))
	for n, pg := range x.PinnedGrants {
		grants := make([]*ast.Term, len(pg.Grants))
		for g, grant := range pg.Grants {
			grants[g] = ast.ObjectTerm(
				ast.Item(ast.StringTerm("issuer"), ast.StringTerm(grant.Issuer)),
				ast.Item(ast.StringTerm("namespace"), ast.StringTerm(grant.Namespace)),
				ast.Item(ast.StringTerm("name"), ast.StringTerm(grant.Name)),
			)
		}
		pinned[n] = ast.ObjectTerm(
			ast.Item(ast.StringTerm("role"), ast.InternedTerm(pg.Role)),
			ast.Item(ast.StringTerm("grants"), ast.SetTerm(grants...)),
		)
	}
	return ast.NewObject(
		ast.Item(ast.StringTerm("annotated"), ast.ArrayTerm(annotated...)),
		ast.Item(ast.StringTerm("role_arn_parts"), ast.NewTerm(parts)),
		ast.Item(ast.StringTerm("role_key"), ast.NewTerm(keys)),
		ast.Item(ast.StringTerm("namers"), indexSets(x.Namers)),
		ast.Item(ast.StringTerm("roles_by_key"), indexSets(x.RolesByKey)),
		ast.Item(ast.StringTerm("unparsed_roles"), ast.ArrayTerm(unparsed...)),
		ast.Item(ast.StringTerm("clusters_by_id"), indexSets(x.ClustersByID)),
		ast.Item(ast.StringTerm("service_account_ids"), ast.SetTerm(ids...)),
		ast.Item(ast.StringTerm("pinned_grants"), ast.ArrayTerm(pinned...)),
	)
}

// indexSets turns a map of keys to indexes into an object of keys to sets of numbers.
func indexSets(m map[string][]int) *ast.Term {
	obj := ast.NewObject()
	for key, indexes := range m {
		set := make([]*ast.Term, len(indexes))
		for n, i := range indexes {
			set[n] = ast.InternedTerm(i)
		}
		obj.Insert(ast.StringTerm(key), ast.SetTerm(set...))
	}
	return ast.NewTerm(obj)
}
