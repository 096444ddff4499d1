package irsa_audit.rules.inventory.orphan_role_test

import data.irsa_audit.rules.inventory.orphan_role as rule

_issuer := "oidc.eks.us-east-1.amazonaws.com/id/ABC"

_cluster := "arn:aws:eks:us-east-1:111122223333:cluster/prod"

_provider := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"

_condition(operator, values) := {
	"operator": operator, "base_operator": operator, "known": true,
	"key": concat(":", [_issuer, "sub"]), "values": values,
}

_statement(conditions) := {
	"effect": "Allow",
	"principal": {"federated": [_provider]},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": conditions,
}

_role(name, statements) := {
	"arn": sprintf("arn:aws:iam::111122223333:role/%s", [name]),
	"name": name,
	"account_id": "111122223333",
	"trust_policy": {"statements": statements},
}

_exact(subjects) := _role("exporter", [_statement([_condition("StringEquals", subjects)])])

_input(complete, roles) := {
	"clusters": [{"id": _cluster, "name": "prod", "issuer": _issuer, "inventory": {"service_accounts": complete}}],
	"roles": roles,
	"service_accounts": [{"cluster": _cluster, "namespace": "payments", "name": "app"}],
}

test_deny_orphan_role if {
	role := _exact(["system:serviceaccount:reporting:exporter", "system:serviceaccount:reporting:exporter-v2"])
	got := rule.deny with input as _input(true, [role])
	got == {{
		"msg": "role arn:aws:iam::111122223333:role/exporter trusts only ServiceAccounts that do not exist (their clusters were inventoried in full): arn:aws:eks:us-east-1:111122223333:cluster/prod/reporting/exporter, arn:aws:eks:us-east-1:111122223333:cluster/prod/reporting/exporter-v2",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/exporter"},
		"path": ["roles", 0, "trust_policy"],
		"related": [{"kind": "cluster", "id": _cluster}],
	}}
}

test_deny_orphan_role_through_upper_case_key if {
	statement := _statement([object.union(_condition("StringEquals", ["system:serviceaccount:reporting:exporter"]), {"key": "OIDC.EKS.US-EAST-1.AMAZONAWS.COM/ID/ABC:SUB"})])
	count(rule.deny) == 1 with input as _input(true, [_role("exporter", [statement])])
}

test_allow_one_subject_exists if {
	got2 := rule.deny with input as _input(true, [_exact(["system:serviceaccount:reporting:exporter", "system:serviceaccount:payments:app"])])
	got2 == set()
}

test_allow_wildcard_subject if {
	role := _role("exporter", [
		_statement([_condition("StringEquals", ["system:serviceaccount:reporting:exporter"])]),
		_statement([_condition("StringLike", ["system:serviceaccount:reporting:*"])]),
	])
	got3 := rule.deny with input as _input(true, [role])
	got3 == set()
}

test_allow_literal_star_under_string_equals if {
	got4 := rule.deny with input as _input(true, [_exact(["system:serviceaccount:reporting:*"])])
	got4 == set()
}

test_allow_other_identity_provider if {
	github := {
		"effect": "Allow",
		"principal": {"federated": ["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"]},
		"actions": ["sts:AssumeRoleWithWebIdentity"],
		"conditions": [{"operator": "StringEquals", "base_operator": "StringEquals", "known": true, "key": "token.actions.githubusercontent.com:sub", "values": ["repo:org/repo:ref:refs/heads/main"]}],
	}
	got5 := rule.deny with input as _input(true, [_role("ci", [github])])
	got5 == set()
}

test_allow_issuer_without_cluster if {
	got6 := rule.deny with input as object.union(_input(true, [_exact(["system:serviceaccount:reporting:exporter"])]), {"clusters": []})
	got6 == set()
}

test_allow_role_without_web_identity if {
	ec2 := {"effect": "Allow", "principal": {"service": ["ec2.amazonaws.com"]}, "actions": ["sts:AssumeRole"]}
	got7 := rule.deny with input as _input(true, [_role("ec2", [ec2])])
	got7 == set()
}

test_silent_when_service_account_inventory_incomplete if {
	got8 := rule.deny with input as _input(false, [_exact(["system:serviceaccount:reporting:exporter"])])
	got8 == set()
}
