package workload

import (
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Verdict is what a trust policy says about one request: IAM allows it, refuses it, or the
// answer depends on a value the snapshot does not hold (a condition key whose value the
// request would only carry at run time, a symbol of a template). The order matters: the
// verdict of an AND is the least of its parts.
type Verdict int

// The verdicts, least first.
const (
	Refused Verdict = iota
	Unknown
	Allowed
)

// String is the verdict as the facts spell it.
func (v Verdict) String() string {
	switch v {
	case Allowed:
		return "allowed"
	case Unknown:
		return "unknown"
	}
	return "refused"
}

func not(v Verdict) Verdict { return Allowed - v }

// Request is a call to sts:AssumeRole (or sts:TagSession) made by a service principal or by an
// AWS principal, as a trust policy judges it.
type Request struct {
	// Service is the calling service principal ("pods.eks.amazonaws.com"); empty for an AWS
	// principal.
	Service string
	// AWS is the ARN of the calling role; empty for a service principal.
	AWS string
	// Federated is the ARN of the IAM OIDC provider of a web-identity token.
	Federated string
	// Action is the action authorised, e.g. "sts:AssumeRole".
	Action string
	// Key returns the values of a condition key in the request (key in lower case): nil when
	// the request does not carry the key; known is false when the value cannot be told from
	// the snapshot, which makes every condition on the key Unknown.
	Key func(key string) (values []string, known bool)
}

// Evaluate judges a trust policy for req with IAM's logic: an explicit Deny that applies wins,
// otherwise an Allow statement that applies allows. A statement applies when its principal,
// its action and every condition entry (keys and operators ANDed, values ORed, under the real
// operator: pkg/iam) apply. Unknown parts make the verdict Unknown unless another part settles
// it. A nil trust refuses.
//
// This is the evaluator of the requests EKS Pod Identity makes (a service principal, a role
// chaining into a target role) and of the probe tokens of CI platforms (ci.go); the IRSA
// web-identity requests are judged by pkg/trust. It is the seam for the trust model's single
// evaluator: when that lands, Evaluate becomes a call to it.
func Evaluate(trust *snapshot.Document, req Request) Verdict {
	if trust == nil {
		return Refused
	}
	allow, deny := Refused, Refused
	for i := range trust.Statements {
		st := &trust.Statements[i]
		v := applies(st, req)
		switch st.Effect {
		case "Allow":
			allow = max(allow, v)
		case "Deny":
			deny = max(deny, v)
		}
	}
	return min(allow, not(deny))
}

// AllowingStatements returns the indexes of the Allow statements that apply to req or may
// apply (Unknown): the statements a finding about the admission points at.
func AllowingStatements(trust *snapshot.Document, req Request) []int {
	if trust == nil {
		return nil
	}
	var out []int
	for i := range trust.Statements {
		if st := &trust.Statements[i]; st.Effect == "Allow" && applies(st, req) != Refused {
			out = append(out, i)
		}
	}
	return out
}

func applies(st *snapshot.Statement, req Request) Verdict {
	v := min(principal(st, req), action(st, req.Action))
	for i := range st.Conditions {
		if v == Refused {
			return v
		}
		v = min(v, condition(&st.Conditions[i], req))
	}
	return v
}

func unknownElement(st *snapshot.Statement, names ...string) bool {
	for _, u := range st.Unknown {
		for _, n := range names {
			if u == n {
				return true
			}
		}
	}
	return false
}

func principal(st *snapshot.Statement, req Request) Verdict {
	// A Principal that lists the caller names it whatever its other, unknown, entries are.
	if st.Principal != nil && names(st.Principal, req) {
		return Allowed
	}
	if unknownElement(st, "principal", "not_principal") {
		return Unknown
	}
	switch {
	case st.Principal != nil:
		if names(st.Principal, req) {
			return Allowed
		}
		return Refused
	case st.NotPrincipal != nil:
		if names(st.NotPrincipal, req) {
			return Refused
		}
		return Allowed
	}
	return Refused // IAM refuses a trust statement without a principal
}

// names reports whether p names the caller of req: "*", the service principal, or for a role
// its ARN, its account's root or its account id.
func names(p *snapshot.Principal, req Request) bool {
	if p.Wildcard {
		return true
	}
	switch {
	case req.Service != "":
		for _, s := range p.Service {
			if strings.EqualFold(s, req.Service) {
				return true
			}
		}
		return false
	case req.Federated != "":
		return slices.ContainsFunc(p.Federated, func(f string) bool { return iam.SameARN(f, req.Federated) })
	}
	a, ok := iam.ParseARN(req.AWS)
	if !ok {
		return false
	}
	root := iam.ARN{Partition: a.Partition, Service: "iam", Account: a.Account, Resource: "root"}.String()
	for _, s := range p.AWS {
		if s == "*" || iam.SameARN(s, req.AWS) || s == root || s == a.Account {
			return true
		}
	}
	return false
}

func action(st *snapshot.Statement, act string) Verdict {
	if unknownElement(st, "actions", "not_actions") {
		return Unknown
	}
	if iam.CoversAction(st.Actions, st.NotActions, act) {
		return Allowed
	}
	return Refused
}

func condition(c *snapshot.Condition, req Request) Verdict {
	if len(c.Unknown) > 0 {
		return Unknown
	}
	values, known := req.Key(strings.ToLower(c.Key))
	if !known {
		return Unknown
	}
	if iam.Holds(iam.ParseOperator(c.Operator), c.Values, values) {
		return Allowed
	}
	return Refused
}
