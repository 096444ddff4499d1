package irsa_audit.rules.inventory.dangling_role_annotation_test

import data.irsa_audit.rules.inventory.dangling_role_annotation as rule

_cluster := "arn:aws:eks:us-east-1:111122223333:cluster/prod"

_sa(name, role_arn) := {"cluster": _cluster, "namespace": "payments", "name": name, "role_arn": role_arn}

_input(complete, service_accounts) := {
	"accounts": [{"id": "111122223333", "inventory": {"roles": complete, "oidc_providers": true}}],
	"roles": [{"arn": "arn:aws:iam::111122223333:role/team/Payments-App", "name": "Payments-App", "account_id": "111122223333"}],
	"service_accounts": service_accounts,
}

test_deny_missing_role if {
	service_accounts := [
		_sa("app", "arn:aws:iam::111122223333:role/team/Payments-App"),
		_sa("old", "arn:aws:iam::111122223333:role/deleted-role"),
	]
	got := rule.deny with input as _input(true, service_accounts)
	got == {{
		"msg": "ServiceAccount arn:aws:eks:us-east-1:111122223333:cluster/prod/payments/old names role arn:aws:iam::111122223333:role/deleted-role, but account 111122223333 has no role named deleted-role: its pods get AccessDenied",
		"resource": {"kind": "service_account", "id": "arn:aws:eks:us-east-1:111122223333:cluster/prod/payments/old"},
		"path": ["service_accounts", 1, "role_arn"],
		"related": [{"kind": "account", "id": "111122223333"}],
	}}
}

test_allow_existing_role if {
	got2 := rule.deny with input as _input(true, [_sa("app", "arn:aws:iam::111122223333:role/team/Payments-App")])
	got2 == set()
}

test_allow_other_case_and_path if {
	got3 := rule.deny with input as _input(true, [_sa("app", "arn:aws:iam::111122223333:role/payments-app")])
	got3 == set()
}

test_silent_for_an_account_not_inventoried if {
	got4 := rule.deny with input as _input(true, [_sa("x", "arn:aws:iam::444455556666:role/deleted-role")])
	got4 == set()
}

test_silent_when_role_inventory_incomplete if {
	got5 := rule.deny with input as _input(false, [_sa("old", "arn:aws:iam::111122223333:role/deleted-role")])
	got5 == set()
}

test_silent_for_no_or_malformed_annotation if {
	got6 := rule.deny with input as _input(true, [
		{"namespace": "payments", "name": "plain"},
		_sa("bad", "deleted-role"),
	])
	got6 == set()
}
