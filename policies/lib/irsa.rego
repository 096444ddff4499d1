# Package irsa holds the shared logic of the trust rules: which documents are trust documents,
# which statements are IRSA web-identity statements, which condition entries belong to which OIDC provider, and the
# IAM matching semantics (case-insensitive keys and actions, "*" and "?" wildcards). It produces
# no findings and carries no METADATA id.
package irsa_audit.lib.irsa

# The documents below are arrays, in input order: the standalone policy files (input.policies)
# first, then the roles (input.roles), each statement in document order, and for web_identity
# the providers of a statement in ARN order. They are arrays rather than sets because a set of
# objects is hashed, compared and sorted before it is iterated, which at tens of thousands of
# statements costs more than the rules themselves.
#
# They are computed once, in Go (pkg/trust's analysis, pkg/eval's facts): the evaluator hands
# them over at input.trust.irsa; where the input has none (the Rego tests, `opa eval` on a saved
# snapshot) the built-in iam.trust_facts computes the same document with the same code.
facts := input.trust if is_object(input.trust.irsa)

else := iam.trust_facts(input)

# trust_statements holds every statement of every document that can be a trust policy: the
# standalone policy files (input.policies) and the role trust policies (input.roles). Each entry
# carries the resource the document belongs to ("resource"), the path of the statement inside
# input ("path") and the statement.
trust_statements := facts.irsa.trust_statements

# oidc_statements holds the Allow trust statements that trust at least one IAM OIDC provider
# through Principal.Federated: a trust_statements entry with
#   "providers": each provider ARN's issuer,
#   "web_identity_action": whether the statement allows sts:AssumeRoleWithWebIdentity,
#   "untrusted_keys": its condition entries on OIDC claim keys whose issuer is no issuer of a
#           Federated principal of the statement, in any case, {"index", "issuer" (as written)},
#           in statement order,
#   "kubernetes_issuers": the lower-case issuers of its providers and claim keys that are
#           Kubernetes issuers, sorted,
#   "blocking": for each provider ARN that has any, the other issuers (as written) whose keys
#           carry a condition that fails when the key is absent, sorted: such a condition refuses
#           every token of the provider, since those tokens do not carry the other issuer's keys.
oidc_statements := facts.irsa.oidc_statements

# web_identity holds one entry per IRSA web-identity statement and Kubernetes OIDC provider it
# trusts: the statement allows sts:AssumeRoleWithWebIdentity, and the Federated principal is an
# OIDC provider of a Kubernetes issuer. Besides the statement, the provider and its issuer, an
# entry has "claims", the claims ("aud", "sub") of the issuer's own keys that carry a condition,
# and "blocking", as in oidc_statements. Both sorted.
web_identity := facts.irsa.web_identity

# provider_conditions holds every condition entry of a web-identity statement on the provider's
# own "sub" or "aud" key, with its path inside input and the claim ("sub" or "aud") it names.
provider_conditions := facts.irsa.provider_conditions

# audience_open holds, in order, the indexes into web_identity of the entries whose statement
# has no condition on the issuer's "aud" key, or whose document the trust model says admits
# tokens of any audience from the provider (role_assumers' "any_audience").
audience_open := facts.irsa.audience_open

# lenient_conditions holds, in order, the indexes into provider_conditions of the entries that can
# hold whatever the claim's value is: a negated operator, IfExists, ForAllValues, or Null.
lenient_conditions := facts.irsa.lenient_conditions

# wildcard_conditions holds, in order, the indexes into provider_conditions of the entries with a
# value that has an IAM wildcard ("*" or "?").
wildcard_conditions := facts.irsa.wildcard_conditions

# other_actions holds, in order, the indexes into oidc_statements of the statements that allow an
# action besides sts:AssumeRoleWithWebIdentity and sts:TagSession (in any case), or use
# NotAction.
other_actions := facts.irsa.other_actions

# other_issuers holds, in order, the indexes into oidc_statements of the statements with
# "untrusted_keys" or with a provider that has "blocking" issuers.
other_issuers := facts.irsa.other_issuers

# other_audiences holds, in order, the indexes into provider_conditions of the entries on "aud"
# with a value other than sts.amazonaws.com, the audience of IRSA tokens.
other_audiences := facts.irsa.other_audiences

# wildcard_principals holds, in order, the indexes into trust_statements of the statements whose
# principal is "*" or names an AWS principal with a "*".
wildcard_principals := facts.irsa.wildcard_principals

