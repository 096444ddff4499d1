# Package bindings indexes the estate for the cross-resource rules (IRSA-020, 021, 022, 024,
# 025, 026): which ServiceAccounts name a role and which role, by role key, which roles and
# clusters a key or cluster id stands for, which ServiceAccounts exist, and which ServiceAccounts
# each role's trust policy pins. A rule joins ServiceAccounts to roles by looking a key up here,
# never by pairing every ServiceAccount with every role. The package produces no findings and
# carries no METADATA id.
#
# The evaluator computes these indexes in Go (pkg/trust, the same semantics) and hands them over
# at input.trust.index, which is read when present; without it (the Rego tests, `opa test`,
# inputs built by other tools) they are derived here, as complete rules that OPA computes once
# per evaluation. Both give equal documents (pkg/eval's TestGoFactsMatchRego): at
# 100,000 ServiceAccounts a pass over them in Rego costs a quarter of a second, an index built in
# Go a few milliseconds.
package irsa_audit.lib.bindings

import data.irsa_audit.lib.admits
import data.irsa_audit.lib.irsa

# annotated holds, in order, the index of every ServiceAccount that names a role: it has the
# eks.amazonaws.com/role-arn annotation (empty or not) or a role_arn (irsa.role_arn_annotation).
annotated := input.trust.index.annotated if {
	_has_index
} else := [i |
	some i, sa in input.service_accounts
	irsa.role_arn_annotation(sa)
]

# role_arn_parts maps the index of every ServiceAccount whose role_arn is an IAM role ARN to its
# parts (admits.role_arn_parts).
role_arn_parts := input.trust.index.role_arn_parts if {
	_has_index
} else := {i: parts |
	some i, sa in input.service_accounts
	arn := object.get(sa, "role_arn", "")
	arn != ""
	parts := admits.role_arn_parts(arn)
}

# role_key maps the index of every ServiceAccount whose role_arn is an IAM role ARN to the key of
# that role (admits.role_key).
role_key := input.trust.index.role_key if {
	_has_index
} else := {i: admits.role_key(input.service_accounts[i].role_arn) | some i, _ in role_arn_parts}

# The groupings below are complete objects, built once, each outer key iterated once: OPA then
# indexes the inner comprehension by key, so building them is linear. (A partial rule looked up
# with a bound key would evaluate its whole body again for each lookup.)

# namers maps a role key to the indexes of the ServiceAccounts that name it.
namers := input.trust.index.namers if {
	_has_index
} else := {key: indexes |
	some key in {key | some key in role_key}
	indexes := {i | some i, other in role_key; other == key}
}

# roles_by_key maps a role key to the indexes of the roles with that key.
roles_by_key := input.trust.index.roles_by_key if {
	_has_index
} else := {key: indexes |
	some key in {admits.role_key(role.arn) | some role in input.roles}
	indexes := {r |
		some r, other in input.roles
		admits.role_key(other.arn) == key
	}
}

# unparsed_roles holds, in order, the indexes of the roles whose ARN is no IAM role ARN (no
# role key).
unparsed_roles := input.trust.index.unparsed_roles if {
	_has_index
} else := [r |
	some r, role in input.roles
	not admits.role_arn_parts(role.arn)
]

# clusters_by_id maps every cluster id to the indexes of the clusters with that id that have an
# issuer (the only ones a token can come from); empty for an id without one.
clusters_by_id := input.trust.index.clusters_by_id if {
	_has_index
} else := {id: indexes |
	some id in {cluster.id | some cluster in input.clusters}
	indexes := {k |
		some k, other in input.clusters
		object.get(other, "issuer", "") != ""
		other.id == id
	}
}

# pinned_service_accounts holds "<cluster>/<namespace>/<name>" of every ServiceAccount with a
# cluster whose namespace and name some role's pinned grants name (pinned_grants): the
# ServiceAccounts IRSA-020 looks for, out of the hundreds of thousands an estate has.
pinned_service_accounts := input.trust.index.pinned_service_accounts if {
	_has_index
} else := {concat("/", [sa.cluster, sa.namespace, sa.name]) |
	some sa in input.service_accounts
	object.get(sa, "cluster", "") != ""
	concat("/", [sa.namespace, sa.name]) in _pinned_names
}

# _pinned_names holds "<namespace>/<name>" of every grant of pinned_grants.
_pinned_names contains concat("/", [grant.namespace, grant.name]) if {
	some pinned in pinned_grants
	some grant in pinned.grants
}

