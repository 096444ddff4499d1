# METADATA
# title: Pod Identity association names a role that does not exist
# description: |
#   An EKS Pod Identity association (or its cross-account target role) names a role in an
#   account whose roles were inventoried in full, and the account has no role of that name, or
#   the reference is no IAM role ARN. Pods running as the association's ServiceAccount get no
#   credentials. A role created later under that name serves the association at once, whoever
#   creates it and whatever it may do. Roles are compared by account and name, ignoring case and
#   path, as IAM does.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html
# custom:
#   id: IRSA-062
#   severity: medium
#   recommended_action: |
#     Point the association at the role the workload should use (aws eks
#     update-pod-identity-association), create the role, or delete the association.
#   bad_example: |
#     {"association": {"namespace": "shop", "serviceAccount": "api",
#      "roleArn": "arn:aws:iam::111122223333:role/deleted-role"}}
#   good_example: |
#     {"association": {"namespace": "shop", "serviceAccount": "api",
#      "roleArn": "arn:aws:iam::111122223333:role/shop-api"}}
package irsa_audit.rules.workload.pod_identity_missing_role

import data.irsa_audit.lib.workload

deny contains finding if {
	some f in workload.pod_identity
	some which, r in _roles(f)
	r.status in {"missing", "invalid"}
	p := input.pod_identity_associations[f.association]
	finding := {
		"msg": sprintf(
			"Pod Identity association %s of ServiceAccount %s names %s %s, %s: its pods get no credentials",
			[workload.association_id(p), workload.service_account(p), which, r.arn, _why(r)],
		),
		"resource": workload.resource(p),
		"path": ["pod_identity_associations", f.association],
		"related": [{"kind": "role", "id": r.arn}],
	}
}

_roles(f) := {"role": f.role, "target role": f.target} if f.target

_roles(f) := {"role": f.role} if not f.target

_why(r) := "which does not exist in its account" if r.status == "missing"

_why(r) := "which is not an IAM role ARN" if r.status == "invalid"
