# METADATA
# title: OIDC provider of a cluster that does not exist
# description: |
#   An IAM OIDC provider is registered for an EKS issuer (oidc.eks.<region>.amazonaws.com/id/<ID>)
#   that matches no cluster: the account's EKS clusters in that region were inventoried in full
#   and none, in this account or any other in the snapshot, has that issuer. It is usually left
#   over from a deleted cluster. Roles that still trust it are dead weight that hides real
#   bindings, and the provider is one more trust anchor to audit. Providers of other issuers
#   (GitHub Actions, GitLab, self-managed clusters) are not judged.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html
# custom:
#   id: IRSA-008
#   severity: low
#   recommended_action: |
#     Confirm that no cluster (also in other accounts, for cross-account IRSA) uses the issuer,
#     remove the roles or trust statements that name the provider, then delete it with
#     aws iam delete-open-id-connect-provider.
#   bad_example: |
#     IAM OIDC provider oidc.eks.us-east-1.amazonaws.com/id/OLDCLUSTERID, while
#     aws eks list-clusters --region us-east-1 shows no cluster with that issuer.
#   good_example: |
#     Every IAM OIDC provider for an EKS issuer belongs to a live cluster
#     (aws eks describe-cluster --query cluster.identity.oidc.issuer).
package irsa_audit.rules.inventory.stale_oidc_provider

deny contains finding if {
	some i, provider in input.oidc_providers

	# A provider known only after apply (a symbol) is judged once deployed.
	not _unknown(provider, {"arn", "issuer", "account_id"})
	issuer := _provider_issuer(provider)
	region := _eks_region(issuer)
	account := _provider_account(provider)
	_clusters_complete(account, region)
	not lower(issuer) in _cluster_issuers
	finding := {
		"msg": sprintf(
			"OIDC provider %s is for EKS issuer %s, but no cluster has that issuer (account %s's clusters in %s were inventoried in full)",
			[provider.arn, issuer, account, region],
		),
		"resource": {"kind": "oidc_provider", "id": provider.arn},
		"path": ["oidc_providers", i],
		"related": [{"kind": "account", "id": account}],
	}
}

# _cluster_issuers are the issuers of every cluster in the snapshot, whatever its account: a
# provider in one account may serve a cluster of another (cross-account IRSA).
_cluster_issuers := {lower(iam.normalize_issuer(c.issuer)) |
	some c in input.clusters
	object.get(c, "issuer", "") != ""
}

# _clusters_complete is true when the account's EKS cluster list is complete for region: every
# region it uses, or that region in particular (an EKS issuer names its region).
_clusters_complete(account, _) if {
	some a in input.accounts
	a.id == account
	a.inventory.all_regions == true
}

_clusters_complete(account, region) if {
	some a in input.accounts
	a.id == account
	region in object.get(a.inventory, "cluster_regions", [])
}

# _eks_region returns the region of an EKS issuer; undefined for any other issuer.
_eks_region(issuer) := m[1] if {
	m := regex.find_all_string_submatch_n(`^oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/id/[0-9A-Za-z]+$`, issuer, 1)[0]
}

_provider_issuer(p) := iam.normalize_issuer(p.issuer) if object.get(p, "issuer", "") != ""

_provider_issuer(p) := iam.parse_oidc_provider_arn(p.arn).issuer if object.get(p, "issuer", "") == ""

_provider_account(p) := p.account_id if object.get(p, "account_id", "") != ""

_provider_account(p) := iam.parse_oidc_provider_arn(p.arn).account if object.get(p, "account_id", "") == ""

_unknown(item, fields) if {
	some field in object.get(item, "unknown", [])
	field in fields
}
