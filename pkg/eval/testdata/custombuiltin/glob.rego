# METADATA
# title: Role names matching a pattern
# custom:
#   id: ACME-100
#   severity: low
package acme.glob

deny contains finding if {
	some i, role in input.roles
	iam.glob_match("arn:aws:iam::*:role/legacy-?", role.arn)
	finding := {"msg": sprintf("legacy role %s", [role.arn]), "resource": {"kind": "role", "id": role.arn}, "path": ["roles", i]}
}
