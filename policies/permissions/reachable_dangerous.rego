# METADATA
# title: Dangerous permissions reachable by many ServiceAccounts
# description: |
#   A role whose trust policy admits any or many ServiceAccounts (a web-identity statement with
#   no "sub" condition, a wildcard "sub" such as "system:serviceaccount:*", or a permissive
#   operator on "sub": a negated operator, IfExists, or a ForAnyValue/ForAllValues qualifier)
#   also holds dangerous permissions: administrator access, privilege escalation, S3 write
#   through wildcards, S3 on every bucket, or secrets on every resource. Any pod that gets such a
#   token, in any namespace the trust admits, can use them. The finding names who can reach the
#   role and what they reach.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# custom:
#   id: IRSA-040
#   severity: critical
#   recommended_action: |
#     Restrict the trust to the one ServiceAccount that needs the role (StringEquals on
#     "<issuer>:sub" = "system:serviceaccount:<namespace>:<name>") and cut the role's permissions
#     down to what that workload uses.
#   bad_example: |
#     Trust: {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"},
#      "Action": "sts:AssumeRoleWithWebIdentity",
#      "Condition": {"StringLike": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:*"}}}
#     Permissions: {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
#   good_example: |
#     Trust: {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"},
#      "Action": "sts:AssumeRoleWithWebIdentity",
#      "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:reports:exporter",
#                                     "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud": "sts.amazonaws.com"}}}
#     Permissions: {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::reports/*"}
package irsa_audit.rules.permissions.reachable_dangerous

import data.irsa_audit.lib.grants

deny contains finding if {
	some holder in input.permissions.holders
	danger := holder.dangerous
	broad := _broad_trust[holder.role]
	finding := {
		"msg": sprintf(
			"role %s can be assumed by %s and holds %s permissions: %s",
			[holder.resource.id, concat(", ", broad.who), _kinds(danger.kinds), grants.names(danger.actions)],
		),
		"key": "reachable",
		"resource": holder.resource,
		"path": ["roles", holder.role, "trust_policy", "statements", broad.statement],
		"related": _related(holder),
	}
}

# _broad_trust maps the index of every role whose trust admits any or many ServiceAccounts to
# who it admits ("who", sorted) and the first statement that does ("statement"). It is keyed by
# role so that the rule looks roles up instead of joining every holder with every role.
_broad_trust[i] := {"who": sort(who), "statement": min({j | some [j, _] in entries})} if {
	some i, role in input.roles
	entries := [[j, w] |
		some j, statement in object.get(role, ["trust_policy", "statements"], [])
		some w in _admits_many(statement)
	]

	# min of an empty set is undefined too, but say it outright: no entry, no broad trust.
	count(entries) > 0
	who := {w | some [_, w] in entries}
}

# _admits_many returns, for an Allow web-identity statement, a description of each group of
# ServiceAccounts it admits beyond a single named one, per OIDC provider it trusts.
_admits_many(statement) := {w |
	statement.effect == "Allow"
	_web_identity(statement)
	some provider in object.get(statement, ["principal", "federated"], [])
	issuer := _issuer(provider)
	some w in _admitted(statement, issuer)
}

_web_identity(statement) if {
	some action in object.get(statement, "actions", [])
	glob.match(lower(action), [], "sts:assumerolewithwebidentity")
}

# _issuer returns the issuer of an IAM OIDC provider ARN; undefined for any other principal.
_issuer(provider) := issuer if {
	[_, issuer] := regex.find_all_string_submatch_n(`^arn:aws[a-z-]*:iam::[^:]*:oidc-provider/(.+)$`, provider, 1)[0]
}

_sub_conditions(statement, issuer) := [c |
	some c in object.get(statement, "conditions", [])
	lower(c.key) == sprintf("%s:sub", [lower(issuer)])
]

# No condition on "sub" (IRSA-001): every ServiceAccount of the cluster.
_admitted(statement, issuer) := {sprintf("any ServiceAccount in cluster %s", [issuer])} if {
	count(_sub_conditions(statement, issuer)) == 0
} else := {w |
	some c in _sub_conditions(statement, issuer)
	some w in _loose(c, issuer)
}

# A permissive operator on "sub" (IRSA-004).
_loose(c, issuer) := {sprintf("any ServiceAccount in cluster %s (sub checked with %s)", [issuer, c.operator])} if {
	_permissive(c)
} else := {sprintf("ServiceAccounts matching %q", [v]) |
	# A wildcard subject (IRSA-002).
	lower(c.base_operator) == "stringlike"
	some v in c.values
	regex.match(`[*?]`, v)
}

_permissive(c) if c.negated

_permissive(c) if c.if_exists

_permissive(c) if object.get(c, "qualifier", "") != ""

_kinds(kinds) := concat(", ", [_kind_names[k] | some k in kinds])

_kind_names := {
	"admin": "administrator",
	"privilege_escalation": "privilege-escalation",
	"s3_all_resources": "S3-on-every-bucket",
	"s3_wildcard_write": "wildcard S3 write",
	"secrets_read": "secret-reading",
}

_related(holder) := [r |
	some r in {r | some grant in holder.grants; some r in grant.related}
]
