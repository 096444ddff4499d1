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
# The evaluator derives them in Go (pkg/trust's facts; pkg/eval builds the entries, the
# statements and conditions being the input's own values) and hands them over at
# input.trust.irsa, which is read when present; without it (the Rego tests, `opa test`, inputs
# built by other tools) they are derived here. Both give equal arrays (pkg/eval's
# TestGoFactsMatchRego).

# trust_statements holds every statement of every document that can be a trust policy: the
# standalone policy files (input.policies) and the role trust policies (input.roles). Each entry
# carries the resource the document belongs to and the path of the statement inside input.
trust_statements := input.trust.irsa.trust_statements if {
	_has_facts
} else := array.concat(
	[entry |
		some i, p in input.policies
		some j, statement in p.document.statements
		entry := {
			"resource": {"kind": "policy", "id": p.id},
			"path": ["policies", i, "document", "statements", j],
			"statement": statement,
		}
	],
	[entry |
		some i, r in input.roles
		some j, statement in r.trust_policy.statements
		entry := {
			"resource": {"kind": "role", "id": r.arn},
			"path": ["roles", i, "trust_policy", "statements", j],
			"statement": statement,
		}
	],
)

# oidc_statements holds the Allow trust statements that trust at least one IAM OIDC provider
# through Principal.Federated: a trust_statements entry with
#   "providers": each provider ARN's issuer,
#   "web_identity_action": whether the statement allows sts:AssumeRoleWithWebIdentity,
#   "untrusted_keys": its condition entries on OIDC claim keys (issuer_key) whose issuer is no
#           issuer of a Federated principal of the statement, in any case (a principal that is
#           no OIDC provider ARN counts as it is), {"index", "issuer" (as written)}, in
#           statement order,
#   "kubernetes_issuers": the lower-case issuers of its providers and claim keys that are
#           Kubernetes issuers (is_kubernetes_issuer), sorted,
#   "blocking": for each provider ARN that has any, the other issuers (as written) whose keys
#           carry a blocking condition (fails_when_missing), sorted: such a condition refuses
#           every token of the provider, since those tokens do not carry the other issuer's keys.
oidc_statements := input.trust.irsa.oidc_statements if {
	_has_facts
} else := [object.union(ts, _oidc_facts(ts.statement, providers)) |
	some ts in trust_statements
	ts.statement.effect == "Allow"
	providers := oidc_providers(ts.statement)
	count(providers) > 0
]

_oidc_facts(statement, providers) := {
	"providers": providers,
	"web_identity_action": _covers_web_identity(statement),
	"untrusted_keys": [{"index": key.index, "issuer": key.issuer} |
		some key in keys
		not key.trusted
	],
	"kubernetes_issuers": sort({lower(issuer) |
		some issuer in ({issuer | some issuer in providers} | {key.issuer | some key in keys})
		is_kubernetes_issuer(issuer, conditions(statement))
	}),
	"blocking": {provider: others |
		some provider, issuer in providers
		others := _blocking_others(keys, issuer)
		count(others) > 0
	},
} if {
	keys := _claim_keys(statement)
}

# _claim_keys are the statement's condition entries on OIDC claim keys, in statement order:
# {"index", "issuer" (as written), "claim", "blocking" (fails_when_missing), "trusted" (the
# issuer is one of a Federated principal's, in any case)}.
_claim_keys(statement) := [{
	"index": k,
	"issuer": key.issuer,
	"claim": key.claim,
	"blocking": _blocking(condition),
	"trusted": lower(key.issuer) in principal_issuers,
} |
	principal_issuers := {lower(_issuer_of(federated)) |
		some federated in object.get(statement, ["principal", "federated"], [])
	}
	some k, condition in conditions(statement)
	key := issuer_key(condition.key)
]

# _blocking_others are the issuers (as written) other than issuer whose keys carry a blocking
# condition, sorted.
_blocking_others(keys, issuer) := sort({key.issuer |
	some key in keys
	key.blocking
	lower(key.issuer) != lower(issuer)
})

_covers_web_identity(statement) if {
	covers_action(statement, "sts:AssumeRoleWithWebIdentity")
} else := false

_blocking(condition) if {
	fails_when_missing(condition)
} else := false

_issuer_of(federated) := issuer if {
	issuer := oidc_issuer(federated)
} else := federated