# pinned_grants holds, in role order, one entry per role whose web-identity trust can be judged
# by the ServiceAccounts it names: {"role": r, "grants": {{"issuer", "namespace", "name"}, ...}},
# the grants being the ServiceAccounts its web-identity statements pin, with the lower-case
# issuer of the provider they are pinned for. A web-identity statement is an Allow statement
# without NotPrincipal that allows sts:AssumeRoleWithWebIdentity to a Federated principal or to
# any principal. A role is left out when it has none, when one of them admits any principal,
# names a Federated principal that is no IAM OIDC provider ARN, or pins no subject, or a subject
# that is no exact ServiceAccount subject, for one of its providers (admits.pinned_subjects: the
# values of StringEquals conditions on the provider's sub key).
pinned_grants := input.trust.index.pinned_grants if {
	_has_index
} else := [{"role": r, "grants": grants} |
	some r, role in input.roles
	statements := [s | some s in role.trust_policy.statements; _web_identity(s)]
	not _unjudgeable(statements)
	grants := {grant |
		some s in statements
		some provider in s.principal.federated
		issuer := admits.provider_parts(provider).issuer
		some subject in admits.pinned_subjects(s, issuer)
		grant := object.union(admits.parse_subject(subject), {"issuer": lower(issuer)})
	}
	count(grants) > 0
]

_web_identity(s) if {
	s.effect == "Allow"
	object.get(s, "not_principal", null) == null
	admits.covers_action(s, admits.web_identity_action)
	_federated_or_any(s.principal)
}

_federated_or_any(principal) if count(object.get(principal, "federated", [])) > 0

_federated_or_any(principal) if _any_principal(principal)

_any_principal(principal) if principal.wildcard == true

_any_principal(principal) if "*" in object.get(principal, "aws", [])

_unjudgeable(statements) if {
	some s in statements
	_any_principal(s.principal)
}

_unjudgeable(statements) if {
	some s in statements
	some provider in object.get(s.principal, "federated", [])
	not admits.provider_parts(provider)
}

_unjudgeable(statements) if {
	some s in statements
	some provider in object.get(s.principal, "federated", [])
	count(admits.pinned_subjects(s, admits.provider_parts(provider).issuer)) == 0
}

_unjudgeable(statements) if {
	some s in statements
	some provider in object.get(s.principal, "federated", [])
	some subject in admits.pinned_subjects(s, admits.provider_parts(provider).issuer)
	not _service_account_subject(subject)
}

_service_account_subject(subject) if {
	admits.parse_subject(subject)
	not contains(subject, "*")
	not contains(subject, "?")
}

_has_index if is_object(input.trust.index)

# verdicts holds one entry per ServiceAccount that names a role, per role with that key and per
# cluster of the ServiceAccount with an issuer, when the role has a trust policy:
# {"service_account": i, "role": r, "cluster": k, "verdict": v}, v being admits.verdict of the
# role's trust policy for the ServiceAccount's token ("admitted", "refused" or "unknown").
#
# The evaluator computes these entries in Go (pkg/trust, the same semantics, tested against this
# library) and hands them over at input.trust.bindings, which is read when present; without it
# (the Rego tests, `opa test`, inputs built by other tools) they are computed here.
verdicts := input.trust.bindings if {
	is_array(input.trust.bindings)
} else := {entry |
	some key, indexes in namers
	some r in roles_by_key[key]
	role := input.roles[r]
	some i in indexes
	sa := input.service_accounts[i]
	some k in clusters_by_id[object.get(sa, "cluster", "")]
	token := service_account_token(sa, input.clusters[k].issuer)
	entry := {
		"service_account": i,
		"role": r,
		"cluster": k,
		"verdict": admits.verdict(role.trust_policy, admits.provider_arn(role.arn, token.iss), token),
	}
}

# service_account_token is the token the pod identity webhook projects for the ServiceAccount in
# a cluster with the given issuer: audience from the eks.amazonaws.com/audience annotation, else
# sts.amazonaws.com.
service_account_token(sa, issuer) := {
	"iss": admits.normalize_issuer(issuer),
	"sub": admits.service_account_subject(sa.namespace, sa.name),
	"aud": object.get(sa, ["annotations", "eks.amazonaws.com/audience"], admits.default_audience),
}
