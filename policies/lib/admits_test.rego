package irsa_audit.lib.admits_test

import data.irsa_audit.lib.admits

_issuer := "oidc.eks.us-east-1.amazonaws.com/id/ABC"

_role := "arn:aws:iam::111122223333:role/app"

_provider := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"

_sub_key := "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"

_aud_key := "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud"

_amr_key := "oidc.eks.us-east-1.amazonaws.com/id/ABC:amr"

_sub := "system:serviceaccount:app:web"

_token := {"iss": _issuer, "sub": _sub, "aud": "sts.amazonaws.com"}

# _cond builds a condition entry as pkg/policydoc parses it from an operator as written
# (canonical spelling only).
_cond(operator, key, values) := object.union(_parse_operator(operator), {"key": key, "values": values})

_operators := {
	"StringEquals": false, "StringNotEquals": true,
	"StringEqualsIgnoreCase": false, "StringNotEqualsIgnoreCase": true,
	"StringLike": false, "StringNotLike": true,
	"NumericEquals": false, "NumericNotEquals": true,
	"NumericLessThan": false, "NumericGreaterThanEquals": false,
	"DateEquals": false, "DateNotEquals": true, "DateGreaterThan": false,
	"Bool": false, "BinaryEquals": false,
	"IpAddress": false, "NotIpAddress": true,
	"ArnEquals": false, "ArnLike": false, "ArnNotEquals": true, "ArnNotLike": true,
	"Null": false,
}

_parse_operator(operator) := parsed if {
	[qualifier, rest] := _split_qualifier(operator)
	[base, if_exists] := _split_if_exists(rest)
	base in object.keys(_operators)
	parsed := {
		"operator": operator, "qualifier": qualifier, "base_operator": base,
		"if_exists": if_exists, "negated": _operators[base], "known": true,
	}
} else := {"operator": operator, "base_operator": operator, "known": false}

_split_qualifier(operator) := ["ForAnyValue", trim_prefix(operator, "ForAnyValue:")] if {
	startswith(operator, "ForAnyValue:")
} else := ["ForAllValues", trim_prefix(operator, "ForAllValues:")] if {
	startswith(operator, "ForAllValues:")
} else := ["", operator]

_split_if_exists(rest) := [trim_suffix(rest, "IfExists"), true] if endswith(rest, "IfExists")

else := [rest, false]

_allow(conditions) := {
	"effect": "Allow",
	"principal": {"federated": [_provider]},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": [_cond(op, key, values) | some [op, key, values] in conditions],
}

# _with replaces one element of a statement (object.union would merge principals).
_with(statement, key, value) := object.union(object.remove(statement, [key]), {key: value})

_deny(conditions) := object.union(_allow(conditions), {"effect": "Deny"})

# Every operator family, one statement with the listed conditions against a token (default
# _token, or the case's own "token").
# Condition cases, one table per operator family: one Allow statement with the listed conditions
# against a token (_token, with the case's own "token" claims merged in).
_exact_cases := [
	{"name": "equals exact", "conds": [["StringEquals", _sub_key, [_sub]]], "want": true},
	{"name": "equals other subject", "conds": [["StringEquals", _sub_key, ["system:serviceaccount:app:api"]]], "want": false},
	{"name": "equals list is OR", "conds": [["StringEquals", _sub_key, ["system:serviceaccount:app:api", _sub]]], "want": true},
	{"name": "sub and aud are AND", "conds": [["StringEquals", _sub_key, [_sub]], ["StringEquals", _aud_key, ["sts.amazonaws.com"]]], "want": true},
	{"name": "wrong aud fails the AND", "conds": [["StringEquals", _sub_key, [_sub]], ["StringEquals", _aud_key, ["api://other"]]], "want": false},
	{"name": "key names case-insensitive", "conds": [["StringEquals", "OIDC.EKS.US-EAST-1.AMAZONAWS.COM/ID/abc:SUB", [_sub]]], "want": true},
	{"name": "values case-sensitive", "conds": [["StringEquals", _sub_key, ["system:serviceaccount:App:web"]]], "want": false},
	{"name": "other issuer's key is absent", "conds": [["StringEquals", "oidc.eks.us-east-1.amazonaws.com/id/XYZ:sub", [_sub]]], "want": false},
]

