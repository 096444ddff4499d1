package workload

import (
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/trust"
)

// The requests of the workload identities, as pkg/trust's evaluator (trust.Evaluate, the one
// trust model) judges them: the Pod Identity agent's calls, a role chaining into a target role,
// and the probe tokens of CI platforms and other OIDC issuers.

// requestTagPrefix is the condition key prefix of the session tags a request sets.
const requestTagPrefix = "aws:requesttag/"

// agentRequest is the agent's call of action for association p: the session tags it sets
// (none when disabled) and aws:TagKeys are known, except the pod's name and uid (run time) and
// values the snapshot holds only as symbols; aws:SourceAccount, aws:SourceArn and the other
// aws: keys are not fixed, so conditions on them are unknown (they may restrict, they are never
// taken to pass).
func agentRequest(p *snapshot.PodIdentityAssociation, action string, noTags bool) trust.Request {
	r := trust.Request{Service: PodIdentityService, Action: action, Closed: []string{requestTagPrefix},
		Context: map[string][]string{"aws:tagkeys": nil}}
	if noTags {
		return r
	}
	clusterName := ""
	if a, ok := iam.ParseARN(p.Cluster); ok {
		clusterName = strings.TrimPrefix(a.Resource, "cluster/")
	}
	tags := map[string]string{
		"eks-cluster-arn":            p.Cluster,
		"eks-cluster-name":           clusterName,
		"kubernetes-namespace":       p.Namespace,
		"kubernetes-service-account": p.ServiceAccount,
	}
	r.Context["aws:tagkeys"] = slices.Clone(sessionTags)
	for _, tag := range sessionTags {
		if v := tags[tag]; v != "" {
			r.Context[requestTagPrefix+tag] = []string{v} // a symbol makes its conditions unknown
		} else {
			r.Unfixed = append(r.Unfixed, requestTagPrefix+tag)
		}
	}
	return r
}

// witnessRequest is the agent's sts:AssumeRole for an association no one in the role's account
// controls: another account's cluster, a namespace, ServiceAccount and pod of its own, with or
// without session tags.
func witnessRequest(noTags bool) trust.Request {
	const cluster = "arn:aws:eks:us-east-1:000000000000:cluster/irsa-audit-witness"
	r := agentRequest(&snapshot.PodIdentityAssociation{Cluster: cluster, Namespace: witnessName, ServiceAccount: witnessName}, ActionAssumeRole, noTags)
	r.Context["aws:sourceaccount"] = []string{"000000000000"}
	r.Context["aws:sourcearn"] = []string{cluster}
	if !noTags {
		r.Unfixed = nil
		r.Context[requestTagPrefix+"kubernetes-pod-name"] = []string{witnessName}
		r.Context[requestTagPrefix+"kubernetes-pod-uid"] = []string{witnessName}
	}
	return r
}

// chainRequest is the association role source's sts:AssumeRole into its target role: the
// caller's ARN and account are known; sts:ExternalId (EKS's, not in the snapshot) and the other
// aws: keys are not.
func chainRequest(source string) trust.Request {
	r := trust.Request{AWS: source, Action: ActionAssumeRole, Context: map[string][]string{"aws:principalarn": {source}}}
	if a, ok := iam.ParseARN(source); ok {
		r.Context["aws:principalaccount"] = []string{a.Account}
	}
	return r
}

// probeToken is a web-identity token of issuer exchanged through provider with the given
// subject and audience (nil: not known). The token carries other claims (a CI platform's
// repository, ref, workflow ...) whose values the probe does not fix.
func probeToken(provider, issuer string, sub, aud []string) trust.Request {
	claims := map[string][]string{}
	if sub != nil {
		claims["sub"] = sub
	}
	if aud != nil {
		claims["aud"] = aud
	}
	r := trust.Token(provider, issuer, claims)
	r.OpenClaims = true
	return r
}

// admitted reports whether doc admits r for sure.
func admitted(doc *snapshot.Document, r trust.Request) bool {
	return trust.Evaluate(doc, r).Verdict == trust.Admitted
}
