package irsa_audit.rules.permissions.s3_all_buckets_test

import data.irsa_audit.rules.permissions.s3_all_buckets as rule

file_input(facts) := {"permissions": {"facts": [facts], "holders": [{
	"resource": {"kind": "policy", "id": "s3.json"}, "policy": 0,
	"grants": [{"facts": 0, "path": ["policies", 0, "document", "statements", 0], "policy": "s3.json", "related": []}],
}]}}

test_deny_all_objects if {
	facts := {
		"actions": {"names": ["s3:GetObject"], "count": 1},
		"s3_all_resources": ["arn:aws:s3:::*/*"],
		"s3": {"names": ["s3:GetObject"], "count": 1},
	}
	got := rule.deny with input as file_input(facts)
	got == {{
		"msg": "s3.json grants 1 S3 actions on every bucket or object (\"arn:aws:s3:::*/*\"): s3:GetObject",
		"key": "s3_all_resources",
		"resource": {"kind": "policy", "id": "s3.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_star_role if {
	inp := {"permissions": {
		"facts": [{
			"sid": "Read",
			"actions": {"names": ["s3:GetObject", "s3:ListBucket"], "count": 2},
			"all_resources": true,
			"s3_all_resources": ["*"],
			"s3": {"names": ["s3:GetObject", "s3:ListBucket"], "count": 2},
		}],
		"holders": [{
			"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"}, "role": 0,
			"grants": [{"facts": 0, "path": ["roles", 0, "inline_policies", 0, "document", "statements", 0], "policy": "inline policy \"s3\"", "related": []}],
		}],
	}}
	got2 := rule.deny with input as inp
	got2 == {{
		"msg": "statement \"Read\" of inline policy \"s3\" grants to role arn:aws:iam::111122223333:role/app 2 S3 actions on every bucket or object (\"*\"): s3:GetObject, s3:ListBucket",
		"key": "s3_all_resources",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "inline_policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_allow_one_bucket if {
	count(rule.deny) == 0 with input as file_input({"actions": {"names": ["s3:GetObject"], "count": 1}})
}

test_allow_admin_is_reported_by_admin_access if {
	count(rule.deny) == 0 with input as file_input({
		"admin": true, "actions": {"names": [], "count": 1},
		"s3_all_resources": ["*"], "s3": {"names": ["s3:GetObject"], "count": 1},
	})
}

role_input(facts, service_accounts) := {"permissions": {"facts": [facts], "holders": [{
	"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"}, "role": 0,
	"service_accounts": service_accounts,
	"grants": [{"facts": 0, "path": ["roles", 0, "attached_policies", 0], "policy": "arn:aws:iam::aws:policy/AmazonS3FullAccess", "related": [{"kind": "policy", "id": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}]}],
}]}}

test_deny_s3_star_names_ten_and_service_accounts if {
	s3 := {
		"names": [
			"s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutObjectAcl",
			"s3:PutBucketPublicAccessBlock", "s3:DeleteBucket", "s3:DeleteObject", "s3:PutObject",
			"s3:GetObject", "s3:ListBucket",
		],
		"count": 180,
	}
	facts := {"all_resources": true, "actions": {"names": [], "count": 180}, "s3_all_resources": ["*"], "s3": s3}
	got := rule.deny with input as role_input(facts, ["system:serviceaccount:data:*"])
	got == {{
		"msg": "arn:aws:iam::aws:policy/AmazonS3FullAccess grants to role arn:aws:iam::111122223333:role/app 180 S3 actions on every bucket or object (\"*\"): s3:PutBucketPolicy, s3:DeleteBucketPolicy, s3:PutBucketAcl, s3:PutObjectAcl, s3:PutBucketPublicAccessBlock, s3:DeleteBucket, s3:DeleteObject, s3:PutObject, s3:GetObject, s3:ListBucket and 170 more; it can be assumed by system:serviceaccount:data:*",
		"key": "s3_all_resources",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "attached_policies", 0],
		"related": [{"kind": "policy", "id": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}],
	}}
}

test_deny_role_without_irsa_trust_and_empty_sid if {
	# An empty Sid names nothing and an empty ServiceAccount list reaches nobody.
	facts := {"sid": "", "actions": {"names": ["s3:GetObject"], "count": 1}, "s3_all_resources": ["arn:aws:s3:::*"], "s3": {"names": ["s3:GetObject"], "count": 1}}
	got := rule.deny with input as role_input(facts, [])
	got == {{
		"msg": "arn:aws:iam::aws:policy/AmazonS3FullAccess grants to role arn:aws:iam::111122223333:role/app 1 S3 actions on every bucket or object (\"arn:aws:s3:::*\"): s3:GetObject",
		"key": "s3_all_resources",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"},
		"path": ["roles", 0, "attached_policies", 0],
		"related": [{"kind": "policy", "id": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}],
	}}
}

test_allow_empty_all_resources_list if {
	# No resource names every bucket: an empty list (the analysis omits it) reports nothing, even
	# next to S3 actions.
	facts := {"actions": {"names": ["s3:GetObject"], "count": 1}, "s3_all_resources": [], "s3": {"names": ["s3:GetObject"], "count": 1}}
	got := rule.deny with input as file_input(facts)
	got == set()
}

test_deny_not_resource_every_other_bucket if {
	# An Allow with NotResource applies to every bucket but the listed ones: IRSA-031 as well as
	# IRSA-033, as docs/permissions-analysis.md says.
	facts := {
		"not_resource": true, "all_resources": true,
		"actions": {"names": ["s3:GetObject"], "count": 1},
		"s3_all_resources": ["arn:aws:s3:::audit-logs", "arn:aws:s3:::audit-logs/*"],
		"s3": {"names": ["s3:GetObject"], "count": 1},
	}
	got := rule.deny with input as file_input(facts)
	got == {{
		"msg": "s3.json grants 1 S3 actions on every bucket or object except \"arn:aws:s3:::audit-logs\", \"arn:aws:s3:::audit-logs/*\": s3:GetObject",
		"key": "s3_all_resources",
		"resource": {"kind": "policy", "id": "s3.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_scoped_to_vpc_endpoint_is_medium if {
	facts := {
		"all_resources": true,
		"actions": {"names": ["s3:GetObject"], "count": 1},
		"s3_all_resources": ["*"],
		"s3": {"names": ["s3:GetObject"], "count": 1},
		"conditions": {"scoped": ["aws:SourceVpce is \"vpce-1a2b3c4d\""]},
	}
	got := rule.deny with input as file_input(facts)
	got == {{
		"msg": "s3.json grants 1 S3 actions on every bucket or object (\"*\"): s3:GetObject (only where aws:SourceVpce is \"vpce-1a2b3c4d\")",
		"key": "s3_all_resources",
		"severity": "medium",
		"resource": {"kind": "policy", "id": "s3.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}
