package irsa_audit.rules.trust.wildcard_subject_test

import data.irsa_audit.rules.trust.wildcard_subject as rule

provider := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123"

issuer := "oidc.eks.us-east-1.amazonaws.com/id/ABC123"

sub_key := "oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub"

cond(operator, key, values) := {"operator": operator, "base_operator": operator, "known": true, "key": key, "values": values}

like(values) := cond("StringLike", sub_key, values)

policy_input(conditions) := {"policies": [{"id": "trust.json", "document": {"statements": [{
	"effect": "Allow",
	"principal": {"federated": [provider]},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": conditions,
}]}}]}

finding(k, value, who, severity) := {
	"msg": sprintf("sub %q admits %s of cluster %q", [value, who, issuer]),
	"resource": {"kind": "policy", "id": "trust.json"},
	"path": ["policies", 0, "document", "statements", 0, "conditions", k],
	"severity": severity,
}

test_deny_wildcard_namespace if {
	got := rule.deny with input as policy_input([like(["system:serviceaccount:*"])])
	got == {finding(0, "system:serviceaccount:*", "every ServiceAccount in every namespace", "critical")}
}

test_deny_wildcard_name_in_namespace if {
	got2 := rule.deny with input as policy_input([like(["system:serviceaccount:ns:*"])])
	got2 == {finding(0, "system:serviceaccount:ns:*", "every ServiceAccount in namespace \"ns\"", "high")}
}

test_deny_question_mark_in_name if {
	got3 := rule.deny with input as policy_input([like(["system:serviceaccount:ns:app-?"])])
	got3 == {finding(0, "system:serviceaccount:ns:app-?", "every ServiceAccount in namespace \"ns\" whose name matches \"app-?\"", "high")}
}

test_deny_namespace_pattern_fixed_name if {
	got4 := rule.deny with input as policy_input([like(["system:serviceaccount:team-*:app"])])
	got4 == {finding(0, "system:serviceaccount:team-*:app", "every ServiceAccount named \"app\" in every namespace matching \"team-*\"", "critical")}
}

test_deny_any_namespace_name_pattern if {
	got5 := rule.deny with input as policy_input([like(["system:serviceaccount:*:app-*"])])
	got5 == {finding(0, "system:serviceaccount:*:app-*", "every ServiceAccount whose name matches \"app-*\" in every namespace", "critical")}
}

test_deny_bare_star_and_system_prefix if {
	got6 := rule.deny with input as policy_input([like(["*", "system:*", "*:app"])])
	got6 == {
		finding(0, "*", "every ServiceAccount in every namespace", "critical"),
		finding(0, "system:*", "every ServiceAccount in every namespace", "critical"),
		finding(0, "*:app", "ServiceAccounts in every namespace", "critical"),
	}
}

test_deny_for_any_value_and_if_exists if {
	any_value := object.union(like(["system:serviceaccount:ns:*"]), {"operator": "ForAnyValue:StringLike", "qualifier": "ForAnyValue"})
	if_exists := object.union(like(["system:serviceaccount:*"]), {"operator": "StringLikeIfExists", "if_exists": true})
	got7 := rule.deny with input as policy_input([any_value])
	got7 == {finding(0, "system:serviceaccount:ns:*", "every ServiceAccount in namespace \"ns\"", "high")}
	got7b := rule.deny with input as policy_input([if_exists])
	got7b == {finding(0, "system:serviceaccount:*", "every ServiceAccount in every namespace", "critical")}
}

# IAM ANDs the conditions of a statement: with both, only namespace "ns" is admitted, and
# "system:serviceaccount:*" does not admit every namespace.
test_deny_conditions_anded if {
	any_value := object.union(like(["system:serviceaccount:ns:*"]), {"operator": "ForAnyValue:StringLike", "qualifier": "ForAnyValue"})
	if_exists := object.union(like(["system:serviceaccount:*"]), {"operator": "StringLikeIfExists", "if_exists": true})
	got := rule.deny with input as policy_input([any_value, if_exists])
	got == {finding(0, "system:serviceaccount:ns:*", "every ServiceAccount in namespace \"ns\"", "high")}
}

# StringEquals pins sub to one ServiceAccount and StringLike system:serviceaccount:* on the same
# key adds nothing: one ServiceAccount is admitted, not "every namespace".
test_allow_like_narrowed_by_string_equals if {
	got := rule.deny with input as policy_input([
		cond("StringEquals", sub_key, ["system:serviceaccount:app:web"]),
		like(["system:serviceaccount:*"]),
	])
	got == set()
}

test_deny_key_in_other_case if {
	c := cond("StringLike", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:Sub", ["system:serviceaccount:ns:*"])
	got8 := rule.deny with input as policy_input([c])
	got8 == {finding(0, "system:serviceaccount:ns:*", "every ServiceAccount in namespace \"ns\"", "high")}
}

test_allow_exact_subject if {
	got9 := rule.deny with input as policy_input([like(["system:serviceaccount:ns:app"])])
	got9 == set()
}

test_allow_string_equals_literal if {
	# Matched literally, not as a pattern: IRSA-006 reports it.
	got10 := rule.deny with input as policy_input([cond("StringEquals", sub_key, ["system:serviceaccount:ns:*"])])
	got10 == set()
}

test_allow_negated_operator if {
	c := object.union(like(["system:serviceaccount:*"]), {"operator": "StringNotLike", "base_operator": "StringNotLike", "negated": true})
	got11 := rule.deny with input as policy_input([c])
	got11 == set()
}

test_allow_wildcard_on_aud if {
	got12 := rule.deny with input as policy_input([cond("StringLike", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud", ["sts.*"])])
	got12 == set()
}
