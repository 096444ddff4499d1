# METADATA
# title: Default ServiceAccount bound to an IAM role
# description: |
#   The ServiceAccount named "default" carries the eks.amazonaws.com/role-arn annotation. Every
#   pod in the namespace that does not name its own ServiceAccount runs as "default", so every
#   such pod, including ones added later for unrelated purposes, gets the role's AWS credentials.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# custom:
#   id: IRSA-023
#   severity: high
#   recommended_action: |
#     Create a dedicated ServiceAccount for the workload, move the annotation there, set
#     serviceAccountName in the pod spec, and narrow the role's trust policy to the new subject.
#   bad_example: |
#     apiVersion: v1
#     kind: ServiceAccount
#     metadata:
#       name: default
#       namespace: payments
#       annotations:
#         eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/payments-app
#   good_example: |
#     apiVersion: v1
#     kind: ServiceAccount
#     metadata:
#       name: payments-app
#       namespace: payments
#       annotations:
#         eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/payments-app
package irsa_audit.rules.serviceaccount.default_service_account

import data.irsa_audit.lib.bindings
import data.irsa_audit.lib.irsa

deny contains finding if {
	some i in bindings.annotated
	sa := input.service_accounts[i]
	sa.name == "default"
	role := irsa.role_arn_annotation(sa)
	trim_space(role) != ""
	finding := {
		"msg": sprintf(
			"ServiceAccount \"default\" in namespace %q is annotated with role %q, so every pod in the namespace without its own ServiceAccount gets the role",
			[sa.namespace, role],
		),
		"resource": {"kind": "service_account", "id": irsa.service_account_id(sa)},
		"path": ["service_accounts", i],
	}
}
