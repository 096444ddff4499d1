# METADATA
# title: Allow statement with NotAction or NotResource
# description: |
#   An Allow statement uses NotAction (it allows every action except those listed, including
#   every action AWS adds later) or NotResource (it applies to every resource except those
#   listed). Either makes the grant far wider than it reads, and it grows with AWS. Medium when
#   conditions scope the grant to tagged resources or a network.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
# custom:
#   id: IRSA-033
#   severity: high
#   recommended_action: |
#     Replace NotAction with the list of actions to allow and NotResource with the resources to
#     allow them on. Keep NotAction/NotResource for Deny statements, where they restrict.
#   bad_example: |
#     {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
#   good_example: |
#     {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::my-bucket/*"}
package irsa_audit.rules.permissions.not_action_resource

import data.irsa_audit.lib.grants

deny contains finding if {
	some holder in input.permissions.holders
	some grant in holder.grants
	facts := input.permissions.facts[grant.facts]
	facts.not_action
	finding := object.union(
		{
			"msg": sprintf(
				"%s uses NotAction in an Allow statement, so it grants%s every action except %s: %d actions%s%s",
				[grants.where(grant, facts), grants.to(holder), _excluded(grant, "not_actions"), facts.actions.count, grants.condition(facts), grants.reach(holder)],
			),
			"key": "not_action",
			"resource": holder.resource,
			"path": grant.path,
			"related": grant.related,
		},
		grants.severity(facts, "medium"),
	)
}

deny contains finding if {
	some holder in input.permissions.holders
	some grant in holder.grants
	facts := input.permissions.facts[grant.facts]
	facts.not_resource
	finding := object.union(
		{
			"msg": sprintf(
				"%s uses NotResource in an Allow statement, so it grants%s %d actions on every resource except %s%s%s",
				[grants.where(grant, facts), grants.to(holder), facts.actions.count, _excluded(grant, "not_resources"), grants.condition(facts), grants.reach(holder)],
			),
			"key": "not_resource",
			"resource": holder.resource,
			"path": grant.path,
			"related": grant.related,
		},
		grants.severity(facts, "medium"),
	)
}

# _excluded quotes the NotAction or NotResource patterns of the statement the grant points at
# (a grant of an AWS managed policy known only by its ARN points at the attachment instead).
_excluded(grant, field) := concat(", ", [sprintf("%q", [p]) | some p in patterns]) if {
	patterns := object.get(input, array.concat(grant.path, [field]), [])
	count(patterns) > 0
} else := "the listed ones"
