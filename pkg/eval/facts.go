package eval

// The Go facts of the Rego libraries: lib/irsa's documents (input.trust.irsa) and lib/bindings'
// indexes (input.trust.index), built from pkg/trust's analysis. The libraries read them from
// input.trust, or from the built-in iam.trust_facts (trust_builtin.go), which builds the same
// documents with this code.

import (
	"maps"
	"slices"
	"strings"

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
		// wildcardPrincipals are the indexes into statements of those whose principal is "*"
		// or an AWS principal with a "*".
		wildcardPrincipals []*ast.Term
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
			ast.Item(keyKind, ast.InternedTerm(kind)),
			ast.Item(keyID, res),
		)
		for j := range arr.Len() {
			path := ast.ArrayTerm(ast.InternedTerm(resourceKey), ast.InternedTerm(i), ast.InternedTerm(documentKey), keyStatements, ast.InternedTerm(j))
			entry := ast.NewObject(
				ast.Item(keyResource, resource),
				ast.Item(keyPath, path),
				ast.Item(keyStatement, arr.Elem(j)),
			)
			if wildcardPrincipal(arr.Elem(j).Value) {
				wildcardPrincipals = append(wildcardPrincipals, ast.InternedTerm(len(statements)))
			}
			statements = append(statements, ast.NewTerm(entry))
			byPath[trustStatement{kind, i, j}] = entry
		}
	}
	if policies, ok := member(in, "policies").(*ast.Array); ok {
		for i := range policies.Len() {
			if p, ok := policies.Elem(i).Value.(ast.Object); ok {
				add("policy", "policies", "document", i, p.Get(keyID), member(p, "document"))
			}
		}
	}
	if roles, ok := member(in, "roles").(*ast.Array); ok {
		for i := range roles.Len() {
			if r, ok := roles.Elem(i).Value.(ast.Object); ok {
				add("role", "roles", "trust_policy", i, r.Get(keyARN), member(r, "trust_policy"))
			}
		}
	}

	var oidc, webIdentity, providerConditions, audienceOpen, lenient, wildcard, otherActions, otherIssuers, otherAudiences []*ast.Term
	sh := sharedTerms{}
	for _, f := range facts {
		ts, ok := byPath[trustStatement{f.Kind, f.Index, f.Statement}]
		if !ok {
			continue // no resource id: no entry
		}
		resource, path, statement := ts.Get(keyResource), ts.Get(keyPath), ts.Get(keyStatement)
		var untrusted []*ast.Term
		for _, key := range f.Keys {
			if !key.Trusted {
				untrusted = append(untrusted, ast.ObjectTerm(
					ast.Item(keyIndex, ast.InternedTerm(key.Index)),
					ast.Item(keyIssuer, ast.StringTerm(key.Issuer)),
				))
			}
		}
		if f.OtherActions {
			otherActions = append(otherActions, ast.InternedTerm(len(oidc)))
		}
		if len(untrusted) > 0 || anyBlocking(f.Blocking) {
			otherIssuers = append(otherIssuers, ast.InternedTerm(len(oidc)))
		}
		oidc = append(oidc, ast.ObjectTerm(
			ast.Item(keyResource, resource),
			ast.Item(keyPath, path),
			ast.Item(keyStatement, statement),
			ast.Item(keyProviders, sh.providers(f.Providers)),
			ast.Item(keyWebIdentityAction, ast.InternedTerm(f.WebIdentityAction)),
			ast.Item(keyUntrustedKeys, ast.ArrayTerm(untrusted...)),
			ast.Item(keyKubernetesIssuers, sh.strings(f.KubernetesIssuers)),
			ast.Item(keyBlocking, sh.blocking(f.Blocking)),
		))
		var conditions *ast.Array
		if obj, ok := statement.Value.(ast.Object); ok {
			conditions, _ = member(obj, "conditions").(*ast.Array)
		}
		for _, wi := range f.WebIdentity {
			provider, issuer := ast.StringTerm(wi.Provider), ast.StringTerm(wi.Issuer)
			if wi.AnyAudience || !slices.Contains(wi.Claims, "aud") {
				audienceOpen = append(audienceOpen, ast.InternedTerm(len(webIdentity)))
			}
			webIdentity = append(webIdentity, ast.ObjectTerm(
				ast.Item(keyResource, resource),
				ast.Item(keyPath, path),
				ast.Item(keyStatement, statement),
				ast.Item(keyProvider, provider),
				ast.Item(keyIssuer, issuer),
				ast.Item(keyClaims, sh.strings(wi.Claims)),
				ast.Item(keyBlocking, sh.strings(wi.Blocking)),
			))
			for _, pc := range wi.Conditions {
				if conditions == nil || pc.Index >= conditions.Len() {
					continue // not from this input: the facts and the input disagree
				}
				base := path.Value.(*ast.Array)
				p := make([]*ast.Term, base.Len(), base.Len()+2)
				for n := range base.Len() {
					p[n] = base.Elem(n)
				}
				if pc.Lenient {
					lenient = append(lenient, ast.InternedTerm(len(providerConditions)))
				}
				if pc.Wildcard {
					wildcard = append(wildcard, ast.InternedTerm(len(providerConditions)))
				}
				if pc.OtherAudience {
					otherAudiences = append(otherAudiences, ast.InternedTerm(len(providerConditions)))
				}
				providerConditions = append(providerConditions, ast.ObjectTerm(
					ast.Item(keyResource, resource),
					ast.Item(keyPath, ast.ArrayTerm(append(p, keyConditions, ast.InternedTerm(pc.Index))...)),
					ast.Item(keyProvider, provider),
					ast.Item(keyIssuer, issuer),
					ast.Item(keyClaim, ast.StringTerm(pc.Claim)),
					ast.Item(keyCondition, conditions.Elem(pc.Index)),
				))
			}
		}
	}
	return ast.NewObject(
		ast.Item(keyTrustStatements, ast.ArrayTerm(statements...)),
		ast.Item(keyOIDCStatements, ast.ArrayTerm(oidc...)),
		ast.Item(keyWebIdentity, ast.ArrayTerm(webIdentity...)),
		ast.Item(keyProviderConditions, ast.ArrayTerm(providerConditions...)),
		ast.Item(keyAudienceOpen, ast.ArrayTerm(audienceOpen...)),
		ast.Item(keyLenientConditions, ast.ArrayTerm(lenient...)),
		ast.Item(keyWildcardConditions, ast.ArrayTerm(wildcard...)),
		ast.Item(keyOtherActions, ast.ArrayTerm(otherActions...)),
		ast.Item(keyOtherIssuers, ast.ArrayTerm(otherIssuers...)),
		ast.Item(keyOtherAudiences, ast.ArrayTerm(otherAudiences...)),
		ast.Item(keyWildcardPrincipals, ast.ArrayTerm(wildcardPrincipals...)),
	)
}

