# Package admits decides, as IAM does for sts:AssumeRoleWithWebIdentity, whether a role's trust
# policy admits a given OIDC token. It is pure: every function takes what it judges as arguments
# and nothing here reads input. The inventory rules (IRSA-020, 022, 025) and the trace command use
# it; it produces no findings and carries no METADATA id.
#
# The request is described by:
#   - doc: the trust policy (snapshot.Document: statements with effect, principal, actions,
#     not_actions, conditions as parsed by pkg/policydoc);
#   - provider: the ARN of the IAM OIDC provider STS matched the token to. STS only looks in the
#     role's own account, so callers build it with provider_arn(role_arn, issuer);
#   - token: {"iss": <issuer without scheme>, "sub": ..., "aud": ...} (aud a string or a list,
#     "amr" optional), e.g. service_account_token(issuer, namespace, name).
#
# What the request context holds: "<iss>:sub", "<iss>:aud" and "<iss>:amr" when the token has
# one (key names compared case-insensitively, values case-sensitively). Every other key is absent.
#
# Choices where IAM cannot be observed from a policy alone:
#   - Principal: a statement matches when Principal.Federated lists the provider ARN (exact
#     string), or Principal is "*" / {"AWS": "*"}, which IAM defines as every principal, federated
#     ones included. Federated "*" is not a wildcard. A statement with NotPrincipal matches
#     nothing: IAM refuses NotPrincipal in role trust policies.
#   - Actions: Action / NotAction patterns are compared case-insensitively with "*" and "?"
#     wildcards; a statement with neither matches nothing.
#   - Resources are ignored (trust policies have none).
#   - Policy variables ("${...}") in condition values are not substituted: values are literal.
#   - IpAddress / NotIpAddress cannot be evaluated without net.* builtins (the rules are
#     hermetic) and no token key is an IP address: such a condition is false, negated or not.
#   - Numeric* and Date* conditions are false when the request value or the condition value is
#     not a number / date, negated or not.
#   - Unknown operators (Known false) make the condition false: IAM rejects such a policy.
#   - A plain (unqualified) operator on a multi-valued key holds when some value matches; a plain
#     negated one when no value matches any condition value.
#
# admits() follows the rule above strictly: every key other than the token's is absent. verdict()
# adds a third answer, "unknown", for documents whose outcome depends on request keys that a
# policy alone cannot know ("aws:..." and "sts:..." keys such as aws:SourceIp or
# sts:RoleSessionName): rules that fire on "not admitted" use verdict() so they stay silent there.
package irsa_audit.lib.admits

# web_identity_action is the STS action a token exchange is evaluated as.
web_identity_action := "sts:AssumeRoleWithWebIdentity"

# default_audience is the audience the EKS Pod Identity Webhook requests for projected tokens.
default_audience := "sts.amazonaws.com"

# admits is true when the trust policy doc admits token through the OIDC provider ARN provider:
# some Allow statement matches and no Deny statement matches. Keys other than the token's are
# absent.
default admits(_, _, _) := false

admits(doc, provider, token) if admits_context(doc, provider, token_context(token))

# admits_context is admits with an explicit request context: an object from lower-case condition
# key to the list of its values (see token_context). It lets trace add keys to the context.
default admits_context(_, _, _) := false

admits_context(doc, provider, ctx) if {
	some statement in _statements(doc)
	statement.effect == "Allow"
	_statement_matches(statement, provider, ctx)
	not _denied(doc, provider, ctx)
}

_denied(doc, provider, ctx) if {
	some statement in _statements(doc)
	statement.effect == "Deny"
	_statement_matches(statement, provider, ctx)
}

# verdict is "admitted", "refused" or "unknown". It is "unknown" when the outcome depends on a
# condition on an "aws:" or "sts:" key the token does not carry (such a key may or may not be in
# the real request); otherwise it agrees with admits.
verdict(doc, provider, token) := "admitted" if {
	_plainly_admitted(_statements(doc), provider, token_context(token))
} else := _combine(statuses) if {
	ctx := token_context(token)
	statuses := {[statement.effect, _status(statement, provider, ctx)] | some statement in _statements(doc)}
}

# _plainly_admitted is the common case of verdict, decided without the general machinery: there
# is no Deny statement, and an Allow statement applies whose conditions are all plain
# StringEquals entries (no qualifier, not negated) that a token value matches. Such a statement's
# status is "yes", so _combine gives "admitted"; every other document takes the general path.
_plainly_admitted(statements, provider, ctx) if {
	not _has_deny(statements)
	some statement in statements
	statement.effect == "Allow"
	_applies(statement, provider)
	every condition in _conditions(statement) {
		_plain_string_equals(condition)
		some value in object.get(ctx, lower(condition.key), [])
		value in condition.values
	}
}

