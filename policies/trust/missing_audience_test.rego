package irsa_audit.rules.trust.missing_audience_test

import data.irsa_audit.rules.trust.missing_audience as rule

provider := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123"

cond(operator, key, values) := {"operator": operator, "base_operator": operator, "known": true, "key": key, "values": values}

sub_condition := cond("StringEquals", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub", ["system:serviceaccount:ns:app"])

statement(conditions) := {
	"effect": "Allow",
	"principal": {"federated": [provider]},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": conditions,
}

role_input(statements) := {"roles": [{"arn": "arn:aws:iam::111122223333:role/app", "trust_policy": {"statements": statements}}]}

test_deny_subject_without_audience if {
	got := rule.deny with input as role_input([statement([sub_condition])])
	got == {{
		"msg": "statement trusting OIDC provider \"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123\" constrains \"oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub\" but has no condition on \"oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud\", so tokens minted for any audience are accepted",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
	}}
}

test_deny_only_second_statement if {
	aud := cond("StringEquals", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud", ["sts.amazonaws.com"])
	got2 := rule.deny with input as role_input([statement([sub_condition, aud]), statement([sub_condition])])
	got2 == {{
		"msg": "statement trusting OIDC provider \"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123\" constrains \"oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub\" but has no condition on \"oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud\", so tokens minted for any audience are accepted",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "trust_policy", "statements", 1],
	}}
}

test_allow_subject_and_audience if {
	aud := cond("StringEquals", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:AUD", ["sts.amazonaws.com"])
	got3 := rule.deny with input as role_input([statement([sub_condition, aud])])
	got3 == set()
}

test_allow_no_subject_left_to_irsa_001 if {
	got4 := rule.deny with input as role_input([statement([])])
	got4 == set()
}

test_allow_deny_statement if {
	got5 := rule.deny with input as role_input([object.union(statement([sub_condition]), {"effect": "Deny"})])
	got5 == set()
}

provider_input(statements, client_ids) := object.union(role_input(statements), {"oidc_providers": [{
	"arn": provider,
	"account_id": "111122223333",
	"issuer": "oidc.eks.us-east-1.amazonaws.com/id/ABC123",
	"client_ids": client_ids,
}]})

test_deny_high_when_provider_registers_other_audiences if {
	got6 := rule.deny with input as provider_input([statement([sub_condition])], ["sts.amazonaws.com", "vault", "argo-workflows"])
	got6 == {{
		"msg": "statement trusting OIDC provider \"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123\" constrains \"oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub\" but has no condition on \"oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud\", so tokens minted for any audience are accepted (the provider also registers \"argo-workflows\", \"vault\": a token for any of them assumes the role)",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
		"severity": "high",
	}}
}

test_deny_default_severity_when_provider_registers_only_sts if {
	got7 := rule.deny with input as provider_input([statement([sub_condition])], ["sts.amazonaws.com"])
	got7 == {{
		"msg": "statement trusting OIDC provider \"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123\" constrains \"oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub\" but has no condition on \"oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud\", so tokens minted for any audience are accepted",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
	}}
}

test_deny_default_severity_when_other_provider_registers_audiences if {
	other := object.union(provider_input([statement([sub_condition])], ["sts.amazonaws.com"]), {"oidc_providers": [{
		"arn": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/OTHER",
		"client_ids": ["vault"],
	}]})
	got8 := rule.deny with input as other
	got8 == {{
		"msg": "statement trusting OIDC provider \"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123\" constrains \"oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub\" but has no condition on \"oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud\", so tokens minted for any audience are accepted",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
	}}
}

test_allow_audience_pinned_whatever_the_provider_registers if {
	aud := cond("StringEquals", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud", ["sts.amazonaws.com"])
	got9 := rule.deny with input as provider_input([statement([sub_condition, aud])], ["vault"])
	got9 == set()
}

# StringLike aud "*" admits any audience, as no condition does.
test_deny_like_any_audience if {
	aud := cond("StringLike", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud", ["*"])
	got := rule.deny with input as role_input([statement([sub_condition, aud])])
	got == {{
		"msg": sprintf("statement trusting OIDC provider %q constrains %q but its condition on %q admits any audience, so tokens minted for any audience are accepted", [provider, "oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud"]),
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
	}}
}

test_allow_like_sts_audience if {
	aud := cond("StringLike", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud", ["sts.amazonaws.*"])
	got := rule.deny with input as role_input([statement([sub_condition, aud])])
	got == set()
}