// The keys and constant strings of the entries, shared by all of them.
var (
	keyAccount      = ast.StringTerm("account")
	keyAnnotated    = ast.StringTerm("annotated")
	keyARN          = ast.StringTerm("arn")
	keyBlocking     = ast.StringTerm("blocking")
	keyClaim        = ast.StringTerm("claim")
	keyClaims       = ast.StringTerm("claims")
	keyClustersByID = ast.StringTerm("clusters_by_id")
	keyCondition    = ast.StringTerm("condition")
	keyConditions   = ast.StringTerm("conditions")
	keyGrants       = ast.StringTerm("grants")
	keyID           = ast.StringTerm("id")
	keyIndex        = ast.StringTerm("index")
	keyIssuer       = ast.StringTerm("issuer")

	keyKind               = ast.StringTerm("kind")
	keyKubernetesIssuers  = ast.StringTerm("kubernetes_issuers")
	keyName               = ast.StringTerm("name")
	keyNamers             = ast.StringTerm("namers")
	keyNamespace          = ast.StringTerm("namespace")
	keyOIDCStatements     = ast.StringTerm("oidc_statements")
	keyPartition          = ast.StringTerm("partition")
	keyPath               = ast.StringTerm("path")
	keyPinnedGrants       = ast.StringTerm("pinned_grants")
	keyPinnedInUse        = ast.StringTerm("pinned_in_use")
	keyRoleUsers          = ast.StringTerm("role_users")
	keyDangling           = ast.StringTerm("dangling")
	keyAudienceOpen       = ast.StringTerm("audience_open")
	keyLenientConditions  = ast.StringTerm("lenient_conditions")
	keyWildcardConditions = ast.StringTerm("wildcard_conditions")
	keyOtherActions       = ast.StringTerm("other_actions")
	keyOtherIssuers       = ast.StringTerm("other_issuers")
	keyOtherAudiences     = ast.StringTerm("other_audiences")
	keyWildcardPrincipals = ast.StringTerm("wildcard_principals")
	keyUnregistered       = ast.StringTerm("unregistered")

	keyProvider              = ast.StringTerm("provider")
	keyProviderConditions    = ast.StringTerm("provider_conditions")
	keyProviders             = ast.StringTerm("providers")
	keyResource              = ast.StringTerm("resource")
	keyRole                  = ast.StringTerm("role")
	keyRoleARNParts          = ast.StringTerm("role_arn_parts")
	keyRoleKey               = ast.StringTerm("role_key")
	keyRolesByKey            = ast.StringTerm("roles_by_key")
	keyPinnedServiceAccounts = ast.StringTerm("pinned_service_accounts")
	keyStatement             = ast.StringTerm("statement")
	keyStatements            = ast.StringTerm("statements")
	keyTrustStatements       = ast.StringTerm("trust_statements")
	keyUntrustedKeys         = ast.StringTerm("untrusted_keys")
	keyUnparsedRoles         = ast.StringTerm("unparsed_roles")
	keyWebIdentity           = ast.StringTerm("web_identity")
	keyWebIdentityAction     = ast.StringTerm("web_identity_action")
)

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