_has_deny(statements) if {
	some statement in statements
	statement.effect == "Deny"
}

_plain_string_equals(condition) if {
	condition.known == true
	condition.base_operator == "StringEquals"
	_qualifier(condition) == ""
	not _negated(condition)
}

_combine(statuses) := "refused" if {
	["Deny", "yes"] in statuses
} else := "admitted" if {
	["Allow", "yes"] in statuses
	not ["Deny", "maybe"] in statuses
} else := "refused" if {
	not ["Allow", "yes"] in statuses
	not ["Allow", "maybe"] in statuses
} else := "unknown"

# explain lists, for every statement of doc, whether it applies to the request: "yes" (principal,
# action and every condition match), "no" or "maybe" (only conditions on unknowable keys are
# left), with the index of every condition entry that is false. For the trace command.
explain(doc, provider, token) := [entry |
	ctx := token_context(token)
	some i, statement in _statements(doc)
	entry := {
		"statement": i,
		"effect": statement.effect,
		"principal": _principal_matches(statement, provider),
		"action": covers_action(statement, web_identity_action),
		"status": _status(statement, provider, ctx),
		"false_conditions": [k |
			some k, condition in _conditions(statement)
			not condition_holds(condition, ctx)
		],
	}
]

_status(statement, provider, ctx) := "no" if {
	not _applies(statement, provider)
} else := _fold({_condition_state(c, ctx) | some c in _conditions(statement)})

_fold(states) := "no" if {
	"false" in states
} else := "maybe" if {
	"unknown" in states
} else := "yes"

_condition_state(condition, ctx) := _state(condition, object.get(ctx, lower(condition.key), []))

_state(condition, values) := "unknown" if {
	count(values) == 0
	_unknowable_key(condition.key)
} else := "true" if {
	_holds(condition, values)
} else := "false"

# _unknowable_key is true for a key whose presence in a real request a policy alone cannot tell:
# global and STS keys ("aws:...", "sts:..."), as opposed to the token's own keys.
_unknowable_key(key) if startswith(lower(key), "aws:")

_unknowable_key(key) if startswith(lower(key), "sts:")

_statement_matches(statement, provider, ctx) if {
	_applies(statement, provider)
	every condition in _conditions(statement) {
		condition_holds(condition, ctx)
	}
}

_applies(statement, provider) if {
	_principal_matches(statement, provider)
	covers_action(statement, web_identity_action)
}

_statements(doc) := object.get(doc, "statements", []) if is_object(doc)

_statements(doc) := [] if not is_object(doc)

_conditions(statement) := object.get(statement, "conditions", [])

# Principal matching (see the package comment for "*" and NotPrincipal).
default _principal_matches(_, _) := false

_principal_matches(statement, provider) if {
	object.get(statement, "not_principal", null) == null
	_principal_names(object.get(statement, "principal", {}), provider)
}

_principal_names(principal, _) if principal.wildcard == true

_principal_names(principal, _) if "*" in object.get(principal, "aws", [])

_principal_names(principal, provider) if provider in object.get(principal, "federated", [])

# covers_action is true when a statement's Action matches action, or its NotAction does not;
# case-insensitive, with "*" and "?" wildcards.
default covers_action(_, _) := false

covers_action(statement, action) if {
	some pattern in object.get(statement, "actions", [])
	glob_match(lower(pattern), lower(action))
}

covers_action(statement, action) if {
	count(object.get(statement, "actions", [])) == 0
	not_actions := object.get(statement, "not_actions", [])
	count(not_actions) > 0
	every pattern in not_actions {
		not glob_match(lower(pattern), lower(action))
	}
}

# glob_match is IAM's wildcard matching: "*" matches any run of characters (the empty one too),
# "?" exactly one character; every other character, "[", "{" and "\" included, is literal and
# compared case-sensitively. (OPA's glob.match gives "[", "{" and "\" a meaning, so it is not used.)
glob_match(pattern, value) if {
	not contains(pattern, "*")
	not contains(pattern, "?")
	pattern == value
}

glob_match(pattern, value) if {
	_has_wildcard(pattern)
	regex.match(_glob_regex(pattern), value)
}

_has_wildcard(s) if contains(s, "*")

_has_wildcard(s) if contains(s, "?")

_glob_regex(pattern) := concat("", ["(?s)^", body, "$"]) if {
	escaped := regex.replace(pattern, `[.+()|\[\]{}^$\\]`, `\$0`)
	body := strings.replace_n({"*": ".*", "?": "."}, escaped)
}

