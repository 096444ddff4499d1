package acme.rules.role_path_test

import data.acme.rules.role_path as rule

_sa(arn) := {"namespace": "payments", "name": "app", "role_arn": arn}

test_deny_role_at_root if {
	got := rule.deny with input as {"service_accounts": [_sa("arn:aws:iam::111122223333:role/app")]}
	got == {{
		"msg": "ServiceAccount payments/app uses role app in path /, not under /irsa/",
		"resource": {"kind": "service_account", "id": "payments/app"},
		"path": ["service_accounts", 0, "role_arn"],
	}}
}

test_allow_role_under_irsa if {
	got := rule.deny with input as {"service_accounts": [_sa("arn:aws:iam::111122223333:role/irsa/app")]}
	got == set()
}

test_builtin_parses_role_arn if {
	iam.parse_role_arn("arn:aws-cn:iam::111122223333:role/irsa/team/app") == {"partition": "aws-cn", "account": "111122223333", "path": "/irsa/team/", "name": "app"}
}
