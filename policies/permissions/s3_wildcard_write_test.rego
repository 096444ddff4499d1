package irsa_audit.rules.permissions.s3_wildcard_write_test

import data.irsa_audit.rules.permissions.s3_wildcard_write as rule

role := "arn:aws:iam::111122223333:role/app"

role_grant := {
	"facts": 0,
	"path": ["roles", 0, "attached_policies", 0],
	"policy": "arn:aws:iam::aws:policy/AmazonS3FullAccess",
	"related": [{"kind": "policy", "id": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}],
}

role_input(facts) := {"permissions": {"facts": [facts], "holders": [{
	"resource": {"kind": "role", "id": role}, "role": 0,
	"service_accounts": ["system:serviceaccount:default:app"],
	"grants": [role_grant],
}]}}

file_input(facts) := {"permissions": {"facts": [facts], "holders": [{
	"resource": {"kind": "policy", "id": "s3.json"}, "policy": 0,
	"grants": [{"facts": 0, "path": ["policies", 0, "document", "statements", 1], "policy": "s3.json", "related": []}],
}]}}

put_wildcard := {
	"pattern": "s3:Put*",
	"actions": {"names": ["s3:PutBucketPolicy", "s3:PutBucketAcl"], "count": 35},
	"write": 23, "permissions_management": 12, "total": 40,
}

test_deny_put_wildcard_in_policy_file if {
	got := rule.deny with input as file_input({"sid": "Writes", "actions": {"names": [], "count": 40}, "s3_wildcards": [put_wildcard]})
	got == {{
		"msg": "the wildcard \"s3:Put*\" in statement \"Writes\" of s3.json grants 35 S3 write and permissions-management actions: s3:PutBucketPolicy, s3:PutBucketAcl and 33 more",
		"key": "wildcard:s3:Put*",
		"resource": {"kind": "policy", "id": "s3.json"},
		"path": ["policies", 0, "document", "statements", 1],
		"related": [],
	}}
}

test_deny_s3_star_names_role_and_service_accounts if {
	facts := {"actions": {"names": [], "count": 180}, "s3_wildcards": [{
		"pattern": "s3:*",
		"actions": {"names": ["s3:PutBucketPolicy"], "count": 1},
		"write": 0, "permissions_management": 1, "total": 180,
	}]}
	got2 := rule.deny with input as role_input(facts)
	got2 == {{
		"msg": "the wildcard \"s3:*\" in arn:aws:iam::aws:policy/AmazonS3FullAccess grants to role arn:aws:iam::111122223333:role/app 1 S3 write and permissions-management actions: s3:PutBucketPolicy; it can be assumed by system:serviceaccount:default:app",
		"key": "wildcard:s3:*",
		"resource": {"kind": "role", "id": role},
		"path": ["roles", 0, "attached_policies", 0],
		"related": [{"kind": "policy", "id": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}],
	}}
}

test_allow_explicit_actions if {
	count(rule.deny) == 0 with input as file_input({"actions": {"names": ["s3:PutObject"], "count": 1}})
}

test_allow_admin_is_reported_by_admin_access if {
	count(rule.deny) == 0 with input as role_input({"admin": true, "actions": {"names": [], "count": 22091}, "s3_wildcards": [put_wildcard]})
}

test_allow_no_holders if {
	count(rule.deny) == 0 with input as {"permissions": {"facts": [], "holders": []}}
}

test_deny_role_without_irsa_trust_and_empty_sid if {
	# An empty Sid names nothing and an empty ServiceAccount list reaches nobody.
	inp := {"permissions": {"facts": [{"sid": "", "actions": {"names": [], "count": 40}, "s3_wildcards": [put_wildcard]}], "holders": [{
		"resource": {"kind": "role", "id": role}, "role": 0,
		"service_accounts": [],
		"grants": [role_grant],
	}]}}
	got := rule.deny with input as inp
	got == {{
		"msg": "the wildcard \"s3:Put*\" in arn:aws:iam::aws:policy/AmazonS3FullAccess grants to role arn:aws:iam::111122223333:role/app 35 S3 write and permissions-management actions: s3:PutBucketPolicy, s3:PutBucketAcl and 33 more",
		"key": "wildcard:s3:Put*",
		"resource": {"kind": "role", "id": role},
		"path": ["roles", 0, "attached_policies", 0],
		"related": [{"kind": "policy", "id": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}],
	}}
}

test_deny_conditional_wildcard_keeps_severity if {
	# A condition the analysis cannot decide: "conditionally", at the rule's severity.
	facts := {"actions": {"names": [], "count": 40}, "s3_wildcards": [put_wildcard], "conditional": true, "conditions": {"undecided": ["aws:PrincipalTag/team is \"data\""]}}
	got := rule.deny with input as file_input(facts)
	got == {{
		"msg": "the wildcard \"s3:Put*\" in s3.json grants 35 S3 write and permissions-management actions: s3:PutBucketPolicy, s3:PutBucketAcl and 33 more (conditionally: when aws:PrincipalTag/team is \"data\")",
		"key": "wildcard:s3:Put*",
		"resource": {"kind": "policy", "id": "s3.json"},
		"path": ["policies", 0, "document", "statements", 1],
		"related": [],
	}}
}
