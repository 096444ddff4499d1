# METADATA
# title: IRSA role without a team tag
# description: |
#   Every IAM role that a Kubernetes ServiceAccount can assume must carry a "team" tag, so that
#   the on-call team of a workload's cloud permissions is known.
# related_resources:
#   - ref: https://wiki.example.com/platform/tagging#team
#     description: documentation
# custom:
#   id: ACME-001
#   severity: medium
#   recommended_action: Tag the role with team=<owning team>.
#   bad_example: |
#     aws iam create-role --role-name app --assume-role-policy-document file://trust.json
#   good_example: |
#     aws iam create-role --role-name app --assume-role-policy-document file://trust.json \
#       --tags Key=team,Value=payments
package acme.rules.tagging.team_tag

import data.acme.lib.irsa

deny contains finding if {
	some i, role in input.roles
	irsa.web_identity_role(role)
	not role.tags.team
	finding := {
		"msg": sprintf("role %s can be assumed from Kubernetes but has no team tag", [role.name]),
		"resource": {"kind": "role", "id": role.arn},
		"path": ["roles", i],
	}
}
