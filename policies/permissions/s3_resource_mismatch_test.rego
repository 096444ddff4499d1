package irsa_audit.rules.permissions.s3_resource_mismatch_test

import data.irsa_audit.rules.permissions.s3_resource_mismatch as rule

file_input(facts) := {"permissions": {"facts": [facts], "holders": [{
	"resource": {"kind": "policy", "id": "s3.json"}, "policy": 0,
	"grants": [{"facts": 0, "path": ["policies", 0, "document", "statements", 0], "policy": "s3.json", "related": []}],
}]}}

test_deny_object_action_on_bucket if {
	facts := {"sid": "Read", "actions": {"names": ["s3:GetObject"], "count": 1}, "s3_unmatched": [{
		"action": "s3:GetObject",
		"resource_types": ["accesspointobject", "object"],
		"resources": ["arn:aws:s3:::data"],
	}]}
	got := rule.deny with input as file_input(facts)
	got == {{
		"msg": "s3:GetObject in statement \"Read\" of s3.json applies only to accesspointobject/object resources, and none of the statement's resources (\"arn:aws:s3:::data\") is one: it grants nothing",
		"key": "unmatched:s3:GetObject",
		"resource": {"kind": "policy", "id": "s3.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_deny_bucket_action_on_objects if {
	facts := {"actions": {"names": ["s3:ListBucket"], "count": 1}, "s3_unmatched": [{
		"action": "s3:ListBucket",
		"resource_types": ["accesspoint", "bucket"],
		"resources": ["arn:aws:s3:::data/*"],
	}]}
	got2 := rule.deny with input as file_input(facts)
	got2 == {{
		"msg": "s3:ListBucket in s3.json applies only to accesspoint/bucket resources, and none of the statement's resources (\"arn:aws:s3:::data/*\") is one: it grants nothing",
		"key": "unmatched:s3:ListBucket",
		"resource": {"kind": "policy", "id": "s3.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}

test_allow_matching_resources if {
	count(rule.deny) == 0 with input as file_input({"actions": {"names": ["s3:GetObject"], "count": 1}})
}

test_deny_empty_sid_names_the_policy if {
	# An empty Sid names nothing: the message names the policy alone.
	facts := {"sid": "", "actions": {"names": ["s3:PutObject"], "count": 1}, "s3_unmatched": [{
		"action": "s3:PutObject",
		"resource_types": ["accesspointobject", "object"],
		"resources": ["arn:aws:s3:::uploads"],
	}]}
	got := rule.deny with input as file_input(facts)
	got == {{
		"msg": "s3:PutObject in s3.json applies only to accesspointobject/object resources, and none of the statement's resources (\"arn:aws:s3:::uploads\") is one: it grants nothing",
		"key": "unmatched:s3:PutObject",
		"resource": {"kind": "policy", "id": "s3.json"},
		"path": ["policies", 0, "document", "statements", 0],
		"related": [],
	}}
}
