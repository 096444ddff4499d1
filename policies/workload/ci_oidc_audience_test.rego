package irsa_audit.rules.workload.ci_oidc_audience_test

import data.irsa_audit.rules.workload.ci_oidc_audience as rule

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

test_deny_missing_audience if {
	got := rule.deny with input as {"workload_identity": {"ci": [_github({"audience": "missing"})]}}
	got == {{
		"msg": "Role arn:aws:iam::111122223333:role/deploy trusts GitHub Actions tokens of token.actions.githubusercontent.com with no condition that pins token.actions.githubusercontent.com:aud: a token the job requested for any audience assumes it",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/deploy"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
	}}
}

test_deny_wrong_audience if {
	got := rule.deny with input as {"workload_identity": {"ci": [_github({"audience": "wrong"})]}}
	got == {{
		"msg": "Role arn:aws:iam::111122223333:role/deploy trusts GitHub Actions tokens of token.actions.githubusercontent.com but its token.actions.githubusercontent.com:aud condition refuses sts.amazonaws.com, the audience GitHub Actions requests by default: jobs that do not choose another audience cannot assume it",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/deploy"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
	}}
}

test_allow_pinned_audience if {
	got := rule.deny with input as {"workload_identity": {"ci": [_github({})]}}
	got == set()
}
