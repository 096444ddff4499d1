# METADATA
# title: Cluster issuer not registered in the account of the roles its ServiceAccounts use
# description: |
#   ServiceAccounts of a cluster name roles in an account whose IAM OIDC providers were
#   inventoried in full, and none of those providers is for the cluster's OIDC issuer. STS looks
#   the token's issuer up among the providers of the role's account, so every pod of those
#   ServiceAccounts fails with "InvalidIdentityToken: No OpenIDConnect provider found in your
#   account", whatever the roles' trust policies say. With cross-account IRSA the issuer must be
#   registered in the account of the role, not only in the cluster's.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html
# custom:
#   id: IRSA-024
#   severity: high
#   recommended_action: |
#     Register the cluster's issuer as an IAM OIDC provider (audience sts.amazonaws.com) in the
#     account of the roles: eksctl utils associate-iam-oidc-provider --cluster <name> --approve, or
#     aws iam create-open-id-connect-provider --url https://<issuer> --client-id-list sts.amazonaws.com.
#   bad_example: |
#     Cluster prod, issuer oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE; ServiceAccount
#     payments/payments-app annotated with arn:aws:iam::444455556666:role/payments-app; account
#     444455556666 has no OIDC provider for that issuer.
#   good_example: |
#     Account 444455556666 has the provider
#     arn:aws:iam::444455556666:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE.
package irsa_audit.rules.inventory.cluster_issuer_unregistered

import data.irsa_audit.lib.bindings
import data.irsa_audit.lib.irsa

# _max_related caps the ServiceAccounts listed in a finding; the message gives the count.
_max_related := 10

deny contains finding if {
	some k, cluster in input.clusters

	# Values known only after apply (symbols) may be equal once deployed.
	not _unknown(cluster, {"issuer", "id"})
	issuer := iam.normalize_issuer(object.get(cluster, "issuer", ""))
	issuer != ""
	some users in bindings.role_users[cluster.id]
	account := users.account
	account in _complete_accounts
	not account in _unknown_provider_accounts
	not concat("|", [account, lower(issuer)]) in _registered
	partition := users.partition
	ids := sort([irsa.service_account_id(input.service_accounts[i]) | some i in users.service_accounts])
	provider := sprintf("arn:%s:iam::%s:oidc-provider/%s", [partition, account, issuer])
	finding := {
		"msg": sprintf(
			"cluster %s's issuer %s is not registered as an IAM OIDC provider in account %s, yet %d of its ServiceAccounts name roles there (%s): their pods get InvalidIdentityToken (No OpenIDConnect provider found in your account)",
			[cluster.id, issuer, account, count(ids), concat(", ", array.slice(ids, 0, 3))],
		),
		"resource": {"kind": "cluster", "id": cluster.id},
		"path": ["clusters", k],
		"related": array.concat(
			[{"kind": "account", "id": account}, {"kind": "oidc_provider", "id": provider}],
			[{"kind": "service_account", "id": id} | some id in array.slice(ids, 0, _max_related)],
		),
	}
}

# _complete_accounts are the accounts whose OIDC provider list is complete.
_complete_accounts := {a.id | some a in input.accounts; a.inventory.oidc_providers == true}

# _registered holds "<account>|<lower-case issuer>" for every registered provider.
_registered := {concat("|", [parts.account, lower(parts.issuer)]) |
	some p in input.oidc_providers
	parts := iam.parse_oidc_provider_arn(p.arn)
}

_unknown(item, fields) if {
	some field in object.get(item, "unknown", [])
	field in fields
}

# _unknown_provider_accounts are the accounts with a provider whose ARN or issuer is known only
# after apply: it may be the cluster's.
_unknown_provider_accounts := {p.account_id |
	some p in input.oidc_providers
	_unknown(p, {"arn", "issuer"})
}
