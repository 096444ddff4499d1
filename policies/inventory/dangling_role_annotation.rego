# METADATA
# title: ServiceAccount names a role that does not exist
# description: |
#   A ServiceAccount's eks.amazonaws.com/role-arn annotation names a role in an account whose
#   roles were inventoried in full, and the account has no role of that name. Pods running as
#   the ServiceAccount get AccessDenied from sts:AssumeRoleWithWebIdentity. A role that is
#   created later under that name is trusted by the cluster at once, whoever creates it. Roles
#   are compared by account and name, ignoring case (IAM role names are unique regardless of
#   case) and path, so a role that exists under another path or spelling is not reported.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# custom:
#   id: IRSA-021
#   severity: medium
#   recommended_action: |
#     Point the annotation at the role the workload should use, create the role with a trust
#     policy for this ServiceAccount, or remove the annotation if the workload needs no AWS access.
#   bad_example: |
#     metadata:
#       annotations:
#         eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/deleted-role
#     (aws iam get-role --role-name deleted-role: NoSuchEntity)
#   good_example: |
#     metadata:
#       annotations:
#         eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/payments-app
#     (the role exists and trusts system:serviceaccount:payments:payments-app)
package irsa_audit.rules.inventory.dangling_role_annotation

import data.irsa_audit.lib.bindings
import data.irsa_audit.lib.irsa

deny contains finding if {
	some i in bindings.dangling
	parts := bindings.role_arn_parts[i]
	parts.account in _complete_accounts
	not bindings.role_key[i] in _unparsed_role_keys
	sa := input.service_accounts[i]
	arn := sa.role_arn
	finding := {
		"msg": sprintf(
			"ServiceAccount %s names role %s, but account %s has no role named %s: its pods get AccessDenied",
			[irsa.service_account_id(sa), arn, parts.account, parts.name],
		),
		"resource": {"kind": "service_account", "id": irsa.service_account_id(sa)},
		"path": ["service_accounts", i, "role_arn"],
		"related": [{"kind": "account", "id": parts.account}],
	}
}

# _complete_accounts are the accounts whose role list is complete.
_complete_accounts := {a.id | some a in input.accounts; a.inventory.roles == true}

# _unparsed_role_keys holds "<account>/<lower-case name>" of the roles whose ARN is no IAM role
# ARN, from their account_id and name; the other roles are in bindings.roles_by_key.
_unparsed_role_keys := {concat("/", [role.account_id, lower(role.name)]) |
	some r in bindings.unparsed_roles
	role := input.roles[r]
}