_like_cases := [
	{"name": "like star", "conds": [["StringLike", _sub_key, ["system:serviceaccount:app:*"]]], "want": true},
	{"name": "like star matches empty run", "conds": [["StringLike", _sub_key, ["system:serviceaccount:app:web*"]]], "want": true},
	{"name": "like question mark one char", "conds": [["StringLike", _sub_key, ["system:serviceaccount:app:we?"]]], "want": true},
	{"name": "like question mark not two", "conds": [["StringLike", _sub_key, ["system:serviceaccount:app:w?"]]], "want": false},
	{"name": "like other namespace", "conds": [["StringLike", _sub_key, ["system:serviceaccount:kube-system:*"]]], "want": false},
	{"name": "like star alone", "conds": [["StringLike", _sub_key, ["*"]]], "want": true},
	{"name": "like is case-sensitive", "conds": [["StringLike", _sub_key, ["system:serviceaccount:APP:*"]]], "want": false},
	{"name": "like bracket is literal, no class", "conds": [["StringLike", _sub_key, ["system:serviceaccount:app:[w]eb"]]], "want": false},
	{"name": "like bracket literal matches itself", "token": {"sub": "a[b]c"}, "conds": [["StringLike", _sub_key, ["a[b]*"]]], "want": true},
	{"name": "like brace is literal, no alternation", "token": {"sub": "ab"}, "conds": [["StringLike", _sub_key, ["a{b,c}"]]], "want": false},
	{"name": "like brace literal matches itself", "token": {"sub": "a{b,c}"}, "conds": [["StringLike", _sub_key, ["a{b,c}"]]], "want": true},
	{"name": "like dot is literal", "token": {"sub": "abc"}, "conds": [["StringLike", _sub_key, ["a.c*"]]], "want": false},
	{"name": "like backslash is literal", "token": {"sub": "a\\xyz"}, "conds": [["StringLike", _sub_key, ["a\\*"]]], "want": true},
	{"name": "equals does not glob", "conds": [["StringEquals", _sub_key, ["system:serviceaccount:app:*"]]], "want": false},
]

_ignore_case_cases := [
	{"name": "equals ignore case", "conds": [["StringEqualsIgnoreCase", _sub_key, ["SYSTEM:ServiceAccount:APP:WEB"]]], "want": true},
	{"name": "not equals ignore case", "conds": [["StringNotEqualsIgnoreCase", _sub_key, ["SYSTEM:SERVICEACCOUNT:APP:WEB"]]], "want": false},
]

_negated_cases := [
	{"name": "not equals other", "conds": [["StringNotEquals", _sub_key, ["system:serviceaccount:app:api"]]], "want": true},
	{"name": "not equals same", "conds": [["StringNotEquals", _sub_key, ["system:serviceaccount:app:api", _sub]]], "want": false},
	{"name": "not like other namespace", "conds": [["StringNotLike", _sub_key, ["system:serviceaccount:kube-system:*"]]], "want": true},
	{"name": "not like own namespace", "conds": [["StringNotLike", _sub_key, ["system:serviceaccount:app:*"]]], "want": false},
	{"name": "negated on absent key holds", "conds": [["StringNotEquals", _amr_key, ["x"]]], "want": true},
	{"name": "positive on absent key fails", "conds": [["StringEquals", _amr_key, ["x"]]], "want": false},
	{"name": "global key is absent", "conds": [["StringEquals", "aws:PrincipalTag/team", ["x"]]], "want": false},
]

_if_exists_cases := [
	{"name": "if exists absent", "conds": [["StringEqualsIfExists", _amr_key, ["x"]]], "want": true},
	{"name": "if exists present match", "conds": [["StringEqualsIfExists", _sub_key, [_sub]]], "want": true},
	{"name": "if exists present mismatch", "conds": [["StringLikeIfExists", _sub_key, ["system:serviceaccount:other:*"]]], "want": false},
	{"name": "negated if exists present", "conds": [["StringNotEqualsIfExists", _sub_key, [_sub]]], "want": false},
]

