# Package test holds helpers of the test rules; it has no METADATA and produces no findings.
package irsa_audit.lib.test

# trust_statements holds every statement of every role trust policy with its path.
trust_statements contains entry if {
	some i, r in input.roles
	some j, statement in r.trust_policy.statements
	entry := {
		"resource": {"kind": "role", "id": r.arn},
		"path": ["roles", i, "trust_policy", "statements", j],
		"statement": statement,
	}
}
