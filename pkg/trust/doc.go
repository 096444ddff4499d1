// Package trust is the trust model: IAM's evaluation of role trust policies, written once on
// top of pkg/iam, and the facts the rules read about it.
//
// Evaluate judges a trust policy for one request (a web-identity token of any issuer, a service
// principal, an AWS principal): admitted, refused, or unknown when the answer depends on what
// the policy and the request do not fix (an aws:/sts: key the request does not carry, a value
// known only after deployment). WhoCanAssume evaluates witness tokens against a whole trust
// policy and says, per OIDC provider, which subjects and audiences are admitted, and per service
// principal whether it is. Analyze computes both for a snapshot, with the verdict of every
// ServiceAccount-role binding and the statement facts and indexes of policies/lib; pkg/eval puts
// the result at input.trust, and the custom built-in iam.trust_facts computes the same document
// where the input has none (rule tests), so no rule re-derives who can assume a role.
package trust