_set_qualifiers_cases := [
	{"name": "for any value match", "conds": [["ForAnyValue:StringEquals", _sub_key, [_sub]]], "want": true},
	{"name": "for any value absent", "conds": [["ForAnyValue:StringEquals", _amr_key, ["x"]]], "want": false},
	{"name": "for any value absent negated", "conds": [["ForAnyValue:StringNotEquals", _amr_key, ["x"]]], "want": false},
	{"name": "for any value absent if exists", "conds": [["ForAnyValue:StringEqualsIfExists", _amr_key, ["x"]]], "want": true},
	{"name": "for any value multi-valued aud", "token": {"aud": ["api://a", "sts.amazonaws.com"]}, "conds": [["ForAnyValue:StringEquals", _aud_key, ["sts.amazonaws.com"]]], "want": true},
	{"name": "for any value negated multi-valued", "token": {"aud": ["api://a", "sts.amazonaws.com"]}, "conds": [["ForAnyValue:StringNotEquals", _aud_key, ["sts.amazonaws.com"]]], "want": true},
	{"name": "for all values absent", "conds": [["ForAllValues:StringEquals", _amr_key, ["x"]]], "want": true},
	{"name": "for all values one outside", "token": {"aud": ["api://a", "sts.amazonaws.com"]}, "conds": [["ForAllValues:StringEquals", _aud_key, ["sts.amazonaws.com"]]], "want": false},
	{"name": "for all values all inside", "token": {"aud": ["api://a", "sts.amazonaws.com"]}, "conds": [["ForAllValues:StringLike", _aud_key, ["sts.amazonaws.com", "api://*"]]], "want": true},
	{"name": "for all values negated", "token": {"aud": ["api://a", "sts.amazonaws.com"]}, "conds": [["ForAllValues:StringNotEquals", _aud_key, ["api://b"]]], "want": true},
	{"name": "plain on multi-valued any", "token": {"aud": ["api://a", "sts.amazonaws.com"]}, "conds": [["StringEquals", _aud_key, ["sts.amazonaws.com"]]], "want": true},
	{"name": "plain negated on multi-valued none", "token": {"aud": ["api://a", "sts.amazonaws.com"]}, "conds": [["StringNotEquals", _aud_key, ["sts.amazonaws.com"]]], "want": false},
]

_null_cases := [
	{"name": "null true on absent key", "conds": [["Null", _amr_key, ["true"]]], "want": true},
	{"name": "null true on present key", "conds": [["Null", _sub_key, ["true"]]], "want": false},
	{"name": "null false on present key", "conds": [["Null", _sub_key, ["false"]]], "want": true},
	{"name": "null false on absent key", "conds": [["Null", _amr_key, ["false"]]], "want": false},
	{"name": "null both values", "conds": [["Null", _amr_key, ["false", "true"]]], "want": true},
]

_arn_cases := [
	{"name": "arn like per part", "token": {"sub": "arn:aws:iam::111122223333:role/x:y"}, "conds": [["ArnLike", _sub_key, ["arn:aws:iam::*:role/*"]]], "want": true},
	{"name": "arn equals wildcard", "token": {"sub": "arn:aws:iam::111122223333:role/x"}, "conds": [["ArnEquals", _sub_key, ["arn:aws:iam::111122223333:role/?"]]], "want": true},
	{"name": "arn like other account", "token": {"sub": "arn:aws:iam::111122223333:role/x"}, "conds": [["ArnLike", _sub_key, ["arn:aws:iam::444455556666:role/*"]]], "want": false},
	{"name": "arn star does not cross parts", "token": {"sub": "arn:aws:iam::111122223333:role/x"}, "conds": [["ArnLike", _sub_key, ["arn:*:role/x"]]], "want": false},
	{"name": "arn like on non-arn", "conds": [["ArnLike", _sub_key, ["*"]]], "want": false},
	{"name": "arn not like on non-arn", "conds": [["ArnNotLike", _sub_key, ["arn:aws:iam::*:role/*"]]], "want": true},
]

