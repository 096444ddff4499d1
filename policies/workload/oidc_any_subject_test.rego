package irsa_audit.rules.workload.oidc_any_subject_test

import data.irsa_audit.rules.workload.oidc_any_subject as rule

_fact(subject_condition) := {
	"resource": {"kind": "policy", "id": "trust.json"},
	"path": ["policies", 0, "document", "statements", 0],
	"provider": "arn:aws:iam::111122223333:oidc-provider/auth.example.com",
	"issuer": "auth.example.com",
	"subject_condition": subject_condition,
}

test_deny_no_subject if {
	got := rule.deny with input as {"workload_identity": {"other_oidc": [_fact(false)]}}
	got == {{
		"msg": "Trust policy trust.json trusts tokens of OIDC issuer auth.example.com with no condition on auth.example.com:sub: every identity the issuer signs tokens for can assume it",
		"resource": {"kind": "policy", "id": "trust.json"},
		"path": ["policies", 0, "document", "statements", 0],
	}}
}

test_deny_subject_that_does_not_restrict if {
	got := rule.deny with input as {"workload_identity": {"other_oidc": [_fact(true)]}}
	got == {{
		"msg": "Trust policy trust.json trusts tokens of OIDC issuer auth.example.com with a condition on auth.example.com:sub that admits any subject: every identity the issuer signs tokens for can assume it",
		"resource": {"kind": "policy", "id": "trust.json"},
		"path": ["policies", 0, "document", "statements", 0],
	}}
}

test_allow_without_facts if {
	got := rule.deny with input as {"workload_identity": {"other_oidc": []}}
	got == set()
}
