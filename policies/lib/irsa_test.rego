package irsa_audit.lib.irsa_test

import data.irsa_audit.lib.irsa

eks_provider := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123"

eks_issuer := "oidc.eks.us-east-1.amazonaws.com/id/ABC123"

web_identity_statement := {
	"effect": "Allow",
	"principal": {"federated": [eks_provider]},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": [{
		"operator": "StringEquals",
		"base_operator": "StringEquals",
		"known": true,
		"key": "oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub",
		"values": ["system:serviceaccount:ns:app"],
	}],
}

# Pure helpers: no input needed.

test_is_eks_issuer if {
	irsa.is_eks_issuer(eks_issuer)
	irsa.is_eks_issuer("oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC")
	irsa.is_eks_issuer("OIDC.EKS.eu-west-1.amazonaws.com/id/abc")
	not irsa.is_eks_issuer("token.actions.githubusercontent.com")
	not irsa.is_eks_issuer("oidc.eks.us-east-1.amazonaws.com/id/ABC/extra")
}

test_wildcard_match if {
	irsa.wildcard_match("sts:*", "sts:assumerolewithwebidentity")
	irsa.wildcard_match("sts:assumerole*", "sts:assumerolewithwebidentity")
	irsa.wildcard_match("*", "sts:assumerolewithwebidentity")
	irsa.wildcard_match("sts:assumerolewith?ebidentity", "sts:assumerolewithwebidentity")
	irsa.wildcard_match("a.b", "a.b")
	not irsa.wildcard_match("a.b", "axb")
	not irsa.wildcard_match("sts:assumerole", "sts:assumerolewithwebidentity")
	not irsa.wildcard_match("s3:*", "sts:assumerolewithwebidentity")
}

test_covers_action if {
	irsa.covers_action({"actions": ["STS:AssumeRoleWithWebIdentity"]}, "sts:AssumeRoleWithWebIdentity")
	irsa.covers_action({"not_actions": ["s3:*"]}, "sts:AssumeRoleWithWebIdentity")
	not irsa.covers_action({"not_actions": ["sts:*"]}, "sts:AssumeRoleWithWebIdentity")
	not irsa.covers_action({"actions": ["sts:AssumeRole"]}, "sts:AssumeRoleWithWebIdentity")
	not irsa.covers_action({}, "sts:AssumeRoleWithWebIdentity")
}

test_role_arn_annotation if {
	irsa.role_arn_annotation({"annotations": {"eks.amazonaws.com/role-arn": ""}, "role_arn": ""}) == ""
	irsa.role_arn_annotation({"role_arn": "arn:aws:iam::111122223333:role/app"}) == "arn:aws:iam::111122223333:role/app"
	not irsa.role_arn_annotation({"annotations": {"other": "x"}})
}

test_service_account_id if {
	irsa.service_account_id({"cluster": "prod", "namespace": "ns", "name": "app"}) == "prod/ns/app"
	irsa.service_account_id({"namespace": "ns", "name": "app"}) == "ns/app"
}

# Enumeration over input.

test_trust_statements_policies_and_roles if {
	statement := {"effect": "Allow", "actions": ["sts:AssumeRole"]}
	result := irsa.trust_statements with input as {
		"policies": [{"id": "a.json", "document": {"statements": [statement]}}],
		"roles": [
			{"arn": "arn:aws:iam::111122223333:role/none"},
			{"arn": "arn:aws:iam::111122223333:role/r", "trust_policy": {"statements": [statement]}},
		],
	}
	result == [
		{"resource": {"kind": "policy", "id": "a.json"}, "path": ["policies", 0, "document", "statements", 0], "statement": statement},
		{"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/r"}, "path": ["roles", 1, "trust_policy", "statements", 0], "statement": statement},
	]
}

