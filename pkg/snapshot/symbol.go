package snapshot

import (
	"slices"
	"strings"
)

// HasSymbol reports whether s holds a symbol (SymbolOpen ... SymbolClose).
func HasSymbol(s string) bool { return strings.Contains(s, SymbolOpen) }

// Symbols returns the symbols in the given strings, delimiters included, sorted and without
// duplicates.
func Symbols(ss ...string) []string {
	var out []string
	for _, s := range ss {
		for {
			i := strings.Index(s, SymbolOpen)
			if i < 0 {
				break
			}
			j := strings.Index(s[i:], SymbolClose)
			if j < 0 {
				out = append(out, s[i:])
				break
			}
			out = append(out, s[i:i+j+len(SymbolClose)])
			s = s[i+j+len(SymbolClose):]
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// MarkUnknown fills the Unknown lists of d's statements and conditions from the symbols their
// values hold, and returns whether any does.
func (d *Document) MarkUnknown() bool {
	found := false
	for i := range d.Statements {
		s := &d.Statements[i]
		s.Unknown = nil
		principal := func(p *Principal) bool {
			return p != nil && (anySymbol(p.AWS) || anySymbol(p.Federated) || anySymbol(p.Service) || anySymbol(p.CanonicalUser))
		}
		for _, e := range []struct {
			name string
			has  bool
		}{
			{"principal", principal(s.Principal)},
			{"not_principal", principal(s.NotPrincipal)},
			{"actions", anySymbol(s.Actions)},
			{"not_actions", anySymbol(s.NotActions)},
			{"resources", anySymbol(s.Resources)},
			{"not_resources", anySymbol(s.NotResources)},
		} {
			if e.has {
				s.Unknown = append(s.Unknown, e.name)
			}
		}
		found = found || len(s.Unknown) > 0
		for j := range s.Conditions {
			c := &s.Conditions[j]
			c.Unknown = nil
			if HasSymbol(c.Key) {
				c.Unknown = append(c.Unknown, "key")
			}
			if anySymbol(c.Values) {
				c.Unknown = append(c.Unknown, "values")
			}
			found = found || len(c.Unknown) > 0
		}
	}
	return found
}

func anySymbol(ss []string) bool { return slices.ContainsFunc(ss, HasSymbol) }
