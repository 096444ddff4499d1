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
		"key": "privilege_escalation",
		"resource": {"kind": "policy", "id": "iam.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_pass_role_on_star_and_combo if {
	inp := {"permissions": {
		"facts": [{"sid": "Pass", "all_resources": true, "actions": {"names": ["iam:PassRole"], "count": 1}, "privilege_escalation": {"names": ["iam:PassRole"], "count": 1}}],
		"holders": [holder({"escalation_combos": [{
			"kind": "pass_role", "path": pass_path, "policy": policy,
			"related": [{"kind": "policy", "id": policy}],
			"with": ["lambda:CreateFunction"],
		}]})],
	}}
	got2 := rule.deny with input as inp
	got2 == {
		{
			"msg": "statement \"Pass\" of arn:aws:iam::111122223333:policy/deploy grants to role arn:aws:iam::111122223333:role/deployer privilege-escalation actions: iam:PassRole; it can be assumed by system:serviceaccount:ci:deployer",
			"key": "privilege_escalation",
			"resource": {"kind": "role", "id": role},
			"path": pass_path,
			"related": [{"kind": "policy", "id": policy}],
		},
		{
			"msg": "arn:aws:iam::111122223333:policy/deploy grants to role arn:aws:iam::111122223333:role/deployer iam:PassRole, and with lambda:CreateFunction a role can be passed to code that runs as it; it can be assumed by system:serviceaccount:ci:deployer",
			"key": "combo:pass_role",
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
		"msg": "arn:aws:iam::111122223333:policy/deploy grants to role arn:aws:iam::111122223333:role/deployer privilege-escalation actions: iam:PassRole, iam:AttachRolePolicy, iam:AttachUserPolicy, iam:AttachGroupPolicy, iam:PutRolePolicy, iam:PutUserPolicy, iam:PutGroupPolicy, iam:CreatePolicyVersion, iam:SetDefaultPolicyVersion, iam:UpdateAssumeRolePolicy and 3 more; it can be assumed by system:serviceaccount:ci:deployer",
		"key": "privilege_escalation",
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
		"key": "privilege_escalation",
		"resource": {"kind": "role", "id": role},
		"path": pass_path,
		"related": [{"kind": "policy", "id": policy}],
	}}
}

# The official Karpenter controller policy passes its node role to EC2 only
# ("AllowPassingInstanceRole"): the analysis makes no combination of it (the roles are named and
# so are the services), so only the combinations below are ever reported.
combo(extra) := object.union(
	{"kind": "pass_role", "path": pass_path, "policy": policy, "related": [{"kind": "policy", "id": policy}], "with": ["ec2:RunInstances"]},
	extra,
)

test_deny_pass_role_to_code_services_is_high if {
	# PassRole on every role, limited to EC2, with ec2:RunInstances: still every role's
	# permissions on an instance whose code the holder chooses.
	inp := {"permissions": {"facts": [], "holders": [holder({"grants": [], "escalation_combos": [combo({"services": ["ec2.amazonaws.com"]})]})]}}
	got := rule.deny with input as inp
	got == {{
		"msg": "arn:aws:iam::111122223333:policy/deploy grants to role arn:aws:iam::111122223333:role/deployer iam:PassRole to ec2.amazonaws.com, and with ec2:RunInstances a role can be passed to code that runs as it; it can be assumed by system:serviceaccount:ci:deployer",
		"key": "combo:pass_role",
		"resource": {"kind": "role", "id": role},
		"path": pass_path,
		"related": [{"kind": "policy", "id": policy}],
	}}
}

test_deny_pass_named_role_is_medium if {
	# One named role, to any service: what the holder gains is that role's permissions.
	node := "arn:aws:iam::111122223333:role/nodes"
	inp := {"permissions": {"facts": [], "holders": [holder({"grants": [], "escalation_combos": [combo({"roles": [node]})]})]}}
	got := rule.deny with input as inp
	got == {{
		"msg": "arn:aws:iam::111122223333:policy/deploy grants to role arn:aws:iam::111122223333:role/deployer iam:PassRole on arn:aws:iam::111122223333:role/nodes only, and with ec2:RunInstances that role can be passed to code that runs as it; it can be assumed by system:serviceaccount:ci:deployer",
		"key": "combo:pass_role",
		"severity": "medium",
		"resource": {"kind": "role", "id": role},
		"path": pass_path,
		"related": [{"kind": "policy", "id": policy}],
	}}
}

