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
	some n in irsa.other_issuers
	os := irsa.oidc_statements[n]
	os.web_identity_action
	some key in os.untrusted_keys
	_kubernetes_involved({key.issuer} | {issuer | some issuer in os.providers}, os)
	not _symbolic({key.issuer} | {issuer | some issuer in os.providers})
	finding := {
		"msg": sprintf(
			"condition key %q names issuer %q, which is not a Federated principal of the statement (it trusts %s)",
			[os.statement.conditions[key.index].key, key.issuer, _quoted(object.keys(os.providers))],
		),
		"resource": os.resource,
		"path": array.concat(os.path, ["conditions", key.index]),
	}
}

# The statement requires keys of an issuer other than a Federated OIDC provider's own: that
# provider's tokens never carry those keys, so they can never pass.
deny contains finding if {
	some n in irsa.other_issuers
	os := irsa.oidc_statements[n]
	os.web_identity_action
	some provider, blocking in os.blocking
	count(blocking) > 0
	others := {issuer | some issuer in blocking}
	_kubernetes_involved({os.providers[provider]} | others, os)
	not _symbolic({os.providers[provider]} | others)
	finding := {
		"msg": sprintf(
			"Federated principal %q can never be used: the statement also requires condition keys of %s, which its tokens do not carry",
			[provider, _quoted(others)],
		),
		"resource": os.resource,
		"path": os.path,
	}
}

# _kubernetes_involved is true when one of the issuers is a Kubernetes issuer of the statement.
_kubernetes_involved(issuers, os) if {
	some issuer in issuers
	lower(issuer) in os.kubernetes_issuers
}

_quoted(names) := concat(", ", [sprintf("%q", [name]) | some name in sort(names)])

# _symbolic is true when an issuer is known only after apply (it holds a symbol, «...»): two
# symbols, or a symbol and a name, may be the same issuer once deployed.
_symbolic(issuers) if {
	some issuer in issuers
	contains(issuer, "«")
}
