package irsa_audit.rules.permissions.not_action_resource_test

import data.irsa_audit.rules.permissions.not_action_resource as rule

file_input(facts) := {"permissions": {"facts": [facts], "holders": [{
	"resource": {"kind": "policy", "id": "broad.json"}, "policy": 0,
	"grants": [{"facts": 0, "path": ["policies", 0, "document", "statements", 0], "policy": "broad.json", "related": []}],
}]}}

test_deny_not_action if {
	facts := {"not_action": true, "all_resources": true, "actions": {"names": ["a2c:GetContainerizationJobDetails"], "count": 21500}}
	got := rule.deny with input as file_input(facts)
	got == {{
		"msg": "broad.json uses NotAction in an Allow statement, which grants every action but the listed ones: a2c:GetContainerizationJobDetails and 21499 more",
		"resource": {"kind": "policy", "id": "broad.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_not_resource if {
	facts := {"sid": "AllButOne", "not_resource": true, "all_resources": true, "actions": {"names": ["s3:GetObject"], "count": 1}}
	got2 := rule.deny with input as file_input(facts)
	got2 == {{
		"msg": "statement \"AllButOne\" of broad.json uses NotResource in an Allow statement, which grants 1 actions on every resource but the listed ones",
		"resource": {"kind": "policy", "id": "broad.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_both if {
	facts := {"not_action": true, "not_resource": true, "actions": {"names": ["s3:GetObject"], "count": 1}}
	count(rule.deny) == 2 with input as file_input(facts)
}

test_allow_action_and_resource if {
	count(rule.deny) == 0 with input as file_input({"actions": {"names": ["s3:GetObject"], "count": 1}})
}
