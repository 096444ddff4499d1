# METADATA
# title: S3 write or permissions management granted through a wildcard
# description: |
#   An Allow statement grants S3 actions of access level Write or Permissions management through
#   a wildcard action such as "s3:*", "s3:Put*", "s3:Delete*" or "s3:*Object". A wildcard grants
#   every matching action AWS has or will add: deleting objects and buckets, replacing bucket
#   policies and ACLs, turning off public access blocks. The action catalog expands the wildcard
#   to the actions it grants today that apply to the statement's resources, after Deny statements
#   and the permissions boundary. Medium when conditions scope the grant to tagged resources or
#   a network (the finding says which); conditions that cannot be decided are named.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
# custom:
#   id: IRSA-030
#   severity: high
#   recommended_action: |
#     List the S3 actions the workload needs (e.g. "s3:GetObject", "s3:PutObject") instead of a
#     wildcard, and scope them to its bucket.
#   bad_example: |
#     {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::my-bucket/*"}
#   good_example: |
#     {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::my-bucket/*"}
package irsa_audit.rules.permissions.s3_wildcard_write

import data.irsa_audit.lib.grants

deny contains finding if {
	some holder in input.permissions.holders
	some grant in holder.grants
	facts := input.permissions.facts[grant.facts]
	not facts.admin
	some wildcard in facts.s3_wildcards
	finding := object.union(
		{
			"msg": sprintf(
				"the wildcard %q in %s grants%s %d S3 write and permissions-management actions: %s%s%s",
				[wildcard.pattern, grants.where(grant, facts), grants.to(holder), wildcard.actions.count, grants.names(wildcard.actions), grants.condition(facts), grants.reach(holder)],
			),
			"key": sprintf("wildcard:%s", [wildcard.pattern]),
			"resource": holder.resource,
			"path": grant.path,
			"related": grant.related,
		},
		grants.severity(facts, "medium"),
	)
}
