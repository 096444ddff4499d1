# METADATA
# title: S3 actions on every bucket or object
# description: |
#   An Allow statement grants S3 actions on "*", "arn:aws:s3:::*" or "arn:aws:s3:::*/*": every
#   bucket or object of every account that does not refuse it, not only the workload's own. A
#   compromised pod can then read or change data far outside its purpose.
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

deny contains finding if {
	some holder in input.permissions.holders
	some grant in holder.grants
	facts := input.permissions.facts[grant.facts]
	not facts.admin
	count(object.get(facts, "s3_all_resources", [])) > 0
	finding := {
		"msg": sprintf(
			"%s grants%s %d S3 actions on every bucket or object (%s): %s%s",
			[_where(grant, facts), _to(holder), facts.s3.count, _quoted(facts.s3_all_resources), _names(facts.s3), _reach(holder)],
		),
		"resource": holder.resource,
		"path": grant.path,
		"related": grant.related,
	}
}

_quoted(resources) := concat(", ", [sprintf("%q", [r]) | some r in resources])

# _to names who a grant is given to in messages: " to role <ARN>"; nothing for a policy file.
_to(holder) := sprintf(" to role %s", [holder.resource.id]) if holder.resource.kind == "role"

_to(holder) := "" if holder.resource.kind != "role"

# _where names the statement: `statement "<Sid>" of <policy>`, or the policy alone.
_where(grant, facts) := sprintf("statement %q of %s", [facts.sid, grant.policy]) if {
	object.get(facts, "sid", "") != ""
} else := grant.policy

# _names renders an action list of the analysis: its names, and how many more there are.
_names(list) := concat(", ", list.names) if count(list.names) >= list.count

_names(list) := sprintf("%s and %d more", [concat(", ", list.names), list.count - count(list.names)]) if {
	count(list.names) < list.count
}

# _reach names the ServiceAccounts that can assume the role through IRSA (from its trust policy).
_reach(holder) := sprintf("; it can be assumed through IRSA by %s", [concat(", ", holder.service_accounts)]) if {
	count(object.get(holder, "service_accounts", [])) > 0
} else := ""
