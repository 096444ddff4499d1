package irsa_audit.rules.workload.pod_identity_any_cluster_test

import data.irsa_audit.rules.workload.pod_identity_any_cluster as rule

_role := "arn:aws:iam::111122223333:role/shop-api"

_input(facts) := {
	"roles": [{"arn": "arn:aws:iam::111122223333:role/other"}, {"arn": _role}],
	"workload_identity": {"pod_identity_roles": facts},
}

test_deny_unconditioned_agent_trust if {
	got := rule.deny with input as _input([{"role": 1, "any_cluster": true, "statements": [2, 1]}])
	got == {{
		"msg": "Role arn:aws:iam::111122223333:role/shop-api lets the EKS Pod Identity agent assume it with no condition on the source account, cluster, namespace or ServiceAccount: every Pod Identity association naming the role, in any cluster and namespace, gets its credentials",
		"resource": {"kind": "role", "id": _role},
		"path": ["roles", 1, "trust_policy", "statements", 1],
	}}
}

test_allow_source_account_condition if {
	got := rule.deny with input as _input([{"role": 1, "any_cluster": false, "statements": [0]}])
	got == set()
}
