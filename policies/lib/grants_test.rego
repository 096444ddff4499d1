package irsa_audit.lib.grants_test

import data.irsa_audit.lib.grants

role := {"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/app"}, "service_accounts": ["system:serviceaccount:a:b", "system:serviceaccount:a:c"]}

file := {"resource": {"kind": "policy", "id": "p.json"}}

test_to if {
	grants.to(role) == " to role arn:aws:iam::111122223333:role/app"
	grants.to(file) == ""
}

test_where if {
	grants.where({"policy": "p.json"}, {"sid": "ReadAll"}) == "statement \"ReadAll\" of p.json"
	grants.where({"policy": "p.json"}, {"sid": ""}) == "p.json"
	grants.where({"policy": "p.json"}, {}) == "p.json"
}

test_names if {
	grants.names({"names": ["s3:GetObject", "s3:PutObject"], "count": 2}) == "s3:GetObject, s3:PutObject"
	grants.names({"names": ["s3:GetObject"], "count": 12}) == "s3:GetObject and 11 more"
}

test_reach if {
	grants.reach(role) == "; it can be assumed by system:serviceaccount:a:b, system:serviceaccount:a:c"
	grants.reach(file) == ""
	grants.reach({"service_accounts": []}) == ""
}

test_condition if {
	grants.condition({}) == ""
	grants.condition({"conditions": {}}) == ""
	grants.condition({"conditions": {"scoped": ["a is \"1\"", "b is \"2\""]}}) == " (only where a is \"1\" and b is \"2\")"
	grants.condition({"conditions": {"undecided": ["c is \"3\""], "unless": ["when d is \"4\"", "outside \"x\" when e is \"5\""]}}) == " (conditionally: when c is \"3\"; unless a Deny applies when d is \"4\", or outside \"x\" when e is \"5\")"
}

test_severity if {
	grants.severity({"conditions": {"scoped": ["a is \"1\""]}}, "medium") == {"severity": "medium"}
	grants.severity({"conditions": {"undecided": ["a is \"1\""]}}, "medium") == {}
	grants.severity({}, "medium") == {}
}
