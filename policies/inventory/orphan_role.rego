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

import data.irsa_audit.lib.bindings

# _max_listed caps the ServiceAccounts named in a finding's message.
_max_listed := 10

# bindings.pinned_grants holds the roles whose web-identity statements pin exact ServiceAccount
# subjects only (no any principal, no other identity provider, no wildcard subject), with the
# ServiceAccounts they pin.
deny contains finding if {
	some pinned in bindings.pinned_grants
	not pinned.role in bindings.pinned_in_use
	grants := pinned.grants
	every grant in grants {
		grant.issuer in _complete_issuers
	}
	role := input.roles[pinned.role]
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
		"path": ["roles", pinned.role, "trust_policy"],
		"related": [{"kind": "cluster", "id": id} | some id in clusters],
	}
}

# _complete_issuers holds the issuers of at least one cluster whose clusters all have a complete
# ServiceAccount inventory.
_complete_issuers contains issuer if {
	some issuer, clusters in _clusters_by_issuer
	every k in clusters {
		input.clusters[k].inventory.service_accounts == true
	}
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

_issuer(cluster) := lower(iam.normalize_issuer(cluster.issuer)) if object.get(cluster, "issuer", "") != ""

_list(ids) := concat(", ", ids) if count(ids) <= _max_listed

_list(ids) := sprintf("%s and %d more", [concat(", ", array.slice(ids, 0, _max_listed)), count(ids) - _max_listed]) if {
	count(ids) > _max_listed
}
