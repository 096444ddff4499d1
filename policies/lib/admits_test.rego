package irsa_audit.lib.admits_test

import data.irsa_audit.lib.admits

_issuer := "oidc.eks.us-east-1.amazonaws.com/id/ABC"

_provider := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"

test_role_arn_parts if {
	admits.role_arn_parts("arn:aws:iam::111122223333:role/team/App") == {"partition": "aws", "account": "111122223333", "path": "/team/", "name": "App"}
	admits.role_arn_parts("arn:aws-cn:iam::111122223333:role/App") == {"partition": "aws-cn", "account": "111122223333", "path": "/", "name": "App"}
	not admits.role_arn_parts("arn:aws:iam::111122223333:user/App")
	not admits.role_arn_parts("arn:aws:iam::1111:role/App")
	not admits.role_arn_parts("App")
	admits.role_key("arn:aws:iam::111122223333:role/team/App") == "111122223333/app"
}

test_provider_arn if {
	admits.provider_arn("arn:aws-us-gov:iam::111122223333:role/x", "https://oidc.eks.us-gov-west-1.amazonaws.com/id/ABC") == "arn:aws-us-gov:iam::111122223333:oidc-provider/oidc.eks.us-gov-west-1.amazonaws.com/id/ABC"
	admits.provider_parts(_provider) == {"partition": "aws", "account": "111122223333", "issuer": _issuer}
	not admits.provider_parts("arn:aws:iam::111122223333:saml-provider/okta")
}

# IAM keeps a trailing "/" of the issuer URL in the provider ARN and the condition keys.
test_normalize_issuer_keeps_trailing_slash if {
	admits.normalize_issuer("https://example.com/") == "example.com/"
	admits.normalize_issuer("http://example.com") == "example.com"
	admits.provider_arn("arn:aws:iam::111122223333:role/x", "https://example.com/") == "arn:aws:iam::111122223333:oidc-provider/example.com/"
}

test_service_account_subject if {
	admits.service_account_subject("app", "web") == "system:serviceaccount:app:web"
}
