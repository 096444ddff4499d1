package irsa_audit.rules.workload.pod_identity_target_refused_test

import data.irsa_audit.rules.workload.pod_identity_target_refused as rule

_source := "arn:aws:iam::111122223333:role/shop-api"

_target := "arn:aws:iam::444455556666:role/data"

_input(target) := {
	"pod_identity_associations": [{
		"arn": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1",
		"cluster": "arn:aws:eks:us-east-1:111122223333:cluster/prod",
		"namespace": "shop", "service_account": "api", "role_arn": _source, "target_role_arn": _target,
	}],
	"workload_identity": {"pod_identity": [{"association": 0, "role": {"arn": _source, "status": "found"}, "target": target}]},
}

test_deny_target_not_trusting_source if {
	got := rule.deny with input as _input({
		"arn": _target, "status": "found", "caller": _source, "required": ["sts:AssumeRole"],
		"verdicts": {"sts:AssumeRole": "refused"}, "refused": ["sts:AssumeRole"],
	})
	got == {{
		"msg": "Pod Identity association arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1 of ServiceAccount shop/api in cluster arn:aws:eks:us-east-1:111122223333:cluster/prod chains role arn:aws:iam::111122223333:role/shop-api into target role arn:aws:iam::444455556666:role/data, whose trust policy does not allow arn:aws:iam::111122223333:role/shop-api to call sts:AssumeRole: its pods get no credentials for the target role",
		"resource": {"kind": "pod_identity_association", "id": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1"},
		"path": ["pod_identity_associations", 0, "target_role_arn"],
		"related": [{"kind": "role", "id": _target}],
	}}
}

test_allow_target_trusting_source if {
	got := rule.deny with input as _input({
		"arn": _target, "status": "found", "caller": _source, "required": ["sts:AssumeRole"],
		"verdicts": {"sts:AssumeRole": "unknown"},
	})
	got == set()
}
