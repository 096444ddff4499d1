# METADATA
# title: Secrets readable on every resource
# description: |
#   An Allow statement grants secretsmanager:GetSecretValue, ssm:GetParameter* or kms:Decrypt
#   on every resource of the service ("*", or an ARN such as
#   "arn:aws:secretsmanager:*:*:secret:*"), explicitly or through a wildcard. A pod holding it
#   reads every secret, parameter or KMS-encrypted value of the account, not only its own.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html
# custom:
#   id: IRSA-037
#   severity: high
#   recommended_action: |
#     Scope the actions to the workload's own secrets, parameters and keys, e.g.
#     "arn:aws:secretsmanager:us-east-1:111122223333:secret:orders/db-*".
#   bad_example: |
#     {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
#   good_example: |
#     {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
#      "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:orders/db-*"}
package irsa_audit.rules.permissions.secrets_read_all

deny contains finding if {
	some holder in input.permissions.holders
	some grant in holder.grants
	facts := input.permissions.facts[grant.facts]
	not facts.admin
	actions := facts.secrets_read
	finding := {
		"msg": sprintf(
			"%s grants%s %s on every resource, so every secret it covers can be read%s",
			[_where(grant, facts), _to(holder), _names(actions), _reach(holder)],
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