// sharedTerms builds each distinct small value of the facts once: thousands of statements trust
// the same providers with the same claims (terms are immutable once built).
type sharedTerms map[string]*ast.Term

func (sh sharedTerms) get(key string, build func() *ast.Term) *ast.Term {
	if t, ok := sh[key]; ok {
		return t
	}
	t := build()
	sh[key] = t
	return t
}

// str is a shared string.
func (sh sharedTerms) str(s string) *ast.Term {
	return sh.get("s\x00"+s, func() *ast.Term { return ast.StringTerm(s) })
}

// strings is a shared array of strings.
func (sh sharedTerms) strings(ss []string) *ast.Term {
	return sh.get("a\x00"+strings.Join(ss, "\x00"), func() *ast.Term { return stringsTerm(ss) })
}

// providers is a shared object of provider ARNs and their issuers.
func (sh sharedTerms) providers(m map[string]string) *ast.Term {
	keys := slices.Sorted(maps.Keys(m))
	var b strings.Builder
	b.WriteString("p")
	for _, k := range keys {
		b.WriteString("\x00" + k + "\x00" + m[k])
	}
	return sh.get(b.String(), func() *ast.Term {
		obj := ast.NewObject()
		for _, k := range keys {
			obj.Insert(ast.StringTerm(k), ast.StringTerm(m[k]))
		}
		return ast.NewTerm(obj)
	})
}

