package irsa_audit.rules.inventory.audience_not_registered_test

import data.irsa_audit.rules.inventory.audience_not_registered as rule

_issuer := "oidc.eks.us-east-1.amazonaws.com/id/ABC"

_cluster := "arn:aws:eks:us-east-1:111122223333:cluster/prod"

_provider_arn := sprintf("arn:aws:iam::111122223333:oidc-provider/%s", [_issuer])

_role_arn := "arn:aws:iam::111122223333:role/payments-app"

_sa(annotations) := {
	"cluster": _cluster,
	"namespace": "payments",
	"name": "payments-app",
	"role_arn": _role_arn,
	"annotations": annotations,
}

_role(federated) := {
	"arn": _role_arn,
	"name": "payments-app",
	"trust_policy": {"statements": [{
		"effect": "Allow",
		"principal": {"federated": [federated]},
		"actions": ["sts:AssumeRoleWithWebIdentity"],
	}]},
}

_input(sa, client_ids, federated) := {
	"clusters": [{"id": _cluster, "name": "prod", "issuer": concat("", ["https://", _issuer])}],
	"oidc_providers": [{"arn": _provider_arn, "account_id": "111122223333", "issuer": _issuer, "client_ids": client_ids}],
	"roles": [_role(federated)],
	"service_accounts": [sa],
}

_annotated := {"eks.amazonaws.com/role-arn": _role_arn, "eks.amazonaws.com/audience": "payments.example.com"}

test_deny_annotated_audience_not_a_client_id if {
	got := rule.deny with input as _input(_sa(_annotated), ["sts.amazonaws.com"], _provider_arn)
	got == {{
		"msg": "ServiceAccount arn:aws:eks:us-east-1:111122223333:cluster/prod/payments/payments-app requests tokens for audience \"payments.example.com\", which is not a client ID of OIDC provider arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC (sts.amazonaws.com) that role arn:aws:iam::111122223333:role/payments-app trusts: its pods get InvalidIdentityToken (Incorrect token audience)",
		"resource": {"kind": "service_account", "id": "arn:aws:eks:us-east-1:111122223333:cluster/prod/payments/payments-app"},
		"path": ["service_accounts", 0, "annotations", "eks.amazonaws.com/audience"],
		"related": [
			{"kind": "oidc_provider", "id": _provider_arn},
			{"kind": "role", "id": _role_arn},
		],
	}}
}

test_deny_default_audience_not_a_client_id if {
	got := rule.deny with input as _input(_sa({"eks.amazonaws.com/role-arn": _role_arn}), ["example.com", "other"], _provider_arn)
	got == {{
		"msg": "ServiceAccount arn:aws:eks:us-east-1:111122223333:cluster/prod/payments/payments-app requests tokens for audience \"sts.amazonaws.com\", which is not a client ID of OIDC provider arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC (example.com, other) that role arn:aws:iam::111122223333:role/payments-app trusts: its pods get InvalidIdentityToken (Incorrect token audience)",
		"resource": {"kind": "service_account", "id": "arn:aws:eks:us-east-1:111122223333:cluster/prod/payments/payments-app"},
		"path": ["service_accounts", 0, "role_arn"],
		"related": [
			{"kind": "oidc_provider", "id": _provider_arn},
			{"kind": "role", "id": _role_arn},
		],
	}}
}

test_allow_audience_registered if {
	got := rule.deny with input as _input(_sa(_annotated), ["sts.amazonaws.com", "payments.example.com"], _provider_arn)
	got == set()
}

test_allow_default_audience_registered if {
	got := rule.deny with input as _input(_sa({}), ["sts.amazonaws.com"], _provider_arn)
	got == set()
}

test_silent_when_client_ids_unknown if {
	got := rule.deny with input as _input(_sa(_annotated), [], _provider_arn)
	got == set()
}

test_silent_when_client_id_symbolic if {
	got := rule.deny with input as _input(_sa(_annotated), ["«aws_iam_openid_connect_provider.main.client_id_list»"], _provider_arn)
	got == set()
}

test_silent_when_trust_names_another_provider if {
	other := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/OTHER"
	got := rule.deny with input as _input(_sa(_annotated), ["sts.amazonaws.com"], other)
	got == set()
}

test_silent_when_provider_in_another_account if {
	sa := object.union(_sa(_annotated), {"role_arn": "arn:aws:iam::444455556666:role/payments-app"})
	got := rule.deny with input as _input(sa, ["sts.amazonaws.com"], _provider_arn)
	got == set()
}

test_role_name_case_and_path_do_not_matter if {
	sa := object.union(_sa(_annotated), {"role_arn": "arn:aws:iam::111122223333:role/team/Payments-App"})
	got := {f.resource.id | some f in rule.deny} with input as _input(sa, ["sts.amazonaws.com"], _provider_arn)
	got == {"arn:aws:eks:us-east-1:111122223333:cluster/prod/payments/payments-app"}
}
