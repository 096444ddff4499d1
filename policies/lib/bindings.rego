# Package bindings indexes the estate for the cross-resource rules (IRSA-020, 021, 022, 024,
# 025, 026): which ServiceAccounts name a role and which role, by role key, which roles and
# clusters a key or cluster id stands for, which ServiceAccounts exist, and which ServiceAccounts
# each role's trust policy pins. A rule joins ServiceAccounts to roles by looking a key up here,
# never by pairing every ServiceAccount with every role. The package produces no findings and
# carries no METADATA id.
#
# The indexes are computed in Go (pkg/trust): the evaluator hands them over at
# input.trust.index; where the input has none (the Rego tests, `opa eval` on a saved snapshot)
# the built-in iam.trust_facts computes the same document with the same code.
package irsa_audit.lib.bindings

_facts := input.trust if is_object(input.trust.index)

else := iam.trust_facts(input)

# annotated holds, in order, the index of every ServiceAccount that names a role: it has the
# eks.amazonaws.com/role-arn annotation (empty or not) or a role_arn.
annotated := _facts.index.annotated

# role_arn_parts maps the index of every ServiceAccount whose role_arn is an IAM role ARN to its
# parts: {"partition", "account", "path", "name"}.
role_arn_parts := _facts.index.role_arn_parts

# role_key maps the index of every ServiceAccount whose role_arn is an IAM role ARN to the key of
# that role: "<account>/<lower-case name>".
role_key := _facts.index.role_key

# audiences maps the index of every ServiceAccount of role_arn_parts with a non-empty
# eks.amazonaws.com/audience annotation to it; the others' tokens are for sts.amazonaws.com.
audiences := _facts.index.audiences

# namers maps a role key to the indexes of the ServiceAccounts that name it.
namers := _facts.index.namers

# roles_by_key maps a role key to the indexes of the roles with that key.
roles_by_key := _facts.index.roles_by_key

# unparsed_roles holds, in order, the indexes of the roles whose ARN is no IAM role ARN (no
# role key).
unparsed_roles := _facts.index.unparsed_roles

# clusters_by_id maps every cluster id to the indexes of the clusters with that id that have an
# issuer (the only ones a token can come from); empty for an id without one.
clusters_by_id := _facts.index.clusters_by_id

# pinned_service_accounts holds "<cluster>/<namespace>/<name>" of every ServiceAccount with a
# cluster whose namespace and name some role's pinned grants name (pinned_grants): the
# ServiceAccounts IRSA-020 looks for, out of the hundreds of thousands an estate has.
pinned_service_accounts := _facts.index.pinned_service_accounts

# pinned_grants holds, in role order, one entry per role whose web-identity trust can be judged
# by the ServiceAccounts it names: {"role": r, "grants": {{"issuer", "namespace", "name"}, ...}},
# the grants being the ServiceAccounts its web-identity statements pin (StringEquals on the
# provider's sub key), with the lower-case issuer of the provider they are pinned for. A role is
# left out when one of its web-identity statements admits any principal, names a Federated
# principal that is no IAM OIDC provider ARN, or pins no subject, or a subject that is no exact
# ServiceAccount subject, for one of its providers.
pinned_grants := _facts.index.pinned_grants

# pinned_in_use holds the indexes of the roles of pinned_grants that pin a ServiceAccount that
# exists (pinned_service_accounts) in a cluster of the issuer it is pinned for: the roles
# IRSA-020 never reports.
pinned_in_use := _facts.index.pinned_in_use

# role_users maps a cluster id to the accounts whose roles the cluster's ServiceAccounts name
# (role_arn_parts), sorted by partition and account: {"partition", "account",
# "service_accounts": the indexes of those ServiceAccounts, in order}.
role_users := _facts.index.role_users

# dangling holds, in order, the indexes of the ServiceAccounts of role_arn_parts whose role key
# no role has (roles_by_key).
dangling := _facts.index.dangling

# unregistered holds, in role, statement and principal order, the Federated principals of the
# roles' Allow trust statements that are no registered OIDC provider of the role's account (its
# account_id, else the account of its ARN), compared exactly, as STS does: {"role", "statement"
# (indexes), "account", "provider"}. Roles whose account is unknown have none.
unregistered := _facts.index.unregistered

# verdicts holds one entry per ServiceAccount that names a role, per role with that key and per
# cluster of the ServiceAccount with an issuer, when the role has a trust policy:
# {"service_account": i, "role": r, "cluster": k, "verdict": v}, v being pkg/trust's verdict of
# the role's trust policy for the ServiceAccount's token ("admitted", "refused" or "unknown").
verdicts := _facts.bindings

# service_account_token is the token the pod identity webhook projects for the ServiceAccount in
# a cluster with the given issuer: audience from the eks.amazonaws.com/audience annotation, else
# sts.amazonaws.com.
service_account_token(sa, issuer) := {
	"iss": iam.normalize_issuer(issuer),
	"sub": concat(":", ["system:serviceaccount", sa.namespace, sa.name]),
	"aud": object.get(sa, ["annotations", "eks.amazonaws.com/audience"], "sts.amazonaws.com"),
}
