package irsa_audit.rules.trust.public_principal_test

import data.irsa_audit.rules.trust.public_principal as rule

suffix := "assume the role without a condition on aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn or sts:ExternalId"

role_input(statements) := {"roles": [{"arn": "arn:aws:iam::111122223333:role/app", "trust_policy": {"statements": statements}}]}

irsa_statement := {
	"effect": "Allow",
	"principal": {"federated": ["arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123"]},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": [{"operator": "StringEquals", "base_operator": "StringEquals", "known": true, "key": "oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub", "values": ["system:serviceaccount:ns:app"]}],
}

test_deny_aws_star_next_to_irsa if {
	s := {"sid": "LeftOver", "effect": "Allow", "principal": {"aws": ["*"]}, "actions": ["sts:AssumeRole"]}
	got := rule.deny with input as role_input([irsa_statement, s])
	got == {{
		"msg": sprintf("statement lets any principal matching AWS \"*\" %s", [suffix]),
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "trust_policy", "statements", 1],
	}}
}

test_deny_principal_wildcard_in_policy_file if {
	s := {"effect": "Allow", "principal": {"wildcard": true}, "actions": ["sts:*"], "conditions": [{"operator": "Bool", "base_operator": "Bool", "known": true, "key": "aws:SecureTransport", "values": ["true"]}]}
	got2 := rule.deny with input as {"policies": [{"id": "trust.json", "document": {"statements": [s]}}]}
	got2 == {{
		"msg": sprintf("statement lets any principal (\"Principal\": \"*\") %s", [suffix]),
		"resource": {"kind": "policy", "id": "trust.json"},
		"path": ["policies", 0, "document", "statements", 0],
	}}
}

test_deny_account_wildcard_arn if {
	s := {"effect": "Allow", "principal": {"aws": ["arn:aws:iam::111122223333:root", "arn:aws:iam::*:root"]}, "not_actions": ["s3:*"]}
	got3 := rule.deny with input as role_input([s])
	got3 == {{
		"msg": sprintf("statement lets any principal matching AWS \"arn:aws:iam::*:root\" %s", [suffix]),
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
	}}
}

test_allow_guarded_by_org_id if {
	s := {"effect": "Allow", "principal": {"aws": ["*"]}, "actions": ["sts:AssumeRole"], "conditions": [{"operator": "StringEquals", "base_operator": "StringEquals", "known": true, "key": "AWS:PrincipalOrgId", "values": ["o-abc"]}]}
	got4 := rule.deny with input as role_input([s])
	got4 == set()
}

test_allow_named_principal if {
	s := {"effect": "Allow", "principal": {"aws": ["arn:aws:iam::111122223333:role/deployer"]}, "actions": ["sts:AssumeRole"]}
	got5 := rule.deny with input as role_input([irsa_statement, s])
	got5 == set()
}

test_allow_deny_statement if {
	s := {"effect": "Deny", "principal": {"wildcard": true}, "actions": ["sts:AssumeRole"]}
	got6 := rule.deny with input as role_input([s])
	got6 == set()
}

test_allow_resource_policy_without_sts_actions if {
	s := {"effect": "Allow", "principal": {"wildcard": true}, "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::public/*"]}
	got7 := rule.deny with input as {"policies": [{"id": "bucket.json", "document": {"statements": [s]}}]}
	got7 == set()
}

# StringNotEquals aws:PrincipalAccount lets every other account in: no guard.
test_deny_negated_guard if {
	guard := {"operator": "StringNotEquals", "base_operator": "StringEquals", "negated": true, "known": true, "key": "aws:PrincipalAccount", "values": ["444455556666"]}
	s := {"effect": "Allow", "principal": {"aws": ["*"]}, "actions": ["sts:AssumeRole"], "conditions": [guard]}
	got := rule.deny with input as role_input([s])
	got == {{
		"msg": sprintf("statement lets any principal matching AWS \"*\" %s", [suffix]),
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
	}}
}

test_allow_positive_guard if {
	guard := {"operator": "StringEquals", "base_operator": "StringEquals", "known": true, "key": "aws:PrincipalAccount", "values": ["111122223333"]}
	s := {"effect": "Allow", "principal": {"aws": ["*"]}, "actions": ["sts:AssumeRole"], "conditions": [guard]}
	got := rule.deny with input as role_input([s])
	got == set()
}
