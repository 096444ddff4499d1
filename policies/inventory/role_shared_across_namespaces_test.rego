package irsa_audit.rules.inventory.role_shared_across_namespaces_test

import data.irsa_audit.rules.inventory.role_shared_across_namespaces as rule

_issuer := "oidc.eks.us-east-1.amazonaws.com/id/ABC"

_prod := "arn:aws:eks:us-east-1:111122223333:cluster/prod"

_staging := "arn:aws:eks:us-east-1:111122223333:cluster/staging"

_provider := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"

_role_arn := "arn:aws:iam::111122223333:role/shared-app"

_role(subjects) := {
	"arn": _role_arn,
	"name": "shared-app",
	"account_id": "111122223333",
	"trust_policy": {"statements": [{
		"effect": "Allow",
		"principal": {"federated": [_provider]},
		"actions": ["sts:AssumeRoleWithWebIdentity"],
		"conditions": [{
			"operator": "StringLike", "base_operator": "StringLike", "known": true,
			"key": concat(":", [_issuer, "sub"]), "values": subjects,
		}],
	}]},
}

_sa(cluster, namespace, name) := {"cluster": cluster, "namespace": namespace, "name": name, "role_arn": _role_arn}

_input(role, service_accounts) := {
	"clusters": [
		{"id": _prod, "name": "prod", "issuer": _issuer},
		{"id": _staging, "name": "staging", "issuer": "oidc.eks.us-east-1.amazonaws.com/id/STAGING"},
	],
	"roles": [role],
	"service_accounts": service_accounts,
}

test_deny_role_shared_by_two_namespaces if {
	service_accounts := [_sa(_prod, "payments", "app"), _sa(_prod, "billing", "app"), _sa(_prod, "payments", "worker")]
	got := rule.deny with input as _input(_role(["system:serviceaccount:*:app", "system:serviceaccount:payments:*"]), service_accounts)
	got == {{
		"msg": "role arn:aws:iam::111122223333:role/shared-app is admitted and used by 3 ServiceAccounts in 2 namespaces: billing, payments",
		"resource": {"kind": "role", "id": _role_arn},
		"path": ["roles", 0],
		"related": [
			{"kind": "service_account", "id": "arn:aws:eks:us-east-1:111122223333:cluster/prod/billing/app"},
			{"kind": "service_account", "id": "arn:aws:eks:us-east-1:111122223333:cluster/prod/payments/app"},
			{"kind": "service_account", "id": "arn:aws:eks:us-east-1:111122223333:cluster/prod/payments/worker"},
		],
	}}
}

test_allow_one_namespace if {
	service_accounts := [_sa(_prod, "payments", "app"), _sa(_prod, "payments", "worker")]
	got2 := rule.deny with input as _input(_role(["system:serviceaccount:payments:*"]), service_accounts)
	got2 == set()
}

test_allow_second_namespace_not_admitted if {
	# billing/app names the role but the trust refuses it (IRSA-022's concern, not a shared role).
	service_accounts := [_sa(_prod, "payments", "app"), _sa(_prod, "billing", "app")]
	got3 := rule.deny with input as _input(_role(["system:serviceaccount:payments:*"]), service_accounts)
	got3 == set()
}

test_allow_other_cluster_not_admitted if {
	# staging's issuer is not the provider the trust names.
	service_accounts := [_sa(_prod, "payments", "app"), _sa(_staging, "billing", "app")]
	got4 := rule.deny with input as _input(_role(["system:serviceaccount:*:app"]), service_accounts)
	got4 == set()
}

test_allow_admitted_but_unused if {
	got5 := rule.deny with input as _input(_role(["*"]), [_sa(_prod, "payments", "app")])
	got5 == set()
}

test_deny_many_namespaces_listed_briefly if {
	service_accounts := [_sa(_prod, sprintf("ns%02d", [n]), "app") | some n in numbers.range(1, 12)]
	[f] := [f | some f in rule.deny] with input as _input(_role(["system:serviceaccount:*:app"]), service_accounts)
	f.msg == "role arn:aws:iam::111122223333:role/shared-app is admitted and used by 12 ServiceAccounts in 12 namespaces: ns01, ns02, ns03, ns04, ns05, ns06, ns07, ns08, ns09, ns10 and 2 more"
	count(f.related) == 12
}
