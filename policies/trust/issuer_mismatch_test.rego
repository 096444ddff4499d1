package irsa_audit.rules.trust.issuer_mismatch_test

import data.irsa_audit.rules.trust.issuer_mismatch as rule

cluster_a := "oidc.eks.us-east-1.amazonaws.com/id/AAAA"

cluster_b := "oidc.eks.us-east-1.amazonaws.com/id/BBBB"

provider_a := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAAA"

provider_b := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/BBBB"

cond(operator, key, values) := {"operator": operator, "base_operator": operator, "known": true, "key": key, "values": values}

sub_of(issuer) := cond("StringEquals", sprintf("%s:sub", [issuer]), ["system:serviceaccount:ns:app"])

aud_of(issuer) := cond("StringEquals", sprintf("%s:aud", [issuer]), ["sts.amazonaws.com"])

statement(federated, conditions) := {
	"effect": "Allow",
	"principal": {"federated": federated},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": conditions,
}

policy_input(statements) := {"policies": [{"id": "trust.json", "document": {"statements": statements}}]}

resource := {"kind": "policy", "id": "trust.json"}

test_deny_keys_of_other_cluster if {
	got := rule.deny with input as policy_input([statement([provider_a], [sub_of(cluster_b), aud_of(cluster_b)])])
	got == {
		{
			"msg": sprintf("condition key %q names issuer %q, which is not a Federated principal of the statement (it trusts %q)", [sprintf("%s:sub", [cluster_b]), cluster_b, provider_a]),
			"resource": resource,
			"path": ["policies", 0, "document", "statements", 0, "conditions", 0],
		},
		{
			"msg": sprintf("condition key %q names issuer %q, which is not a Federated principal of the statement (it trusts %q)", [sprintf("%s:aud", [cluster_b]), cluster_b, provider_a]),
			"resource": resource,
			"path": ["policies", 0, "document", "statements", 0, "conditions", 1],
		},
		{
			"msg": sprintf("Federated principal %q can never be used: the statement also requires condition keys of %q, which its tokens do not carry", [provider_a, cluster_b]),
			"resource": resource,
			"path": ["policies", 0, "document", "statements", 0],
		},
	}
}

test_deny_provider_without_own_keys if {
	got2 := rule.deny with input as policy_input([statement([provider_a, provider_b], [sub_of(cluster_b), aud_of(cluster_b)])])
	got2 == {{
		"msg": sprintf("Federated principal %q can never be used: the statement also requires condition keys of %q, which its tokens do not carry", [provider_a, cluster_b]),
		"resource": resource,
		"path": ["policies", 0, "document", "statements", 0],
	}}
}

test_deny_self_hosted_issuer_by_subject if {
	# Neither issuer is EKS; the subject value marks the key's issuer as a Kubernetes cluster.
	provider := "arn:aws:iam::111122223333:oidc-provider/k8s-a.example.com"
	got3 := rule.deny with input as {"roles": [{"arn": "arn:aws:iam::111122223333:role/r", "trust_policy": {"statements": [statement([provider], [sub_of("k8s-b.example.com")])]}}]}
	got3 == {
		{
			"msg": sprintf("condition key %q names issuer %q, which is not a Federated principal of the statement (it trusts %q)", ["k8s-b.example.com:sub", "k8s-b.example.com", provider]),
			"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/r"},
			"path": ["roles", 0, "trust_policy", "statements", 0, "conditions", 0],
		},
		{
			"msg": sprintf("Federated principal %q can never be used: the statement also requires condition keys of %q, which its tokens do not carry", [provider, "k8s-b.example.com"]),
			"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/r"},
			"path": ["roles", 0, "trust_policy", "statements", 0],
		},
	}
}

test_deny_if_exists_key_of_other_cluster_only_first_direction if {
	# An IfExists condition does not block cluster A's tokens: only the key is reported.
	c := object.union(sub_of(cluster_b), {"operator": "StringEqualsIfExists", "if_exists": true})
	got4 := rule.deny with input as policy_input([statement([provider_a], [c])])
	got4 == {{
		"msg": sprintf("condition key %q names issuer %q, which is not a Federated principal of the statement (it trusts %q)", [sprintf("%s:sub", [cluster_b]), cluster_b, provider_a]),
		"resource": resource,
		"path": ["policies", 0, "document", "statements", 0, "conditions", 0],
	}}
}

test_allow_matching_keys if {
	got5 := rule.deny with input as policy_input([statement([provider_a], [sub_of(cluster_a), aud_of(cluster_a)])])
	got5 == set()
}

