# METADATA
# title: Pod Identity association whose role does not trust the Pod Identity agent
# description: |
#   An EKS Pod Identity association gives a ServiceAccount a role, and the EKS Pod Identity
#   agent (the service principal pods.eks.amazonaws.com) assumes it for the pods with
#   sts:AssumeRole and tags the session with sts:TagSession. The role's trust policy refuses one
#   of these actions to the agent (no statement allows it, or a Deny or a session-tag condition
#   refuses it for this association's cluster, namespace or ServiceAccount), so the association
#   fails: pods running as the ServiceAccount get no credentials. TagSession is not required
#   when the association disables session tags. Conditions on values the snapshot cannot know
#   (aws:SourceAccount, aws:SourceArn, the pod's name) are taken to possibly hold: the rule
#   reports only refusals it can prove.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
# custom:
#   id: IRSA-060
#   severity: high
#   recommended_action: |
#     Allow pods.eks.amazonaws.com both sts:AssumeRole and sts:TagSession in the role's trust
#     policy, or disable session tags on the association if the role must not be tagged.
#   bad_example: |
#     {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
#      "Action": "sts:AssumeRole"}
#   good_example: |
#     {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
#      "Action": ["sts:AssumeRole", "sts:TagSession"],
#      "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}
package irsa_audit.rules.workload.pod_identity_trust_refused

import data.irsa_audit.lib.workload

deny contains finding if {
	some f in workload.pod_identity
	count(object.get(f.role, "refused", [])) > 0
	p := input.pod_identity_associations[f.association]
	finding := {
		"msg": sprintf(
			"Pod Identity association %s gives ServiceAccount %s role %s, whose trust policy does not allow %s to call %s: the association fails and its pods get no credentials",
			[workload.association_id(p), workload.service_account(p), f.role.arn, f.role.caller, concat(" and ", f.role.refused)],
		),
		"resource": workload.resource(p),
		"path": ["pod_identity_associations", f.association],
		"related": [{"kind": "role", "id": f.role.arn}],
	}
}
