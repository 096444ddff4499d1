package irsa_audit.rules.workload.pod_identity_irsa_overlap_test

import data.irsa_audit.rules.workload.pod_identity_irsa_overlap as rule

_cluster := "arn:aws:eks:us-east-1:111122223333:cluster/prod"

_input(irsa) := {
	"service_accounts": [{"cluster": _cluster, "namespace": "shop", "name": "api", "role_arn": "arn:aws:iam::111122223333:role/shop-irsa"}],
	"pod_identity_associations": [{
		"arn": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1", "cluster": _cluster,
		"namespace": "shop", "service_account": "api", "role_arn": "arn:aws:iam::111122223333:role/shop-api",
	}],
	"workload_identity": {"pod_identity": [{"association": 0, "irsa_service_account": irsa}]},
}

test_deny_both_mechanisms if {
	got := rule.deny with input as _input(0)
	got == {{
		"msg": "ServiceAccount shop/api in cluster arn:aws:eks:us-east-1:111122223333:cluster/prod has both IRSA role arn:aws:iam::111122223333:role/shop-irsa (annotation) and Pod Identity association arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1 for role arn:aws:iam::111122223333:role/shop-api: the association takes precedence for pods created since, so the annotation's role is unused configuration that drifts",
		"resource": {"kind": "service_account", "id": "arn:aws:eks:us-east-1:111122223333:cluster/prod/shop/api"},
		"path": ["service_accounts", 0, "role_arn"],
		"related": [{"kind": "pod_identity_association", "id": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1"}],
	}}
}

test_allow_association_only if {
	got := rule.deny with input as _input(-1)
	got == set()
}

test_deny_role_not_in_list_export if {
	x := _input(0)
	got := rule.deny with input as object.union(x, {"pod_identity_associations": [object.union(x.pod_identity_associations[0], {"role_arn": ""})]})
	got == {{
		"msg": "ServiceAccount shop/api in cluster arn:aws:eks:us-east-1:111122223333:cluster/prod has both IRSA role arn:aws:iam::111122223333:role/shop-irsa (annotation) and Pod Identity association arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1 for a role the export does not show (aws eks list-pod-identity-associations names none): the association takes precedence for pods created since, so the annotation's role is unused configuration that drifts",
		"resource": {"kind": "service_account", "id": "arn:aws:eks:us-east-1:111122223333:cluster/prod/shop/api"},
		"path": ["service_accounts", 0, "role_arn"],
		"related": [{"kind": "pod_identity_association", "id": "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1"}],
	}}
}