test_allow_matching_keys_any_case if {
	got6 := rule.deny with input as policy_input([statement(["arn:aws:iam::111122223333:oidc-provider/OIDC.EKS.us-east-1.amazonaws.com/id/aaaa"], [sub_of(cluster_a)])])
	got6 == set()
}

# Two providers in one statement, each with its own keys: a token of either lacks the other's
# keys, so neither can pass.
test_deny_two_providers_with_keys_in_one_statement if {
	got := rule.deny with input as policy_input([statement([provider_a, provider_b], [sub_of(cluster_a), sub_of(cluster_b)])])
	got == {
		{
			"msg": sprintf("Federated principal %q can never be used: the statement also requires condition keys of %q, which its tokens do not carry", [provider_a, cluster_b]),
			"resource": resource,
			"path": ["policies", 0, "document", "statements", 0],
		},
		{
			"msg": sprintf("Federated principal %q can never be used: the statement also requires condition keys of %q, which its tokens do not carry", [provider_b, cluster_a]),
			"resource": resource,
			"path": ["policies", 0, "document", "statements", 0],
		},
	}
}

test_allow_two_providers_each_with_keys_in_own_statements if {
	got7 := rule.deny with input as policy_input([
		statement([provider_a], [sub_of(cluster_a)]),
		statement([provider_b], [sub_of(cluster_b)]),
	])
	got7 == set()
}

test_allow_deny_statement if {
	s := object.union(statement([provider_a], [sub_of(cluster_b)]), {"effect": "Deny"})
	got8 := rule.deny with input as policy_input([s])
	got8 == set()
}

test_allow_non_kubernetes_oidc if {
	github := "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
	c := cond("StringLike", "gitlab.example.com:sub", ["project_path:group/app:*"])
	got9 := rule.deny with input as policy_input([statement([github], [c])])
	got9 == set()
}

test_allow_statement_without_web_identity_action if {
	# The same keys of the other cluster, on a statement that does not allow
	# sts:AssumeRoleWithWebIdentity: no IRSA token is ever checked against them.
	s := object.union(statement([provider_a], [sub_of(cluster_b), aud_of(cluster_b)]), {"actions": ["sts:TagSession"]})
	got10 := rule.deny with input as policy_input([s])
	got10 == set()
}

# R4: an issuer known only after apply (a symbol) may be the other one once deployed.
test_allow_symbolic_issuer if {
	symbolic := "arn:aws:iam::111122223333:oidc-provider/«module.eks.oidc_issuer»"
	got := rule.deny with input as policy_input([statement([symbolic], [sub_of(cluster_b), aud_of(cluster_b)])])
	got == set()
}

# ForAnyValue:StringNotEquals on another issuer's key is false when the key is absent: it refuses
# every token of the statement's own provider.
test_deny_for_any_value_negated_key_of_other_cluster if {
	c := object.union(cond("ForAnyValue:StringNotEquals", sprintf("%s:sub", [cluster_b]), ["system:serviceaccount:ns:app"]), {"base_operator": "StringEquals", "qualifier": "ForAnyValue", "negated": true})
	got := rule.deny with input as policy_input([statement([provider_a, provider_b], [sub_of(cluster_a), c])])
	got == {
		{
			"msg": sprintf("Federated principal %q can never be used: the statement also requires condition keys of %q, which its tokens do not carry", [provider_a, cluster_b]),
			"resource": resource,
			"path": ["policies", 0, "document", "statements", 0],
		},
		{
			"msg": sprintf("Federated principal %q can never be used: the statement also requires condition keys of %q, which its tokens do not carry", [provider_b, cluster_a]),
			"resource": resource,
			"path": ["policies", 0, "document", "statements", 0],
		},
	}
}

# R1: the issuer of a cluster of the input is a Kubernetes issuer, whatever its host name.
test_deny_keys_of_other_issuer_for_cluster_issuer if {
	self_hosted := "arn:aws:iam::111122223333:oidc-provider/k8s.example.com"
	s := statement([self_hosted], [aud_of("other.example.com")])
	got := rule.deny with input as object.union(policy_input([s]), {"clusters": [{"id": "prod", "name": "prod", "issuer": "https://k8s.example.com"}]})
	got == {
		{
			"msg": sprintf("condition key %q names issuer %q, which is not a Federated principal of the statement (it trusts %q)", ["other.example.com:aud", "other.example.com", self_hosted]),
			"resource": resource,
			"path": ["policies", 0, "document", "statements", 0, "conditions", 0],
		},
		{
			"msg": sprintf("Federated principal %q can never be used: the statement also requires condition keys of %q, which its tokens do not carry", [self_hosted, "other.example.com"]),
			"resource": resource,
			"path": ["policies", 0, "document", "statements", 0],
		},
	}
	silent := rule.deny with input as policy_input([s])
	silent == set()
}
