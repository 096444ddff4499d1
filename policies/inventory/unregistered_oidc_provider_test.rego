package irsa_audit.rules.inventory.unregistered_oidc_provider_test

import data.irsa_audit.rules.inventory.unregistered_oidc_provider as rule

_account := "111122223333"

_issuer := "oidc.eks.us-east-1.amazonaws.com/id/ABC"

_provider := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"

_stale := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/GONE"

_foreign := "arn:aws:iam::444455556666:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"

_role(name, providers) := {
	"arn": sprintf("arn:aws:iam::111122223333:role/%s", [name]),
	"name": name,
	"account_id": _account,
	"trust_policy": {"statements": [{
		"effect": "Allow",
		"principal": {"federated": providers},
		"actions": ["sts:AssumeRoleWithWebIdentity"],
	}]},
}

_input(complete, roles) := {
	"accounts": [{"id": _account, "inventory": {"oidc_providers": complete, "roles": true}}],
	"oidc_providers": [{"arn": _provider, "account_id": _account, "issuer": _issuer}],
	"roles": roles,
}

test_deny_unregistered_provider if {
	got := rule.deny with input as _input(true, [_role("ok", [_provider]), _role("stale", ["accounts.google.com", _stale])])
	got == {{
		"msg": "role arn:aws:iam::111122223333:role/stale trusts OIDC provider arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/GONE, which is not registered in account 111122223333: no token is accepted through it",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/stale"},
		"path": ["roles", 1, "trust_policy", "statements", 0],
		"related": [{"kind": "oidc_provider", "id": _stale}],
	}}
}

test_deny_provider_of_another_account if {
	got2 := rule.deny with input as _input(true, [_role("cross", [_foreign])])
	got2 == {{
		"msg": "role arn:aws:iam::111122223333:role/cross trusts OIDC provider arn:aws:iam::444455556666:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC of account 444455556666, but STS only uses providers registered in the role's own account 111122223333: no token is accepted through it",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/cross"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
		"related": [{"kind": "oidc_provider", "id": _foreign}],
	}}
}

test_allow_registered_provider if {
	got3 := rule.deny with input as _input(true, [_role("ok", [_provider])])
	got3 == set()
}

# IAM compares provider ARNs exactly, as the admission check does: a trust naming the provider
# in another case is refused, and the message says only the case differs.
test_deny_registered_provider_other_case if {
	got4 := rule.deny with input as _input(true, [_role("lower", [lower(_provider)])])
	got4 == {{
		"msg": "role arn:aws:iam::111122223333:role/lower trusts OIDC provider arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/abc, which is not registered in account 111122223333: no token is accepted through it (a provider whose ARN differs only in case is registered, but IAM compares provider ARNs exactly)",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/lower"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
		"related": [{"kind": "oidc_provider", "id": lower(_provider)}],
	}}
}

# R5: a provider or a principal known only after apply (a symbol) may be a registered one.
test_allow_unknown_principal if {
	role := json.patch(_role("later", ["arn:aws:iam::111122223333:oidc-provider/«cluster.issuer»"]), [{"op": "add", "path": "/trust_policy/statements/0/unknown", "value": ["principal"]}])
	got := rule.deny with input as _input(true, [role])
	got == set()
}

test_allow_unknown_registered_provider if {
	base := _input(true, [_role("stale", [_stale])])
	providers := array.concat(base.oidc_providers, [{"arn": "arn:aws:iam::111122223333:oidc-provider/«x»", "account_id": _account, "issuer": "«x»", "unknown": ["arn", "issuer"]}])
	got := rule.deny with input as object.union(base, {"oidc_providers": providers})
	got == set()
}

test_allow_deny_statement_naming_stale_provider if {
	role := object.union(_role("ok", [_provider]), {"trust_policy": {"statements": [
		{"effect": "Deny", "principal": {"federated": [_stale]}, "actions": ["sts:AssumeRoleWithWebIdentity"]},
	]}})
	got5 := rule.deny with input as _input(true, [role])
	got5 == set()
}

test_silent_when_provider_inventory_incomplete if {
	got6 := rule.deny with input as _input(false, [_role("stale", [_stale])])
	got6 == set()
}

test_silent_when_account_unknown if {
	got7 := rule.deny with input as object.remove(_input(true, [_role("stale", [_stale])]), ["accounts"])
	got7 == set()
}