# role_assumers and policy_assumers say who can assume each role (by index into input.roles) and
# what each standalone policy file would admit as a trust policy (by index into input.policies):
# pkg/trust's evaluation of the whole document (Deny included) for witness tokens. Per OIDC
# provider ("web_identity"): "kubernetes", "any_subject", "any_service_account", "namespaces",
# "patterns", "service_accounts", "except", "any_audience", "audiences", "conditional" (only
# when a condition the document alone cannot decide holds), "symbolic" (that condition waits on
# a value known only after apply) and "statement" (the index of the Allow statement that admits
# the broadest of them); per service principal ("services") a verdict.
role_assumers := facts.roles

policy_assumers := facts.policies

# any_subject lists, in document order (the roles, then the policy files), the entries of
# role_assumers' and policy_assumers' "web_identity" that admit tokens of any subject:
# {"kind": "role" or "policy", "index" (into role_assumers or policy_assumers), "entry" (into its
# "web_identity")}.
any_subject := facts.any_subject

# conditions returns the condition entries of a statement ([] when it has none).
conditions(statement) := object.get(statement, "conditions", [])

# is_eks_issuer is true for an EKS cluster issuer: oidc.eks.<region>.amazonaws.com/id/<ID>
# (amazonaws.com.cn in the China regions).
is_eks_issuer(issuer) if {
	regex.match(`(?i)^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/[0-9a-z]+$`, issuer)
}

# covers_action is true when a statement allows the given action: one of its Action patterns
# matches it, or it uses NotAction and none of the NotAction patterns matches it. Action names
# are compared case-insensitively.
covers_action(statement, action) if {
	some pattern in object.get(statement, "actions", [])
	wildcard_match(lower(pattern), lower(action))
}

covers_action(statement, action) if {
	count(object.get(statement, "actions", [])) == 0
	not_actions := object.get(statement, "not_actions", [])
	count(not_actions) > 0
	every pattern in not_actions {
		not wildcard_match(lower(pattern), lower(action))
	}
}

# wildcard_match is true when value matches an IAM pattern in which "*" matches any run of
# characters and "?" any single character; everything else is literal and case-sensitive.
wildcard_match(pattern, value) if regex.match(_wildcard_regex(pattern), value)

_wildcard_regex(pattern) := concat("", ["(?s)^", body, "$"]) if {
	escaped := regex.replace(pattern, `[.+()|\[\]{}^$\\]`, `\$0`)
	body := strings.replace_n({"*": ".*", "?": "."}, escaped)
}

# has_wildcard is true when s contains an IAM wildcard ("*" or "?").
has_wildcard(s) if regex.match(`[*?]`, s)

# role_arn_annotation returns a ServiceAccount's eks.amazonaws.com/role-arn annotation, "" when
# it is present but empty; undefined when the ServiceAccount has none.
role_arn_annotation(sa) := sa.annotations["eks.amazonaws.com/role-arn"]

role_arn_annotation(sa) := sa.role_arn if {
	object.get(sa, ["annotations", "eks.amazonaws.com/role-arn"], null) == null
	sa.role_arn != ""
}

# service_account_id identifies a ServiceAccount as "<cluster>/<namespace>/<name>", or
# "<namespace>/<name>" when the cluster is unknown.
service_account_id(sa) := sprintf("%s/%s/%s", [sa.cluster, sa.namespace, sa.name]) if {
	object.get(sa, "cluster", "") != ""
}

service_account_id(sa) := sprintf("%s/%s", [sa.namespace, sa.name]) if {
	object.get(sa, "cluster", "") == ""
}

# web_identity_assumers holds one entry per trust document and OIDC provider it names, in
# document order (the policy files, then the roles) and provider ARN order: {"resource", "path"
# (of the document inside input), "who"} with "who" an entry of role_assumers' or
# policy_assumers' "web_identity".
web_identity_assumers := array.concat(
	[entry |
		some i, p in input.policies
		some who in policy_assumers[i].web_identity
		entry := {"resource": {"kind": "policy", "id": p.id}, "path": ["policies", i, "document"], "who": who}
	],
	[entry |
		some i, r in input.roles
		some who in role_assumers[i].web_identity
		entry := {"resource": {"kind": "role", "id": r.arn}, "path": ["roles", i, "trust_policy"], "who": who}
	],
)

# assumers_at returns the entry of role_assumers or policy_assumers of the trust document at a
# path inside input (["roles", i, ...] or ["policies", i, ...]).
assumers_at(path) := role_assumers[path[1]] if path[0] == "roles"

assumers_at(path) := policy_assumers[path[1]] if path[0] == "policies"