# web_identity holds one entry per IRSA web-identity statement and Kubernetes OIDC provider it
# trusts: the statement allows sts:AssumeRoleWithWebIdentity, and the Federated principal is an
# OIDC provider of a Kubernetes issuer. Besides the statement, the provider and its issuer, an
# entry has "claims", the claims ("aud", "sub") of the issuer's own keys that carry a condition,
# and "blocking", the other issuers (as written) whose keys carry a condition that fails when
# the key is missing: such a condition refuses every token of this issuer, since those tokens
# do not carry the other issuer's keys. Both sorted.
web_identity := input.trust.irsa.web_identity if {
	_has_facts
} else := [entry |
	some os in oidc_statements
	os.web_identity_action
	some provider in sort(object.keys(os.providers))
	issuer := os.providers[provider]
	is_kubernetes_issuer(issuer, conditions(os.statement))
	keys := _claim_keys(os.statement)
	entry := {
		"resource": os.resource,
		"path": os.path,
		"statement": os.statement,
		"provider": provider,
		"issuer": issuer,
		"claims": sort({key.claim | some key in keys; lower(key.issuer) == lower(issuer)}),
		"blocking": object.get(os.blocking, provider, []),
	}
]

# provider_conditions holds every condition entry of a web-identity statement on the provider's
# own "sub" or "aud" key, with its path inside input and the claim ("sub" or "aud") it names.
provider_conditions := input.trust.irsa.provider_conditions if {
	_has_facts
} else := [entry |
	some wi in web_identity
	some k, condition in conditions(wi.statement)
	key := issuer_key(condition.key)
	lower(key.issuer) == lower(wi.issuer)
	entry := {
		"resource": wi.resource,
		"path": array.concat(wi.path, ["conditions", k]),
		"provider": wi.provider,
		"issuer": wi.issuer,
		"claim": key.claim,
		"condition": condition,
	}
]

# _has_facts is true when the evaluator handed over the Go facts.
_has_facts if is_object(input.trust.irsa)

# conditions returns the condition entries of a statement ([] when it has none).
conditions(statement) := object.get(statement, "conditions", [])

# oidc_providers maps every IAM OIDC provider ARN in a statement's Principal.Federated to its
# issuer.
oidc_providers(statement) := {arn: issuer |
	some arn in object.get(statement, ["principal", "federated"], [])
	issuer := oidc_issuer(arn)
}

# oidc_issuer returns the issuer of an IAM OIDC provider ARN
# (arn:<partition>:iam::<account>:oidc-provider/<issuer>); undefined for any other string.
oidc_issuer(arn) := issuer if {
	[_, issuer] := regex.find_all_string_submatch_n(
		`^arn:aws[a-z-]*:iam::[^:]*:oidc-provider/(.+)$`,
		arn, 1,
	)[0]
}

# is_eks_issuer is true for an EKS cluster issuer: oidc.eks.<region>.amazonaws.com/id/<ID>
# (amazonaws.com.cn in the China regions).
is_eks_issuer(issuer) if {
	regex.match(`(?i)^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/[0-9a-z]+$`, issuer)
}

# is_kubernetes_issuer is true for an EKS issuer, and for any issuer whose "sub" conditions in
# the given condition entries name a ServiceAccount subject (system:serviceaccount:...).
is_kubernetes_issuer(issuer, _) if is_eks_issuer(issuer)

is_kubernetes_issuer(issuer, entries) if {
	some condition in entries
	key := issuer_key(condition.key)
	key.claim == "sub"
	lower(key.issuer) == lower(issuer)
	some value in condition.values
	contains(value, "system:serviceaccount:")
}

# issuer_key splits an OIDC condition key "<issuer>:sub" or "<issuer>:aud" (any case) into
# {"issuer": <issuer as written>, "claim": "sub"|"aud"}; undefined for every other key. The issuer
# must look like a host name or URL path, which leaves out global keys such as "aws:...".
issuer_key(key) := {"issuer": m[1], "claim": lower(m[2])} if {
	m := regex.find_all_string_submatch_n(`^(.*[./].*):((?i:sub|aud))$`, key, 1)[0]
}

# fails_when_missing is true for a condition entry that evaluates to false when its key is absent
# from the request (a condition on another issuer's key then refuses this issuer's tokens): a positive, single-valued operator without IfExists, or Null "false".
fails_when_missing(condition) if {
	not condition.if_exists
	not condition.negated
	object.get(condition, "qualifier", "") != "ForAllValues"
	condition.base_operator != "Null"
}

fails_when_missing(condition) if {
	condition.base_operator == "Null"
	every value in condition.values {
		lower(value) == "false"
	}
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