// blocking is a shared object of the provider ARNs that have blocking issuers and those issuers.
func (sh sharedTerms) blocking(m map[string][]string) *ast.Term {
	keys := slices.Sorted(maps.Keys(m))
	var b strings.Builder
	b.WriteString("b")
	for _, k := range keys {
		if len(m[k]) > 0 {
			b.WriteString("\x00" + k + "\x01" + strings.Join(m[k], "\x01"))
		}
	}
	return sh.get(b.String(), func() *ast.Term {
		obj := ast.NewObject()
		for _, k := range keys {
			if len(m[k]) > 0 {
				obj.Insert(ast.StringTerm(k), sh.strings(m[k]))
			}
		}
		return ast.NewTerm(obj)
	})
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
	parts, keys := ast.NewObject(), ast.NewObject()
	for i, p := range x.RoleARNParts {
		parts.Insert(ast.InternedTerm(i), ast.ObjectTerm(
			ast.Item(keyPartition, ast.StringTerm(p.Partition)),
			ast.Item(keyAccount, ast.StringTerm(p.Account)),
			ast.Item(keyPath, ast.StringTerm(p.Path)),
			ast.Item(keyName, ast.StringTerm(p.Name)),
		))
	}
	for i, key := range x.RoleKey {
		keys.Insert(ast.InternedTerm(i), ast.StringTerm(key))
	}
	audiences := ast.NewObject()
	for i, aud := range x.Audiences {
		audiences.Insert(ast.InternedTerm(i), ast.StringTerm(aud))
	}
	ids := make([]*ast.Term, len(x.PinnedServiceAccounts))
	for n, id := range x.PinnedServiceAccounts {
		ids[n] = ast.StringTerm(id)
	}
	unregistered := make([]*ast.Term, len(x.Unregistered))
	for n, ref := range x.Unregistered {
		unregistered[n] = ast.ObjectTerm(
			ast.Item(keyRole, ast.InternedTerm(ref.Role)),
			ast.Item(keyStatement, ast.InternedTerm(ref.Statement)),
			ast.Item(keyAccount, ast.StringTerm(ref.Account)),
			ast.Item(keyProvider, ast.StringTerm(ref.Provider)),
		)
	}
	roleUsers := ast.NewObject()
	for cluster, users := range x.RoleUsers {
		entries := make([]*ast.Term, len(users))
		for n, u := range users {
			entries[n] = ast.ObjectTerm(
				ast.Item(keyPartition, ast.StringTerm(u.Partition)),
				ast.Item(keyAccount, ast.StringTerm(u.Account)),
				ast.Item(keyServiceAccounts, ast.ArrayTerm(intTerms(u.ServiceAccounts)...)),
			)
		}
		roleUsers.Insert(ast.StringTerm(cluster), ast.ArrayTerm(entries...))
	}
	pinned := make([]*ast.Term, len(x.PinnedGrants))
	for n, pg := range x.PinnedGrants {
		grants := make([]*ast.Term, len(pg.Grants))
		for g, grant := range pg.Grants {
			grants[g] = ast.ObjectTerm(
				ast.Item(keyIssuer, ast.StringTerm(grant.Issuer)),
				ast.Item(keyNamespace, ast.StringTerm(grant.Namespace)),
				ast.Item(keyName, ast.StringTerm(grant.Name)),
			)
		}
		pinned[n] = ast.ObjectTerm(
			ast.Item(keyRole, ast.InternedTerm(pg.Role)),
			ast.Item(keyGrants, ast.SetTerm(grants...)),
		)
	}
	return ast.NewObject(
		ast.Item(keyAnnotated, ast.ArrayTerm(intTerms(x.Annotated)...)),
		ast.Item(keyRoleARNParts, ast.NewTerm(parts)),
		ast.Item(keyRoleKey, ast.NewTerm(keys)),
		ast.Item(keyAudiences, ast.NewTerm(audiences)),
		ast.Item(keyNamers, indexSets(x.Namers)),
		ast.Item(keyRolesByKey, indexSets(x.RolesByKey)),
		ast.Item(keyUnparsedRoles, ast.ArrayTerm(intTerms(x.UnparsedRoles)...)),
		ast.Item(keyClustersByID, indexSets(x.ClustersByID)),
		ast.Item(keyPinnedServiceAccounts, ast.SetTerm(ids...)),
		ast.Item(keyPinnedGrants, ast.ArrayTerm(pinned...)),
		ast.Item(keyPinnedInUse, ast.SetTerm(intTerms(x.PinnedInUse)...)),
		ast.Item(keyRoleUsers, ast.NewTerm(roleUsers)),
		ast.Item(keyDangling, ast.ArrayTerm(intTerms(x.Dangling)...)),
		ast.Item(keyUnregistered, ast.ArrayTerm(unregistered...)),
	)
}

// anyBlocking reports whether some provider of a statement has issuers with blocking keys.
func anyBlocking(blocking map[string][]string) bool {
	for _, issuers := range blocking {
		if len(issuers) > 0 {
			return true
		}
	}
	return false
}

// wildcardPrincipal reports whether a statement's principal is "*" or names an AWS principal
// with a "*" (lib/irsa's wildcard_principals).
func wildcardPrincipal(statement ast.Value) bool {
	st, ok := statement.(ast.Object)
	if !ok {
		return false
	}
	principal, ok := member(st, "principal").(ast.Object)
	if !ok {
		return false
	}
	if w, ok := member(principal, "wildcard").(ast.Boolean); ok && bool(w) {
		return true
	}
	aws, ok := member(principal, "aws").(*ast.Array)
	if !ok {
		return false
	}
	for n := range aws.Len() {
		if s, ok := aws.Elem(n).Value.(ast.String); ok && strings.Contains(string(s), "*") {
			return true
		}
	}
	return false
}

// intTerms is the terms of indexes.
func intTerms(indexes []int) []*ast.Term {
	terms := make([]*ast.Term, len(indexes))
	for n, i := range indexes {
		terms[n] = ast.InternedTerm(i)
	}
	return terms
}

// indexSets turns a map of keys to indexes into an object of keys to sets of numbers.
func indexSets(m map[string][]int) *ast.Term {
	obj := ast.NewObject()
	for key, indexes := range m {
		obj.Insert(ast.StringTerm(key), ast.SetTerm(intTerms(indexes)...))
	}
	return ast.NewTerm(obj)
}
