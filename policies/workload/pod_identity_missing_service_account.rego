# METADATA
# title: Pod Identity association for a ServiceAccount that does not exist
# description: |
#   An EKS Pod Identity association gives a role to a ServiceAccount that does not exist in its
#   cluster, whose ServiceAccounts were inventoried in full (EKS does not check the name when the
#   association is created). Whoever can create that ServiceAccount, or the namespace when it
#   does not exist either, gets the role's credentials in any pod that runs as it. A namespace
#   is taken to exist when it has a ServiceAccount (Kubernetes gives each one "default").
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html
# custom:
#   id: IRSA-063
#   severity: medium
#   recommended_action: |
#     Delete the association (aws eks delete-pod-identity-association), or create the
#     ServiceAccount it was meant for.
#   bad_example: |
#     {"association": {"namespace": "retired", "serviceAccount": "batch", "roleArn": "..."}}
#     (kubectl get serviceaccount -n retired batch: NotFound)
#   good_example: |
#     {"association": {"namespace": "shop", "serviceAccount": "api", "roleArn": "..."}}
#     (the ServiceAccount shop/api exists)
package irsa_audit.rules.workload.pod_identity_missing_service_account

import data.irsa_audit.lib.workload

deny contains finding if {
	some f in workload.pod_identity
	f.service_account == "missing"
	p := input.pod_identity_associations[f.association]
	finding := {
		"msg": sprintf(
			"Pod Identity association %s gives %s to ServiceAccount %s, which does not exist%s: whoever can create it gets the role's credentials",
			[workload.association_id(p), workload.role(p), workload.service_account(p), _namespace(f, p)],
		),
		"resource": workload.resource(p),
		"path": ["pod_identity_associations", f.association],
	}
}

_namespace(f, p) := sprintf(" (nor does namespace %s)", [p.namespace]) if f.namespace == "missing"

_namespace(f, _) := "" if f.namespace != "missing"
