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

import data.irsa_audit.lib.bindings
import data.irsa_audit.lib.irsa

_default_audience := "sts.amazonaws.com"

# The rule never walks the whole ServiceAccount list: it reads lib/bindings' indexes, built in
# Go. A ServiceAccount with an audience annotation (bindings.audiences, few) is judged on its
# own; the others request sts.amazonaws.com, which matters only for a provider that does not
# register it, and then only for the ServiceAccounts that name a role trusting that provider.
deny contains finding if {
	some i, audience in bindings.audiences
	some finding in _findings(i, audience)
}

deny contains finding if {
	some provider in _known_providers
	not concat("|", [provider, _default_audience]) in _registered
	some key in _trusting_keys[provider]
	some i in bindings.namers[key]
	not bindings.audiences[i]
	some finding in _findings(i, _default_audience)
}

# _findings are the findings of ServiceAccount i, whose tokens are for audience: one per OIDC
# provider that its role trusts, for the issuer of its cluster, in the role's account, and that
# does not register the audience.
_findings(i, audience) := {finding |
	role := bindings.role_arn_parts[i]
	sa := input.service_accounts[i]
	some issuer in _cluster_issuers[sa.cluster]
	provider := sprintf("arn:%s:iam::%s:oidc-provider/%s", [role.partition, role.account, issuer])
	provider in _known_providers
	bindings.role_key[i] in _trusting_keys[provider]
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

# The finding points at the audience annotation when there is one, else at the role annotation.
_path(i, sa) := ["service_accounts", i, "annotations", "eks.amazonaws.com/audience"] if {
	object.get(sa, ["annotations", "eks.amazonaws.com/audience"], "") != ""
} else := ["service_accounts", i, "role_arn"]

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

# _trusting_keys maps the ARN of every federated principal that an Allow statement of a role's
# trust policy names to the keys of those roles (the rule keeps the known OIDC providers). The
# role keys come from lib/bindings' index: no role ARN is parsed here.
_trusting_keys[arn] contains key if {
	some key, roles in bindings.roles_by_key
	some r in roles
	some statement in input.roles[r].trust_policy.statements
	statement.effect == "Allow"
	some arn in object.get(statement, ["principal", "federated"], [])
}
