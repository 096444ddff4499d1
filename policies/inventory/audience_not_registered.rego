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
	some issuer in _cluster_issuers[sa.cluster]
	provider := sprintf("arn:%s:iam::%s:oidc-provider/%s", [role.partition, role.account, issuer])
	provider in _known_providers
	concat("|", [_role_key(role), provider]) in _trusted
	audience := _audience(sa)
	not contains(audience, "«") # a symbol of IaC: known only after apply
	not concat("|", [provider, audience]) in _registered
	finding := {
		"msg": sprintf(
			"ServiceAccount %s requests tokens for audience %q, which is not a client ID of OIDC provider %s (%s) that role %s trusts: its pods get InvalidIdentityToken (Incorrect token audience)",
			[irsa.service_account_id(sa), audience, provider, concat(", ", _client_ids(provider)), sa.role_arn],
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

# The documents below are complete rules, each built once per evaluation, and looked up by
# key, so that the rule stays linear in the ServiceAccounts and roles.

# _cluster_issuers maps a cluster id to its issuers as IAM keys them (no scheme).
_cluster_issuers := {id: issuers |
	some id in {c.id | some c in input.clusters}
	issuers := {iam.normalize_issuer(c.issuer) |
		some c in input.clusters
		c.id == id
		object.get(c, "issuer", "") != ""
	}
}

# _known_providers are the ARNs of the providers whose client IDs are known (listed, none a
# symbol of IaC). STS looks the token's issuer up among the providers of the role's account:
# the provider ARN of that account and the cluster's issuer.
_known_providers contains provider.arn if {
	some provider in input.oidc_providers
	iam.parse_oidc_provider_arn(provider.arn)
	count(object.get(provider, "client_ids", [])) > 0
	every id in provider.client_ids {
		not contains(id, "«")
	}
}

# _registered holds "<provider ARN>|<client ID>" for every client ID of every provider.
_registered contains concat("|", [provider.arn, id]) if {
	some provider in input.oidc_providers
	some id in object.get(provider, "client_ids", [])
}

_client_ids(arn) := sort({id |
	some provider in input.oidc_providers
	provider.arn == arn
	some id in provider.client_ids
})

# _trusted holds "<role key>|<provider ARN>" for every OIDC provider that an Allow statement
# of a role's trust policy names as federated principal.
_trusted contains concat("|", [_role_key(parts), arn]) if {
	some role in input.roles
	parts := iam.parse_role_arn(role.arn)
	some statement in role.trust_policy.statements
	statement.effect == "Allow"
	some arn in object.get(statement, ["principal", "federated"], [])
	iam.parse_oidc_provider_arn(arn)
}
