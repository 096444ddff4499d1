# METADATA
# title: S3 permissions management granted
# description: |
#   An Allow statement grants S3 actions of access level Permissions management, explicitly or
#   through a wildcard: s3:PutBucketPolicy, s3:DeleteBucketPolicy, s3:PutBucketAcl,
#   s3:PutObjectAcl, s3:PutBucketPublicAccessBlock, s3:PutBucketOwnershipControls and the like.
#   They let the holder change who else can reach the data, up to making a bucket public. Low
#   when conditions scope the grant to tagged resources or a network.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
# custom:
#   id: IRSA-035
#   severity: medium
#   recommended_action: |
#     Leave bucket policies, ACLs and public access blocks to the infrastructure pipeline; grant
#     workloads only the object and bucket actions they use.
#   bad_example: |
#     {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutBucketPolicy"], "Resource": ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"]}
#   good_example: |
#     {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}
package irsa_audit.rules.permissions.s3_permissions_management

import data.irsa_audit.lib.grants

deny contains finding if {
	some holder in input.permissions.holders
	some grant in holder.grants
	facts := input.permissions.facts[grant.facts]
	not facts.admin
	actions := facts.s3_permissions_management
	finding := object.union(
		{
			"msg": sprintf(
				"%s grants%s %d S3 permissions-management actions (bucket policies, ACLs, public access blocks): %s%s%s",
				[grants.where(grant, facts), grants.to(holder), actions.count, grants.names(actions), grants.condition(facts), grants.reach(holder)],
			),
			"key": "s3_permissions_management",
			"resource": holder.resource,
			"path": grant.path,
			"related": grant.related,
		},
		grants.severity(facts, "low"),
	)
}
