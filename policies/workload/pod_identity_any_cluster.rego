# METADATA
# title: Pod Identity role that any cluster's association can use
# description: |
#   The role's trust policy lets the EKS Pod Identity agent (pods.eks.amazonaws.com) assume it
#   with no condition that ties it to a source account (aws:SourceAccount), a cluster
#   (aws:SourceArn, the eks-cluster-arn or eks-cluster-name session tag), a namespace or a
#   ServiceAccount (the kubernetes-namespace and kubernetes-service-account session tags). The
#   agent then gets the role's credentials for every association that names it, in any EKS
#   cluster, namespace and ServiceAccount: the only guard left is who may create associations
#   naming the role (eks:CreatePodIdentityAssociation with iam:PassRole on it), and a
#   ServiceAccount of that name in any namespace of a cluster someone associates is enough.
#   The rule probes the trust with an association of another account's cluster, with and
#   without session tags, under the real operators (values ORed, StringLike and ArnLike
#   wildcards, IfExists and negated operators on absent keys).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
# custom:
#   id: IRSA-061
#   severity: medium
#   recommended_action: |
#     Add a condition on aws:SourceAccount (the clusters' account) or aws:SourceArn (the cluster
#     ARNs), and on the aws:RequestTag/kubernetes-namespace and
#     aws:RequestTag/kubernetes-service-account session tags of the workloads that use the role.
#   bad_example: |
#     {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
#      "Action": ["sts:AssumeRole", "sts:TagSession"]}
#   good_example: |
#     {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
#      "Action": ["sts:AssumeRole", "sts:TagSession"],
#      "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333",
#        "aws:RequestTag/kubernetes-namespace": "payments"}}}
package irsa_audit.rules.workload.pod_identity_any_cluster

import data.irsa_audit.lib.workload

deny contains finding if {
	some f in workload.pod_identity_roles
	f.any_cluster == true
	role := input.roles[f.role]
	finding := {
		"msg": sprintf(
			"Role %s lets the EKS Pod Identity agent assume it with no condition on the source account, cluster, namespace or ServiceAccount: every Pod Identity association naming the role, in any cluster and namespace, gets its credentials",
			[role.arn],
		),
		"resource": {"kind": "role", "id": role.arn},
		"path": array.concat(["roles", f.role, "trust_policy", "statements"], _first(f.statements)),
	}
}

_first(statements) := [min(statements)] if count(statements) > 0

_first(statements) := [] if count(statements) == 0
