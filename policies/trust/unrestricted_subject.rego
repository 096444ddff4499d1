# METADATA
# title: Web-identity trust without a subject condition
# description: |
#   An IRSA trust statement trusts a Kubernetes cluster's OIDC provider for
#   sts:AssumeRoleWithWebIdentity but sets no condition on the provider's "sub" key. Every
#   ServiceAccount token the cluster issues is then accepted, so any pod in any namespace of the
#   cluster can assume the role and use its permissions.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# custom:
#   id: IRSA-001
#   severity: critical
#   recommended_action: |
#     Add a StringEquals condition on "<issuer>:sub" naming the one ServiceAccount
#     (system:serviceaccount:<namespace>:<name>) that should assume the role, and one on
#     "<issuer>:aud" for "sts.amazonaws.com".
#   bad_example: |
#     {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"},
#      "Action": "sts:AssumeRoleWithWebIdentity"}
#   good_example: |
#     {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"},
#      "Action": "sts:AssumeRoleWithWebIdentity",
#      "Condition": {"StringEquals": {
#        "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api",
#        "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud": "sts.amazonaws.com"}}}
package irsa_audit.rules.trust.unrestricted_subject

import data.irsa_audit.lib.irsa

# The trust model (lib/irsa.role_assumers, policy_assumers) says who can assume: a token of the
# cluster with any subject is admitted, by the whole document (Deny statements included),
# whatever the audience. A negated condition that refuses some subjects is IRSA-004's; a
# document whose answer depends on a value known only after apply (a symbol) is left alone.
deny contains finding if {
	some [resource, doc_path, who] in _any_subject
	path := array.concat(doc_path, ["statements", who.statement])
	statement := object.get(input, path, {})
	sub_key := sprintf("%s:sub", [who.issuer])
	finding := {
		"msg": sprintf(
			"statement trusting OIDC provider %q %s, so any ServiceAccount of cluster %q can assume the role",
			[who.provider, _unrestricted(statement, sub_key), who.issuer],
		),
		"resource": resource,
		"path": path,
	}
}

# _any_subject holds [resource, path of the document, who] for every trust document and OIDC
# provider whose tokens of any subject are admitted; the facts are filtered before anything is
# built for them (10,000 roles have as many entries).
_any_subject contains [{"kind": "role", "id": input.roles[i].arn}, ["roles", i, "trust_policy"], who] if {
	some ref in irsa.any_subject
	ref.kind == "role"
	i := ref.index
	who := irsa.role_assumers[i].web_identity[ref.entry]
	_admits_any(who)
}

_any_subject contains [{"kind": "policy", "id": input.policies[i].id}, ["policies", i, "document"], who] if {
	some ref in irsa.any_subject
	ref.kind == "policy"
	i := ref.index
	who := irsa.policy_assumers[i].web_identity[ref.entry]
	_admits_any(who)
}

_admits_any(who) if {
	who.any_subject
	who.kubernetes
	count(who.except) == 0
	not who.symbolic
}

_unrestricted(statement, sub_key) := sprintf("has no condition on %q", [sub_key]) if {
	not _conditions_on(statement, sub_key)
} else := sprintf("admits every subject despite its conditions on %q", [sub_key])

_conditions_on(statement, key) if {
	some condition in object.get(statement, "conditions", [])
	lower(condition.key) == lower(key)
}
