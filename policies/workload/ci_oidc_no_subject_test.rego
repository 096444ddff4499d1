package irsa_audit.rules.workload.ci_oidc_no_subject_test

import data.irsa_audit.rules.workload.ci_oidc_no_subject as rule

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

test_deny_github_without_sub if {
	got := rule.deny with input as {"workload_identity": {"ci": [_github({"subject_condition": false, "any_tenant": true})]}}
	got == {{
		"msg": "Role arn:aws:iam::111122223333:role/deploy trusts GitHub Actions tokens of token.actions.githubusercontent.com with no condition on token.actions.githubusercontent.com:sub: any repository of github.com can assume it",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/deploy"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
	}}
}

test_deny_policy_file_hcp_terraform if {
	got := rule.deny with input as {"workload_identity": {"ci": [_github({
		"resource": {"kind": "policy", "id": "trust.json"}, "path": ["policies", 0, "document", "statements", 0],
		"issuer": "app.terraform.io", "platform_name": "HCP Terraform", "project": "workspace", "space": "app.terraform.io",
		"subject_condition": false, "any_tenant": true,
	})]}}
	got == {{
		"msg": "Trust policy trust.json trusts HCP Terraform tokens of app.terraform.io with no condition on app.terraform.io:sub: any workspace of app.terraform.io can assume it",
		"resource": {"kind": "policy", "id": "trust.json"},
		"path": ["policies", 0, "document", "statements", 0],
	}}
}

test_allow_subject_condition_or_own_issuer if {
	got := rule.deny with input as {"workload_identity": {"ci": [
		_github({}),
		_github({"subject_condition": true, "any_tenant": true}),
		_github({"shared": false, "space": "enterprise acme", "subject_condition": false, "any_tenant": true}),
	]}}
	got == set()
}

test_deny_legacy_trust_says_so if {
	got := rule.deny with input as {"workload_identity": {"ci": [_github({"subject_condition": false, "any_tenant": true, "refused_since": "June 2025"})]}}
	got == {{
		"msg": "Role arn:aws:iam::111122223333:role/deploy trusts GitHub Actions tokens of token.actions.githubusercontent.com with no condition on token.actions.githubusercontent.com:sub: any repository of github.com can assume it (IAM has refused to create or update such a trust since June 2025: an existing one is legacy, a new one fails to apply)",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/deploy"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
	}}
}
