# METADATA
# title: Role unused for 90 days
# description: The role was last used more than 90 days before the evaluation time.
# related_resources:
#   - ref: https://example.com/docs/IRSA-904
#     description: documentation
# custom:
#   id: IRSA-904
#   severity: info
#   recommended_action: Delete the role if nothing uses it.
#   bad_example: 'last_used: 2020-01-01T00:00:00Z'
#   good_example: 'last_used: yesterday'
package irsa_audit.rules.roles.stale

_ninety_days_ns := ((90 * 24) * 3600) * 1000000000

deny contains finding if {
	some i, r in input.roles
	r.last_used != ""
	time.now_ns() - time.parse_rfc3339_ns(r.last_used) > _ninety_days_ns
	finding := {
		"msg": sprintf("role %s was last used on %s", [r.name, r.last_used]),
		"resource": {"kind": "role", "id": r.arn},
		"path": ["roles", i, "last_used"],
	}
}
