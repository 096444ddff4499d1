package irsa_audit.rules.trust.unexpected_audience_test

import data.irsa_audit.rules.trust.unexpected_audience as rule

provider := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123"

aud_key := "oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud"

cond(operator, key, values) := {"operator": operator, "base_operator": operator, "known": true, "key": key, "values": values}

statement(federated, conditions) := {
	"effect": "Allow",
	"principal": {"federated": federated},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": array.concat(
		[cond("StringEquals", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub", ["system:serviceaccount:ns:app"])],
		conditions,
	),
}

policy_input(statements) := {"policies": [{"id": "trust.json", "document": {"statements": statements}}]}

finding(msg) := {"msg": msg, "resource": {"kind": "policy", "id": "trust.json"}, "path": ["policies", 0, "document", "statements", 0, "conditions", 1]}

test_deny_custom_audience if {
	got := rule.deny with input as policy_input([statement([provider], [cond("StringEquals", aud_key, ["my-app"])])])
	got == {finding(sprintf("%q allows audience \"my-app\" but not \"sts.amazonaws.com\", the audience EKS requests for IRSA tokens", [aud_key]))}
}

test_deny_extra_audience_for_any_value if {
	c := object.union(cond("StringLike", "OIDC.EKS.us-east-1.amazonaws.com/id/ABC123:Aud", ["sts.amazonaws.com", "my-*"]), {"operator": "ForAnyValue:StringLike", "qualifier": "ForAnyValue"})
	got2 := rule.deny with input as policy_input([statement([provider], [c])])
	got2 == {finding("\"OIDC.EKS.us-east-1.amazonaws.com/id/ABC123:Aud\" allows audience \"my-*\" besides \"sts.amazonaws.com\"")}
}

# StringLike aud "*" admits any audience: not one other audience named "*" (IRSA-003 reports it).
test_allow_like_any_audience_left_to_irsa_003 if {
	got := rule.deny with input as policy_input([statement([provider], [cond("StringLike", aud_key, ["sts.amazonaws.com", "*"])])])
	got == set()
}

test_allow_sts_audience if {
	got3 := rule.deny with input as policy_input([statement([provider], [cond("StringEquals", aud_key, ["sts.amazonaws.com"])])])
	got3 == set()
}

test_allow_negated_left_to_irsa_004 if {
	c := object.union(cond("StringNotEquals", aud_key, ["other"]), {"negated": true})
	got4 := rule.deny with input as policy_input([statement([provider], [c])])
	got4 == set()
}

test_allow_non_eks_issuer if {
	self_hosted := "arn:aws:iam::111122223333:oidc-provider/k8s.example.com"
	conditions := [
		cond("StringEquals", "k8s.example.com:sub", ["system:serviceaccount:ns:app"]),
		cond("StringEquals", "k8s.example.com:aud", ["my-cluster"]),
	]
	s := {"effect": "Allow", "principal": {"federated": [self_hosted]}, "actions": ["sts:AssumeRoleWithWebIdentity"], "conditions": conditions}
	got5 := rule.deny with input as policy_input([s])
	got5 == set()
}
