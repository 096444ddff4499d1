# METADATA
# title: Wildcard in the ServiceAccount subject
# description: |
#   A StringLike condition on the provider's "sub" key uses "*" or "?", so the role admits more
#   ServiceAccounts than the one it was made for. A wildcard in the name part admits every
#   matching ServiceAccount of the namespace; a wildcard in or before the namespace part admits
#   ServiceAccounts of other namespaces, i.e. other teams and workloads.
# related_resources:
#   - description: documentation
#     ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# custom:
#   id: IRSA-002
#   severity: high
#   recommended_action: |
#     Name each ServiceAccount exactly with StringEquals
#     (system:serviceaccount:<namespace>:<name>); list several values if several ServiceAccounts
#     need the role.
#   bad_example: |
#     "Condition": {"StringLike": {
#       "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:*"}}
#   good_example: |
#     "Condition": {"StringEquals": {
#       "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api"}}
package irsa_audit.rules.trust.wildcard_subject

import data.irsa_audit.lib.irsa

deny contains finding if {
	some n in irsa.wildcard_conditions
	pc := irsa.provider_conditions[n]
	pc.claim == "sub"
	pc.condition.base_operator == "StringLike"
	not pc.condition.negated
	some value in pc.condition.values
	irsa.has_wildcard(value)

	# The wildcard admits what it says only if the whole document does (lib/irsa's trust model:
	# other conditions on the same key, Deny statements).
	_effective(_who(pc), value)
	scope := _scope(value)
	finding := {
		"msg": sprintf("sub %q admits %s of cluster %q", [value, scope.who, pc.issuer]),
		"resource": pc.resource,
		"path": pc.path,
		"severity": scope.severity,
	}
}

_subject := `^system:serviceaccount:([^:]*):(.*)$`

_namespace_only := `^system:serviceaccount:([^:]*)$`

# A wildcard only in the name part stays inside one namespace.
_scope(value) := {"severity": "high", "who": who} if {
	[_, namespace, name] := regex.find_all_string_submatch_n(_subject, value, 1)[0]
	not irsa.has_wildcard(namespace)
	who := _in_namespace(namespace, name)
}

_scope(value) := {"severity": "critical", "who": _across(namespace, name)} if {
	[_, namespace, name] := regex.find_all_string_submatch_n(_subject, value, 1)[0]
	irsa.has_wildcard(namespace)
}

_scope(value) := {"severity": "critical", "who": _across(namespace, "*")} if {
	[_, namespace] := regex.find_all_string_submatch_n(_namespace_only, value, 1)[0]
}

# The wildcard sits in the "system:serviceaccount:" prefix itself ("*", "system:*", ...).
_scope(value) := {"severity": "critical", "who": _prefix_pattern(value)} if {
	not regex.match(_subject, value)
	not regex.match(_namespace_only, value)
}

_in_namespace(namespace, "*") := sprintf("every ServiceAccount in namespace %q", [namespace])

_in_namespace(namespace, name) := sprintf("every ServiceAccount in namespace %q whose name matches %q", [namespace, name]) if {
	name != "*"
}

_across(namespace, name) := sprintf("%s in %s", [_names(name), _namespaces(namespace)])

_names("*") := "every ServiceAccount"

_names(name) := sprintf("every ServiceAccount whose name matches %q", [name]) if {
	name != "*"
	irsa.has_wildcard(name)
}

_names(name) := sprintf("every ServiceAccount named %q", [name]) if {
	not irsa.has_wildcard(name)
}

_namespaces("*") := "every namespace"

_namespaces(namespace) := sprintf("every namespace matching %q", [namespace]) if namespace != "*"

_prefix_pattern(value) := "every ServiceAccount in every namespace" if {
	irsa.wildcard_match(value, "system:serviceaccount:any-namespace:any-name")
}

_prefix_pattern(value) := "ServiceAccounts in every namespace" if {
	not irsa.wildcard_match(value, "system:serviceaccount:any-namespace:any-name")
}

# _who is what the trust model says about the provider of a condition entry's document.
_who(pc) := who if {
	some who in irsa.assumers_at(pc.path).web_identity
	who.provider == pc.provider
}

_effective(who, _) if who.any_service_account

_effective(who, value) if value in who.patterns

_effective(who, value) if {
	[_, namespace, _] := regex.find_all_string_submatch_n(_subject, value, 1)[0]
	namespace in who.namespaces
}
