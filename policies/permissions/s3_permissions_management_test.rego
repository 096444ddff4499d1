package irsa_audit.rules.permissions.s3_permissions_management_test

import data.irsa_audit.rules.permissions.s3_permissions_management as rule

file_input(facts) := {"permissions": {"facts": [facts], "holders": [{
	"resource": {"kind": "policy", "id": "s3.json"}, "policy": 0,
	"grants": [{"facts": 0, "path": ["policies", 0, "document", "statements", 0], "policy": "s3.json", "related": []}],
}]}}

test_deny_explicit_put_bucket_policy if {
	facts := {
		"actions": {"names": ["s3:GetObject", "s3:PutBucketPolicy"], "count": 2},
		"s3_permissions_management": {"names": ["s3:PutBucketPolicy"], "count": 1},
	}
	got := rule.deny with input as file_input(facts)
	got == {{
		"msg": "s3.json grants 1 S3 permissions-management actions (bucket policies, ACLs, public access blocks): s3:PutBucketPolicy",
		"key": "s3_permissions_management",
		"resource": {"kind": "policy", "id": "s3.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_through_wildcard if {
	facts := {
		"actions": {"names": [], "count": 180},
		"s3_permissions_management": {"names": ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"], "count": 27},
	}
	got2 := rule.deny with input as file_input(facts)
	got2 == {{
		"msg": "s3.json grants 27 S3 permissions-management actions (bucket policies, ACLs, public access blocks): s3:PutBucketPolicy, s3:DeleteBucketPolicy and 25 more",
		"key": "s3_permissions_management",
		"resource": {"kind": "policy", "id": "s3.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_allow_object_actions if {
	count(rule.deny) == 0 with input as file_input({"actions": {"names": ["s3:GetObject", "s3:PutObject"], "count": 2}})
}

test_allow_admin_left_to_admin_access if {
	# "*" on "*" covers every permissions-management action, but IRSA-032 reports administrator
	# access: this rule stays silent. Without admin the same facts are reported.
	facts := {
		"admin": true,
		"actions": {"names": [], "count": 22091},
		"s3_permissions_management": {"names": ["s3:PutBucketPolicy"], "count": 27},
	}
	got := rule.deny with input as file_input(facts)
	got == set()
	not_admin := rule.deny with input as file_input(object.remove(facts, ["admin"]))
	count(not_admin) == 1
}

test_deny_names_the_statement_by_sid if {
	facts := {
		"sid": "BucketPolicies",
		"actions": {"names": ["s3:PutBucketPolicy"], "count": 1},
		"s3_permissions_management": {"names": ["s3:PutBucketPolicy"], "count": 1},
	}
	got := rule.deny with input as file_input(facts)
	got == {{
		"msg": "statement \"BucketPolicies\" of s3.json grants 1 S3 permissions-management actions (bucket policies, ACLs, public access blocks): s3:PutBucketPolicy",
		"key": "s3_permissions_management",
		"resource": {"kind": "policy", "id": "s3.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

role_input(facts, service_accounts) := {"permissions": {"facts": [facts], "holders": [{
	"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"}, "role": 0,
	"service_accounts": service_accounts,
	"grants": [{"facts": 0, "path": ["roles", 0, "inline_policies", 0, "document", "statements", 0], "policy": "inline policy \"buckets\"", "related": []}],
}]}}

test_deny_names_role_and_service_accounts if {
	facts := {"actions": {"names": ["s3:PutBucketAcl"], "count": 1}, "s3_permissions_management": {"names": ["s3:PutBucketAcl"], "count": 1}}
	got := rule.deny with input as role_input(facts, ["system:serviceaccount:data:uploader"])
	got == {{
		"msg": "inline policy \"buckets\" grants to role arn:aws:iam::111122223333:role/app 1 S3 permissions-management actions (bucket policies, ACLs, public access blocks): s3:PutBucketAcl; it can be assumed by system:serviceaccount:data:uploader",
		"key": "s3_permissions_management",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "inline_policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_role_without_irsa_trust_and_empty_sid if {
	# An empty Sid names nothing and an empty ServiceAccount list reaches nobody.
	facts := {"sid": "", "actions": {"names": ["s3:PutBucketAcl"], "count": 1}, "s3_permissions_management": {"names": ["s3:PutBucketAcl"], "count": 1}}
	got := rule.deny with input as role_input(facts, [])
	got == {{
		"msg": "inline policy \"buckets\" grants to role arn:aws:iam::111122223333:role/app 1 S3 permissions-management actions (bucket policies, ACLs, public access blocks): s3:PutBucketAcl",
		"key": "s3_permissions_management",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "inline_policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_scoped_by_tag_is_low if {
	facts := {
		"actions": {"names": ["s3:PutBucketPolicy"], "count": 1},
		"s3_permissions_management": {"names": ["s3:PutBucketPolicy"], "count": 1},
		"conditions": {"scoped": ["aws:ResourceTag/owner is \"data\""]},
	}
	inp := {"permissions": {"facts": [facts], "holders": [{
		"resource": {"kind": "policy", "id": "s3.json"}, "policy": 0,
		"grants": [{"facts": 0, "path": ["policies", 0, "document", "statements", 0], "policy": "s3.json", "related": []}],
	}]}}
	got := rule.deny with input as inp
	got == {{
		"msg": "s3.json grants 1 S3 permissions-management actions (bucket policies, ACLs, public access blocks): s3:PutBucketPolicy (only where aws:ResourceTag/owner is \"data\")",
		"key": "s3_permissions_management",
		"severity": "low",
		"resource": {"kind": "policy", "id": "s3.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}
