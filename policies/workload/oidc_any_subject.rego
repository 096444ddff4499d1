# METADATA
# title: OIDC trust of another issuer that admits any subject
# description: |
#   A trust statement trusts the OIDC provider of an issuer that is neither a Kubernetes
#   cluster's (the IRSA rules judge those) nor a CI/CD platform irsa-audit knows, and admits its
#   tokens whatever their "sub": there is no condition on "<issuer>:sub", or the conditions on it
#   do not restrict (a lone "*", a negated operator). Every identity the issuer signs tokens for
#   (each user, service, repository or tenant it serves) can assume the role with a token of an
#   audience the provider accepts; for a multi-tenant issuer, that is every customer of it. The
#   rule probes the trust with a subject no one has, under the real operators.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
# custom:
#   id: IRSA-054
#   severity: high
#   recommended_action: |
#     Add a StringEquals condition on "<issuer>:sub" naming the identities that should assume
#     the role, and one on "<issuer>:aud".
#   bad_example: |
#     {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/auth.example.com"},
#      "Action": "sts:AssumeRoleWithWebIdentity",
#      "Condition": {"StringEquals": {"auth.example.com:aud": "my-app"}}}
#   good_example: |
#     {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/auth.example.com"},
#      "Action": "sts:AssumeRoleWithWebIdentity",
#      "Condition": {"StringEquals": {"auth.example.com:aud": "my-app",
#        "auth.example.com:sub": "svc-deploy"}}}
package irsa_audit.rules.workload.oidc_any_subject

import data.irsa_audit.lib.workload

deny contains finding if {
	some t in workload.other_oidc
	finding := {
		"msg": sprintf(
			"%s %s trusts tokens of OIDC issuer %s with %s: every identity the issuer signs tokens for can assume it",
			[_kind(t), t.resource.id, t.issuer, _subject(t)],
		),
		"resource": t.resource,
		"path": t.path,
	}
}

_kind(t) := "Role" if t.resource.kind == "role"

_kind(t) := "Trust policy" if t.resource.kind != "role"

_subject(t) := sprintf("no condition on %s:sub", [t.issuer]) if t.subject_condition == false

_subject(t) := sprintf("a condition on %s:sub that admits any subject", [t.issuer]) if t.subject_condition == true
