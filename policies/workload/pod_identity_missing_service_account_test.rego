package irsa_audit.rules.workload.pod_identity_missing_service_account_test

import data.irsa_audit.rules.workload.pod_identity_missing_service_account as rule

_input(sa, ns) := {
	"pod_identity_associations": [{
		"cluster": "arn:aws:eks:us-east-1:111122223333:cluster/prod",
		"namespace": "retired", "service_account": "batch",
		"role_arn": "arn:aws:iam::111122223333:role/batch",
	}],
	"workload_identity": {"pod_identity": [{"association": 0, "service_account": sa, "namespace": ns}]},
}

test_deny_missing_service_account_and_namespace if {
	got := rule.deny with input as _input("missing", "missing")
	got == {{
		"msg": "Pod Identity association arn:aws:eks:us-east-1:111122223333:cluster/prod/retired/batch gives role arn:aws:iam::111122223333:role/batch to ServiceAccount retired/batch in cluster arn:aws:eks:us-east-1:111122223333:cluster/prod, which does not exist (nor does namespace retired): whoever can create it gets the role's credentials",
		"resource": {"kind": "pod_identity_association", "id": "arn:aws:eks:us-east-1:111122223333:cluster/prod/retired/batch"},
		"path": ["pod_identity_associations", 0],
	}}
}

test_deny_missing_service_account_only if {
	got := rule.deny with input as _input("missing", "found")
	got == {{
		"msg": "Pod Identity association arn:aws:eks:us-east-1:111122223333:cluster/prod/retired/batch gives role arn:aws:iam::111122223333:role/batch to ServiceAccount retired/batch in cluster arn:aws:eks:us-east-1:111122223333:cluster/prod, which does not exist: whoever can create it gets the role's credentials",
		"resource": {"kind": "pod_identity_association", "id": "arn:aws:eks:us-east-1:111122223333:cluster/prod/retired/batch"},
		"path": ["pod_identity_associations", 0],
	}}
}

test_allow_existing_or_not_inventoried if {
	got := rule.deny with input as _input("found", "found")
	got == set()
	got2 := rule.deny with input as _input("unknown", "unknown")
	got2 == set()
}
