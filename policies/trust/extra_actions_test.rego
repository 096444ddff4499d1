package irsa_audit.rules.trust.extra_actions_test

import data.irsa_audit.rules.trust.extra_actions as rule

provider := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123"

statement(fields) := object.union({"effect": "Allow", "principal": {"federated": [provider]}}, fields)

policy_input(statements) := {"policies": [{"id": "trust.json", "document": {"statements": statements}}]}

finding(msg) := {"msg": msg, "resource": {"kind": "policy", "id": "trust.json"}, "path": ["policies", 0, "document", "statements", 0]}

test_deny_sts_wildcard if {
	got := rule.deny with input as policy_input([statement({"actions": ["sts:*"]})])
	got == {finding(sprintf("statement trusting %q also allows \"sts:*\"; only sts:AssumeRoleWithWebIdentity and sts:TagSession are needed", [provider]))}
}

test_deny_lists_every_extra_action if {
	s := statement({"actions": ["sts:AssumeRoleWithWebIdentity", "sts:AssumeRole", "*", "STS:TagSession"]})
	got2 := rule.deny with input as policy_input([s])
	got2 == {finding(sprintf("statement trusting %q also allows \"*\", \"sts:AssumeRole\"; only sts:AssumeRoleWithWebIdentity and sts:TagSession are needed", [provider]))}
}

test_deny_not_action if {
	other := "arn:aws-us-gov:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
	s := object.union(statement({"not_actions": ["iam:*"]}), {"principal": {"federated": [provider, other]}})
	got3 := rule.deny with input as policy_input([s])
	got3 == {finding(sprintf("statement trusting %q, %q uses NotAction, which allows every action except \"iam:*\"; only sts:AssumeRoleWithWebIdentity and sts:TagSession are needed", [other, provider]))}
}

test_allow_web_identity_and_tag_session if {
	s := statement({"actions": ["sts:assumerolewithwebidentity", "sts:TagSession"]})
	got4 := rule.deny with input as policy_input([s])
	got4 == set()
}

test_allow_non_oidc_federated if {
	s := object.union(statement({"actions": ["sts:AssumeRoleWithSAML", "sts:TagSession"]}), {"principal": {"federated": ["arn:aws:iam::111122223333:saml-provider/corp"]}})
	got5 := rule.deny with input as policy_input([s])
	got5 == set()
}

test_allow_deny_statement if {
	got6 := rule.deny with input as policy_input([statement({"effect": "Deny", "actions": ["sts:*"]})])
	got6 == set()
}
