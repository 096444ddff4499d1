package irsa_audit.rules.permissions.admin_access_test

import data.irsa_audit.rules.permissions.admin_access as rule

admin_arn := "arn:aws:iam::aws:policy/AdministratorAccess"

role_input(facts) := {"permissions": {"facts": [facts], "holders": [{
	"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/ops"}, "role": 2,
	"service_accounts": ["any ServiceAccount in cluster oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"],
	"grants": [{"facts": 0, "path": ["roles", 2, "attached_policies", 1], "policy": admin_arn, "related": [{"kind": "policy", "id": admin_arn}]}],
}]}}

test_deny_administrator_access if {
	got := rule.deny with input as role_input({"admin": true, "all_resources": true, "actions": {"names": [], "count": 22091}})
	got == {{
		"msg": "arn:aws:iam::aws:policy/AdministratorAccess grants to role arn:aws:iam::111122223333:role/ops every action on every resource (administrator access); it can be assumed by any ServiceAccount in cluster oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE",
		"key": "admin",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/ops"},
		"path": ["roles", 2, "attached_policies", 1],
		"related": [{"kind": "policy", "id": admin_arn}],
	}}
}

test_deny_star_in_policy_file if {
	inp := {"permissions": {"facts": [{"sid": "All", "admin": true, "actions": {"names": [], "count": 22091}}], "holders": [{
		"resource": {"kind": "policy", "id": "admin.json"}, "policy": 0,
		"grants": [{"facts": 0, "path": ["policies", 0, "document", "statements", 0], "policy": "admin.json", "related": []}],
	}]}}
	got2 := rule.deny with input as inp
	got2 == {{
		"msg": "statement \"All\" of admin.json grants every action on every resource (administrator access)",
		"key": "admin",
		"resource": {"kind": "policy", "id": "admin.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_allow_reduced_by_deny if {
	# s3:* on * minus a Deny: broad, but not administrator access.
	count(rule.deny) == 0 with input as role_input({"all_resources": true, "reduced": 1, "actions": {"names": [], "count": 22090}})
}

test_deny_role_without_irsa_trust_and_empty_sid if {
	# An empty Sid names nothing and an empty ServiceAccount list reaches nobody: the message names
	# the policy alone and no ServiceAccounts (the analysis omits both, but may not always).
	inp := {"permissions": {"facts": [{"sid": "", "admin": true, "all_resources": true, "actions": {"names": [], "count": 22091}}], "holders": [{
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/ec2-admin"}, "role": 0,
		"service_accounts": [],
		"grants": [{"facts": 0, "path": ["roles", 0, "attached_policies", 0], "policy": admin_arn, "related": [{"kind": "policy", "id": admin_arn}]}],
	}]}}
	got := rule.deny with input as inp
	got == {{
		"msg": "arn:aws:iam::aws:policy/AdministratorAccess grants to role arn:aws:iam::111122223333:role/ec2-admin every action on every resource (administrator access)",
		"key": "admin",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/ec2-admin"},
		"path": ["roles", 0, "attached_policies", 0],
		"related": [{"kind": "policy", "id": admin_arn}],
	}}
}

test_deny_admin_from_one_vpc_is_high if {
	# "*" on "*" only through one VPC endpoint: still every action, one severity lower.
	facts := {"admin": true, "all_resources": true, "actions": {"names": [], "count": 22091}, "conditions": {"scoped": ["aws:SourceVpce is \"vpce-1a2b3c4d\""]}}
	got := rule.deny with input as role_input(facts)
	got == {{
		"msg": "arn:aws:iam::aws:policy/AdministratorAccess grants to role arn:aws:iam::111122223333:role/ops every action on every resource (administrator access) (only where aws:SourceVpce is \"vpce-1a2b3c4d\"); it can be assumed by any ServiceAccount in cluster oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE",
		"key": "admin",
		"severity": "high",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/ops"},
		"path": ["roles", 2, "attached_policies", 1],
		"related": [{"kind": "policy", "id": admin_arn}],
	}}
}
