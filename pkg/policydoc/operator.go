package policydoc

import (
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// operators are the condition operators of the IAM policy language, by lower-case name, with
// whether they are negated.
var operators = func() map[string]struct {
	name    string
	negated bool
} {
	m := map[string]struct {
		name    string
		negated bool
	}{}
	for _, op := range []struct {
		name    string
		negated bool
	}{
		{"StringEquals", false}, {"StringNotEquals", true},
		{"StringEqualsIgnoreCase", false}, {"StringNotEqualsIgnoreCase", true},
		{"StringLike", false}, {"StringNotLike", true},
		{"NumericEquals", false}, {"NumericNotEquals", true},
		{"NumericLessThan", false}, {"NumericLessThanEquals", false},
		{"NumericGreaterThan", false}, {"NumericGreaterThanEquals", false},
		{"DateEquals", false}, {"DateNotEquals", true},
		{"DateLessThan", false}, {"DateLessThanEquals", false},
		{"DateGreaterThan", false}, {"DateGreaterThanEquals", false},
		{"Bool", false}, {"BinaryEquals", false},
		{"IpAddress", false}, {"NotIpAddress", true},
		{"ArnEquals", false}, {"ArnLike", false}, {"ArnNotEquals", true}, {"ArnNotLike", true},
		{"Null", false},
	} {
		m[strings.ToLower(op.name)] = op
	}
	return m
}()

// ParseOperator splits a condition operator as written (e.g. "ForAnyValue:StringLikeIfExists")
// into the fields of snapshot.Condition: Operator, Qualifier, BaseOperator, IfExists, Negated and
// Known. Key, Values and Loc are left empty.
func ParseOperator(op string) snapshot.Condition {
	c := snapshot.Condition{Operator: op}
	rest := op
	if q, r, ok := strings.Cut(rest, ":"); ok {
		switch strings.ToLower(q) {
		case "foranyvalue":
			c.Qualifier, rest = "ForAnyValue", r
		case "forallvalues":
			c.Qualifier, rest = "ForAllValues", r
		}
	}
	const suffix = "ifexists"
	if len(rest) > len(suffix) && strings.ToLower(rest[len(rest)-len(suffix):]) == suffix {
		base := rest[:len(rest)-len(suffix)]
		// Only strip IfExists from something that is then an operator IAM knows, so an
		// unknown operator stays as written.
		if _, ok := operators[strings.ToLower(base)]; ok {
			rest, c.IfExists = base, true
		}
	}
	c.BaseOperator = rest
	if known, ok := operators[strings.ToLower(rest)]; ok {
		c.BaseOperator, c.Negated, c.Known = known.name, known.negated, true
	}
	return c
}
