package irsa_audit.rules.serviceaccount.invalid_role_arn_test

import data.irsa_audit.rules.serviceaccount.invalid_role_arn as rule

sa(name, role_arn) := {
	"namespace": "analytics",
	"name": name,
	"annotations": {"eks.amazonaws.com/role-arn": role_arn},
}

name_of_length(n) := concat("", ["a" | some _ in numbers.range(1, n)])

finding(i, name, role_arn) := {
	"msg": sprintf("annotation eks.amazonaws.com/role-arn %q is not a valid IAM role ARN (arn:<partition>:iam::<account-id>:role/<name>), so pods running as this ServiceAccount get no AWS credentials", [role_arn]),
	"resource": {"kind": "service_account", "id": sprintf("analytics/%s", [name])},
	"path": ["service_accounts", i],
}

test_deny_user_arn if {
	got := rule.deny with input as {"service_accounts": [sa("reports", "arn:aws:iam::111122223333:user/reports")]}
	got == {finding(0, "reports", "arn:aws:iam::111122223333:user/reports")}
}

test_deny_malformed_values if {
	values := [
		"",
		" ",
		" arn:aws:iam::111122223333:role/app",
		"arn:aws:iam::111122223333:policy/app",
		"arn:aws:iam:::role/app",
		"arn:aws:iam::11112222333:role/app",
		"arn:aws:iam::111122223333:role/",
		"arn:aws:sts::111122223333:assumed-role/app/session",
		"arn:azure:iam::111122223333:role/app",
		"payments-app",
		"arn:aws:iam::111122223333:role/app name",
		sprintf("arn:aws:iam::111122223333:role/%s", [name_of_length(65)]),
	]
	accounts := [sa(sprintf("sa-%d", [i]), v) | some i, v in values]
	got2 := rule.deny with input as {"service_accounts": accounts}
	got2 == {finding(i, sprintf("sa-%d", [i]), v) | some i, v in values}
}

test_allow_valid_role_arns if {
	accounts := [sa(sprintf("sa-%d", [i]), v) | some i, v in [
		"arn:aws:iam::111122223333:role/app",
		"arn:aws-cn:iam::111122223333:role/app",
		"arn:aws-us-gov:iam::111122223333:role/team/payments/app+x=y,z.w@v-u_t",
		"arn:aws-iso-b:iam::111122223333:role/service-role/app",
		sprintf("arn:aws:iam::111122223333:role/%s", [name_of_length(64)]),
	]]
	got3 := rule.deny with input as {"service_accounts": accounts}
	got3 == set()
}

test_allow_no_annotation if {
	got4 := rule.deny with input as {"service_accounts": [{"namespace": "analytics", "name": "reports", "annotations": {"team": "x"}}]}
	got4 == set()
}

test_deny_role_arn_field_in_cluster if {
	account := {"cluster": "prod", "namespace": "analytics", "name": "reports", "role_arn": "arn:aws:iam::111122223333:user/reports"}
	got5 := rule.deny with input as {"service_accounts": [account]}
	got5 == {{
		"msg": "annotation eks.amazonaws.com/role-arn \"arn:aws:iam::111122223333:user/reports\" is not a valid IAM role ARN (arn:<partition>:iam::<account-id>:role/<name>), so pods running as this ServiceAccount get no AWS credentials",
		"resource": {"kind": "service_account", "id": "prod/analytics/reports"},
		"path": ["service_accounts", 0],
	}}
}

# An annotation Terraform fills in after apply (aws_iam_role.app.arn) holds a symbol: the loader
# marks it unknown, and the rule cannot say it is malformed.
test_symbolic_role_arn_is_not_judged if {
	symbolic := object.union(sa("app", "arn:aws:iam::«account of infra»:role/app-irsa"), {"unknown": ["role_arn"]})
	malformed := sa("typo", "arn:aws:iam::«account of infra»:role/app-irsa")
	got := rule.deny with input as {"service_accounts": [symbolic, malformed]}
	got == {finding(1, "typo", "arn:aws:iam::«account of infra»:role/app-irsa")}
}
