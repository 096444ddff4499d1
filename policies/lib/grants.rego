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

# reach says which ServiceAccounts can assume the holder through IRSA, "" when none.
reach(holder) := sprintf("; it can be assumed through IRSA by %s", [concat(", ", holder.service_accounts)]) if {
	count(object.get(holder, "service_accounts", [])) > 0
} else := ""
