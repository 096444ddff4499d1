# Package grants words the permission findings: who holds a grant, where it comes from, which
# actions, and which ServiceAccounts reach it. Shared by the rules of policies/permissions.
package irsa_audit.lib.grants

# to is " to role <arn>" when the grant's holder is a role, "" for a standalone policy file.
to(holder) := sprintf(" to role %s", [holder.resource.id]) if holder.resource.kind == "role"

to(holder) := "" if holder.resource.kind != "role"

# where names the statement by its Sid when it has one, else the policy.
where(grant, facts) := sprintf("statement %q of %s", [facts.sid, grant.policy]) if {
	object.get(facts, "sid", "") != ""
} else := grant.policy

# names lists an action list's names, with "and N more" when the analysis capped them.
names(list) := concat(", ", list.names) if count(list.names) >= list.count

names(list) := sprintf("%s and %d more", [concat(", ", list.names), list.count - count(list.names)]) if {
	count(list.names) < list.count
}

# reach says who can assume the holder with a web-identity token (ServiceAccounts through IRSA,
# subjects of other OIDC issuers), "" when none.
reach(holder) := sprintf("; it can be assumed by %s", [concat(", ", holder.service_accounts)]) if {
	count(object.get(holder, "service_accounts", [])) > 0
} else := ""

# condition says what the conditions of the grant's statement, and the conditional Deny
# statements that cover it, do to it: " (only where <scope>; conditionally: when <conditions>;
# unless a Deny applies <when>)", "" when nothing. The analysis words each condition.
condition(facts) := sprintf(" (%s)", [concat("; ", parts)]) if {
	parts := _condition_parts(object.get(facts, "conditions", {}))
	count(parts) > 0
} else := ""

_condition_parts(c) := [part |
	some [key, prefix, sep] in [
		["scoped", "only where ", " and "],
		["undecided", "conditionally: when ", " and "],
		["unless", "unless a Deny applies ", ", or "],
	]
	words := object.get(c, key, [])
	count(words) > 0
	part := concat("", [prefix, concat(sep, words)])
]

# severity is {"severity": lower} when conditions the analysis understands (tags, networks,
# associated resources) scope the grant, to be merged into a finding; {} otherwise, and the rule's
# own severity applies. Undecided conditions keep the rule's severity: the message says
# "conditionally".
severity(facts, lower) := {"severity": lower} if {
	count(object.get(facts, ["conditions", "scoped"], [])) > 0
} else := {}
