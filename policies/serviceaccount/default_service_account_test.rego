package irsa_audit.rules.serviceaccount.default_service_account_test

import data.irsa_audit.rules.serviceaccount.default_service_account as rule

role := "arn:aws:iam::111122223333:role/payments-app"

sa(cluster, namespace, name, role_arn) := {
	"cluster": cluster,
	"namespace": namespace,
	"name": name,
	"annotations": {"eks.amazonaws.com/role-arn": role_arn},
	"role_arn": role_arn,
}

test_deny_default_with_role if {
	got := rule.deny with input as {"service_accounts": [sa("", "payments", "api", role), sa("", "payments", "default", role)]}
	got == {{
		"msg": "ServiceAccount \"default\" in namespace \"payments\" is annotated with role \"arn:aws:iam::111122223333:role/payments-app\", so every pod in the namespace without its own ServiceAccount gets the role",
		"resource": {"kind": "service_account", "id": "payments/default"},
		"path": ["service_accounts", 1],
	}}
}

test_deny_default_in_known_cluster_role_arn_field_only if {
	account := {"cluster": "arn:aws:eks:us-east-1:111122223333:cluster/prod", "namespace": "payments", "name": "default", "role_arn": role}
	got2 := rule.deny with input as {"service_accounts": [account]}
	got2 == {{
		"msg": "ServiceAccount \"default\" in namespace \"payments\" is annotated with role \"arn:aws:iam::111122223333:role/payments-app\", so every pod in the namespace without its own ServiceAccount gets the role",
		"resource": {"kind": "service_account", "id": "arn:aws:eks:us-east-1:111122223333:cluster/prod/payments/default"},
		"path": ["service_accounts", 0],
	}}
}

test_allow_dedicated_service_account if {
	got3 := rule.deny with input as {"service_accounts": [sa("", "payments", "payments-app", role)]}
	got3 == set()
}

test_allow_default_without_annotation if {
	got4 := rule.deny with input as {"service_accounts": [{"namespace": "payments", "name": "default"}]}
	got4 == set()
}

test_allow_default_with_empty_annotation if {
	got5 := rule.deny with input as {"service_accounts": [sa("", "payments", "default", " ")]}
	got5 == set()
}