_typed_cases := [
	{"name": "bool on a subject", "conds": [["Bool", _sub_key, ["true"]]], "want": false},
	{"name": "bool on a boolean", "token": {"sub": "True"}, "conds": [["Bool", _sub_key, ["true"]]], "want": true},
	{"name": "binary equals", "conds": [["BinaryEquals", _sub_key, [_sub]]], "want": true},
	{"name": "numeric on a subject", "conds": [["NumericEquals", _sub_key, ["1"]]], "want": false},
	{"name": "numeric not equals on a subject", "conds": [["NumericNotEquals", _sub_key, ["1"]]], "want": false},
	{"name": "numeric compares numbers", "token": {"sub": "5"}, "conds": [["NumericLessThan", _sub_key, ["10"]]], "want": true},
	{"name": "numeric not equals numbers", "token": {"sub": "5"}, "conds": [["NumericNotEquals", _sub_key, ["5.0"]]], "want": false},
	{"name": "date compares dates", "token": {"sub": "2021-06-01T12:00:00Z"}, "conds": [["DateGreaterThan", _sub_key, ["2021-01-01"]]], "want": true},
	{"name": "date epoch", "token": {"sub": "1609459200"}, "conds": [["DateEquals", _sub_key, ["2021-01-01T00:00:00Z"]]], "want": true},
	{"name": "date not equals on a subject", "conds": [["DateNotEquals", _sub_key, ["2021-01-01"]]], "want": false},
	{"name": "ip address on a subject", "conds": [["IpAddress", _sub_key, ["10.0.0.0/8"]]], "want": false},
	{"name": "not ip address on a subject", "conds": [["NotIpAddress", _sub_key, ["10.0.0.0/8"]]], "want": false},
]

_unknown_operator_cases := [
	{"name": "unknown operator", "conds": [["StringEqualz", _sub_key, [_sub]]], "want": false},
]

# _judge maps every case name to what admits says; a case that fails to evaluate is missing.
_judge(cases) := {case.name: admits.admits({"statements": [_allow(case.conds)]}, _provider, token) |
	some case in cases
	token := object.union(_token, object.get(case, "token", {}))
}

_wants(cases) := {case.name: case.want | some case in cases}

test_operators_exact if {
	_judge(_exact_cases) == _wants(_exact_cases)
}

test_operators_like if {
	_judge(_like_cases) == _wants(_like_cases)
}

test_operators_ignore_case if {
	_judge(_ignore_case_cases) == _wants(_ignore_case_cases)
}

test_operators_negated if {
	_judge(_negated_cases) == _wants(_negated_cases)
}

test_operators_if_exists if {
	_judge(_if_exists_cases) == _wants(_if_exists_cases)
}

test_operators_set_qualifiers if {
	_judge(_set_qualifiers_cases) == _wants(_set_qualifiers_cases)
}

test_operators_null if {
	_judge(_null_cases) == _wants(_null_cases)
}

test_operators_arn if {
	_judge(_arn_cases) == _wants(_arn_cases)
}

test_operators_typed if {
	_judge(_typed_cases) == _wants(_typed_cases)
}

test_operators_unknown_operator if {
	_judge(_unknown_operator_cases) == _wants(_unknown_operator_cases)
}

_exact := [["StringEquals", _sub_key, [_sub]]]

_statement_cases := [
	{"name": "deny overrides allow", "doc": {"statements": [_allow(_exact), _deny([["StringLike", _sub_key, ["system:serviceaccount:app:*"]]])]}, "want": false},
	{"name": "deny that does not match", "doc": {"statements": [_allow(_exact), _deny([["StringLike", _sub_key, ["system:serviceaccount:kube-system:*"]]])]}, "want": true},
	{"name": "deny without conditions", "doc": {"statements": [_allow([]), _deny([])]}, "want": false},
	{"name": "statements are OR", "doc": {"statements": [_allow([["StringEquals", _sub_key, ["system:serviceaccount:app:api"]]]), _allow(_exact)]}, "want": true},
	{"name": "only deny", "doc": {"statements": [_deny([["StringEquals", _sub_key, ["x"]]])]}, "want": false},
	{"name": "no statements", "doc": {"statements": []}, "want": false},
	{"name": "allow without conditions", "doc": {"statements": [_allow([])]}, "want": true},
	{"name": "wrong provider", "doc": {"statements": [_with(_allow(_exact), "principal", {"federated": ["arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/XYZ"]})]}, "want": false},
	{"name": "provider in another account", "doc": {"statements": [_with(_allow(_exact), "principal", {"federated": ["arn:aws:iam::444455556666:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"]})]}, "want": false},
	{"name": "one of several federated principals", "doc": {"statements": [_with(_allow(_exact), "principal", {"federated": ["accounts.google.com", _provider]})]}, "want": true},
	{"name": "principal wildcard", "doc": {"statements": [_with(_allow(_exact), "principal", {"wildcard": true})]}, "want": true},
	{"name": "principal AWS wildcard", "doc": {"statements": [_with(_allow(_exact), "principal", {"aws": ["*"]})]}, "want": true},
	{"name": "federated star is not a wildcard", "doc": {"statements": [_with(_allow(_exact), "principal", {"federated": ["*"]})]}, "want": false},
	{"name": "AWS account principal", "doc": {"statements": [_with(_allow(_exact), "principal", {"aws": ["arn:aws:iam::111122223333:root"]})]}, "want": false},
	{"name": "not principal never matches", "doc": {"statements": [object.union(_allow(_exact), {"not_principal": {"aws": ["arn:aws:iam::111122223333:root"]}})]}, "want": false},
	{"name": "action case-insensitive", "doc": {"statements": [_with(_allow(_exact), "actions", ["STS:assumerolewithwebidentity"])]}, "want": true},
	{"name": "action wildcard", "doc": {"statements": [_with(_allow(_exact), "actions", ["sts:AssumeRoleWith*"])]}, "want": true},
	{"name": "action star", "doc": {"statements": [_with(_allow(_exact), "actions", ["*"])]}, "want": true},
	{"name": "other action", "doc": {"statements": [_with(_allow(_exact), "actions", ["sts:AssumeRole", "sts:TagSession"])]}, "want": false},
	{"name": "not action excluding another", "doc": {"statements": [object.union(object.remove(_allow(_exact), ["actions"]), {"not_actions": ["sts:AssumeRole"]})]}, "want": true},
	{"name": "not action excluding it", "doc": {"statements": [object.union(object.remove(_allow(_exact), ["actions"]), {"not_actions": ["sts:assumerolewith*"]})]}, "want": false},
	{"name": "deny by not action", "doc": {"statements": [_allow(_exact), object.union(object.remove(_deny([]), ["actions"]), {"not_actions": ["sts:AssumeRole"]})]}, "want": false},
]

