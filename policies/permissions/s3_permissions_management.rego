# METADATA
# title: S3 permissions management granted
# description: |
#   An Allow statement grants S3 actions of access level Permissions management, explicitly or
#   through a wildcard: s3:PutBucketPolicy, s3:DeleteBucketPolicy, s3:PutBucketAcl,
#   s3:PutObjectAcl, s3:PutBucketPublicAccessBlock, s3:PutBucketOwnershipControls and the like.
#   They let the holder change who else can reach the data, up to making a bucket public.
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

deny contains finding if {
	some holder in input.permissions.holders
	some grant in holder.grants
	facts := input.permissions.facts[grant.facts]
	not facts.admin
	actions := facts.s3_permissions_management
	finding := {
		"msg": sprintf(
			"%s grants%s %d S3 permissions-management actions (bucket policies, ACLs, public access blocks): %s%s",
			[_where(grant, facts), _to(holder), actions.count, _names(actions), _reach(holder)],
		),
		"resource": holder.resource,
		"path": grant.path,
		"related": grant.related,
	}
}

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
