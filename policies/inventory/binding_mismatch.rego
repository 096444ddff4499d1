# METADATA
# title: Role's trust policy does not admit the ServiceAccount that names it
# description: |
#   A ServiceAccount's eks.amazonaws.com/role-arn annotation names a role in the snapshot, but the
#   role's trust policy does not admit the token its pods present: issuer the cluster's OIDC
#   issuer, subject system:serviceaccount:<namespace>:<name>, audience sts.amazonaws.com (or the
#   eks.amazonaws.com/audience annotation). Pods get AccessDenied from
#   sts:AssumeRoleWithWebIdentity. Typical causes: a typo in the subject, a renamed namespace or
#   ServiceAccount, the trust naming another cluster's provider. The trust policy is evaluated as
#   IAM does (pkg/trust, the one trust evaluator); the rule stays silent when the outcome depends
#   on request keys a policy alone cannot know (aws:SourceIp, sts:RoleSessionName, ...).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# custom:
#   id: IRSA-022
#   severity: medium
#   recommended_action: |
#     Add a statement (or a subject) to the role's trust policy that admits this ServiceAccount
#     through the cluster's OIDC provider, or annotate the ServiceAccount with the role meant for it.
#   bad_example: |
#     ServiceAccount payments/payments-app annotated with role payments-app, whose trust has
#     "StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payment:payments-app"}
#   good_example: |
#     ServiceAccount payments/payments-app annotated with role payments-app, whose trust has
#     "StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:payments-app",
#                      "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud": "sts.amazonaws.com"}
package irsa_audit.rules.inventory.binding_mismatch

import data.irsa_audit.lib.bindings
import data.irsa_audit.lib.irsa

deny contains finding if {
	some binding in bindings.verdicts
	binding.verdict == "refused"
	role := input.roles[binding.role]
	sa := input.service_accounts[binding.service_account]
	cluster := input.clusters[binding.cluster]
	token := bindings.service_account_token(sa, cluster.issuer)
	finding := {
		"msg": sprintf(
			"ServiceAccount %s names role %s, whose trust policy does not admit its token (iss https://%s, sub %s, aud %s): its pods get AccessDenied",
			[irsa.service_account_id(sa), role.arn, token.iss, token.sub, token.aud],
		),
		"resource": {"kind": "service_account", "id": irsa.service_account_id(sa)},
		"path": ["service_accounts", binding.service_account, "role_arn"],
		"related": [{"kind": "role", "id": role.arn}, {"kind": "cluster", "id": cluster.id}],
	}
}
