# METADATA
# title: Trust policy names an OIDC provider that is not registered
# description: |
#   A role's trust policy allows a federated principal that is an IAM OIDC provider ARN, but the
#   role's account has no such provider (its provider list was inventoried in full). STS matches a
#   web-identity token only to a provider registered in the role's own account, so the statement
#   can never be used: pods (or CI jobs, for a CI platform's issuer) get InvalidIdentityToken or
#   AccessDenied. A provider ARN of another
#   account is never registered in the role's account. A stale ARN is also a latent risk: whoever
#   later registers that issuer in the account is trusted at once.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html
# custom:
#   id: IRSA-007
#   severity: high
#   recommended_action: |
#     Register the cluster's issuer as an IAM OIDC provider in the role's account
#     (eksctl utils associate-iam-oidc-provider, or aws iam create-open-id-connect-provider), or
#     point the Federated principal at the provider that is registered for the cluster.
#   bad_example: |
#     {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/DELETED"},
#      "Action": "sts:AssumeRoleWithWebIdentity"}
#     (aws iam list-open-id-connect-providers shows no such provider)
#   good_example: |
#     {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},
#      "Action": "sts:AssumeRoleWithWebIdentity"}
#     (the provider is listed by aws iam list-open-id-connect-providers)
package irsa_audit.rules.inventory.unregistered_oidc_provider

import data.irsa_audit.lib.bindings

# bindings.unregistered lists the Federated principals of Allow trust statements that are no
# provider registered in the role's account (IAM compares provider ARNs exactly, as STS does when
# it admits a token): nearly every provider is registered, so the rule looks at a few.
deny contains finding if {
	some ref in bindings.unregistered
	account := ref.account
	account in _complete_accounts
	i := ref.role
	j := ref.statement
	role := input.roles[i]
	statement := role.trust_policy.statements[j]
	provider := ref.provider

	# A value known only after apply (a symbol) may name a registered provider.
	not "principal" in object.get(statement, "unknown", [])
	not _unknown(role, {"arn", "account_id"})
	not account in _unknown_provider_accounts
	parts := iam.parse_oidc_provider_arn(provider)
	finding := {
		"msg": concat("", [_msg(role.arn, provider, parts, account), _case_clause(account, provider)]),
		"resource": {"kind": "role", "id": role.arn},
		"path": ["roles", i, "trust_policy", "statements", j],
		"related": [{"kind": "oidc_provider", "id": provider}],
	}
}

_msg(role, provider, parts, account) := sprintf(
	"role %s trusts OIDC provider %s, which is not registered in account %s: no token is accepted through it",
	[role, provider, account],
) if {
	parts.account == account
}

_msg(role, provider, parts, account) := sprintf(
	"role %s trusts OIDC provider %s of account %s, but STS only uses providers registered in the role's own account %s: no token is accepted through it",
	[role, provider, parts.account, account],
) if {
	parts.account != account
}

# _complete_accounts are the accounts whose OIDC provider list is complete.
_complete_accounts := {a.id | some a in input.accounts; a.inventory.oidc_providers == true}

# _registered_lower holds "<account>|<lower-case provider ARN>" for every registered provider, to
# say when only the case differs.
_registered_lower := {concat("|", [_provider_account(p), lower(p.arn)]) | some p in input.oidc_providers}

_case_clause(account, provider) := concat("", [
	" (a provider whose ARN differs only in case is registered, but IAM compares provider ARNs ",
	"exactly)",
]) if {
	concat("|", [account, lower(provider)]) in _registered_lower
} else := ""

# _unknown_provider_accounts are the accounts with a registered provider whose ARN or account is
# known only after apply.
_unknown_provider_accounts := {_provider_account(p) |
	some p in input.oidc_providers
	_unknown(p, {"arn", "account_id"})
}

_unknown(item, fields) if {
	some field in object.get(item, "unknown", [])
	field in fields
}

_provider_account(p) := p.account_id if p.account_id != ""

_provider_account(p) := iam.parse_oidc_provider_arn(p.arn).account if object.get(p, "account_id", "") == ""
