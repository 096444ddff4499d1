package irsa_audit.rules.inventory.stale_oidc_provider_test

import data.irsa_audit.rules.inventory.stale_oidc_provider as rule

_account := "111122223333"

_live := "oidc.eks.us-east-1.amazonaws.com/id/LIVE"

_gone := "oidc.eks.us-east-1.amazonaws.com/id/GONE"

_provider(issuer) := {
	"arn": sprintf("arn:aws:iam::111122223333:oidc-provider/%s", [issuer]),
	"account_id": _account,
	"issuer": issuer,
}

_cluster := {
	"id": "arn:aws:eks:us-east-1:111122223333:cluster/prod",
	"name": "prod",
	"account_id": _account,
	"region": "us-east-1",
	"issuer": _live,
}

_input(inventory, providers) := {
	"accounts": [{"id": _account, "inventory": inventory}],
	"clusters": [_cluster],
	"oidc_providers": providers,
}

test_deny_provider_without_cluster if {
	providers := [_provider(_live), _provider(_gone), _provider("token.actions.githubusercontent.com")]
	got := rule.deny with input as _input({"all_regions": true}, providers)
	got == {{
		"msg": "OIDC provider arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/GONE is for EKS issuer oidc.eks.us-east-1.amazonaws.com/id/GONE, but no cluster has that issuer (account 111122223333's clusters in us-east-1 were inventoried in full)",
		"resource": {"kind": "oidc_provider", "id": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/GONE"},
		"path": ["oidc_providers", 1],
		"related": [{"kind": "account", "id": _account}],
	}}
}

test_deny_when_the_issuer_region_is_complete if {
	inventory := {"all_regions": false, "cluster_regions": ["us-east-1"]}
	count(rule.deny) == 1 with input as _input(inventory, [_provider(_gone)])
}

test_allow_provider_of_a_cluster if {
	got2 := rule.deny with input as _input({"all_regions": true}, [_provider(_live)])
	got2 == set()
}

test_allow_provider_of_a_cluster_scheme_and_case if {
	cluster := object.union(_cluster, {"issuer": "https://OIDC.EKS.US-EAST-1.AMAZONAWS.COM/id/GONE"})
	got3 := rule.deny with input as object.union(_input({"all_regions": true}, [_provider(_gone)]), {"clusters": [cluster]})
	got3 == set()
}

test_allow_cluster_in_another_account if {
	other := object.union(_cluster, {"id": "arn:aws:eks:us-east-1:444455556666:cluster/dev", "account_id": "444455556666", "issuer": _gone})
	got4 := rule.deny with input as object.union(_input({"all_regions": true}, [_provider(_gone)]), {"clusters": [_cluster, other]})
	got4 == set()
}

test_allow_non_eks_issuer if {
	got5 := rule.deny with input as _input({"all_regions": true}, [_provider("token.actions.githubusercontent.com")])
	got5 == set()
}

test_silent_when_cluster_inventory_incomplete if {
	got6 := rule.deny with input as _input({"all_regions": false, "cluster_regions": ["eu-west-1"]}, [_provider(_gone)])
	got6 == set()
}

# R5: a provider whose ARN is known only after apply is judged once deployed.
test_allow_unknown_provider_arn if {
	p := object.union(_provider(_gone), {"arn": concat("", ["arn:aws:iam::«account»:oidc-provider/", _gone]), "unknown": ["arn"]})
	got := rule.deny with input as _input({"all_regions": true}, [p])
	got == set()
}
