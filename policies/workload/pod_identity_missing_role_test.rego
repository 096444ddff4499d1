package irsa_audit.rules.workload.pod_identity_missing_role_test

import data.irsa_audit.rules.workload.pod_identity_missing_role as rule

_assoc := {
	"arn": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1",
	"cluster": "arn:aws:eks:us-east-1:111122223333:cluster/prod",
	"namespace": "shop", "service_account": "api",
	"role_arn": "arn:aws:iam::111122223333:role/deleted",
}

_input(facts) := {"pod_identity_associations": [_assoc], "workload_identity": {"pod_identity": [facts]}}

test_deny_missing_role if {
	got := rule.deny with input as _input({"association": 0, "role": {"arn": "arn:aws:iam::111122223333:role/deleted", "status": "missing"}})
	got == {{
		"msg": "Pod Identity association arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1 of ServiceAccount shop/api in cluster arn:aws:eks:us-east-1:111122223333:cluster/prod names role arn:aws:iam::111122223333:role/deleted, which does not exist in its account: its pods get no credentials",
		"resource": {"kind": "pod_identity_association", "id": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1"},
		"path": ["pod_identity_associations", 0],
		"related": [{"kind": "role", "id": "arn:aws:iam::111122223333:role/deleted"}],
	}}
}

test_deny_missing_target_and_invalid_role if {
	got := rule.deny with input as _input({
		"association": 0,
		"role": {"arn": "deleted", "status": "invalid"},
		"target": {"arn": "arn:aws:iam::444455556666:role/gone", "status": "missing"},
	})
	got == {
		{
			"msg": "Pod Identity association arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1 of ServiceAccount shop/api in cluster arn:aws:eks:us-east-1:111122223333:cluster/prod names role deleted, which is not an IAM role ARN: its pods get no credentials",
			"resource": {"kind": "pod_identity_association", "id": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1"},
			"path": ["pod_identity_associations", 0],
			"related": [{"kind": "role", "id": "deleted"}],
		},
		{
			"msg": "Pod Identity association arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1 of ServiceAccount shop/api in cluster arn:aws:eks:us-east-1:111122223333:cluster/prod names target role arn:aws:iam::444455556666:role/gone, which does not exist in its account: its pods get no credentials",
			"resource": {"kind": "pod_identity_association", "id": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1"},
			"path": ["pod_identity_associations", 0],
			"related": [{"kind": "role", "id": "arn:aws:iam::444455556666:role/gone"}],
		},
	}
}

test_allow_found_or_not_inventoried if {
	got := rule.deny with input as _input({
		"association": 0,
		"role": {"arn": "arn:aws:iam::111122223333:role/deleted", "status": "found"},
		"target": {"arn": "arn:aws:iam::444455556666:role/gone", "status": "unknown"},
	})
	got == set()
}
