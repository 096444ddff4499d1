package irsa_audit.rules.permissions.secrets_read_all_test

import data.irsa_audit.rules.permissions.secrets_read_all as rule

role := "arn:aws:iam::111122223333:role/app"

role_input(facts) := {"permissions": {"facts": [facts], "holders": [{
	"resource": {"kind": "role", "id": role}, "role": 0,
	"service_accounts": ["system:serviceaccount:payments:*"],
	"grants": [{"facts": 0, "path": ["roles", 0, "inline_policies", 0, "document", "statements", 0], "policy": "inline policy \"secrets\"", "related": []}],
}]}}

test_deny_get_secret_value_on_star if {
	facts := {
		"all_resources": true,
		"actions": {"names": ["kms:Decrypt", "secretsmanager:GetSecretValue"], "count": 2},
		"secrets_read": {"names": ["secretsmanager:GetSecretValue", "kms:Decrypt"], "count": 2},
	}
	got := rule.deny with input as role_input(facts)
	got == {{
		"msg": "inline policy \"secrets\" grants to role arn:aws:iam::111122223333:role/app secretsmanager:GetSecretValue, kms:Decrypt on every resource, so every secret it covers can be read; it can be assumed by system:serviceaccount:payments:*",
		"key": "secrets_read",
		"resource": {"kind": "role", "id": role},
		"path": ["roles", 0, "inline_policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_allow_scoped_secret if {
	count(rule.deny) == 0 with input as role_input({"actions": {"names": ["secretsmanager:GetSecretValue"], "count": 1}})
}

test_allow_admin_left_to_admin_access if {
	# "*" on "*" also reads every secret, but IRSA-032 reports administrator access: this rule
	# stays silent. The same facts without admin are reported, so the input does reach the rule.
	facts := {
		"admin": true,
		"all_resources": true,
		"actions": {"names": [], "count": 22091},
		"secrets_read": {"names": ["secretsmanager:GetSecretValue"], "count": 1},
	}
	got := rule.deny with input as role_input(facts)
	got == set()
	not_admin := rule.deny with input as role_input(object.remove(facts, ["admin"]))
	count(not_admin) == 1
}

test_deny_names_the_statement_by_sid if {
	facts := {
		"sid": "ReadAllSecrets",
		"all_resources": true,
		"actions": {"names": ["secretsmanager:GetSecretValue"], "count": 1},
		"secrets_read": {"names": ["secretsmanager:GetSecretValue"], "count": 1},
	}
	got := rule.deny with input as role_input(facts)
	got == {{
		"msg": "statement \"ReadAllSecrets\" of inline policy \"secrets\" grants to role arn:aws:iam::111122223333:role/app secretsmanager:GetSecretValue on every resource, so every secret it covers can be read; it can be assumed by system:serviceaccount:payments:*",
		"key": "secrets_read",
		"resource": {"kind": "role", "id": role},
		"path": ["roles", 0, "inline_policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

file_input(facts) := {"permissions": {"facts": [facts], "holders": [{
	"resource": {"kind": "policy", "id": "secrets.json"}, "policy": 0,
	"grants": [{"facts": 0, "path": ["policies", 0, "document", "statements", 0], "policy": "secrets.json", "related": []}],
}]}}

test_deny_ssm_wildcard_in_policy_file if {
	# "ssm:GetParameter*" on "*": a policy file is named without a role.
	facts := {
		"all_resources": true,
		"actions": {"names": ["ssm:GetParameter", "ssm:GetParameterHistory", "ssm:GetParameters", "ssm:GetParametersByPath"], "count": 4},
		"secrets_read": {"names": ["ssm:GetParameter", "ssm:GetParameterHistory", "ssm:GetParameters", "ssm:GetParametersByPath"], "count": 4},
	}
	got := rule.deny with input as file_input(facts)
	got == {{
		"msg": "secrets.json grants ssm:GetParameter, ssm:GetParameterHistory, ssm:GetParameters, ssm:GetParametersByPath on every resource, so every secret it covers can be read",
		"key": "secrets_read",
		"resource": {"kind": "policy", "id": "secrets.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_more_actions_than_named if {
	# Action lists name at most ten actions and count the rest. Today's catalog has six
	# secret-reading actions, so this list is not produced yet; the rule must still say "more".
	facts := {
		"all_resources": true,
		"actions": {"names": ["ssm:GetParameter"], "count": 12},
		"secrets_read": {"names": ["ssm:GetParameter"], "count": 12},
	}
	got := rule.deny with input as file_input(facts)
	got == {{
		"msg": "secrets.json grants ssm:GetParameter and 11 more on every resource, so every secret it covers can be read",
		"key": "secrets_read",
		"resource": {"kind": "policy", "id": "secrets.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_role_without_irsa_trust_and_empty_sid if {
	# An empty Sid names nothing and an empty ServiceAccount list reaches nobody.
	facts := {
		"sid": "",
		"all_resources": true,
		"actions": {"names": ["kms:Decrypt"], "count": 1},
		"secrets_read": {"names": ["kms:Decrypt"], "count": 1},
	}
	inp := object.union(role_input(facts), {"permissions": {"holders": [object.union(role_input(facts).permissions.holders[0], {"service_accounts": []})]}})
	got := rule.deny with input as inp
	got == {{
		"msg": "inline policy \"secrets\" grants to role arn:aws:iam::111122223333:role/app kms:Decrypt on every resource, so every secret it covers can be read",
		"key": "secrets_read",
		"resource": {"kind": "role", "id": role},
		"path": ["roles", 0, "inline_policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_scoped_by_resource_tag_is_medium if {
	facts := {
		"all_resources": true,
		"actions": {"names": ["secretsmanager:GetSecretValue"], "count": 1},
		"secrets_read": {"names": ["secretsmanager:GetSecretValue"], "count": 1},
		"conditions": {"scoped": ["aws:ResourceTag/team is \"payments\""]},
	}
	got := rule.deny with input as file_input(facts)
	got == {{
		"msg": "secrets.json grants secretsmanager:GetSecretValue on every resource, so every secret it covers can be read (only where aws:ResourceTag/team is \"payments\")",
		"key": "secrets_read",
		"severity": "medium",
		"resource": {"kind": "policy", "id": "secrets.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}
