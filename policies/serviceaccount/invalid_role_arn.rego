# METADATA
# title: Role annotation is not a valid IAM role ARN
# description: |
#   The eks.amazonaws.com/role-arn annotation of a ServiceAccount is not a syntactically valid IAM
#   role ARN: it is empty, has surrounding whitespace, names a user or a policy, lacks the
#   12-digit account id, and so on. The EKS Pod Identity Webhook does not reject it; the pods
#   silently get no usable credentials and fail at their first AWS call.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# custom:
#   id: IRSA-026
#   severity: medium
#   recommended_action: |
#     Set the annotation to the ARN of the role, arn:<partition>:iam::<account-id>:role/<path><name>,
#     exactly as IAM shows it.
#   bad_example: |
#     metadata:
#       annotations:
#         eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:user/reports
#   good_example: |
#     metadata:
#       annotations:
#         eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/reports
package irsa_audit.rules.serviceaccount.invalid_role_arn

import data.irsa_audit.lib.bindings
import data.irsa_audit.lib.irsa

# Role names are 1-64 characters of [\w+=,.@-]; paths are "/"-separated segments of the same.
_role_arn := `^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::[0-9]{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`

deny contains finding if {
	some i in bindings.annotated
	sa := input.service_accounts[i]
	role := irsa.role_arn_annotation(sa)
	not "role_arn" in object.get(sa, "unknown", []) # a symbol («...»): known only after apply
	not regex.match(_role_arn, role)
	finding := {
		"msg": sprintf(
			"annotation eks.amazonaws.com/role-arn %q is not a valid IAM role ARN (arn:<partition>:iam::<account-id>:role/<name>), so pods running as this ServiceAccount get no AWS credentials",
			[role],
		),
		"resource": {"kind": "service_account", "id": irsa.service_account_id(sa)},
		"path": ["service_accounts", i],
	}
}