test_deny_pass_role_scoped_by_associated_resource_is_medium if {
	scoped := ["iam:AssociatedResourceArn matches \"arn:aws:ec2:us-east-1:111122223333:instance/*\""]
	inp := {"permissions": {"facts": [], "holders": [holder({"grants": [], "escalation_combos": [combo({"scoped": scoped})]})]}}
	got := rule.deny with input as inp
	got == {{
		"msg": "arn:aws:iam::111122223333:policy/deploy grants to role arn:aws:iam::111122223333:role/deployer iam:PassRole, and with ec2:RunInstances a role can be passed to code that runs as it (only where iam:AssociatedResourceArn matches \"arn:aws:ec2:us-east-1:111122223333:instance/*\"); it can be assumed by system:serviceaccount:ci:deployer",
		"key": "combo:pass_role",
		"severity": "medium",
		"resource": {"kind": "role", "id": role},
		"path": pass_path,
		"related": [{"kind": "policy", "id": policy}],
	}}
}

test_deny_update_trust_with_assume_role if {
	update := {"kind": "update_trust", "path": pass_path, "policy": policy, "related": [{"kind": "policy", "id": policy}], "with": ["sts:AssumeRole"]}
	inp := {"permissions": {"facts": [], "holders": [holder({"grants": [], "escalation_combos": [update]})]}}
	got := rule.deny with input as inp
	got == {{
		"msg": "arn:aws:iam::111122223333:policy/deploy grants to role arn:aws:iam::111122223333:role/deployer iam:UpdateAssumeRolePolicy, and with sts:AssumeRole on the roles it can rewrite it can make such a role trust it and assume it; it can be assumed by system:serviceaccount:ci:deployer",
		"key": "combo:update_trust",
		"resource": {"kind": "role", "id": role},
		"path": pass_path,
		"related": [{"kind": "policy", "id": policy}],
	}}
}

test_deny_pass_role_to_services_names_them if {
	facts := {
		"all_resources": true,
		"actions": {"names": ["iam:PassRole"], "count": 1},
		"privilege_escalation": {"names": ["iam:PassRole"], "count": 1},
		"pass_role_services": ["lambda.amazonaws.com"],
	}
	inp := {"permissions": {"facts": [facts], "holders": [holder({})]}}
	got := rule.deny with input as inp
	got == {{
		"msg": "arn:aws:iam::111122223333:policy/deploy grants to role arn:aws:iam::111122223333:role/deployer privilege-escalation actions: iam:PassRole (roles passed only to lambda.amazonaws.com); it can be assumed by system:serviceaccount:ci:deployer",
		"key": "privilege_escalation",
		"resource": {"kind": "role", "id": role},
		"path": pass_path,
		"related": [{"kind": "policy", "id": policy}],
	}}
}

test_deny_escalation_scoped_by_tags_is_medium if {
	facts := {
		"actions": {"names": ["iam:PutRolePolicy"], "count": 1},
		"privilege_escalation": {"names": ["iam:PutRolePolicy"], "count": 1},
		"conditions": {"scoped": ["aws:ResourceTag/team is \"ci\""], "undecided": ["aws:PrincipalTag/env is \"prod\""]},
		"conditional": true,
	}
	inp := {"permissions": {"facts": [facts], "holders": [holder({})]}}
	got := rule.deny with input as inp
	got == {{
		"msg": "arn:aws:iam::111122223333:policy/deploy grants to role arn:aws:iam::111122223333:role/deployer privilege-escalation actions: iam:PutRolePolicy (only where aws:ResourceTag/team is \"ci\"; conditionally: when aws:PrincipalTag/env is \"prod\"); it can be assumed by system:serviceaccount:ci:deployer",
		"key": "privilege_escalation",
		"severity": "medium",
		"resource": {"kind": "role", "id": role},
		"path": pass_path,
		"related": [{"kind": "policy", "id": policy}],
	}}
}

test_deny_undecided_condition_keeps_severity if {
	# A condition the analysis cannot decide: reported as conditional, at the rule's severity.
	facts := {
		"actions": {"names": ["iam:CreateAccessKey"], "count": 1},
		"privilege_escalation": {"names": ["iam:CreateAccessKey"], "count": 1},
		"conditions": {"unless": ["when aws:MultiFactorAuthPresent is \"false\""]},
		"conditional": true,
	}
	inp := {"permissions": {"facts": [facts], "holders": [holder({})]}}
	got := rule.deny with input as inp
	got == {{
		"msg": "arn:aws:iam::111122223333:policy/deploy grants to role arn:aws:iam::111122223333:role/deployer privilege-escalation actions: iam:CreateAccessKey (unless a Deny applies when aws:MultiFactorAuthPresent is \"false\"); it can be assumed by system:serviceaccount:ci:deployer",
		"key": "privilege_escalation",
		"resource": {"kind": "role", "id": role},
		"path": pass_path,
		"related": [{"kind": "policy", "id": policy}],
	}}
}
