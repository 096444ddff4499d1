package irsa_audit.rules.permissions.reachable_dangerous_test

import data.irsa_audit.rules.permissions.reachable_dangerous as rule

issuer := "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"

provider := sprintf("arn:aws:iam::111122223333:oidc-provider/%s", [issuer])

role := "arn:aws:iam::111122223333:role/app"

trust(conditions) := {
	"effect": "Allow",
	"principal": {"federated": [provider]},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": conditions,
}

sub(operator, base, values) := {"operator": operator, "base_operator": base, "known": true, "key": sprintf("%s:sub", [issuer]), "values": values}

aud := {"operator": "StringEquals", "base_operator": "StringEquals", "known": true, "key": sprintf("%s:aud", [issuer]), "values": ["sts.amazonaws.com"]}

s3_full := "arn:aws:iam::aws:policy/AmazonS3FullAccess"

dangerous_holder := {
	"resource": {"kind": "role", "id": role}, "role": 0,
	"grants": [{"facts": 0, "path": ["roles", 0, "attached_policies", 0], "policy": s3_full, "related": [{"kind": "policy", "id": s3_full}]}],
	"dangerous": {
		"kinds": ["s3_all_resources", "s3_wildcard_write"],
		"actions": {"names": ["s3:PutBucketPolicy", "s3:DeleteBucket"], "count": 180},
	},
}

input_with(statements, holder) := {
	"roles": [{"arn": role, "trust_policy": {"statements": statements}}],
	"permissions": {"facts": [{"actions": {"names": [], "count": 180}}], "holders": [holder]},
}

finding(who, j) := {
	"msg": sprintf("role %s can be assumed by %s and holds S3-on-every-bucket, wildcard S3 write permissions: s3:PutBucketPolicy, s3:DeleteBucket and 178 more", [role, who]),
	"key": "reachable",
	"resource": {"kind": "role", "id": role},
	"path": ["roles", 0, "trust_policy", "statements", j],
	"related": [{"kind": "policy", "id": s3_full}],
}

test_deny_no_sub_condition if {
	got := rule.deny with input as input_with([trust([aud])], dangerous_holder)
	got == {finding(sprintf("any ServiceAccount in cluster %s", [issuer]), 0)}
}

test_deny_wildcard_sub if {
	statements := [trust([sub("StringLike", "StringLike", ["system:serviceaccount:*"]), aud])]
	got2 := rule.deny with input as input_with(statements, dangerous_holder)
	got2 == {finding("ServiceAccounts matching \"system:serviceaccount:*\"", 0)}
}

test_deny_negated_sub if {
	statements := [trust([object.union(sub("StringNotEquals", "StringEquals", ["system:serviceaccount:kube-system:admin"]), {"negated": true}), aud])]
	got3 := rule.deny with input as input_with(statements, dangerous_holder)
	got3 == {finding(sprintf("any ServiceAccount in cluster %s except system:serviceaccount:kube-system:admin", [issuer]), 0)}
}

test_deny_one_finding_for_several_statements if {
	statements := [
		trust([sub("StringEquals", "StringEquals", ["system:serviceaccount:default:app"]), aud]),
		trust([sub("StringLike", "StringLike", ["system:serviceaccount:payments:*"]), aud]),
		trust([aud]),
	]

	# The broadest group, and the statement that admits it.
	got4 := rule.deny with input as input_with(statements, dangerous_holder)
	got4 == {finding(sprintf("any ServiceAccount in cluster %s", [issuer]), 2)}
}

test_deny_admin if {
	holder := object.union(dangerous_holder, {"dangerous": {"kinds": ["admin"], "actions": {"names": ["*"], "count": 1}}})
	got5 := rule.deny with input as input_with([trust([aud])], holder)
	got5 == {{
		"msg": sprintf("role %s can be assumed by any ServiceAccount in cluster %s and holds administrator permissions: *", [role, issuer]),
		"key": "reachable",
		"resource": {"kind": "role", "id": role},
		"path": ["roles", 0, "trust_policy", "statements", 0],
		"related": [{"kind": "policy", "id": s3_full}],
	}}
}

