# Package workload names what the workload identity rules (policies/workload) talk about. The
# rules read pkg/workload's facts at input.workload_identity; nothing here derives them.
package irsa_audit.lib.workload

# pod_identity are the facts of every Pod Identity association (none without the facts).
pod_identity := object.get(input, ["workload_identity", "pod_identity"], [])

# pod_identity_roles are the facts of every role whose trust names the Pod Identity agent.
pod_identity_roles := object.get(input, ["workload_identity", "pod_identity_roles"], [])

# association_id identifies an association by its ARN, else by its cluster, namespace and
# ServiceAccount (an association eksctl or Terraform has yet to create has no ARN).
association_id(p) := p.arn if {
	object.get(p, "arn", "") != ""
	not contains(p.arn, "«")
} else := sprintf("%s/%s/%s", [p.cluster, p.namespace, p.service_account])

# service_account names the association's ServiceAccount and cluster.
service_account(p) := sprintf("%s/%s in cluster %s", [p.namespace, p.service_account, p.cluster])

# resource is the finding resource of an association.
resource(p) := {"kind": "pod_identity_association", "id": association_id(p)}

# role names the association's role; a list export's summary does not show it.
role(p) := sprintf("role %s", [p.role_arn]) if {
	object.get(p, "role_arn", "") != ""
} else := "a role the export does not show (aws eks list-pod-identity-associations names none)"

# ci are the facts of every trust policy that trusts a CI platform's OIDC provider.
ci := object.get(input, ["workload_identity", "ci"], [])

# other_oidc are the trusts in OIDC issuers that are neither Kubernetes nor a known CI platform
# and admit a token of any subject.
other_oidc := object.get(input, ["workload_identity", "other_oidc"], [])

# calling words the reusable workflows a CI trust pins (GitHub's job_workflow_ref) for the
# repositories it admits: " that calls reusable workflow <w>", "" when it pins none. Any
# repository whose job calls such a workflow gets a token that carries it.
calling(t) := sprintf(" that calls reusable workflow %s", [concat(" or ", t.workflows)]) if {
	count(object.get(t, "workflows", [])) > 0
} else := ""
