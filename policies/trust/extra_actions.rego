# METADATA
# title: OIDC trust allows more than AssumeRoleWithWebIdentity
# description: |
#   A statement that trusts an IAM OIDC provider allows actions other than
#   sts:AssumeRoleWithWebIdentity and sts:TagSession, a wildcard such as "sts:*" or "*", or uses
#   NotAction. A federated principal needs nothing else; the extra actions only widen what the
#   statement grants and hide what it was meant to do.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html
# custom:
#   id: IRSA-010
#   severity: medium
#   recommended_action: |
#     Set "Action" to "sts:AssumeRoleWithWebIdentity" (add "sts:TagSession" only if session tags
#     are used).
#   bad_example: |
#     {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"},
#      "Action": "sts:*"}
#   good_example: |
#     {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"},
#      "Action": "sts:AssumeRoleWithWebIdentity"}
package irsa_audit.rules.trust.extra_actions

import data.irsa_audit.lib.irsa

_needed := {"sts:assumerolewithwebidentity", "sts:tagsession"}

deny contains finding if {
	some n in irsa.other_actions
	os := irsa.oidc_statements[n]
	extra := {action |
		some action in os.statement.actions
		not lower(action) in _needed
	}
	count(extra) > 0
	finding := {
		"msg": sprintf(
			"statement trusting %s also allows %s; only sts:AssumeRoleWithWebIdentity and sts:TagSession are needed",
			[_quoted(object.keys(os.providers)), _quoted(extra)],
		),
		"resource": os.resource,
		"path": os.path,
	}
}

deny contains finding if {
	some n in irsa.other_actions
	os := irsa.oidc_statements[n]
	not_actions := os.statement.not_actions
	count(not_actions) > 0
	finding := {
		"msg": sprintf(
			"statement trusting %s uses NotAction, which allows every action except %s; only sts:AssumeRoleWithWebIdentity and sts:TagSession are needed",
			[_quoted(object.keys(os.providers)), _quoted(not_actions)],
		),
		"resource": os.resource,
		"path": os.path,
	}
}

_quoted(names) := concat(", ", [sprintf("%q", [name]) | some name in sort(names)])
