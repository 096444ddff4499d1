package irsa_audit.rules.permissions.privilege_escalation_test

import data.irsa_audit.rules.permissions.privilege_escalation as rule

role := "arn:aws:iam::111122223333:role/deployer"

policy := "arn:aws:iam::111122223333:policy/deploy"

pass_path := ["managed_policies", 0, "document", "statements", 0]

holder(extra) := object.union(
	{
		"resource": {"kind": "role", "id": role}, "role": 0,
		"service_accounts": ["system:serviceaccount:ci:deployer"],
		"grants": [{"facts": 0, "path": pass_path, "policy": policy, "related": [{"kind": "policy", "id": policy}]}],
	},
	extra,
)

test_deny_attach_policy_in_file if {
	inp := {"permissions": {
		"facts": [{"actions": {"names": ["iam:AttachRolePolicy"], "count": 1}, "privilege_escalation": {"names": ["iam:AttachRolePolicy"], "count": 1}}],
		"holders": [{
			"resource": {"kind": "policy", "id": "iam.json"}, "policy": 0,
			"grants": [{"facts": 0, "path": ["policies", 0, "document", "statements", 0], "policy": "iam.json", "related": []}],
		}],
	}}
	got := rule.deny with input as inp
	got == {{
		"msg": "iam.json grants privilege-escalation actions: iam:AttachRolePolicy",
		"resource": {"kind": "policy", "id": "iam.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_pass_role_on_star_and_combo if {
	inp := {"permissions": {
		"facts": [{"sid": "Pass", "all_resources": true, "actions": {"names": ["iam:PassRole"], "count": 1}, "privilege_escalation": {"names": ["iam:PassRole"], "count": 1}}],
		"holders": [holder({"escalation_combos": [{
			"path": pass_path, "policy": policy,
			"related": [{"kind": "policy", "id": policy}],
			"with": ["lambda:CreateFunction"],
		}]})],
	}}
	got2 := rule.deny with input as inp
	got2 == {
		{
			"msg": "statement \"Pass\" of arn:aws:iam::111122223333:policy/deploy grants to role arn:aws:iam::111122223333:role/deployer privilege-escalation actions: iam:PassRole; it can be assumed through IRSA by system:serviceaccount:ci:deployer",
			"resource": {"kind": "role", "id": role},
			"path": pass_path,
			"related": [{"kind": "policy", "id": policy}],
		},
		{
			"msg": "arn:aws:iam::111122223333:policy/deploy grants to role arn:aws:iam::111122223333:role/deployer iam:PassRole, and with lambda:CreateFunction a role can be passed to code that runs as it; it can be assumed through IRSA by system:serviceaccount:ci:deployer",
			"resource": {"kind": "role", "id": role},
			"path": pass_path,
			"related": [{"kind": "policy", "id": policy}],
		},
	}
}

test_allow_scoped_pass_role if {
	# iam:PassRole on one role, without a combination: no escalation facts.
	inp := {"permissions": {"facts": [{"actions": {"names": ["iam:PassRole"], "count": 1}}], "holders": [holder({})]}}
	count(rule.deny) == 0 with input as inp
}

test_allow_admin_is_reported_by_admin_access if {
	inp := {"permissions": {
		"facts": [{"admin": true, "actions": {"names": [], "count": 22091}, "privilege_escalation": {"names": ["iam:PassRole"], "count": 14}}],
		"holders": [holder({})],
	}}
	count(rule.deny) == 0 with input as inp
}

test_deny_iam_star_names_ten_and_counts_the_rest if {
	escalation := {
		"names": [
			"iam:PassRole", "iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy",
			"iam:PutRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy", "iam:CreatePolicyVersion",
			"iam:SetDefaultPolicyVersion", "iam:UpdateAssumeRolePolicy",
		],
		"count": 13,
	}
	inp := {"permissions": {
		"facts": [{"all_resources": true, "actions": {"names": [], "count": 250}, "privilege_escalation": escalation}],
		"holders": [holder({})],
	}}
	got := rule.deny with input as inp
	got == {{
		"msg": "arn:aws:iam::111122223333:policy/deploy grants to role arn:aws:iam::111122223333:role/deployer privilege-escalation actions: iam:PassRole, iam:AttachRolePolicy, iam:AttachUserPolicy, iam:AttachGroupPolicy, iam:PutRolePolicy, iam:PutUserPolicy, iam:PutGroupPolicy, iam:CreatePolicyVersion, iam:SetDefaultPolicyVersion, iam:UpdateAssumeRolePolicy and 3 more; it can be assumed through IRSA by system:serviceaccount:ci:deployer",
		"resource": {"kind": "role", "id": role},
		"path": pass_path,
		"related": [{"kind": "policy", "id": policy}],
	}}
}

test_deny_role_without_irsa_trust_and_empty_sid if {
	# An empty Sid names nothing and an empty ServiceAccount list reaches nobody.
	inp := {"permissions": {
		"facts": [{"sid": "", "actions": {"names": ["iam:CreateAccessKey"], "count": 1}, "privilege_escalation": {"names": ["iam:CreateAccessKey"], "count": 1}}],
		"holders": [holder({"service_accounts": []})],
	}}
	got := rule.deny with input as inp
	got == {{
		"msg": "arn:aws:iam::111122223333:policy/deploy grants to role arn:aws:iam::111122223333:role/deployer privilege-escalation actions: iam:CreateAccessKey",
		"resource": {"kind": "role", "id": role},
		"path": pass_path,
		"related": [{"kind": "policy", "id": policy}],
	}}
}
