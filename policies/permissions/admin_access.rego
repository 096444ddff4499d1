# METADATA
# title: Administrator-equivalent permissions
# description: |
#   An Allow statement grants every action on every resource ("Action": "*" or "*:*" with
#   "Resource": "*"), directly or through an attached policy such as AdministratorAccess, and no
#   Deny statement or permissions boundary takes anything away. Whoever can assume the role owns
#   the account. High when conditions scope the grant to tagged resources or a network.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
# custom:
#   id: IRSA-032
#   severity: critical
#   recommended_action: |
#     Detach AdministratorAccess (or remove the "*" statement) and grant the actions the workload
#     needs on its own resources; IAM Access Analyzer can generate a policy from its CloudTrail
#     activity.
#   bad_example: |
#     {"Effect": "Allow", "Action": "*", "Resource": "*"}
#   good_example: |
#     {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
#      "Resource": "arn:aws:sqs:us-east-1:111122223333:orders"}
package irsa_audit.rules.permissions.admin_access

import data.irsa_audit.lib.grants

deny contains finding if {
	some holder in input.permissions.holders
	some grant in holder.grants
	facts := input.permissions.facts[grant.facts]
	facts.admin
	finding := object.union(
		{
			"msg": sprintf(
				"%s grants%s every action on every resource (administrator access)%s%s",
				[grants.where(grant, facts), grants.to(holder), grants.condition(facts), grants.reach(holder)],
			),
			"key": "admin",
			"resource": holder.resource,
			"path": grant.path,
			"related": grant.related,
		},
		grants.severity(facts, "high"),
	)
}
