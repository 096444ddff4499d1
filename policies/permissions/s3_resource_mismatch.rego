# METADATA
# title: S3 action that matches none of its statement's resources
# description: |
#   An Allow statement lists an S3 action whose resource types none of the statement's
#   resources can name: an object action (s3:GetObject, s3:PutObject, ...) only on bucket ARNs
#   (arn:aws:s3:::my-bucket), or a bucket action (s3:ListBucket, ...) only on object ARNs
#   (arn:aws:s3:::my-bucket/*). The action grants nothing. It is usually a typo that hides what
#   the statement was meant to allow, and the workload fails with AccessDenied.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
# custom:
#   id: IRSA-036
#   severity: low
#   recommended_action: |
#     Give object actions the object ARN (arn:aws:s3:::my-bucket/*) and bucket actions the bucket
#     ARN (arn:aws:s3:::my-bucket), in separate statements or one statement with both.
#   bad_example: |
#     {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::my-bucket"}
#   good_example: |
#     {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
#      "Resource": ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"]}
package irsa_audit.rules.permissions.s3_resource_mismatch

import data.irsa_audit.lib.grants

deny contains finding if {
	some holder in input.permissions.holders
	some grant in holder.grants
	facts := input.permissions.facts[grant.facts]
	some unmatched in facts.s3_unmatched
	finding := {
		"msg": sprintf(
			"%s in %s applies only to %s resources, and none of the statement's resources (%s) is one: it grants nothing",
			[unmatched.action, grants.where(grant, facts), concat("/", unmatched.resource_types), _quoted(unmatched.resources)],
		),
		"key": sprintf("unmatched:%s", [unmatched.action]),
		"resource": holder.resource,
		"path": grant.path,
		"related": grant.related,
	}
}

_quoted(resources) := concat(", ", [sprintf("%q", [r]) | some r in resources])
