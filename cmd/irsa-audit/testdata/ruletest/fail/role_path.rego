# METADATA
# title: IRSA role outside the /irsa/ path
# description: Roles used by ServiceAccounts must live under /irsa/ so that SCPs can scope them.
# custom:
#   id: ACME-200
#   severity: low
package acme.rules.role_path

deny contains finding if {
	some i, sa in input.service_accounts
	role := iam.parse_role_arn(sa.role_arn)
	not startswith(role.path, "/irsa/")
	finding := {
		"msg": sprintf("ServiceAccount %s/%s uses role %s in path %s, not under /irsa/", [sa.namespace, sa.name, role.name, role.path]),
		"resource": {"kind": "service_account", "id": concat("/", [sa.namespace, sa.name])},
		"path": ["service_accounts", i, "role_arn"],
	}
}