test_statement_semantics if {
	failures := [case.name |
		some case in _statement_cases
		admits.admits(case.doc, _provider, _token) != case.want
	]
	failures == []
}

test_no_trust_policy if {
	not admits.admits(null, _provider, _token)
	not admits.admits({}, _provider, _token)
}

test_wrong_account_through_provider_arn if {
	# The role lives in 111122223333; its trust names the provider of 444455556666: STS matches
	# the token to the role account's provider only.
	doc := {"statements": [_with(_allow(_exact), "principal", {"federated": ["arn:aws:iam::444455556666:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"]})]}
	not admits.admits(doc, admits.provider_arn(_role, _issuer), _token)
	admits.admits(doc, admits.provider_arn("arn:aws:iam::444455556666:role/app", _issuer), _token)
}

test_service_account_token if {
	admits.service_account_token("https://oidc.eks.us-east-1.amazonaws.com/id/ABC", "app", "web") == _token
	admits.admits({"statements": [_allow(_exact)]}, _provider, admits.service_account_token(_issuer, "app", "web"))
	not admits.admits({"statements": [_allow(_exact)]}, _provider, admits.service_account_token(_issuer, "app", "api"))
}

test_verdict if {
	source_ip := ["IpAddress", "aws:SourceIp", ["10.0.0.0/8"]]
	session := ["StringLike", "sts:RoleSessionName", ["ci-*"]]
	admits.verdict({"statements": [_allow(_exact)]}, _provider, _token) == "admitted"
	admits.verdict({"statements": [_allow([["StringEquals", _sub_key, ["x"]]])]}, _provider, _token) == "refused"
	admits.verdict({"statements": [_allow(array.concat(_exact, [source_ip]))]}, _provider, _token) == "unknown"
	admits.verdict({"statements": [_allow([["StringEquals", _sub_key, ["x"]], source_ip])]}, _provider, _token) == "refused"
	admits.verdict({"statements": [_allow(_exact), _deny([session])]}, _provider, _token) == "unknown"
	admits.verdict({"statements": [_allow(_exact), _deny([])]}, _provider, _token) == "refused"
	admits.verdict({"statements": [_allow(_exact), _deny([session, ["StringEquals", _sub_key, ["x"]]])]}, _provider, _token) == "admitted"
	admits.verdict({"statements": []}, _provider, _token) == "refused"

	# admits treats the unknowable key as absent.
	not admits.admits({"statements": [_allow(array.concat(_exact, [source_ip]))]}, _provider, _token)
}

test_explain if {
	doc := {"statements": [_allow([["StringEquals", _sub_key, ["x"]], ["StringEquals", _aud_key, ["sts.amazonaws.com"]]]), _deny([])]}
	admits.explain(doc, _provider, _token) == [
		{"statement": 0, "effect": "Allow", "principal": true, "action": true, "status": "no", "false_conditions": [0]},
		{"statement": 1, "effect": "Deny", "principal": true, "action": true, "status": "yes", "false_conditions": []},
	]
}

