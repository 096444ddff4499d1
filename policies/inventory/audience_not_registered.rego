# METADATA
# title: ServiceAccount audience not registered with the OIDC provider
# description: |
#   A ServiceAccount names a role whose trust policy names an IAM OIDC provider for the
#   ServiceAccount's cluster issuer, but the audience of the ServiceAccount's projected token
#   (the eks.amazonaws.com/audience annotation, sts.amazonaws.com by default) is not one of the
#   provider's client IDs. STS checks the token's aud claim against the provider's ClientIDList
#   before it reads the trust policy, so every pod of that ServiceAccount fails with
#   "InvalidIdentityToken: Incorrect token audience", whatever the trust policy says. The rule
#   needs the provider's client IDs (aws iam get-open-id-connect-provider, a live scan, or IaC).
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
# custom:
#   id: IRSA-027
#   severity: high
#   recommended_action: |
#     Add the audience to the provider's client IDs (aws iam add-client-id-to-open-id-connect-provider
#     --open-id-connect-provider-arn <arn> --client-id <audience>), or remove the
#     eks.amazonaws.com/audience annotation so that tokens carry sts.amazonaws.com.
#   bad_example: |
#     ServiceAccount payments/payments-app: eks.amazonaws.com/audience: payments.example.com;
#     the provider of its cluster's issuer has ClientIDList ["sts.amazonaws.com"].
#   good_example: |
#     The provider's ClientIDList is ["sts.amazonaws.com", "payments.example.com"], or the
#     ServiceAccount has no audience annotation.
package irsa_audit.rules.inventory.audience_not_registered

import data.irsa_audit.lib.irsa

_default_audience := "sts.amazonaws.com"

deny contains finding if {
	some i, sa in input.service_accounts
	role := iam.parse_role_arn(sa.role_arn)
	some issuer in _issuers[sa.cluster]
	some provider in _providers[[role.partition, role.account, lower(issuer)]]
	provider in _trusted[_role_key(role)]
	audience := _audience(sa)
	not contains(audience, "«")
	not audience in _client_ids[provider]
	finding := {
		"msg": sprintf(
			"ServiceAccount %s requests tokens for audience %q, which is not a client ID of OIDC provider %s (%s) that role %s trusts: its pods get InvalidIdentityToken (Incorrect token audience)",
			[irsa.service_account_id(sa), audience, provider, concat(", ", sort(_client_ids[provider])), sa.role_arn],
		),
		"resource": {"kind": "service_account", "id": irsa.service_account_id(sa)},
		"path": _path(i, sa),
		"related": [{"kind": "oidc_provider", "id": provider}, {"kind": "role", "id": sa.role_arn}],
	}
}

# _audience is the audience of the ServiceAccount's projected token: the annotation, else the
# EKS Pod Identity Webhook's default.
_audience(sa) := aud if {
	aud := sa.annotations["eks.amazonaws.com/audience"]
	aud != ""
} else := _default_audience

# The finding points at the audience annotation when there is one, else at the role annotation.
_path(i, sa) := ["service_accounts", i, "annotations", "eks.amazonaws.com/audience"] if {
	object.get(sa, ["annotations", "eks.amazonaws.com/audience"], "") != ""
} else := ["service_accounts", i, "role_arn"]

# _role_key identifies a role as IAM does: account and case-insensitive name, not the path.
_role_key(role) := concat("/", [role.account, lower(role.name)])

# _issuers maps a cluster id to its issuer as IAM keys it (no scheme).
_issuers[cluster.id] contains iam.normalize_issuer(cluster.issuer) if {
	some cluster in input.clusters
	object.get(cluster, "issuer", "") != ""
}

# _providers maps [partition, account, lower-case issuer] to the ARNs of the providers whose
# client IDs are known: STS looks the token's issuer up among the providers of the role's
# account.
_providers[[p.partition, p.account, lower(p.issuer)]] contains provider.arn if {
	some provider in input.oidc_providers
	count(object.get(provider, "client_ids", [])) > 0
	every id in provider.client_ids {
		not contains(id, "«") # a symbol of IaC: known only after apply
	}
	p := iam.parse_oidc_provider_arn(provider.arn)
}

# _client_ids maps a provider ARN to its client IDs.
_client_ids[provider.arn] contains id if {
	some provider in input.oidc_providers
	some id in object.get(provider, "client_ids", [])
}

# _trusted maps a role key to the ARNs of the OIDC providers that an Allow statement of its trust
# policy names as federated principal. Built once, linear in the roles' statements.
_trusted[_role_key(parts)] contains arn if {
	some role in input.roles
	parts := iam.parse_role_arn(role.arn)
	some statement in role.trust_policy.statements
	statement.effect == "Allow"
	some arn in object.get(statement, ["principal", "federated"], [])
	iam.parse_oidc_provider_arn(arn)
}
