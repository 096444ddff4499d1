# METADATA
# title: Trust policy open to every AWS principal
# description: |
#   Next to (or instead of) its web-identity trust, the trust policy allows "Principal": "*" or an
#   AWS principal with a wildcard to assume the role, with no condition on the caller's account,
#   organization or ARN. Any AWS identity in any account can then assume the role directly and
#   bypass the ServiceAccount restriction entirely.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
# custom:
#   id: IRSA-009
#   severity: critical
#   recommended_action: |
#     Remove the statement, or name the trusted accounts or roles in Principal.AWS; if a wildcard
#     is unavoidable, add a condition on aws:PrincipalOrgID, aws:PrincipalAccount or
#     aws:PrincipalArn.
#   bad_example: |
#     {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
#   good_example: |
#     {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/deployer"},
#      "Action": "sts:AssumeRole"}
package irsa_audit.rules.trust.public_principal

import data.irsa_audit.lib.irsa

_guard_keys := {
	"aws:principalaccount",
	"aws:principalorgid",
	"aws:principalarn",
	"aws:sourceaccount",
	"aws:sourcearn",
	"sts:externalid",
}

_assume_actions := ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"]

deny contains finding if {
	some n in irsa.wildcard_principals
	ts := irsa.trust_statements[n]
	ts.statement.effect == "Allow"
	principal := ts.statement.principal
	some who in _public(principal)
	some action in _assume_actions
	irsa.covers_action(ts.statement, action)
	not _guarded(irsa.conditions(ts.statement))
	finding := {
		"msg": sprintf(
			"statement lets %s assume the role without a condition on aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn or sts:ExternalId",
			[who],
		),
		"resource": ts.resource,
		"path": ts.path,
	}
}

# _public describes the wildcard principals of a statement's Principal.
# _maybe_public is a quick test for the principals _public may name: IRSA statements name only
# Federated principals.
_public(principal) := {`any principal ("Principal": "*")` | principal.wildcard == true} | {who |
	some arn in object.get(principal, "aws", [])
	contains(arn, "*")
	who := sprintf("any principal matching AWS %q", [arn])
}

# A guard restricts the caller to the values it names: a negated operator (StringNotEquals
# aws:PrincipalAccount) leaves every other account in, and Null only asks for the key.
_guarded(entries) if {
	some condition in entries
	lower(condition.key) in _guard_keys
	not condition.negated
	condition.base_operator != "Null"
}