# token_context builds the request context of a token: lower-case "<iss>:<claim>" -> values.
token_context(token) := {key: values |
	issuer := lower(normalize_issuer(token.iss))
	some claim in ["sub", "aud", "amr"]
	value := token[claim]
	key := concat(":", [issuer, claim])
	values := _as_list(value)
}

_as_list(v) := v if is_array(v)

_as_list(v) := [v] if is_string(v)

# normalize_issuer drops the scheme and a trailing "/" from an issuer URL, the form IAM uses in
# provider ARNs and condition keys.
normalize_issuer(issuer) := trim_suffix(trim_prefix(trim_prefix(issuer, "https://"), "http://"), "/")

# service_account_token is the token the EKS Pod Identity Webhook projects for a ServiceAccount.
service_account_token(issuer, namespace, name) := {
	"iss": normalize_issuer(issuer),
	"sub": service_account_subject(namespace, name),
	"aud": default_audience,
}

# service_account_subject is the "sub" claim of a ServiceAccount token.
service_account_subject(namespace, name) := concat(":", ["system:serviceaccount", namespace, name])

# parse_subject splits "system:serviceaccount:<namespace>:<name>" into {"namespace", "name"};
# undefined for any other subject.
parse_subject(sub) := {"namespace": parts[2], "name": parts[3]} if {
	parts := split(sub, ":")
	count(parts) == 4
	parts[0] == "system"
	parts[1] == "serviceaccount"
	parts[2] != ""
	parts[3] != ""
}

# role_arn_parts parses an IAM role ARN, arn:<partition>:iam::<account>:role/<path><name>, into
# {"partition", "account", "path", "name"}; undefined for anything else.
role_arn_parts(arn) := {"partition": m[1], "account": m[2], "path": m[3], "name": m[4]} if {
	m := regex.find_all_string_submatch_n(`^arn:(aws[a-z-]*):iam::([0-9]{12}):role(/(?:[^/]+/)*)([^/]+)$`, arn, 1)[0]
}

# role_key identifies a role for lookups: "<account>/<lower-case name>". IAM role names are
# unique per account regardless of case and the path is not part of a role's identity.
role_key(arn) := concat("/", [parts.account, lower(parts.name)]) if parts := role_arn_parts(arn)

# provider_arn is the ARN of the IAM OIDC provider for issuer in the partition and account of
# role_arn: the only provider STS matches a token to when that role is assumed.
provider_arn(role_arn, issuer) := sprintf("arn:%s:iam::%s:oidc-provider/%s", [parts[1], parts[4], normalize_issuer(issuer)]) if {
	parts := split(role_arn, ":")
	count(parts) >= 6
	parts[0] == "arn"
}

# provider_parts parses an IAM OIDC provider ARN into {"partition", "account", "issuer"};
# undefined for any other string (SAML providers, Cognito, "*").
provider_parts(arn) := {"partition": m[1], "account": m[2], "issuer": m[3]} if {
	m := regex.find_all_string_submatch_n(`^arn:(aws[a-z-]*):iam::([0-9]{12}):oidc-provider/(.+)$`, arn, 1)[0]
}

# pinned_subjects is the set of subjects a statement names literally for issuer: the values of
# its StringEquals conditions (any qualifier, with or without IfExists) on "<issuer>:sub". Every
# subject the statement admits is among them; empty when the statement does not pin "sub".
pinned_subjects(statement, issuer) := {value |
	key := concat(":", [lower(normalize_issuer(issuer)), "sub"])
	some condition in _conditions(statement)
	condition.base_operator == "StringEquals"
	lower(condition.key) == key
	some value in condition.values
}

# condition_holds is true when one condition entry is satisfied by the request context.
condition_holds(condition, ctx) if _holds(condition, object.get(ctx, lower(condition.key), []))

# _holds judges a condition entry against the values of its key in the request ([] when absent).
_holds(condition, values) if {
	condition.known == true
	condition.base_operator == "Null"
	present := count(values) > 0
	some expected in condition.values
	_null_holds(lower(expected), present)
}

_holds(condition, values) if {
	condition.known == true
	condition.base_operator != "Null"
	count(values) == 0
	_holds_when_absent(condition)
}

_holds(condition, values) if {
	condition.known == true
	condition.base_operator != "Null"
	count(values) > 0
	_holds_for(_qualifier(condition), condition, values)
}

_null_holds("true", present) if not present

_null_holds("false", present) if present

_qualifier(condition) := object.get(condition, "qualifier", "")

_negated(condition) if condition.negated == true

# An absent key: ...IfExists holds; ForAllValues holds (vacuously); ForAnyValue fails; a plain
# operator holds when negated and fails otherwise.
_holds_when_absent(condition) if condition.if_exists == true

