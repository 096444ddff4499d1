package irsa_audit.rules.inventory.binding_mismatch_test

import data.irsa_audit.rules.inventory.binding_mismatch as rule

_issuer := "oidc.eks.us-east-1.amazonaws.com/id/ABC"

_cluster := "arn:aws:eks:us-east-1:111122223333:cluster/prod"

_provider := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"

_role_arn := "arn:aws:iam::111122223333:role/payments-app"

_condition(operator, claim, values) := {
	"operator": operator, "base_operator": operator, "known": true,
	"key": concat(":", [_issuer, claim]), "values": values,
}

_role(conditions) := {
	"arn": _role_arn,
	"name": "payments-app",
	"account_id": "111122223333",
	"trust_policy": {"statements": [{
		"effect": "Allow",
		"principal": {"federated": [_provider]},
		"actions": ["sts:AssumeRoleWithWebIdentity"],
		"conditions": conditions,
	}]},
}

_exact := [
	_condition("StringEquals", "sub", ["system:serviceaccount:payments:payments-app"]),
	_condition("StringEquals", "aud", ["sts.amazonaws.com"]),
]

_sa(namespace, name) := {"cluster": _cluster, "namespace": namespace, "name": name, "role_arn": _role_arn}

_input(role, service_accounts) := {
	"clusters": [{"id": _cluster, "name": "prod", "issuer": _issuer}],
	"roles": [role],
	"service_accounts": service_accounts,
}

test_deny_subject_not_admitted if {
	got := rule.deny with input as _input(_role(_exact), [_sa("payments", "payments-app"), _sa("payment", "payments-app")])
	got == {{
		"msg": "ServiceAccount arn:aws:eks:us-east-1:111122223333:cluster/prod/payment/payments-app names role arn:aws:iam::111122223333:role/payments-app, whose trust policy does not admit its token (iss https://oidc.eks.us-east-1.amazonaws.com/id/ABC, sub system:serviceaccount:payment:payments-app, aud sts.amazonaws.com): its pods get AccessDenied",
		"resource": {"kind": "service_account", "id": "arn:aws:eks:us-east-1:111122223333:cluster/prod/payment/payments-app"},
		"path": ["service_accounts", 1, "role_arn"],
		"related": [{"kind": "role", "id": _role_arn}, {"kind": "cluster", "id": _cluster}],
	}}
}

test_deny_trust_names_another_cluster if {
	other := "oidc.eks.us-east-1.amazonaws.com/id/OTHER"
	role := _role([{"operator": "StringEquals", "base_operator": "StringEquals", "known": true, "key": concat(":", [other, "sub"]), "values": ["system:serviceaccount:payments:payments-app"]}])
	role2 := object.union(role, {"trust_policy": {"statements": [object.union(role.trust_policy.statements[0], {"principal": {"federated": [concat("/", ["arn:aws:iam::111122223333:oidc-provider", other])]}})]}})
	count(rule.deny) == 1 with input as _input(role2, [_sa("payments", "payments-app")])
}

test_deny_custom_audience_not_admitted if {
	sa := object.union(_sa("payments", "payments-app"), {"annotations": {"eks.amazonaws.com/audience": "api://custom"}})
	[f] := [f | some f in rule.deny] with input as _input(_role(_exact), [sa])
	contains(f.msg, "aud api://custom)")
}

test_allow_admitted if {
	got2 := rule.deny with input as _input(_role(_exact), [_sa("payments", "payments-app")])
	got2 == set()
}

test_allow_admitted_wildcard_and_role_spelling if {
	role := _role([_condition("StringLike", "sub", ["system:serviceaccount:payments:*"])])
	sa := object.union(_sa("payments", "worker"), {"role_arn": "arn:aws:iam::111122223333:role/Payments-App"})
	got3 := rule.deny with input as _input(role, [sa])
	got3 == set()
}

test_silent_when_outcome_depends_on_request_keys if {
	role := _role(array.concat(_exact, [{"operator": "IpAddress", "base_operator": "IpAddress", "known": true, "key": "aws:SourceIp", "values": ["10.0.0.0/8"]}]))
	got4 := rule.deny with input as _input(role, [_sa("payments", "payments-app")])
	got4 == set()
}

test_silent_without_cluster_or_issuer if {
	no_cluster := object.remove(_sa("payment", "payments-app"), ["cluster"])
	got5 := rule.deny with input as _input(_role(_exact), [no_cluster])
	got5 == set()
	got6 := rule.deny with input as object.union(_input(_role(_exact), [_sa("payment", "payments-app")]), {"clusters": [{"id": _cluster, "name": "prod"}]})
	got6 == set()
}

test_silent_when_role_not_in_snapshot if {
	sa := object.union(_sa("payment", "payments-app"), {"role_arn": "arn:aws:iam::111122223333:role/elsewhere"})
	got7 := rule.deny with input as _input(_role(_exact), [sa])
	got7 == set()
}

# R3: a deciding condition whose value is known only after apply (a symbol) gives "unknown", not
# "refused": the rule stays silent.
test_silent_when_deciding_value_is_unknown if {
	sub := object.union(_condition("StringEquals", "sub", ["system:serviceaccount:«var.namespace»:payments-app"]), {"unknown": ["values"]})
	got := rule.deny with input as _input(_role([sub]), [_sa("payments", "payments-app")])
	got == set()
}
