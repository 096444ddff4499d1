package irsa_audit.rules.trust.literal_wildcard_test

import data.irsa_audit.rules.trust.literal_wildcard as rule

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

finding(k, claim, value, operator) := {
	"msg": sprintf("%s value %q under %q is matched literally, not as a pattern, so the tokens it was meant to admit are refused", [claim, value, operator]),
	"resource": {"kind": "policy", "id": "trust.json"},
	"path": ["policies", 0, "document", "statements", 0, "conditions", k],
}

test_deny_star_in_subject if {
	c := cond("StringEquals", sub_key, ["system:serviceaccount:ns:app", "system:serviceaccount:ns:app-*"])
	got := rule.deny with input as policy_input([c])
	got == {finding(0, "sub", "system:serviceaccount:ns:app-*", "StringEquals")}
}

test_deny_for_any_value_ignore_case_aud if {
	c := object.union(cond("StringEqualsIgnoreCase", aud_key, ["sts.amazonaws.?om"]), {"operator": "ForAnyValue:StringEqualsIgnoreCase", "qualifier": "ForAnyValue"})
	got2 := rule.deny with input as policy_input([cond("StringEquals", sub_key, ["system:serviceaccount:ns:app"]), c])
	got2 == {finding(1, "aud", "sts.amazonaws.?om", "ForAnyValue:StringEqualsIgnoreCase")}
}

test_allow_exact_values if {
	got3 := rule.deny with input as policy_input([cond("StringEquals", sub_key, ["system:serviceaccount:ns:app"]), cond("StringEquals", aud_key, ["sts.amazonaws.com"])])
	got3 == set()
}

test_allow_string_like_pattern if {
	got4 := rule.deny with input as policy_input([cond("StringLike", sub_key, ["system:serviceaccount:ns:*"])])
	got4 == set()
}

test_allow_negated if {
	c := object.union(cond("StringNotEquals", sub_key, ["system:serviceaccount:ns:*"]), {"negated": true})
	got5 := rule.deny with input as policy_input([c])
	got5 == set()
}
