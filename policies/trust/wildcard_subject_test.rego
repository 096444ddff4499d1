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
	rule.deny with input as policy_input([like(["system:serviceaccount:*"])]) == {finding(0, "system:serviceaccount:*", "every ServiceAccount in every namespace", "critical")}
}

test_deny_wildcard_name_in_namespace if {
	rule.deny with input as policy_input([like(["system:serviceaccount:ns:*"])]) == {finding(0, "system:serviceaccount:ns:*", "every ServiceAccount in namespace \"ns\"", "high")}
}

test_deny_question_mark_in_name if {
	rule.deny with input as policy_input([like(["system:serviceaccount:ns:app-?"])]) == {finding(0, "system:serviceaccount:ns:app-?", "every ServiceAccount in namespace \"ns\" whose name matches \"app-?\"", "high")}
}

test_deny_namespace_pattern_fixed_name if {
	rule.deny with input as policy_input([like(["system:serviceaccount:team-*:app"])]) == {finding(0, "system:serviceaccount:team-*:app", "every ServiceAccount named \"app\" in every namespace matching \"team-*\"", "critical")}
}

test_deny_any_namespace_name_pattern if {
	rule.deny with input as policy_input([like(["system:serviceaccount:*:app-*"])]) == {finding(0, "system:serviceaccount:*:app-*", "every ServiceAccount whose name matches \"app-*\" in every namespace", "critical")}
}

test_deny_bare_star_and_system_prefix if {
	rule.deny with input as policy_input([like(["*", "system:*", "*:app"])]) == {
		finding(0, "*", "every ServiceAccount in every namespace", "critical"),
		finding(0, "system:*", "every ServiceAccount in every namespace", "critical"),
		finding(0, "*:app", "ServiceAccounts in every namespace", "critical"),
	}
}

test_deny_for_any_value_and_if_exists if {
	any_value := object.union(like(["system:serviceaccount:ns:*"]), {"operator": "ForAnyValue:StringLike", "qualifier": "ForAnyValue"})
	if_exists := object.union(like(["system:serviceaccount:*"]), {"operator": "StringLikeIfExists", "if_exists": true})
	rule.deny with input as policy_input([any_value, if_exists]) == {
		finding(0, "system:serviceaccount:ns:*", "every ServiceAccount in namespace \"ns\"", "high"),
		finding(1, "system:serviceaccount:*", "every ServiceAccount in every namespace", "critical"),
	}
}

test_deny_key_in_other_case if {
	c := cond("StringLike", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:Sub", ["system:serviceaccount:ns:*"])
	rule.deny with input as policy_input([c]) == {finding(0, "system:serviceaccount:ns:*", "every ServiceAccount in namespace \"ns\"", "high")}
}

test_allow_exact_subject if {
	rule.deny with input as policy_input([like(["system:serviceaccount:ns:app"])]) == set()
}

test_allow_string_equals_literal if {
	# Matched literally, not as a pattern: IRSA-006 reports it.
	rule.deny with input as policy_input([cond("StringEquals", sub_key, ["system:serviceaccount:ns:*"])]) == set()
}

test_allow_negated_operator if {
	c := object.union(like(["system:serviceaccount:*"]), {"operator": "StringNotLike", "base_operator": "StringNotLike", "negated": true})
	rule.deny with input as policy_input([c]) == set()
}

test_allow_wildcard_on_aud if {
	rule.deny with input as policy_input([cond("StringLike", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud", ["sts.*"])]) == set()
}
