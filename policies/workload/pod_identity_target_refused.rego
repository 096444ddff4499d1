# METADATA
# title: Pod Identity target role does not trust the association's role
# description: |
#   An EKS Pod Identity association with a target role (targetRoleArn, for access to another
#   account) has EKS assume the association's role and then, with its credentials, the target
#   role. The target role's trust policy does not allow the association's role to call
#   sts:AssumeRole (it names neither the role, its account, nor "*", or a condition or Deny
#   refuses it), so the chain fails and pods running as the ServiceAccount get no credentials
#   for the target role. Conditions the snapshot cannot judge (sts:ExternalId, which EKS sets
#   for the association) are taken to possibly hold.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-assign-target-role.html
# custom:
#   id: IRSA-064
#   severity: high
#   recommended_action: |
#     Allow the association's role sts:AssumeRole in the target role's trust policy, with the
#     association's external id as sts:ExternalId.
#   bad_example: |
#     target role trust: {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/other"},
#      "Action": "sts:AssumeRole"}
#   good_example: |
#     target role trust: {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/shop-api"},
#      "Action": ["sts:AssumeRole", "sts:TagSession"],
#      "Condition": {"StringEquals": {"sts:ExternalId": "<the association's externalId>"}}}
package irsa_audit.rules.workload.pod_identity_target_refused

import data.irsa_audit.lib.workload

deny contains finding if {
	some f in workload.pod_identity
	count(object.get(f, ["target", "refused"], [])) > 0
	p := input.pod_identity_associations[f.association]
	finding := {
		"msg": sprintf(
			"Pod Identity association %s of ServiceAccount %s chains role %s into target role %s, whose trust policy does not allow %s to call %s: its pods get no credentials for the target role",
			[workload.association_id(p), workload.service_account(p), f.role.arn, f.target.arn, f.target.caller, concat(" and ", f.target.refused)],
		),
		"resource": workload.resource(p),
		"path": ["pod_identity_associations", f.association, "target_role_arn"],
		"related": [{"kind": "role", "id": f.target.arn}],
	}
}
