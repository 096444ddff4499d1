# METADATA
# title: Role used by ServiceAccounts in several namespaces
# description: |
#   ServiceAccounts in more than one namespace name the same role, and its trust policy admits
#   each of them (evaluated as IAM does, with the token of the ServiceAccount's cluster). A
#   namespace is the usual tenancy boundary in a cluster: sharing one role across namespaces gives
#   every team the union of the permissions any of them needs, and whoever can create pods in one
#   namespace acts with the credentials used by the others. Namespaces are compared by name, so
#   the same namespace in two clusters counts once.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
# custom:
#   id: IRSA-025
#   severity: low
#   recommended_action: |
#     Give each namespace (each workload) its own role with only the permissions it needs, and
#     narrow every role's trust policy to the exact ServiceAccounts that use it.
#   bad_example: |
#     ServiceAccounts payments/app and billing/app both annotated with
#     arn:aws:iam::111122223333:role/shared-app, whose trust admits system:serviceaccount:*:app.
#   good_example: |
#     payments/app uses role payments-app and billing/app uses role billing-app, each trusting
#     only its own subject.
package irsa_audit.rules.inventory.role_shared_across_namespaces

import data.irsa_audit.lib.bindings
import data.irsa_audit.lib.irsa

deny contains finding if {
	some key, namers in bindings.namers
	count(namers) > 1
	count({input.service_accounts[i].namespace | some i in namers}) > 1
	some r in bindings.roles_by_key[key]
	role := input.roles[r]
	users := {i | some i in namers; [i, r] in _admitted}
	namespaces := {input.service_accounts[i].namespace | some i in users}
	count(namespaces) > 1
	ids := sort([irsa.service_account_id(input.service_accounts[i]) | some i in users])
	finding := {
		"msg": sprintf(
			"role %s is admitted and used by %d ServiceAccounts in %d namespaces: %s",
			[role.arn, count(ids), count(namespaces), _list(sort(namespaces))],
		),
		"resource": {"kind": "role", "id": role.arn},
		"path": ["roles", r],
		"related": [{"kind": "service_account", "id": id} | some id in array.slice(ids, 0, _max_related)],
	}
}

# _max_related caps the ServiceAccounts listed in a finding, _max_listed the namespaces named in
# its message.
_max_related := 20

_max_listed := 10

_list(names) := concat(", ", names) if count(names) <= _max_listed

_list(names) := sprintf("%s and %d more", [concat(", ", array.slice(names, 0, _max_listed)), count(names) - _max_listed]) if {
	count(names) > _max_listed
}

# _admitted is true when the role's trust admits the token of the ServiceAccount's cluster. Only
# roles named from several namespaces (bindings.namers) go through this (costlier) evaluation.
# _admitted holds [ServiceAccount index, role index] of every binding whose token the role's
# trust policy admits (through some cluster of the ServiceAccount).
_admitted := {[binding.service_account, binding.role] |
	some binding in bindings.verdicts
	binding.verdict == "admitted"
}
