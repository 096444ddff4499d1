package irsa_audit.rules.inventory.cluster_issuer_unregistered_test

import data.irsa_audit.rules.inventory.cluster_issuer_unregistered as rule

_issuer := "oidc.eks.us-east-1.amazonaws.com/id/ABC"

_cluster := "arn:aws:eks:us-east-1:111122223333:cluster/prod"

_sa(namespace, name, account) := {
	"cluster": _cluster,
	"namespace": namespace,
	"name": name,
	"role_arn": sprintf("arn:aws:iam::%s:role/%s", [account, name]),
}

_provider(account) := {
	"arn": sprintf("arn:aws:iam::%s:oidc-provider/%s", [account, _issuer]),
	"account_id": account,
	"issuer": _issuer,
}

_input(complete, providers, service_accounts) := {
	"accounts": [
		{"id": "111122223333", "inventory": {"oidc_providers": true}},
		{"id": "444455556666", "inventory": {"oidc_providers": complete}},
	],
	"clusters": [{"id": _cluster, "name": "prod", "issuer": concat("", ["https://", _issuer])}],
	"oidc_providers": providers,
	"service_accounts": service_accounts,
}

_service_accounts := [
	_sa("payments", "payments-app", "111122223333"),
	_sa("payments", "ledger", "444455556666"),
	_sa("billing", "invoicer", "444455556666"),
	{"cluster": _cluster, "namespace": "web", "name": "frontend"},
]

test_deny_issuer_missing_in_role_account if {
	got := rule.deny with input as _input(true, [_provider("111122223333")], _service_accounts)
	got == {{
		"msg": "cluster arn:aws:eks:us-east-1:111122223333:cluster/prod's issuer oidc.eks.us-east-1.amazonaws.com/id/ABC is not registered as an IAM OIDC provider in account 444455556666, yet 2 of its ServiceAccounts name roles there (arn:aws:eks:us-east-1:111122223333:cluster/prod/billing/invoicer, arn:aws:eks:us-east-1:111122223333:cluster/prod/payments/ledger): their pods get InvalidIdentityToken (No OpenIDConnect provider found in your account)",
		"resource": {"kind": "cluster", "id": _cluster},
		"path": ["clusters", 0],
		"related": [
			{"kind": "account", "id": "444455556666"},
			{"kind": "oidc_provider", "id": "arn:aws:iam::444455556666:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"},
			{"kind": "service_account", "id": "arn:aws:eks:us-east-1:111122223333:cluster/prod/billing/invoicer"},
			{"kind": "service_account", "id": "arn:aws:eks:us-east-1:111122223333:cluster/prod/payments/ledger"},
		],
	}}
}

test_allow_issuer_registered_everywhere if {
	got2 := rule.deny with input as _input(true, [_provider("111122223333"), _provider("444455556666")], _service_accounts)
	got2 == set()
}

test_silent_when_provider_inventory_incomplete if {
	got3 := rule.deny with input as _input(false, [_provider("111122223333")], _service_accounts)
	got3 == set()
}

test_silent_for_account_not_inventoried if {
	service_accounts := [_sa("payments", "ledger", "777788889999")]
	got4 := rule.deny with input as _input(true, [], service_accounts)
	got4 == set()
}

# R5: a cluster whose issuer is known only after apply, or a provider whose ARN is, may match.
test_allow_unknown_cluster_issuer if {
	base := _input(true, [_provider("111122223333")], _service_accounts)
	clusters := [object.union(base.clusters[0], {"issuer": "«aws_eks_cluster.prod.identity»", "unknown": ["issuer"]})]
	got := rule.deny with input as object.union(base, {"clusters": clusters})
	got == set()
}

test_allow_unknown_provider if {
	unknown := {"arn": "arn:aws:iam::444455556666:oidc-provider/«x»", "account_id": "444455556666", "issuer": "«x»", "unknown": ["arn", "issuer"]}
	got := rule.deny with input as _input(true, [_provider("111122223333"), unknown], _service_accounts)
	got == set()
}
