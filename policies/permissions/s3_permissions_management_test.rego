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
		"resource": {"kind": "policy", "id": "s3.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_allow_object_actions if {
	count(rule.deny) == 0 with input as file_input({"actions": {"names": ["s3:GetObject", "s3:PutObject"], "count": 2}})
}
