// Package policies holds the built-in Rego rules of irsa-audit and their tests.
//
// The rules live in one directory per group (policies/<group>/<rule_name>.rego), shared helpers
// in policies/lib. FS embeds every .rego file of every group, the *_test.rego files included, so
// that the rules and their tests travel together; the evaluator loads the rules and skips the
// tests. See docs/architecture.md for the rule contract.
package policies

import "embed"

// FS holds every .rego file under policies/, keyed by its path relative to this directory
// (e.g. "trust/wildcard_subject.rego", "lib/irsa.rego").
//
//go:embed */*.rego
var FS embed.FS
