# METADATA
# title: Secrets readable on every resource
# description: |
#   An Allow statement grants secretsmanager:GetSecretValue, ssm:GetParameter* or kms:Decrypt
#   on every resource of its type: "*", or an ARN pattern that covers every secret, parameter or
#   key, such as "arn:aws:secretsmanager:*:*:secret:*" or "arn:aws:ssm:*:*:parameter*"
#   ("arn:aws:kms:*:*:alias/*" names no key, so it grants no kms:Decrypt), explicitly or through
#   a wildcard. A pod holding it reads every secret, parameter or KMS-encrypted value of the
#   account, not only its own. Medium when conditions scope the grant to tagged resources or a
#   network.
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

import data.irsa_audit.lib.grants

deny contains finding if {
	some holder in input.permissions.holders
	some grant in holder.grants
	facts := input.permissions.facts[grant.facts]
	not facts.admin
	actions := facts.secrets_read
	finding := object.union(
		{
			"msg": sprintf(
				"%s grants%s %s on every resource, so every secret it covers can be read%s%s",
				[grants.where(grant, facts), grants.to(holder), grants.names(actions), grants.condition(facts), grants.reach(holder)],
			),
			"key": "secrets_read",
			"resource": holder.resource,
			"path": grant.path,
			"related": grant.related,
		},
		grants.severity(facts, "medium"),
	)
}
