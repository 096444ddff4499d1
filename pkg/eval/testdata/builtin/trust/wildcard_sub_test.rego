package irsa_audit.rules.trust.wildcard_sub_test

import data.irsa_audit.rules.trust.wildcard_sub as rule

test_deny_star if {
	r := {"arn": "arn:aws:iam::1:role/a", "trust_policy": {"statements": [{"conditions": [{"key": "x:sub", "values": ["*"]}]}]}}
	rule.deny == {{
		"msg": "condition x:sub allows the subject pattern \"*\"",
		"resource": {"kind": "role", "id": "arn:aws:iam::1:role/a"},
		"path": ["roles", 0, "trust_policy", "statements", 0, "conditions", 0],
		"severity": "critical",
	}} with input as {"roles": [r]}
}
