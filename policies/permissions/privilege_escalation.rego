# METADATA
# title: Privilege-escalation permissions
# description: |
#   The permissions include an action that yields more permissions: iam:CreatePolicyVersion,
#   iam:SetDefaultPolicyVersion, iam:Attach*Policy, iam:Put*Policy, iam:UpdateAssumeRolePolicy,
#   iam:CreateAccessKey, iam:CreateLoginProfile, iam:UpdateLoginProfile, iam:PassRole or
#   sts:AssumeRole on every role, or iam:PassRole together with an action that runs code as the
#   passed role (lambda:CreateFunction, ec2:RunInstances, ecs:RunTask, glue:CreateDevEndpoint,
#   cloudformation:CreateStack, ...). A pod holding them can make itself an administrator.
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
	finding := {
		"msg": sprintf(
			"%s grants%s privilege-escalation actions: %s%s",
			[grants.where(grant, facts), grants.to(holder), grants.names(actions), grants.reach(holder)],
		),
		"resource": holder.resource,
		"path": grant.path,
		"related": grant.related,
	}
}

deny contains finding if {
	some holder in input.permissions.holders
	some combo in holder.escalation_combos
	finding := {
		"msg": sprintf(
			"%s grants%s iam:PassRole, and with %s a role can be passed to code that runs as it%s",
			[combo.policy, grants.to(holder), concat(", ", combo.with), grants.reach(holder)],
		),
		"resource": holder.resource,
		"path": combo.path,
		"related": combo.related,
	}
}
