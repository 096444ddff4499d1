package irsa_audit.rules.workload.pod_identity_trust_refused_test

import data.irsa_audit.rules.workload.pod_identity_trust_refused as rule

_arn := "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1"

_input(role) := {
	"pod_identity_associations": [{
		"arn": _arn, "cluster": "arn:aws:eks:us-east-1:111122223333:cluster/prod",
		"namespace": "shop", "service_account": "api", "role_arn": role.arn,
	}],
	"workload_identity": {"pod_identity": [{"association": 0, "role": role}]},
}

test_deny_missing_tag_session if {
	got := rule.deny with input as _input({
		"arn": "arn:aws:iam::111122223333:role/shop-api", "status": "found", "index": 0,
		"caller": "pods.eks.amazonaws.com", "required": ["sts:AssumeRole", "sts:TagSession"],
		"verdicts": {"sts:AssumeRole": "admitted", "sts:TagSession": "refused"}, "refused": ["sts:TagSession"],
	})
	got == {{
		"msg": "Pod Identity association arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1 gives ServiceAccount shop/api in cluster arn:aws:eks:us-east-1:111122223333:cluster/prod role arn:aws:iam::111122223333:role/shop-api, whose trust policy does not allow pods.eks.amazonaws.com to call sts:TagSession: the association fails and its pods get no credentials",
		"resource": {"kind": "pod_identity_association", "id": _arn},
		"path": ["pod_identity_associations", 0],
		"related": [{"kind": "role", "id": "arn:aws:iam::111122223333:role/shop-api"}],
	}}
}

test_allow_both_actions if {
	got := rule.deny with input as _input({
		"arn": "arn:aws:iam::111122223333:role/shop-api", "status": "found", "index": 0,
		"caller": "pods.eks.amazonaws.com", "required": ["sts:AssumeRole", "sts:TagSession"],
		"verdicts": {"sts:AssumeRole": "admitted", "sts:TagSession": "unknown"},
	})
	got == set()
}

test_silent_for_unknown_role if {
	got := rule.deny with input as _input({
		"arn": "arn:aws:iam::111122223333:role/shop-api", "status": "unknown", "index": -1,
		"caller": "pods.eks.amazonaws.com", "required": ["sts:AssumeRole", "sts:TagSession"],
	})
	got == set()
}

test_silent_without_facts if {
	got := rule.deny with input as {"pod_identity_associations": [{"arn": _arn}]}
	got == set()
}
