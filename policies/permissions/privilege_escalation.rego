# METADATA
# title: Privilege-escalation permissions
# description: |
#   The permissions include an action that yields more permissions: iam:CreatePolicyVersion,
#   iam:SetDefaultPolicyVersion, iam:Attach*Policy, iam:Put*Policy, iam:UpdateAssumeRolePolicy,
#   iam:Put/DeleteRolePermissionsBoundary, iam:Put/DeleteUserPermissionsBoundary,
#   iam:AddUserToGroup, iam:CreateAccessKey, iam:CreateLoginProfile, iam:UpdateLoginProfile on
#   resources of their type; iam:PassRole or sts:AssumeRole on every role; iam:PassRole
#   together with an action that runs code as the passed role (lambda:CreateFunction,
#   ec2:RunInstances, ecs:RunTask, glue:CreateDevEndpoint, cloudformation:CreateStack, ...) in a
#   service the role may be passed to (iam:PassedToService); iam:UpdateAssumeRolePolicy together
#   with sts:AssumeRole on a role it can rewrite. A pod holding them can make itself an
#   administrator. iam:PassRole limited to services that run no code of the caller's choosing
#   (DAX, Application Auto Scaling, ...) escalates nothing; a combination limited to named roles
#   is medium (it gains their permissions), and one of named roles passed to named services, as
#   recommended below, is not reported.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
# custom:
#   id: IRSA-034
#   severity: high
#   recommended_action: |
#     Remove IAM write actions from workload roles. Scope iam:PassRole to the one role the
#     workload must pass, with an iam:PassedToService condition, and sts:AssumeRole to the roles
#     it must assume.
#   bad_example: |
#     {"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction"], "Resource": "*"}
#   good_example: |
#     {"Effect": "Allow", "Action": "iam:PassRole",
#      "Resource": "arn:aws:iam::111122223333:role/report-lambda",
#      "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}
package irsa_audit.rules.permissions.privilege_escalation

import data.irsa_audit.lib.grants

deny contains finding if {
	some holder in input.permissions.holders
	some grant in holder.grants
	facts := input.permissions.facts[grant.facts]
	not facts.admin
	actions := facts.privilege_escalation
	finding := object.union(
		{
			"msg": sprintf(
				"%s grants%s privilege-escalation actions: %s%s%s%s",
				[grants.where(grant, facts), grants.to(holder), grants.names(actions), _pass_to(facts), grants.condition(facts), grants.reach(holder)],
			),
			"key": "privilege_escalation",
			"resource": holder.resource,
			"path": grant.path,
			"related": grant.related,
		},
		grants.severity(facts, "medium"),
	)
}

# _pass_to names the services an escalating iam:PassRole may pass roles to, when its statement
# restricts them (iam:PassedToService) to some that run code of the caller's choosing.
_pass_to(facts) := sprintf(" (roles passed only to %s)", [concat(", ", facts.pass_role_services)]) if {
	count(object.get(facts, "pass_role_services", [])) > 0
} else := ""

deny contains finding if {
	some holder in input.permissions.holders
	some combo in holder.escalation_combos
	combo.kind == "pass_role"
	finding := object.union(
		{
			"msg": sprintf(
				"%s grants%s iam:PassRole%s%s, and with %s %s can be passed to code that runs as it%s%s",
				[
					combo.policy, grants.to(holder), _roles(combo), _services(combo), concat(", ", combo.with),
					_passed(combo), _scope(combo), grants.reach(holder),
				],
			),
			"key": "combo:pass_role",
			"resource": holder.resource,
			"path": combo.path,
			"related": combo.related,
		},
		_bounded(combo),
	)
}

deny contains finding if {
	some holder in input.permissions.holders
	some combo in holder.escalation_combos
	combo.kind == "update_trust"
	finding := {
		"msg": sprintf(
			"%s grants%s iam:UpdateAssumeRolePolicy, and with %s on the roles it can rewrite it can make such a role trust it and assume it%s",
			[combo.policy, grants.to(holder), concat(", ", combo.with), grants.reach(holder)],
		),
		"key": "combo:update_trust",
		"resource": holder.resource,
		"path": combo.path,
		"related": combo.related,
	}
}

_roles(combo) := sprintf(" on %s only", [concat(", ", combo.roles)]) if {
	count(object.get(combo, "roles", [])) > 0
} else := ""

_services(combo) := sprintf(" to %s", [concat(", ", combo.services)]) if {
	count(object.get(combo, "services", [])) > 0
} else := ""

_passed(combo) := "that role" if {
	count(object.get(combo, "roles", [])) == 1
} else := "those roles" if {
	count(object.get(combo, "roles", [])) > 1
} else := "a role"

_scope(combo) := sprintf(" (only where %s)", [concat(" and ", combo.scoped)]) if {
	count(object.get(combo, "scoped", [])) > 0
} else := ""

# _bounded lowers a combination limited to named roles (what they can do is all it gains) or
# scoped by conditions.
_bounded(combo) := {"severity": "medium"} if {
	count(object.get(combo, "roles", [])) + count(object.get(combo, "scoped", [])) > 0
} else := {}
