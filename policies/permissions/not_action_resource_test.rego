package irsa_audit.rules.permissions.not_action_resource_test

import data.irsa_audit.rules.permissions.not_action_resource as rule

file_input(facts) := {
	"policies": [{"id": "broad.json", "document": {"statements": [{
		"effect": "Allow",
		"not_actions": ["iam:*", "organizations:*"],
		"not_resources": ["arn:aws:s3:::audit-logs/*"],
	}]}}],
	"permissions": {"facts": [facts], "holders": [{
		"resource": {"kind": "policy", "id": "broad.json"}, "policy": 0,
		"grants": [{"facts": 0, "path": ["policies", 0, "document", "statements", 0], "policy": "broad.json", "related": []}],
	}]},
}

test_deny_not_action if {
	facts := {"not_action": true, "all_resources": true, "actions": {"names": ["a2c:GetContainerizationJobDetails"], "count": 21500}}
	got := rule.deny with input as file_input(facts)
	got == {{
		"msg": "broad.json uses NotAction in an Allow statement, so it grants every action except \"iam:*\", \"organizations:*\": 21500 actions",
		"key": "not_action",
		"resource": {"kind": "policy", "id": "broad.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_not_resource if {
	facts := {"sid": "AllButOne", "not_resource": true, "all_resources": true, "actions": {"names": ["s3:GetObject"], "count": 1}}
	got2 := rule.deny with input as file_input(facts)
	got2 == {{
		"msg": "statement \"AllButOne\" of broad.json uses NotResource in an Allow statement, so it grants 1 actions on every resource except \"arn:aws:s3:::audit-logs/*\"",
		"key": "not_resource",
		"resource": {"kind": "policy", "id": "broad.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_both if {
	facts := {"not_action": true, "not_resource": true, "actions": {"names": ["s3:GetObject"], "count": 1}}
	got3 := rule.deny with input as file_input(facts)
	got3 == {
		{
			"msg": "broad.json uses NotAction in an Allow statement, so it grants every action except \"iam:*\", \"organizations:*\": 1 actions",
			"key": "not_action",
			"resource": {"kind": "policy", "id": "broad.json"},
			"path": ["policies", 0, "document", "statements", 0],
			"related": [],
		},
		{
			"msg": "broad.json uses NotResource in an Allow statement, so it grants 1 actions on every resource except \"arn:aws:s3:::audit-logs/*\"",
			"key": "not_resource",
			"resource": {"kind": "policy", "id": "broad.json"},
			"path": ["policies", 0, "document", "statements", 0],
			"related": [],
		},
	}
}

test_deny_managed_policy_known_by_arn_only if {
	facts := {"not_action": true, "actions": {"names": ["s3:GetObject"], "count": 7}}
	inp := {"permissions": {"facts": [facts], "holders": [{
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"}, "role": 0,
		"grants": [{"facts": 0, "path": ["roles", 0, "attached_policies", 0], "policy": "arn:aws:iam::aws:policy/PowerUserAccess", "related": []}],
	}]}}
	got4 := rule.deny with input as inp
	got4 == {{
		"msg": "arn:aws:iam::aws:policy/PowerUserAccess uses NotAction in an Allow statement, so it grants to role arn:aws:iam::111122223333:role/app every action except the listed ones: 7 actions",
		"key": "not_action",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "attached_policies", 0],
		"related": [],
	}}
}

test_allow_action_and_resource if {
	got5 := rule.deny with input as file_input({"actions": {"names": ["s3:GetObject"], "count": 1}})
	got5 == set()
}

role_input(facts, service_accounts) := {
	"roles": [{"arn": "arn:aws:iam::111122223333:role/app", "inline_policies": [{"name": "broad", "document": {"statements": [{
		"effect": "Allow",
		"actions": ["s3:GetObject"],
		"not_resources": ["arn:aws:s3:::audit-logs/*"],
	}]}}]}],
	"permissions": {"facts": [facts], "holders": [{
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"}, "role": 0,
		"service_accounts": service_accounts,
		"grants": [{"facts": 0, "path": ["roles", 0, "inline_policies", 0, "document", "statements", 0], "policy": "inline policy \"broad\"", "related": []}],
	}]},
}

test_deny_not_resource_names_role_and_service_accounts if {
	facts := {"sid": "Read", "not_resource": true, "actions": {"names": ["s3:GetObject"], "count": 1}}
	got := rule.deny with input as role_input(facts, ["system:serviceaccount:default:app"])
	got == {{
		"msg": "statement \"Read\" of inline policy \"broad\" uses NotResource in an Allow statement, so it grants to role arn:aws:iam::111122223333:role/app 1 actions on every resource except \"arn:aws:s3:::audit-logs/*\"; it can be assumed by system:serviceaccount:default:app",
		"key": "not_resource",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "inline_policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_role_without_irsa_trust_and_empty_sid if {
	# An empty Sid names nothing and an empty ServiceAccount list reaches nobody.
	facts := {"sid": "", "not_resource": true, "actions": {"names": ["s3:GetObject"], "count": 1}}
	got := rule.deny with input as role_input(facts, [])
	got == {{
		"msg": "inline policy \"broad\" uses NotResource in an Allow statement, so it grants to role arn:aws:iam::111122223333:role/app 1 actions on every resource except \"arn:aws:s3:::audit-logs/*\"",
		"key": "not_resource",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "inline_policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_not_action_scoped_to_vpc_is_medium if {
	facts := {"not_action": true, "all_resources": true, "actions": {"names": [], "count": 21500}, "conditions": {"scoped": ["aws:SourceVpc is \"vpc-1\""]}}
	got := rule.deny with input as file_input(facts)
	got == {{
		"msg": "broad.json uses NotAction in an Allow statement, so it grants every action except \"iam:*\", \"organizations:*\": 21500 actions (only where aws:SourceVpc is \"vpc-1\")",
		"key": "not_action",
		"severity": "medium",
		"resource": {"kind": "policy", "id": "broad.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}