test_glob_match if {
	admits.glob_match("a*c", "abbc")
	admits.glob_match("a*c", "ac")
	admits.glob_match("a?c", "abc")
	not admits.glob_match("a?c", "ac")
	admits.glob_match("a[b]c", "a[b]c")
	not admits.glob_match("a[b]c", "abc")
	admits.glob_match("(x|y)+$^", "(x|y)+$^")
	not admits.glob_match("x|y", "x")
	admits.glob_match("line*", "line1\nline2")
}

test_role_arn_parts if {
	admits.role_arn_parts("arn:aws:iam::111122223333:role/team/App") == {"partition": "aws", "account": "111122223333", "path": "/team/", "name": "App"}
	admits.role_arn_parts("arn:aws-cn:iam::111122223333:role/App") == {"partition": "aws-cn", "account": "111122223333", "path": "/", "name": "App"}
	not admits.role_arn_parts("arn:aws:iam::111122223333:user/App")
	not admits.role_arn_parts("arn:aws:iam::1111:role/App")
	not admits.role_arn_parts("App")
	admits.role_key("arn:aws:iam::111122223333:role/team/App") == "111122223333/app"
}

test_provider_arn if {
	admits.provider_arn("arn:aws-us-gov:iam::111122223333:role/x", "https://oidc.eks.us-gov-west-1.amazonaws.com/id/ABC/") == "arn:aws-us-gov:iam::111122223333:oidc-provider/oidc.eks.us-gov-west-1.amazonaws.com/id/ABC"
	admits.provider_parts(_provider) == {"partition": "aws", "account": "111122223333", "issuer": _issuer}
	not admits.provider_parts("arn:aws:iam::111122223333:saml-provider/okta")
}

test_subjects if {
	admits.parse_subject(_sub) == {"namespace": "app", "name": "web"}
	not admits.parse_subject("repo:org/repo:ref:refs/heads/main")
	not admits.parse_subject("system:serviceaccount:app")
	statement := _allow([
		["StringEquals", _sub_key, ["system:serviceaccount:app:web", "system:serviceaccount:app:api"]],
		["StringLike", _sub_key, ["system:serviceaccount:ops:*"]],
		["StringEquals", _aud_key, ["sts.amazonaws.com"]],
		["StringNotEquals", _sub_key, ["system:serviceaccount:app:db"]],
	])
	admits.pinned_subjects(statement, _issuer) == {"system:serviceaccount:app:web", "system:serviceaccount:app:api"}
	admits.pinned_subjects(_allow([]), _issuer) == set()
}

# test_verdict_plain_path checks that the shortcut for plain StringEquals trust policies gives
# what the general evaluation of every statement gives, for documents on both sides of it.
test_verdict_plain_path if {
	plain := _allow(_exact)
	cases := [
		[{"statements": [plain]}, "admitted"],
		[{"statements": [_allow([["StringEquals", _sub_key, ["x", _sub]], ["StringEquals", _aud_key, ["sts.amazonaws.com"]]])]}, "admitted"],
		[{"statements": [_allow([["StringEquals", _sub_key, ["x"]]]), plain]}, "admitted"],
		[{"statements": [plain, _deny([["StringEquals", _sub_key, [_sub]]])]}, "refused"],
		[{"statements": [plain, _deny([["StringEquals", _sub_key, ["x"]]])]}, "admitted"],
		[{"statements": [_allow([["StringEquals", _sub_key, ["x"]]])]}, "refused"],
		[{"statements": [_allow([["StringNotEquals", _sub_key, ["x"]]])]}, "admitted"],
		[{"statements": [_allow([["ForAnyValue:StringEquals", _sub_key, [_sub]]])]}, "admitted"],
		[{"statements": [_allow([["StringEqualsIfExists", _amr_key, ["x"]]])]}, "admitted"],
		[{"statements": [_allow([["StringEquals", "aws:SourceAccount", ["111122223333"]]])]}, "unknown"],
	]
	every c in cases {
		admits.verdict(c[0], _provider, _token) == c[1]
		admits._combine({[s.effect, admits._status(s, _provider, admits.token_context(_token))] | some s in c[0].statements}) == c[1]
	}
}
