# Calls of every custom built-in as a rule author writes them; TestBuiltinsRego runs them.
package builtins_test

test_action_matches if {
	iam.action_matches("s3:get*", "S3:GetObject")
	not iam.action_matches("s3:Get?", "s3:GetObject")
}

test_glob_match if {
	iam.glob_match("arn:aws:iam::*:role/legacy-?", "arn:aws:iam::111122223333:role/legacy-a")
	not iam.glob_match("legacy-?", "Legacy-a")
}

test_normalize_issuer if {
	iam.normalize_issuer("https://example.com/") == "example.com/"
}

test_parse_arn if {
	iam.parse_arn("arn:aws:s3:::bucket/key") == {"partition": "aws", "service": "s3", "region": "", "account": "", "resource": "bucket/key"}
	not iam.parse_arn("bucket/key")
}

test_parse_role_arn if {
	r := iam.parse_role_arn("arn:aws:iam::111122223333:role/team/app")
	r == {"partition": "aws", "account": "111122223333", "path": "/team/", "name": "app"}
	not iam.parse_role_arn("arn:aws:iam::111122223333:user/app")
}

test_parse_oidc_provider_arn if {
	p := iam.parse_oidc_provider_arn("arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC")
	p == {"partition": "aws", "account": "111122223333", "issuer": "oidc.eks.eu-west-1.amazonaws.com/id/ABC"}
	not iam.parse_oidc_provider_arn("arn:aws:iam::111122223333:saml-provider/x")
}

test_trust_facts if {
	issuer := "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
	provider := sprintf("arn:aws:iam::111122223333:oidc-provider/%s", [issuer])
	facts := iam.trust_facts({"policies": [{"id": "trust.json", "document": {"statements": [{
		"effect": "Allow",
		"principal": {"federated": [provider]},
		"actions": ["sts:AssumeRoleWithWebIdentity"],
		"conditions": [
			equals(sprintf("%s:sub", [issuer]), "system:serviceaccount:reports:exporter"),
			equals(sprintf("%s:aud", [issuer]), "sts.amazonaws.com"),
		],
	}]}}]})
	[who] := facts.policies[0].web_identity
	who.provider == provider
	who.service_accounts == ["system:serviceaccount:reports:exporter"]
	who.audiences == ["sts.amazonaws.com"]
	not who.any_subject
	not who.any_audience
}

equals(key, value) := {"operator": "StringEquals", "base_operator": "StringEquals", "known": true, "key": key, "values": [value]}
