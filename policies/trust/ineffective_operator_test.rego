package irsa_audit.rules.trust.ineffective_operator_test

import data.irsa_audit.rules.trust.ineffective_operator as rule

provider := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123"

sub_key := "oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub"

aud_key := "oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud"

cond(operator, key, values) := {"operator": operator, "base_operator": operator, "known": true, "key": key, "values": values}

policy_input(conditions) := {"policies": [{"id": "trust.json", "document": {"statements": [{
	"effect": "Allow",
	"principal": {"federated": [provider]},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": conditions,
}]}}]}

finding(k, operator, key, claim, reasons) := {
	"msg": sprintf("operator %q on %q does not restrict the %s claim as intended: %s", [operator, key, claim, reasons]),
	"resource": {"kind": "policy", "id": "trust.json"},
	"path": ["policies", 0, "document", "statements", 0, "conditions", k],
}

test_deny_if_exists_and_negated if {
	if_exists := object.union(cond("StringEquals", sub_key, ["system:serviceaccount:ns:app"]), {"operator": "StringEqualsIfExists", "if_exists": true})
	negated := object.union(cond("StringNotEquals", aud_key, ["other"]), {"negated": true})
	got := rule.deny with input as policy_input([if_exists, negated])
	got == {
		finding(0, "StringEqualsIfExists", sub_key, "sub", "IfExists passes when the key is missing"),
		finding(1, "StringNotEquals", aud_key, "aud", "a negated operator admits every value but the ones listed"),
	}
}

test_deny_negated_if_exists_gives_both_reasons if {
	c := object.union(cond("StringNotLike", sub_key, ["system:serviceaccount:kube-system:*"]), {"operator": "StringNotLikeIfExists", "negated": true, "if_exists": true})
	got2 := rule.deny with input as policy_input([c])
	got2 == {finding(
		0, "StringNotLikeIfExists", sub_key, "sub",
		"a negated operator admits every value but the ones listed; IfExists passes when the key is missing",
	)}
}

test_deny_for_all_values if {
	c := object.union(cond("StringEquals", sub_key, ["system:serviceaccount:ns:app"]), {"operator": "ForAllValues:StringEquals", "qualifier": "ForAllValues"})
	got3 := rule.deny with input as policy_input([c])
	got3 == {finding(0, "ForAllValues:StringEquals", sub_key, "sub", "ForAllValues on a single-valued key passes when the key is absent")}
}

test_deny_null if {
	key := "OIDC.eks.us-east-1.amazonaws.com/id/ABC123:Sub"
	got4 := rule.deny with input as policy_input([cond("Null", key, ["false"])])
	got4 == {finding(0, "Null", key, "sub", "Null tests only whether the key is present, not its value")}
}

test_allow_string_equals_and_for_any_value if {
	any_value := object.union(cond("StringLike", sub_key, ["system:serviceaccount:ns:app"]), {"operator": "ForAnyValue:StringLike", "qualifier": "ForAnyValue"})
	got5 := rule.deny with input as policy_input([cond("StringEquals", aud_key, ["sts.amazonaws.com"]), any_value])
	got5 == set()
}

test_allow_other_keys if {
	c := object.union(cond("StringNotEquals", "aws:PrincipalTag/team", ["x"]), {"negated": true})
	got6 := rule.deny with input as policy_input([c, cond("StringEquals", sub_key, ["system:serviceaccount:ns:app"])])
	got6 == set()
}
