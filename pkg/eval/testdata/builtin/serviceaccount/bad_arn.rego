# METADATA
# title: Malformed role-arn annotation
# description: The eks.amazonaws.com/role-arn annotation is not an IAM role ARN.
# related_resources:
#   - ref: https://example.com/docs/IRSA-903
#     description: documentation
# custom:
#   id: IRSA-903
#   severity: low
#   recommended_action: Put the full role ARN in the annotation.
#   bad_example: 'eks.amazonaws.com/role-arn: my-role'
#   good_example: 'eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/my-role'
package irsa_audit.rules.serviceaccount.bad_arn

deny contains finding if {
	some i, sa in input.service_accounts
	sa.role_arn != ""
	not startswith(sa.role_arn, "arn:")
	finding := {
		"msg": sprintf("role-arn %q is not a role ARN", [sa.role_arn]),
		"resource": {"kind": "service_account", "id": sprintf("%s/%s", [sa.namespace, sa.name])},
		"path": ["service_accounts", i, "role_arn"],
	}
}
