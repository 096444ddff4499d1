# METADATA
# title: Web-identity trust without a subject condition
# description: |
#   An IRSA trust statement trusts a Kubernetes cluster's OIDC provider for
#   sts:AssumeRoleWithWebIdentity but sets no condition on the provider's "sub" key. Every
#   ServiceAccount token the cluster issues is then accepted, so any pod in any namespace of the
#   cluster can assume the role and use its permissions.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# custom:
#   id: IRSA-001
#   severity: critical
#   recommended_action: |
#     Add a StringEquals condition on "<issuer>:sub" naming the one ServiceAccount
#     (system:serviceaccount:<namespace>:<name>) that should assume the role, and one on
#     "<issuer>:aud" for "sts.amazonaws.com".
#   bad_example: |
#     {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"},
#      "Action": "sts:AssumeRoleWithWebIdentity"}
#   good_example: |
#     {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"},
#      "Action": "sts:AssumeRoleWithWebIdentity",
#      "Condition": {"StringEquals": {
#        "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api",
#        "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud": "sts.amazonaws.com"}}}
package irsa_audit.rules.trust.unrestricted_subject

import data.irsa_audit.lib.irsa

deny contains finding if {
	some wi in irsa.web_identity
	not "sub" in wi.claims

	# A blocking condition on another issuer's keys refuses this provider's tokens altogether;
	# that mismatch is reported by IRSA-005.
	count(wi.blocking) == 0

	finding := {
		"msg": sprintf(
			"statement trusting OIDC provider %q has no condition on %q, so any ServiceAccount of cluster %q can assume the role",
			[wi.provider, sprintf("%s:sub", [wi.issuer]), wi.issuer],
		),
		"resource": wi.resource,
		"path": wi.path,
	}
}