_holds_when_absent(condition) if _qualifier(condition) == "ForAllValues"

_holds_when_absent(condition) if {
	_qualifier(condition) == ""
	_negated(condition)
}

_holds_for("ForAnyValue", condition, values) if {
	some value in values
	_value_holds(condition, value)
}

_holds_for("ForAllValues", condition, values) if {
	every value in values {
		_value_holds(condition, value)
	}
}

_holds_for("", condition, values) if {
	not _negated(condition)
	some value in values
	_value_holds(condition, value)
}

_holds_for("", condition, values) if {
	_negated(condition)
	every value in values {
		_value_holds(condition, value)
	}
}

# _value_holds is true when one request value satisfies the condition: for a positive operator
# it matches one of the condition values, for a negated one it is comparable and matches none.
_value_holds(condition, value) if {
	not _negated(condition)
	some expected in condition.values
	_compare(condition.base_operator, value, expected)
}

_value_holds(condition, value) if {
	_negated(condition)
	positive := _positive[condition.base_operator]
	_comparable(positive, value, condition.values)
	not _any_match(positive, value, condition.values)
}

_any_match(operator, value, expected_values) if {
	some expected in expected_values
	_compare(operator, value, expected)
}

_positive := {
	"StringNotEquals": "StringEquals",
	"StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
	"StringNotLike": "StringLike",
	"NumericNotEquals": "NumericEquals",
	"DateNotEquals": "DateEquals",
	"NotIpAddress": "IpAddress",
	"ArnNotEquals": "ArnEquals",
	"ArnNotLike": "ArnLike",
}

# _comparable is false when the request value or a condition value cannot be read as the
# operator's type: then the negated operator fails too.
_comparable(operator, value, expected_values) if {
	startswith(operator, "Numeric")
	_number(value)
	every expected in expected_values {
		_number(expected)
	}
}

_comparable(operator, value, expected_values) if {
	startswith(operator, "Date")
	_date_ns(value)
	every expected in expected_values {
		_date_ns(expected)
	}
}

_comparable(operator, _, _) if startswith(operator, "String")

_comparable(operator, _, _) if startswith(operator, "Arn")

_compare("StringEquals", value, expected) if value == expected

_compare("StringEqualsIgnoreCase", value, expected) if lower(value) == lower(expected)

_compare("StringLike", value, expected) if glob_match(expected, value)

_compare("ArnEquals", value, expected) if _arn_match(expected, value)

_compare("ArnLike", value, expected) if _arn_match(expected, value)

_compare("Bool", value, expected) if {
	lower(value) in {"true", "false"}
	lower(value) == lower(expected)
}

_compare("BinaryEquals", value, expected) if value == expected

_compare("NumericEquals", value, expected) if _number(value) == _number(expected)

_compare("NumericLessThan", value, expected) if _number(value) < _number(expected)

_compare("NumericLessThanEquals", value, expected) if _number(value) <= _number(expected)

_compare("NumericGreaterThan", value, expected) if _number(value) > _number(expected)

_compare("NumericGreaterThanEquals", value, expected) if _number(value) >= _number(expected)

_compare("DateEquals", value, expected) if _date_ns(value) == _date_ns(expected)

_compare("DateLessThan", value, expected) if _date_ns(value) < _date_ns(expected)

_compare("DateLessThanEquals", value, expected) if _date_ns(value) <= _date_ns(expected)

_compare("DateGreaterThan", value, expected) if _date_ns(value) > _date_ns(expected)

_compare("DateGreaterThanEquals", value, expected) if _date_ns(value) >= _date_ns(expected)

# IpAddress: never (see the package comment).

# _arn_match compares the six ":"-separated parts of two ARNs one by one, each with wildcards;
# the sixth part (the resource) keeps its own colons.
_arn_match(pattern, value) if {
	p := _arn_split(pattern)
	v := _arn_split(value)
	every i, part in p {
		glob_match(part, v[i])
	}
}

_arn_split(arn) := array.concat(array.slice(parts, 0, 5), [concat(":", array.slice(parts, 5, count(parts)))]) if {
	parts := split(arn, ":")
	count(parts) >= 6
}

_number(s) := to_number(s) if regex.match(`^-?[0-9]+(\.[0-9]+)?$`, s)

_date_ns(s) := to_number(s) * 1000000000 if regex.match(`^[0-9]+$`, s)

_date_ns(s) := time.parse_rfc3339_ns(concat("", [s, "T00:00:00Z"])) if {
	regex.match(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`, s)
}

_date_ns(s) := time.parse_rfc3339_ns(s) if {
	regex.match(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$`, s)
}
