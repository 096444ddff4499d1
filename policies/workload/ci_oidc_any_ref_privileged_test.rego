package irsa_audit.rules.workload.ci_oidc_any_ref_privileged_test

import data.irsa_audit.rules.workload.ci_oidc_any_ref_privileged as rule

_ci(refs) := {
	"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/deploy"},
	"path": ["roles", 0, "trust_policy", "statements", 0],
	"issuer": "token.actions.githubusercontent.com", "platform_name": "GitHub Actions",
	"role": 0, "refs": refs,
}

_holder(dangerous) := {"role": 0, "resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/deploy"}, "dangerous": dangerous}

_admin := {"kinds": ["admin"], "actions": {"names": ["*"], "count": 1}}

test_deny_any_branch_and_pull_requests_of_admin_role if {
	got := rule.deny with input as {
		"workload_identity": {"ci": [_ci([{"repository": "acme/app", "admitted": ["any branch", "pull requests"]}])]},
		"permissions": {"holders": [_holder(_admin)]},
	}
	got == {{
		"msg": "Role arn:aws:iam::111122223333:role/deploy trusts GitHub Actions tokens of token.actions.githubusercontent.com for any branch and pull requests of acme/app, and holds administrator permissions (*): whoever can push a branch there or open a pull request gets them",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/deploy"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
		"key": "acme/app",
	}}
}

test_deny_any_branch_only if {
	got := rule.deny with input as {
		"workload_identity": {"ci": [_ci([{"repository": "acme/app", "admitted": ["any branch"]}])]},
		"permissions": {"holders": [_holder(_admin)]},
	}
	got == {{
		"msg": "Role arn:aws:iam::111122223333:role/deploy trusts GitHub Actions tokens of token.actions.githubusercontent.com for any branch of acme/app, and holds administrator permissions (*): whoever can push a branch there gets them",
		"resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/deploy"},
		"path": ["roles", 0, "trust_policy", "statements", 0],
		"key": "acme/app",
	}}
}

test_allow_read_only_role if {
	got := rule.deny with input as {
		"workload_identity": {"ci": [_ci([{"repository": "acme/app", "admitted": ["any branch"]}])]},
		"permissions": {"holders": [{"role": 0}]},
	}
	got == set()
}

test_allow_pinned_environment if {
	got := rule.deny with input as {
		"workload_identity": {"ci": [_ci([])]},
		"permissions": {"holders": [_holder(_admin)]},
	}
	got == set()
}
