# METADATA
# title: S3 actions on every bucket or object
# description: |
#   An Allow statement grants S3 actions on "*", "arn:aws:s3:::*" or "arn:aws:s3:::*/*", or on
#   every bucket but some (NotResource): every bucket or object of every account that does not
#   refuse it, not only the workload's own. A compromised pod can then read or change data far
#   outside its purpose. Only actions on buckets or objects count (s3:ListAllMyBuckets and other
#   account-level actions are on no bucket); a Deny with NotResource that keeps them on named
#   buckets takes them out. Medium when conditions scope the grant to tagged resources or a
#   network.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html
# custom:
#   id: IRSA-031
#   severity: high
#   recommended_action: |
#     Name the buckets (arn:aws:s3:::my-bucket) and object prefixes
#     (arn:aws:s3:::my-bucket/prefix/*) the workload uses.
#   bad_example: |
#     {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*"}
#   good_example: |
#     {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/reports/*"}
package irsa_audit.rules.permissions.s3_all_buckets

import data.irsa_audit.lib.grants

deny contains finding if {
	some holder in input.permissions.holders
	some grant in holder.grants
	facts := input.permissions.facts[grant.facts]
	not facts.admin
	count(object.get(facts, "s3_all_resources", [])) > 0
	finding := object.union(
		{
			"msg": sprintf(
				"%s grants%s %d S3 actions on every bucket or object %s: %s%s%s",
				[grants.where(grant, facts), grants.to(holder), facts.s3.count, _which(facts), grants.names(facts.s3), grants.condition(facts), grants.reach(holder)],
			),
			"key": "s3_all_resources",
			"resource": holder.resource,
			"path": grant.path,
			"related": grant.related,
		},
		grants.severity(facts, "medium"),
	)
}

# _which quotes the resources that name every bucket or object; for a NotResource statement, the
# ones it leaves out.
_which(facts) := sprintf("except %s", [_quoted(facts.s3_all_resources)]) if {
	facts.not_resource
} else := sprintf("(%s)", [_quoted(facts.s3_all_resources)])

_quoted(resources) := concat(", ", [sprintf("%q", [r]) | some r in resources])
