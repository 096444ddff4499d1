# Package irsa holds helpers of the ACME rules. It has no METADATA and no deny, so it is not a
# rule.
package acme.lib.irsa

# web_identity_role is true when a statement of the role's trust policy allows
# sts:AssumeRoleWithWebIdentity.
web_identity_role(role) if {
	some statement in role.trust_policy.statements
	statement.effect == "Allow"
	"sts:AssumeRoleWithWebIdentity" in statement.actions
}
