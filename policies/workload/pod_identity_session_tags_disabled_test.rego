package irsa_audit.rules.workload.pod_identity_session_tags_disabled_test

import data.irsa_audit.rules.workload.pod_identity_session_tags_disabled as rule

_input(uses) := {
	"pod_identity_associations": [{
		"arn": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1",
		"cluster": "arn:aws:eks:us-east-1:111122223333:cluster/prod",
		"namespace": "shop", "service_account": "api", "role_arn": "arn:aws:iam::111122223333:role/shop-api",
		"disable_session_tags": true,
	}],
	"workload_identity": {"pod_identity": [{
		"association": 0,
		"role": {"arn": "arn:aws:iam::111122223333:role/shop-api", "status": "found"},
		"principal_tags": uses,
	}]},
}

test_deny_principal_tag_condition if {
	path := ["roles", 0, "inline_policies", 0, "document", "statements", 1, "conditions", 0]
	got := rule.deny with input as _input([{"path": path, "tag": "kubernetes-namespace"}])
	got == {{
		"msg": "Pod Identity association arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1 disables session tags, but a permission policy of its role arn:aws:iam::111122223333:role/shop-api reads aws:PrincipalTag/kubernetes-namespace: the tag is absent from the session, so the condition no longer means what it says",
		"resource": {"kind": "pod_identity_association", "id": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1"},
		"path": path,
		"related": [{"kind": "role", "id": "arn:aws:iam::111122223333:role/shop-api"}],
		"key": "roles/0/inline_policies/0/document/statements/1/conditions/0",
	}}
}

test_allow_no_tag_use if {
	got := rule.deny with input as _input([])
	got == set()
}