test_web_identity_one_entry_per_provider if {
	github := "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
	other := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/DEF"
	statement := json.patch(web_identity_statement, [{"op": "replace", "path": "/principal/federated", "value": [eks_provider, other, github]}])
	result := irsa.web_identity with input as {"policies": [{"id": "t.json", "document": {"statements": [statement]}}]}

	# In provider ARN order; the GitHub provider is no Kubernetes issuer's.
	result == [
		{
			"resource": {"kind": "policy", "id": "t.json"}, "path": ["policies", 0, "document", "statements", 0],
			"statement": statement, "provider": other, "issuer": "oidc.eks.eu-west-1.amazonaws.com/id/DEF",
			"claims": [], "blocking": [eks_issuer],
		},
		{
			"resource": {"kind": "policy", "id": "t.json"}, "path": ["policies", 0, "document", "statements", 0],
			"statement": statement, "provider": eks_provider, "issuer": eks_issuer,
			"claims": ["sub"], "blocking": [],
		},
	]
}

test_web_identity_ignores_deny_and_other_actions if {
	deny := object.union(web_identity_statement, {"effect": "Deny"})
	assume_role := object.union(web_identity_statement, {"actions": ["sts:AssumeRole"]})
	result := irsa.web_identity with input as {"policies": [{"id": "t.json", "document": {"statements": [deny, assume_role]}}]}
	result == []
}

test_provider_conditions if {
	statement := json.patch(web_identity_statement, [{"op": "add", "path": "/conditions/-", "value": {
		"operator": "StringEquals", "base_operator": "StringEquals", "known": true,
		"key": "aws:PrincipalTag/team", "values": ["a"],
	}}])
	result := irsa.provider_conditions with input as {"roles": [{"arn": "arn:aws:iam::111122223333:role/r", "trust_policy": {"statements": [statement]}}]}
	result == [{
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/r"},
		"path": ["roles", 0, "trust_policy", "statements", 0, "conditions", 0],
		"provider": eks_provider, "issuer": eks_issuer, "claim": "sub",
		"condition": web_identity_statement.conditions[0],
	}]
}

test_oidc_statements_facts if {
	gh := "token.actions.githubusercontent.com"
	gh_provider := concat("", ["arn:aws:iam::111122223333:oidc-provider/", gh])
	cond := {"operator": "StringEquals", "base_operator": "StringEquals", "known": true}
	statement := {
		"effect": "Allow",
		"principal": {"federated": [gh_provider, eks_provider, "Cognito-Identity.amazonaws.com"]},
		"actions": ["sts:AssumeRoleWith*"],
		"conditions": [
			object.union(cond, {"key": concat(":", [gh, "sub"]), "values": ["repo:x/y:ref:refs/heads/main"]}),
			object.union(cond, {"key": "aws:SourceAccount", "values": ["111122223333"]}),
			object.union(cond, {"key": concat(":", [upper(eks_issuer), "AUD"]), "values": ["sts.amazonaws.com"], "if_exists": true}),
			object.union(cond, {"key": "k8s.example.com:sub", "values": ["system:serviceaccount:a:b"]}),
		],
	}
	deny := object.union(statement, {"effect": "Deny"})
	no_oidc := object.union(statement, {"principal": {"federated": ["cognito-identity.amazonaws.com"]}})
	result := irsa.oidc_statements with input as {"roles": [{"arn": "arn:aws:iam::111122223333:role/r", "trust_policy": {"statements": [deny, no_oidc, statement]}}]}
	result == [{
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/r"},
		"path": ["roles", 0, "trust_policy", "statements", 2],
		"statement": statement,
		"providers": {gh_provider: gh, eks_provider: eks_issuer},
		"web_identity_action": true,
		"untrusted_keys": [{"index": 3, "issuer": "k8s.example.com"}],
		"kubernetes_issuers": ["k8s.example.com", lower(eks_issuer)],
		"blocking": {gh_provider: ["k8s.example.com"], eks_provider: ["k8s.example.com", gh]},
	}]

	wi := irsa.web_identity with input as {"roles": [{"arn": "arn:aws:iam::111122223333:role/r", "trust_policy": {"statements": [statement]}}]}
	wi == [{
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/r"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
		"statement": statement,
		"provider": eks_provider, "issuer": eks_issuer,
		"claims": ["aud"], "blocking": ["k8s.example.com", gh],
	}]
}
