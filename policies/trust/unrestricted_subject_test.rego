package irsa_audit.rules.trust.unrestricted_subject_test

import data.irsa_audit.rules.trust.unrestricted_subject as rule

provider := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123"

issuer := "oidc.eks.us-east-1.amazonaws.com/id/ABC123"

cond(operator, key, values) := {"operator": operator, "base_operator": operator, "known": true, "key": key, "values": values}

statement(federated, conditions) := {
	"effect": "Allow",
	"principal": {"federated": federated},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": conditions,
}

policy_input(statements) := {"policies": [{"id": "trust.json", "document": {"statements": statements}}]}

finding(p, i) := {
	"msg": sprintf("statement trusting OIDC provider %q has no condition on %q, so any ServiceAccount of cluster %q can assume the role", [p, sprintf("%s:sub", [i]), i]),
	"resource": {"kind": "policy", "id": "trust.json"},
	"path": ["policies", 0, "document", "statements", 0],
}

test_deny_no_conditions if {
	got := rule.deny with input as policy_input([statement([provider], [])])
	got == {finding(provider, issuer)}
}

test_deny_aud_only if {
	s := statement([provider], [cond("StringEquals", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud", ["sts.amazonaws.com"])])
	got2 := rule.deny with input as policy_input([s])
	got2 == {finding(provider, issuer)}
}

test_deny_role_trust_policy_aws_cn if {
	cn := "arn:aws-cn:iam::111122223333:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/XYZ"
	s := object.union(statement([cn], []), {"actions": ["sts:*"]})
	got3 := rule.deny with input as {"roles": [{"arn": "arn:aws-cn:iam::111122223333:role/app", "trust_policy": {"statements": [s]}}]}
	got3 == {{
		"msg": sprintf("statement trusting OIDC provider %q has no condition on %q, so any ServiceAccount of cluster %q can assume the role", [cn, "oidc.eks.cn-north-1.amazonaws.com.cn/id/XYZ:sub", "oidc.eks.cn-north-1.amazonaws.com.cn/id/XYZ"]),
		"resource": {"kind": "role", "id": "arn:aws-cn:iam::111122223333:role/app"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
	}}
}

test_deny_not_action_covering_web_identity if {
	s := object.union(statement([provider], []), {"actions": [], "not_actions": ["iam:*"]})
	got4 := rule.deny with input as policy_input([s])
	got4 == {finding(provider, issuer)}
}

test_deny_each_provider_without_subject if {
	other := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/DEF456"
	got5 := rule.deny with input as policy_input([statement([provider, other], [])])
	got5 == {
		finding(provider, issuer),
		finding(other, "oidc.eks.eu-west-1.amazonaws.com/id/DEF456"),
	}
}

test_deny_other_issuer_condition_does_not_block if {
	# IfExists on another issuer's key passes when the key is missing: this provider is open.
	other_key := object.union(cond("StringEquals", "oidc.eks.eu-west-1.amazonaws.com/id/DEF456:sub", ["system:serviceaccount:ns:app"]), {"operator": "StringEqualsIfExists", "if_exists": true})
	got6 := rule.deny with input as policy_input([statement([provider], [other_key])])
	got6 == {finding(provider, issuer)}
}

test_allow_exact_subject if {
	s := statement([provider], [cond("StringEquals", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub", ["system:serviceaccount:ns:app"])])
	got7 := rule.deny with input as policy_input([s])
	got7 == set()
}

test_allow_subject_key_any_case if {
	s := statement([provider], [cond("StringEquals", "OIDC.EKS.US-EAST-1.amazonaws.com/id/abc123:SUB", ["system:serviceaccount:ns:app"])])
	got8 := rule.deny with input as policy_input([s])
	got8 == set()
}

test_allow_deny_statement if {
	s := object.union(statement([provider], []), {"effect": "Deny"})
	got9 := rule.deny with input as policy_input([s])
	got9 == set()
}

test_allow_other_actions_only if {
	s := object.union(statement([provider], []), {"actions": [], "not_actions": ["sts:AssumeRoleWith*"]})
	got10 := rule.deny with input as policy_input([s])
	got10 == set()
}

test_allow_non_kubernetes_issuer if {
	github := "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
	got11 := rule.deny with input as policy_input([statement([github], [])])
	got11 == set()
}

test_allow_other_issuer_keys_left_to_irsa_005 if {
	s := statement([provider], [cond("StringEquals", "oidc.eks.eu-west-1.amazonaws.com/id/DEF456:sub", ["system:serviceaccount:ns:app"])])
	got12 := rule.deny with input as policy_input([s])
	got12 == set()
}

_sub_key := "oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub"

# A Deny statement whose StringNotEquals on sub refuses every ServiceAccount but one: IAM admits
# one ServiceAccount, the rule stays silent.
test_allow_deny_leaves_one_service_account if {
	deny := object.union(statement([provider], [object.union(cond("StringNotEquals", _sub_key, ["system:serviceaccount:app:web"]), {"base_operator": "StringEquals", "negated": true})]), {"effect": "Deny"})
	got := rule.deny with input as policy_input([statement([provider], []), deny])
	got == set()
}

# A required condition on a claim Kubernetes tokens never carry admits nobody.
test_allow_required_amr if {
	s := statement([provider], [cond("StringEquals", "oidc.eks.us-east-1.amazonaws.com/id/ABC123:amr", ["authenticated"])])
	got := rule.deny with input as policy_input([s])
	got == set()
}

# Null {"<issuer>:sub": "false"} only asks for a sub: any ServiceAccount is admitted.
test_deny_null_sub_false if {
	s := statement([provider], [cond("Null", _sub_key, ["false"])])
	got := rule.deny with input as policy_input([s])
	got == {{
		"msg": sprintf("statement trusting OIDC provider %q admits every subject despite its conditions on %q, so any ServiceAccount of cluster %q can assume the role", [provider, _sub_key, issuer]),
		"resource": {"kind": "policy", "id": "trust.json"},
		"path": ["policies", 0, "document", "statements", 0],
	}}
}

# An aud-only trust to the issuer of a cluster of the input is a Kubernetes trust, even when the
# issuer is known only after apply (a symbol).
test_deny_aud_only_cluster_issuer_symbol if {
	iss := "«module.eks.cluster_oidc_issuer_url»"
	p := sprintf("arn:aws:iam::111122223333:oidc-provider/%s", [iss])
	s := statement([p], [cond("StringEquals", sprintf("%s:aud", [iss]), ["sts.amazonaws.com"])])
	got := rule.deny with input as object.union(policy_input([s]), {"clusters": [{"id": "prod", "name": "prod", "issuer": iss}]})
	got == {finding(p, iss)}
}

test_allow_aud_only_unknown_issuer if {
	p := "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
	s := statement([p], [cond("StringEquals", "token.actions.githubusercontent.com:aud", ["sts.amazonaws.com"])])
	got := rule.deny with input as policy_input([s])
	got == set()
}

# No sub condition, only one on an aws: key the token exchange cannot be judged on: any
# ServiceAccount is admitted whenever it holds.
test_deny_no_sub_with_aws_condition if {
	s := statement([provider], [cond("StringEquals", "aws:SourceAccount", ["111122223333"])])
	got := rule.deny with input as policy_input([s])
	got == {finding(provider, issuer)}
}

# R3: a sub pinned to a value known only after apply (a symbol) is not "any ServiceAccount".
test_allow_symbolic_sub if {
	c := object.union(cond("StringEquals", _sub_key, ["system:serviceaccount:«var.namespace»:app"]), {"unknown": ["values"]})
	got := rule.deny with input as policy_input([statement([provider], [c])])
	got == set()
}
