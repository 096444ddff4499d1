// Package iam holds the semantics of AWS IAM identifiers and matching, written once: ARNs in
// every partition (roles, OIDC providers, any resource), OIDC issuers as IAM keys them,
// ServiceAccount subjects, IAM's "*"/"?" wildcard matching, action matching, and the condition
// operators of the policy language with their evaluation rules. Everything that parses an ARN,
// compares an issuer, matches a pattern or judges a condition (pkg/load, pkg/collect,
// pkg/trust, pkg/permissions, pkg/iamcatalog, and the Rego built-ins pkg/eval gives the rules)
// calls this package instead of doing it again.
//
// It is a leaf: standard library only. Functions are pure and safe for concurrent use.
//
// Where IAM's behaviour is documented, this package follows the documentation:
//   - condition keys are compared case-insensitively, condition values case-sensitively (except
//     the IgnoreCase operators); action names case-insensitively; ARNs case-sensitively;
//   - several values of one condition entry are ORed, several keys and operators ANDed;
//   - StringEquals compares literally ("*" is a character), StringLike and the Arn operators
//     match "*" (any run of characters, the empty one and newlines included) and "?" (exactly
//     one character);
//   - an absent key: ...IfExists holds, ForAllValues holds (vacuously), ForAnyValue fails
//     (there is no value to satisfy it, negated or not), a plain positive operator fails and a
//     plain negated operator holds; Null "true" holds exactly when the key is absent;
//   - an operator IAM does not know makes the condition false (IAM refuses such a policy).
//
// Where a policy alone cannot tell (policy variables "${...}" in values are not substituted:
// they are compared literally), the choice is documented on the function.
package iam
