# METADATA
# title: Condition keys name an issuer the statement does not trust
# description: |
#   The "sub"/"aud" condition keys of a web-identity statement and its Federated principal
#   disagree. Either a key names an issuer that is not a Federated principal of the statement
#   (typically the trust policy was copied from another cluster), or the statement requires keys
#   of another issuer than a Federated OIDC provider's own (for instance two clusters' providers
#   in one statement, each with its keys), so that provider's tokens, which never carry the other
#   issuer's keys, can never pass. Either way the role does not work for the ServiceAccount it
#   was made for, and the condition that looks like a restriction restricts nothing that exists.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# custom:
#   id: IRSA-005
#   severity: medium
#   recommended_action: |
#     Use the issuer of the Federated provider ARN in the condition keys, or trust each cluster's
#     provider in a statement of its own with that provider's "sub" and "aud" keys.
#   bad_example: |
#     {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/CLUSTER_A"},
#      "Action": "sts:AssumeRoleWithWebIdentity",
#      "Condition": {"StringEquals": {
#        "oidc.eks.us-east-1.amazonaws.com/id/CLUSTER_B:sub": "system:serviceaccount:payments:api"}}}
#   good_example: |
#     {"Effect": "Allow",
#      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/CLUSTER_A"},
#      "Action": "sts:AssumeRoleWithWebIdentity",
#      "Condition": {"StringEquals": {
#        "oidc.eks.us-east-1.amazonaws.com/id/CLUSTER_A:sub": "system:serviceaccount:payments:api",
#        "oidc.eks.us-east-1.amazonaws.com/id/CLUSTER_A:aud": "sts.amazonaws.com"}}}
package irsa_audit.rules.trust.issuer_mismatch

import data.irsa_audit.lib.irsa

# A sub/aud key names an issuer that is not a Federated principal of the statement.
deny contains finding if {
	some os in irsa.oidc_statements
	entries := irsa.conditions(os.statement)
	principals := _principal_issuers(os.statement)
	some k, condition in entries
	key := irsa.issuer_key(condition.key)
	not lower(key.issuer) in principals

	# After the selective tests above: nearly every condition names a principal's issuer.
	irsa.covers_action(os.statement, "sts:AssumeRoleWithWebIdentity")
	_kubernetes_involved({key.issuer} | {issuer | some issuer in os.providers}, entries)
	finding := {
		"msg": sprintf(
			"condition key %q names issuer %q, which is not a Federated principal of the statement (it trusts %s)",
			[condition.key, key.issuer, _quoted(object.keys(os.providers))],
		),
		"resource": os.resource,
		"path": array.concat(os.path, ["conditions", k]),
	}
}

# The statement requires keys of an issuer other than a Federated OIDC provider's own: that
# provider's tokens never carry those keys, so they can never pass.
deny contains finding if {
	some os in irsa.oidc_statements
	entries := irsa.conditions(os.statement)
	some provider, issuer in os.providers
	others := irsa.other_issuers_blocking(entries, issuer)
	count(others) > 0
	irsa.covers_action(os.statement, "sts:AssumeRoleWithWebIdentity")
	_kubernetes_involved({issuer} | others, entries)
	finding := {
		"msg": sprintf(
			"Federated principal %q can never be used: the statement also requires condition keys of %s, which its tokens do not carry",
			[provider, _quoted(others)],
		),
		"resource": os.resource,
		"path": os.path,
	}
}

# _principal_issuers are the lower-case issuers a statement trusts: those of its OIDC provider
# ARNs and any other Federated value as written (e.g. "cognito-identity.amazonaws.com").
_principal_issuers(statement) := {lower(_issuer_of(federated)) |
	some federated in object.get(statement, ["principal", "federated"], [])
}

_issuer_of(federated) := irsa.oidc_issuer(federated)

_issuer_of(federated) := federated if not irsa.oidc_issuer(federated)

_kubernetes_involved(issuers, entries) if {
	some issuer in issuers
	irsa.is_kubernetes_issuer(issuer, entries)
}

_quoted(names) := concat(", ", [sprintf("%q", [name]) | some name in sort(names)])
