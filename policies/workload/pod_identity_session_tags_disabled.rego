# METADATA
# title: Session tags disabled while the role's policies read them
# description: |
#   An EKS Pod Identity association disables session tags (disableSessionTags), yet the
#   permission policies of its role read the tags the Pod Identity agent would set
#   (aws:PrincipalTag/kubernetes-namespace, kubernetes-service-account, kubernetes-pod-name,
#   kubernetes-pod-uid, eks-cluster-arn, eks-cluster-name), as conditions or as
#   ${aws:PrincipalTag/...} variables. Without the tags those conditions never match, so the
#   attribute-based access the policies describe is broken, and a negated or ...IfExists
#   condition on the tag now always matches: access meant for one namespace or cluster is open
#   to the session.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
# custom:
#   id: IRSA-066
#   severity: medium
#   recommended_action: |
#     Enable session tags on the association, or rewrite the role's policies without the
#     agent's principal tags.
#   bad_example: |
#     association: {"disableSessionTags": true, "roleArn": ".../role/shop-api"}
#     role policy: {"Condition": {"StringEquals": {"aws:PrincipalTag/kubernetes-namespace": "shop"}}}
#   good_example: |
#     association: {"disableSessionTags": false, "roleArn": ".../role/shop-api"}
package irsa_audit.rules.workload.pod_identity_session_tags_disabled

import data.irsa_audit.lib.workload

deny contains finding if {
	some f in workload.pod_identity
	some use in object.get(f, "principal_tags", [])
	p := input.pod_identity_associations[f.association]
	finding := {
		"msg": sprintf(
			"Pod Identity association %s disables session tags, but a permission policy of its role %s reads aws:PrincipalTag/%s: the tag is absent from the session, so the condition no longer means what it says",
			[workload.association_id(p), f.role.arn, use.tag],
		),
		"resource": workload.resource(p),
		"path": use.path,
		"related": [{"kind": "role", "id": f.role.arn}],
		"key": concat("/", [sprintf("%v", [x]) | some x in use.path]),
	}
}
