# METADATA
# title: Role trusts only ServiceAccounts that do not exist
# description: |
#   Every ServiceAccount a role's trust policy names (exact subjects under StringEquals on a
#   cluster issuer's sub key) is absent from its cluster, whose ServiceAccounts were inventoried in
#   full. The role is left over from a deleted workload or a renamed namespace: it keeps its
#   permissions, and whoever can create a ServiceAccount of that name in that namespace gets them.
#   Roles are judged only when every web-identity statement pins exact subjects and every subject
#   resolves, by issuer, to a cluster with a complete ServiceAccount inventory; roles admitting
#   wildcard subjects, other identity providers or any principal are not.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# custom:
#   id: IRSA-020
#   severity: medium
#   recommended_action: |
#     Check the role's last use (aws iam get-role, RoleLastUsed), then delete the role, or remove the
#     stale subjects from its trust policy if other ServiceAccounts still need it.
#   bad_example: |
#     Role old-reporting trusts "system:serviceaccount:reporting:exporter" on the prod cluster's
#     issuer; kubectl get serviceaccount -n reporting exporter: NotFound.
#   good_example: |
#     Every subject a role trusts is a ServiceAccount that exists in the cluster of its issuer.
package irsa_audit.rules.inventory.orphan_role

import data.irsa_audit.lib.admits

# _max_listed caps the ServiceAccounts named in a finding's message.
_max_listed := 10

deny contains finding if {
	some i, role in input.roles
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
	every grant in grants {
		_complete(grant.issuer)
	}
	not _any_exists(grants)
	missing := sort({id |
		some grant in grants
		some k in _clusters_by_issuer[grant.issuer]
		id := concat("/", [input.clusters[k].id, grant.namespace, grant.name])
	})
	clusters := sort({input.clusters[k].id | some grant in grants; some k in _clusters_by_issuer[grant.issuer]})
	finding := {
		"msg": sprintf(
			"role %s trusts only ServiceAccounts that do not exist (their clusters were inventoried in full): %s",
			[role.arn, _list(missing)],
		),
		"resource": {"kind": "role", "id": role.arn},
		"path": ["roles", i, "trust_policy"],
		"related": [{"kind": "cluster", "id": id} | some id in clusters],
	}
}

# _web_identity is true for an Allow statement through which a web-identity token can assume
# the role: it covers sts:AssumeRoleWithWebIdentity and names a federated or any principal.
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

# _unjudgeable is true when some statement admits tokens that are not ServiceAccounts named
# exactly: any principal, a non-OIDC federated principal, an issuer whose sub is not pinned by
# StringEquals, or a pinned subject that is not a ServiceAccount name.
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

# _complete is true when the issuer belongs to at least one cluster and every cluster with that
# issuer has a complete ServiceAccount inventory.
_complete(issuer) if {
	clusters := _clusters_by_issuer[issuer]
	every k in clusters {
		input.clusters[k].inventory.service_accounts == true
	}
}

_any_exists(grants) if {
	some grant in grants
	some k in _clusters_by_issuer[grant.issuer]
	concat("/", [input.clusters[k].id, grant.namespace, grant.name]) in _service_accounts
}

# _clusters_by_issuer maps a lower-case issuer (no scheme) to the indexes of its clusters; built
# once (OPA indexes the inner comprehension by issuer).
_clusters_by_issuer := {issuer: indexes |
	some issuer in {_issuer(cluster) | some cluster in input.clusters}
	indexes := {k |
		some k, other in input.clusters
		_issuer(other) == issuer
	}
}

_issuer(cluster) := lower(admits.normalize_issuer(cluster.issuer)) if object.get(cluster, "issuer", "") != ""

# _service_accounts holds "<cluster>/<namespace>/<name>" of every ServiceAccount of a known cluster.
_service_accounts := {concat("/", [sa.cluster, sa.namespace, sa.name]) |
	some sa in input.service_accounts
	object.get(sa, "cluster", "") != ""
}

_list(ids) := concat(", ", ids) if count(ids) <= _max_listed

_list(ids) := sprintf("%s and %d more", [concat(", ", array.slice(ids, 0, _max_listed)), count(ids) - _max_listed]) if {
	count(ids) > _max_listed
}
