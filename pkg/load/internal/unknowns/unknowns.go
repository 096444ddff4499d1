// Package unknowns lists what the rules cannot judge in items built with symbols (values known
// only after deployment), for the readers of infrastructure as code.
package unknowns

import (
	"fmt"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Fields lists the named fields whose values hold symbols, sorted.
func Fields(fields map[string]string) []string {
	var out []string
	for k, v := range fields {
		if snapshot.HasSymbol(v) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// InDocument returns the parts of a document the rules cannot judge: condition values holding
// symbols, condition keys whose claim is hidden by a symbol, principals that are symbols rather
// than ARNs with symbolic parts, actions holding symbols, and resources that are wholly a
// symbol. A symbolic issuer in an ARN and in "«issuer»:sub" keys is not listed: it is the
// same symbol in both places, and the rules judge the statement by it.
func InDocument(reasonOf func([]string) string, kind, id, element string, d *snapshot.Document) []snapshot.NotJudged {
	var out []snapshot.NotJudged
	add := func(what string, l snapshot.Location, vals ...string) {
		syms := snapshot.Symbols(vals...)
		out = append(out, snapshot.NotJudged{Kind: kind, ID: id, Element: what, Symbols: syms, Reason: reasonOf(syms), Loc: l})
	}
	notARN := func(v string) bool { return snapshot.HasSymbol(v) && !strings.HasPrefix(v, "arn:") }
	for j, s := range d.Statements {
		where := fmt.Sprintf("%s statement %d", element, j+1)
		for _, p := range []struct {
			name string
			p    *snapshot.Principal
		}{{"principal", s.Principal}, {"not_principal", s.NotPrincipal}} {
			if p.p == nil {
				continue
			}
			for _, v := range slices.Concat(p.p.AWS, p.p.Federated, p.p.Service, p.p.CanonicalUser) {
				if notARN(v) {
					add(where+", "+p.name, s.Loc, v)
				}
			}
		}
		for _, f := range []struct {
			name string
			vals []string
			arn  bool
		}{{"actions", s.Actions, false}, {"not_actions", s.NotActions, false}, {"resources", s.Resources, true}, {"not_resources", s.NotResources, true}} {
			// A resource ARN with a symbolic account or name still names resources of one
			// kind; only a resource that is wholly a symbol hides what is granted.
			if f.arn && slices.ContainsFunc(f.vals, notARN) || !f.arn && slices.ContainsFunc(f.vals, snapshot.HasSymbol) {
				add(where+", "+f.name, s.Loc, f.vals...)
			}
		}
		for _, c := range s.Conditions {
			ce := fmt.Sprintf("%s, condition %s %s", where, c.Operator, c.Key)
			if snapshot.HasSymbol(c.Key) && KeyHidesClaim(c.Key) {
				add(ce+", key", c.Loc, c.Key)
			}
			if slices.ContainsFunc(c.Values, snapshot.HasSymbol) {
				add(ce+", values", c.Loc, c.Values...)
			}
		}
	}
	return out
}

// KeyHidesClaim reports whether a condition key with a symbol does not show which key it is:
// "«issuer»:sub" shows its claim, "«var.key»" and "aws:«x»" do not.
func KeyHidesClaim(key string) bool {
	return strings.LastIndex(key, ":") < strings.LastIndex(key, snapshot.SymbolClose)
}
