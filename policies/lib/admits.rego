# Package admits names the identifiers of IRSA: issuers as IAM keys them, ServiceAccount
# subjects, role and OIDC provider ARNs. It is pure (nothing here reads input), produces no
# findings and carries no METADATA id. Whether a trust policy admits a token is not decided
# here: pkg/trust evaluates trust policies, once, in Go, and the rules read its answers
# (lib/bindings.verdicts, lib/irsa.role_assumers).
package irsa_audit.lib.admits

# web_identity_action is the STS action a token exchange is evaluated as.
web_identity_action := "sts:AssumeRoleWithWebIdentity"

# default_audience is the audience the EKS Pod Identity Webhook requests for projected tokens.
default_audience := "sts.amazonaws.com"

# normalize_issuer drops the scheme from an issuer URL, the form IAM uses in provider ARNs and
# condition keys. A trailing "/" is kept, as IAM keeps it: a provider registered for
# "https://example.com/" is ".../oidc-provider/example.com/" (pkg/iam.NormalizeIssuer).
normalize_issuer(issuer) := trim_prefix(trim_prefix(issuer, "https://"), "http://")

# service_account_subject is the "sub" claim of a ServiceAccount token.
service_account_subject(namespace, name) := concat(":", ["system:serviceaccount", namespace, name])

# role_arn_parts parses an IAM role ARN, arn:<partition>:iam::<account>:role/<path><name>, into
# {"partition", "account", "path", "name"}; undefined for anything else.
role_arn_parts(arn) := {"partition": m[1], "account": m[2], "path": m[3], "name": m[4]} if {
	m := regex.find_all_string_submatch_n(`^arn:(aws[a-z-]*):iam::([0-9]{12}):role(/(?:[^/]+/)*)([^/]+)$`, arn, 1)[0]
}

# role_key identifies a role for lookups: "<account>/<lower-case name>". IAM role names are
# unique per account regardless of case and the path is not part of a role's identity.
role_key(arn) := concat("/", [parts.account, lower(parts.name)]) if parts := role_arn_parts(arn)

# provider_arn is the ARN of the IAM OIDC provider for issuer in the partition and account of
# role_arn: the only provider STS matches a token to when that role is assumed.
provider_arn(role_arn, issuer) := sprintf("arn:%s:iam::%s:oidc-provider/%s", [parts[1], parts[4], normalize_issuer(issuer)]) if {
	parts := split(role_arn, ":")
	count(parts) >= 6
	parts[0] == "arn"
}

# provider_parts parses an IAM OIDC provider ARN into {"partition", "account", "issuer"};
# undefined for any other string (SAML providers, Cognito, "*").
provider_parts(arn) := {"partition": m[1], "account": m[2], "issuer": m[3]} if {
	m := regex.find_all_string_submatch_n(`^arn:(aws[a-z-]*):iam::([0-9]{12}):oidc-provider/(.+)$`, arn, 1)[0]
}