test_allow_exact_sub if {
	statements := [trust([sub("StringEquals", "StringEquals", ["system:serviceaccount:default:app"]), aud])]
	count(rule.deny) == 0 with input as input_with(statements, dangerous_holder)
}

test_allow_string_like_without_wildcard if {
	statements := [trust([sub("StringLike", "StringLike", ["system:serviceaccount:default:app"]), aud])]
	count(rule.deny) == 0 with input as input_with(statements, dangerous_holder)
}

test_allow_broad_trust_without_dangerous_permissions if {
	holder := object.remove(dangerous_holder, ["dangerous"])
	count(rule.deny) == 0 with input as input_with([trust([aud])], holder)
}

test_allow_not_web_identity if {
	statements := [{"effect": "Allow", "principal": {"service": ["ec2.amazonaws.com"]}, "actions": ["sts:AssumeRole"]}]
	count(rule.deny) == 0 with input as input_with(statements, dangerous_holder)
}

test_allow_policy_file_holder if {
	# Standalone policy files have no trust: IRSA-040 judges roles only.
	holder := object.union(object.remove(dangerous_holder, ["role"]), {"resource": {"kind": "policy", "id": "s3.json"}, "policy": 0})
	count(rule.deny) == 0 with input as input_with([trust([aud])], holder)
}

deny_kube_system := {
	"effect": "Deny",
	"principal": {"federated": [provider]},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": [sub("StringLike", "StringLike", ["system:serviceaccount:kube-system:*"])],
}

test_allow_deny_statement_with_wildcard_sub if {
	# A Deny statement refuses ServiceAccounts; its wildcard sub admits nobody.
	statements := [trust([sub("StringEquals", "StringEquals", ["system:serviceaccount:default:app"]), aud]), deny_kube_system]
	got := rule.deny with input as input_with(statements, dangerous_holder)
	got == set()
}

test_deny_path_skips_deny_statement if {
	# Only the Allow statement admits: the finding names what it admits and points at it.
	statements := [deny_kube_system, trust([aud])]
	got := rule.deny with input as input_with(statements, dangerous_holder)
	got == {finding(sprintf("any ServiceAccount in cluster %s", [issuer]), 1)}
}

test_allow_federated_statement_without_web_identity_action if {
	# sts:TagSession for the provider, without conditions, lets nobody assume the role.
	tag_session := {"effect": "Allow", "principal": {"federated": [provider]}, "actions": ["sts:TagSession"]}
	statements := [trust([sub("StringEquals", "StringEquals", ["system:serviceaccount:default:app"]), aud]), tag_session]
	got := rule.deny with input as input_with(statements, dangerous_holder)
	got == set()
}

test_deny_web_identity_through_action_wildcard if {
	statement := object.union(trust([aud]), {"actions": ["sts:AssumeRoleWith*"]})
	got := rule.deny with input as input_with([statement], dangerous_holder)
	got == {finding(sprintf("any ServiceAccount in cluster %s", [issuer]), 0)}
}

test_allow_string_equals_with_literal_star if {
	# StringEquals compares "*" literally (IRSA-006): it admits no ServiceAccount but a literal one.
	statements := [trust([sub("StringEquals", "StringEquals", ["system:serviceaccount:default:*"]), aud])]
	got := rule.deny with input as input_with(statements, dangerous_holder)
	got == set()
}

test_allow_trust_without_statements if {
	got := rule.deny with input as input_with([], dangerous_holder)
	got == set()
	no_trust := {"roles": [{"arn": role}], "permissions": {"facts": [], "holders": [dangerous_holder]}}
	got_no_trust := rule.deny with input as no_trust
	got_no_trust == set()
}

