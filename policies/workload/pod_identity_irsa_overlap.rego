# METADATA
# title: ServiceAccount with both an IRSA role annotation and a Pod Identity association
# description: |
#   A ServiceAccount has an eks.amazonaws.com/role-arn annotation (IRSA) and an EKS Pod
#   Identity association. EKS's pod identity webhook gives the association precedence: pods of
#   the ServiceAccount created since the association get only the Pod Identity container
#   credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI), not the IRSA web-identity token, so the
#   annotation's role is no longer used, while pods created before keep it until they restart.
#   Two roles for one workload drift apart: a review of the annotation misses the role in use,
#   and removing the association silently brings the annotation's role back.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
#   - ref: https://github.com/aws/amazon-eks-pod-identity-webhook/blob/master/pkg/handler/handler.go
# custom:
#   id: IRSA-065
#   severity: medium
#   recommended_action: |
#     Keep one mechanism: remove the eks.amazonaws.com/role-arn annotation once the association
#     is in use, or delete the association.
#   bad_example: |
#     ServiceAccount shop/api annotated eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/shop-irsa
#     and aws eks create-pod-identity-association --namespace shop --service-account api ...
#   good_example: |
#     ServiceAccount shop/api without the annotation, and one Pod Identity association
package irsa_audit.rules.workload.pod_identity_irsa_overlap

import data.irsa_audit.lib.workload

deny contains finding if {
	some f in workload.pod_identity
	f.irsa_service_account >= 0
	p := input.pod_identity_associations[f.association]
	sa := input.service_accounts[f.irsa_service_account]
	finding := {
		"msg": sprintf(
			"ServiceAccount %s has both IRSA role %s (annotation) and Pod Identity association %s for %s: the association takes precedence for pods created since, so the annotation's role is unused configuration that drifts",
			[workload.service_account(p), sa.role_arn, workload.association_id(p), workload.role(p)],
		),
		"resource": {"kind": "service_account", "id": sprintf("%s/%s/%s", [sa.cluster, sa.namespace, sa.name])},
		"path": ["service_accounts", f.irsa_service_account, "role_arn"],
		"related": [workload.resource(p)],
	}
}
