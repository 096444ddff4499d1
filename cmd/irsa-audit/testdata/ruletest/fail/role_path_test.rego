package acme.rules.role_path_test

import data.acme.rules.role_path as rule

# The rule reads the path with iam.parse_role_arn, which keeps the trailing "/": this test
# expects the path without it, so it fails.
test_deny_message_names_path if {
	input_doc := {"service_accounts": [{"namespace": "payments", "name": "app", "role_arn": "arn:aws:iam::111122223333:role/team/app"}]}
	msgs := {f.msg | some f in rule.deny} with input as input_doc
	msgs == {"ServiceAccount payments/app uses role app in path /team, not under /irsa/"}
}

test_allow_role_under_irsa if {
	got := rule.deny with input as {"service_accounts": [{"namespace": "payments", "name": "app", "role_arn": "arn:aws:iam::111122223333:role/irsa/app"}]}
	got == set()
}
