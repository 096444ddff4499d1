# METADATA
# title: Dangerous permissions reachable by many workloads
# description: |
#   A role whose trust policy admits any or many ServiceAccounts (a web-identity statement with
#   no working "sub" condition, a wildcard "sub" such as "system:serviceaccount:*", or a negated
#   operator on "sub" that leaves every other ServiceAccount in), or the tokens of any or many
#   subjects of another OIDC issuer (a CI platform: "repo:example-org/*"), or whose trust lets the
#   EKS Pod Identity agent assume it for any cluster, namespace and ServiceAccount (IRSA-061),
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
import data.irsa_audit.lib.irsa
import data.irsa_audit.lib.workload

deny contains finding if {
	some holder in input.permissions.holders
	danger := holder.dangerous
	broad := _broad(holder.role)
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

# _broad joins the two ways role i reaches many workloads: web-identity tokens (_broad_trust)
# and EKS Pod Identity associations (_broad_agent); a role may have both. Functions, not
# documents: they run for the few roles with dangerous permissions, not for every role.
_broad(i) := {"who": sort(who), "statement": min(statements)} if {
	reach := [r | some r in [_broad_trust(i), _broad_agent(i)]; r != null]
	count(reach) > 0
	who := {d | some r in reach; some d in r.who}
	statements := {r.statement | some r in reach}
}

# _broad_agent is, when the EKS Pod Identity agent can assume role i for an association of any
# cluster, namespace and ServiceAccount (pkg/workload's facts, as IRSA-061 reads them), who that
# is and the first statement that admits the agent; null otherwise.
_broad_agent(i) := {
	"who": ["every EKS Pod Identity association naming it (any cluster, namespace and ServiceAccount)"],
	"statement": _agent_any_cluster[i],
} if {
	_agent_any_cluster[i]
} else := null

# _agent_any_cluster maps the roles of _broad_agent to their first statement that admits the
# agent (a document over the Pod Identity roles only).
_agent_any_cluster[f.role] := min(f.statements) if {
	some f in workload.pod_identity_roles
	f.any_cluster == true
	count(f.statements) > 0
}

# _broad_trust is, when role i's trust admits any or many ServiceAccounts (or tokens of another
# issuer), who it admits ("who", sorted) and the first statement that does ("statement"), as the
# trust model says (lib/irsa.role_assumers: the whole document, Deny statements included); null
# otherwise.
_broad_trust(i) := {"who": sort(who), "statement": min({w.statement | some w in broad})} if {
	broad := [w | some w in irsa.role_assumers[i].web_identity; count(_many(w)) > 0]
	count(broad) > 0
	who := {d | some w in broad; some d in _many(w)}
} else := null

# _many describes each group of ServiceAccounts an OIDC provider's entry admits beyond single
# named ones; for an issuer that is no Kubernetes cluster's (a CI platform's), the groups of
# tokens.
_many(w) := {d | some d in _any(w)} | {sprintf("ServiceAccounts matching %q", [p]) | some p in _patterns(w)} if {
	w.kubernetes
} else := {_any_token(w)} if {
	w.any_subject
} else := {sprintf("tokens of %s whose subject matches %q", [w.issuer, p]) | some p in w.patterns}

_any_token(w) := sprintf("any token of OIDC issuer %s", [w.issuer]) if {
	count(w.except) == 0
} else := sprintf("any token of OIDC issuer %s except subjects %s", [w.issuer, concat(", ", w.except)])

# A pattern that admits every ServiceAccount ("system:serviceaccount:*") is named as written.
_any(w) := set() if {
	not w.any_subject
	count(w.patterns) > 0
} else := {sprintf("any ServiceAccount in cluster %s", [w.issuer])} if {
	w.any_service_account
	count(w.except) == 0
} else := {sprintf("any ServiceAccount in cluster %s except %s", [w.issuer, concat(", ", w.except)])} if {
	w.any_service_account
} else := set()

_patterns(w) := {sprintf("system:serviceaccount:%s:*", [ns]) | some ns in w.namespaces} | {p | some p in w.patterns}

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
