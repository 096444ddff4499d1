package acme.rules.tagging.team_tag_test

import data.acme.rules.tagging.team_tag as rule

_irsa_trust := {"statements": [{
	"effect": "Allow",
	"actions": ["sts:AssumeRoleWithWebIdentity"],
}]}

test_deny_untagged_irsa_role if {
	roles := [{"arn": "arn:aws:iam::111122223333:role/app", "name": "app", "trust_policy": _irsa_trust}]
	rule.deny == {{
		"msg": "role app can be assumed from Kubernetes but has no team tag",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0],
	}} with input as {"roles": roles}
}

test_allow_tagged_irsa_role if {
	roles := [{"arn": "arn:aws:iam::111122223333:role/app", "name": "app", "trust_policy": _irsa_trust, "tags": {"team": "payments"}}]
	rule.deny == set() with input as {"roles": roles}
}

test_allow_role_without_web_identity if {
	roles := [{"arn": "arn:aws:iam::111122223333:role/ci", "name": "ci", "trust_policy": {"statements": [{
		"effect": "Allow",
		"actions": ["sts:AssumeRole"],
	}]}}]
	rule.deny == set() with input as {"roles": roles}
}
