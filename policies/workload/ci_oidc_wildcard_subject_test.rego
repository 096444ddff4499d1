package irsa_audit.rules.workload.ci_oidc_wildcard_subject_test

import data.irsa_audit.rules.workload.ci_oidc_wildcard_subject as rule

# _github is the fact of a role trusting GitHub Actions' shared issuer; cases override fields.
_github(overrides) := object.union(
	{
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/deploy"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
		"provider": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
		"issuer": "token.actions.githubusercontent.com",
		"platform": "github-actions", "platform_name": "GitHub Actions",
		"project": "repository", "owner_kind": "owner",
		"shared": true, "space": "github.com",
		"subject_condition": true, "any_tenant": false, "owners": [],
		"audience": "pinned", "expected_audience": "sts.amazonaws.com",
	},
	overrides,
)

test_deny_any_repository_of_github if {
	got := rule.deny with input as {"workload_identity": {"ci": [_github({"any_tenant": true})]}}
	got == {{
		"msg": "Role arn:aws:iam::111122223333:role/deploy trusts GitHub Actions tokens of token.actions.githubusercontent.com whose token.actions.githubusercontent.com:sub condition admits any repository of github.com",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/deploy"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
		"severity": "critical",
	}}
}

test_deny_any_repository_of_owners if {
	got := rule.deny with input as {"workload_identity": {"ci": [_github({"owners": ["acme", "acme@123"]})]}}
	got == {
		{
			"msg": "Role arn:aws:iam::111122223333:role/deploy trusts GitHub Actions tokens of token.actions.githubusercontent.com whose token.actions.githubusercontent.com:sub condition admits any repository of owner acme",
			"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/deploy"},
			"path": ["roles", 0, "trust_policy", "statements", 0],
		},
		{
			"msg": "Role arn:aws:iam::111122223333:role/deploy trusts GitHub Actions tokens of token.actions.githubusercontent.com whose token.actions.githubusercontent.com:sub condition admits any repository of owner acme@123",
			"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/deploy"},
			"path": ["roles", 0, "trust_policy", "statements", 0],
		},
	}
}

test_deny_enterprise_issuer_without_sub if {
	got := rule.deny with input as {"workload_identity": {"ci": [_github({
		"issuer": "token.actions.githubusercontent.com/acme", "shared": false, "space": "enterprise acme",
		"subject_condition": false, "any_tenant": true,
	})]}}
	got == {{
		"msg": "Role arn:aws:iam::111122223333:role/deploy trusts GitHub Actions tokens of token.actions.githubusercontent.com/acme (enterprise acme) with no sub condition: any repository there can assume it",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/deploy"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
	}}
}

test_allow_pinned_repository if {
	got := rule.deny with input as {"workload_identity": {"ci": [_github({})]}}
	got == set()
}

test_silent_without_subject_condition_on_shared_issuer if {
	# IRSA-050's case.
	got := rule.deny with input as {"workload_identity": {"ci": [_github({"subject_condition": false, "any_tenant": true})]}}
	got == set()
}

test_deny_any_repository_calling_a_reusable_workflow if {
	wf := "acme/workflows/.github/workflows/deploy.yml@refs/heads/main"
	got := rule.deny with input as {"workload_identity": {"ci": [_github({"any_tenant": true, "workflows": [wf]})]}}
	got == {{
		"msg": sprintf("Role arn:aws:iam::111122223333:role/deploy trusts GitHub Actions tokens of token.actions.githubusercontent.com whose token.actions.githubusercontent.com:sub condition admits any repository of github.com that calls reusable workflow %s", [wf]),
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/deploy"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
		"severity": "critical",
	}}
}