# NotAction that leaves sts:AssumeRoleWithWebIdentity in, and no sub: any ServiceAccount.
test_deny_not_action_without_sub if {
	statement := object.union(object.remove(trust([aud]), ["actions"]), {"not_actions": ["sts:AssumeRole"]})
	got := rule.deny with input as input_with([statement], dangerous_holder)
	got == {finding(sprintf("any ServiceAccount in cluster %s", [issuer]), 0)}
}

# Null {"<issuer>:sub": "false"} asks for a sub, and names no subject.
test_deny_null_sub_false if {
	null_sub := {"operator": "Null", "base_operator": "Null", "known": true, "key": sprintf("%s:sub", [issuer]), "values": ["false"]}
	got := rule.deny with input as input_with([trust([null_sub, aud])], dangerous_holder)
	got == {finding(sprintf("any ServiceAccount in cluster %s", [issuer]), 0)}
}

# IfExists on sub: every ServiceAccount token carries a sub, so only the one named is admitted.
test_allow_if_exists_sub if {
	statements := [trust([object.union(sub("StringEqualsIfExists", "StringEquals", ["system:serviceaccount:default:app"]), {"if_exists": true}), aud])]
	got := rule.deny with input as input_with(statements, dangerous_holder)
	got == set()
}

# A CI platform's tokens are no ServiceAccounts: the finding names them as tokens of the issuer.
github := "token.actions.githubusercontent.com"

github_trust(conditions) := {
	"effect": "Allow",
	"principal": {"federated": [sprintf("arn:aws:iam::111122223333:oidc-provider/%s", [github])]},
	"actions": ["sts:AssumeRoleWithWebIdentity"],
	"conditions": conditions,
}

github_cond(operator, claim, values) := {"operator": operator, "base_operator": operator, "known": true, "key": sprintf("%s:%s", [github, claim]), "values": values}

test_deny_ci_subject_pattern if {
	statements := [github_trust([github_cond("StringLike", "sub", ["repo:example-org/*"]), github_cond("StringEquals", "aud", ["sts.amazonaws.com"])])]
	got := rule.deny with input as input_with(statements, dangerous_holder)
	got == {finding(sprintf("tokens of %s whose subject matches \"repo:example-org/*\"", [github]), 0)}
}

test_deny_ci_any_subject if {
	statements := [github_trust([github_cond("StringEquals", "aud", ["sts.amazonaws.com"])])]
	got := rule.deny with input as input_with(statements, dangerous_holder)
	got == {finding(sprintf("any token of OIDC issuer %s", [github]), 0)}
}

test_silent_ci_exact_subject if {
	statements := [github_trust([github_cond("StringEquals", "sub", ["repo:example-org/deploy:environment:prod"]), github_cond("StringEquals", "aud", ["sts.amazonaws.com"])])]
	got := rule.deny with input as input_with(statements, dangerous_holder)
	got == set()
}

# A role the EKS Pod Identity agent can assume for any association (IRSA-061's facts) reaches
# every pod of every association that names it.
agent_trust := {
	"effect": "Allow",
	"principal": {"service": ["pods.eks.amazonaws.com"]},
	"actions": ["sts:AssumeRole", "sts:TagSession"],
	"conditions": [],
}

with_agent(statements, any_cluster) := object.union(input_with(statements, dangerous_holder), {"workload_identity": {"pod_identity_roles": [{"role": 0, "any_cluster": any_cluster, "statements": [count(statements) - 1]}]}})

test_deny_pod_identity_any_cluster if {
	got := rule.deny with input as with_agent([agent_trust], true)
	got == {finding("every EKS Pod Identity association naming it (any cluster, namespace and ServiceAccount)", 0)}
}

test_silent_pod_identity_pinned if {
	got := rule.deny with input as with_agent([agent_trust], false)
	got == set()
}

test_deny_pod_identity_and_web_identity_joined if {
	got := rule.deny with input as with_agent([trust([aud]), agent_trust], true)
	got == {finding(sprintf("any ServiceAccount in cluster %s, every EKS Pod Identity association naming it (any cluster, namespace and ServiceAccount)", [issuer]), 0)}
}
