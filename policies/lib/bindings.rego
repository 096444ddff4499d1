# Package bindings indexes the estate for the cross-resource rules (IRSA-021, 022, 024, 025):
# which ServiceAccounts name which role, by role key, and which roles and clusters a key or
# cluster id stands for. The indexes are complete rules, so OPA computes each once per
# evaluation and every rule that reads it shares the work: a rule joins ServiceAccounts to roles
# by looking a key up here, never by pairing every ServiceAccount with every role. It produces no
# findings and carries no METADATA id.
package irsa_audit.lib.bindings

import data.irsa_audit.lib.admits

# role_arn_parts maps the index of every ServiceAccount whose role_arn is an IAM role ARN to its
# parts (admits.role_arn_parts). ServiceAccounts without a role_arn, the most of an estate, are
# passed over before any parsing.
role_arn_parts := {i: parts |
	some i, sa in input.service_accounts
	arn := object.get(sa, "role_arn", "")
	arn != ""
	parts := admits.role_arn_parts(arn)
}

# role_key maps the index of every ServiceAccount whose role_arn is an IAM role ARN to the key of
# that role (admits.role_key).
role_key := {i: admits.role_key(input.service_accounts[i].role_arn) | some i, _ in role_arn_parts}

# The groupings below are complete objects, built once, each outer key iterated once: OPA then
# indexes the inner comprehension by key, so building them is linear. (A partial rule looked up
# with a bound key would evaluate its whole body again for each lookup.)

# namers maps a role key to the indexes of the ServiceAccounts that name it.
namers := {key: indexes |
	some key in {key | some key in role_key}
	indexes := {i | some i, other in role_key; other == key}
}

# roles_by_key maps a role key to the indexes of the roles with that key.
roles_by_key := {key: indexes |
	some key in {admits.role_key(role.arn) | some role in input.roles}
	indexes := {r |
		some r, other in input.roles
		admits.role_key(other.arn) == key
	}
}

# clusters_by_id maps a cluster id to the indexes of the clusters with that id that have an
# issuer (the only ones a token can come from).
clusters_by_id := {id: indexes |
	some id in {cluster.id | some cluster in input.clusters}
	indexes := {k |
		some k, other in input.clusters
		object.get(other, "issuer", "") != ""
		other.id == id
	}
}

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
