package iam

import (
	"math/big"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Operator is a condition operator as IAM reads it: "ForAnyValue:StringLikeIfExists" is the
// base operator StringLike with the ForAnyValue qualifier and IfExists.
type Operator struct {
	// Name is the canonical base operator ("StringLike"), or the spelling as written when the
	// operator is not one IAM knows.
	Name string
	// Qualifier is "ForAnyValue", "ForAllValues" or "".
	Qualifier string
	// IfExists is true for the ...IfExists form.
	IfExists bool
	// Negated is true for StringNotEquals, StringNotLike, ArnNotLike, NotIpAddress, ...
	Negated bool
	// Known is false when Name is not an operator of the IAM policy language.
	Known bool
}

type operatorInfo struct {
	name     string
	negated  bool
	positive string // for a negated operator, the operator it negates
}

// operators are the condition operators of the IAM policy language, by lower-case name.
var operators = func() map[string]operatorInfo {
	m := map[string]operatorInfo{}
	for _, op := range []operatorInfo{
		{"StringEquals", false, ""}, {"StringNotEquals", true, "StringEquals"},
		{"StringEqualsIgnoreCase", false, ""}, {"StringNotEqualsIgnoreCase", true, "StringEqualsIgnoreCase"},
		{"StringLike", false, ""}, {"StringNotLike", true, "StringLike"},
		{"NumericEquals", false, ""}, {"NumericNotEquals", true, "NumericEquals"},
		{"NumericLessThan", false, ""}, {"NumericLessThanEquals", false, ""},
		{"NumericGreaterThan", false, ""}, {"NumericGreaterThanEquals", false, ""},
		{"DateEquals", false, ""}, {"DateNotEquals", true, "DateEquals"},
		{"DateLessThan", false, ""}, {"DateLessThanEquals", false, ""},
		{"DateGreaterThan", false, ""}, {"DateGreaterThanEquals", false, ""},
		{"Bool", false, ""}, {"BinaryEquals", false, ""},
		{"IpAddress", false, ""}, {"NotIpAddress", true, "IpAddress"},
		{"ArnEquals", false, ""}, {"ArnLike", false, ""},
		{"ArnNotEquals", true, "ArnEquals"}, {"ArnNotLike", true, "ArnLike"},
		{"Null", false, ""},
	} {
		m[strings.ToLower(op.name)] = op
	}
	return m
}()

// ParseOperator reads a condition operator as written. Qualifier, IfExists and the operator
// name are matched case-insensitively; Name gets the canonical spelling.
func ParseOperator(op string) Operator {
	var o Operator
	rest := op
	if q, r, ok := strings.Cut(rest, ":"); ok {
		switch strings.ToLower(q) {
		case "foranyvalue":
			o.Qualifier, rest = "ForAnyValue", r
		case "forallvalues":
			o.Qualifier, rest = "ForAllValues", r
		}
	}
	const suffix = "ifexists"
	if len(rest) > len(suffix) && strings.ToLower(rest[len(rest)-len(suffix):]) == suffix {
		// Only strip IfExists from something that is then an operator IAM knows, so an unknown
		// operator stays as written.
		if _, ok := operators[strings.ToLower(rest[:len(rest)-len(suffix)])]; ok {
			rest, o.IfExists = rest[:len(rest)-len(suffix)], true
		}
	}
	o.Name = rest
	if info, ok := operators[strings.ToLower(rest)]; ok {
		o.Name, o.Negated, o.Known = info.name, info.negated, true
	}
	return o
}

// Positive is the operator a negated operator negates (StringNotLike -> StringLike); the name
// itself for any other.
func Positive(name string) string {
	if info, ok := operators[strings.ToLower(name)]; ok && info.positive != "" {
		return info.positive
	}
	return name
}

// FailsWhenAbsent reports whether a condition with this operator and these values is false for
// a request that does not carry its key: what makes a condition on another issuer's key refuse
// every token of this one.
func FailsWhenAbsent(op Operator, values []string) bool {
	return !Holds(op, values, nil)
}

// Holds judges one condition entry: op with the condition's values against the values of its
// key in the request (nil or empty: the key is absent). See the package comment for the rules.
func Holds(op Operator, values, request []string) bool {
	if !op.Known {
		return false
	}
	if op.Name == "Null" {
		present := len(request) > 0
		for _, e := range values {
			switch strings.ToLower(e) {
			case "true":
				if !present {
					return true
				}
			case "false":
				if present {
					return true
				}
			}
		}
		return false
	}
	if len(request) == 0 {
		switch {
		case op.IfExists, op.Qualifier == "ForAllValues":
			return true
		case op.Qualifier == "ForAnyValue":
			return false
		}
		return op.Negated
	}
	switch op.Qualifier {
	case "ForAnyValue":
		for _, v := range request {
			if valueHolds(op, values, v) {
				return true
			}
		}
		return false
	case "ForAllValues":
		for _, v := range request {
			if !valueHolds(op, values, v) {
				return false
			}
		}
		return true
	}
	if op.Negated {
		// A plain negated operator holds when no request value matches a condition value.
		for _, v := range request {
			if !valueHolds(op, values, v) {
				return false
			}
		}
		return true
	}
	for _, v := range request {
		if valueHolds(op, values, v) {
			return true
		}
	}
	return false
}

// valueHolds: for a positive operator, value matches one of the condition values; for a negated
// one, value can be read as the operator's type and matches none of them.
func valueHolds(op Operator, values []string, value string) bool {
	if !op.Negated {
		for _, e := range values {
			if Compare(op.Name, value, e) {
				return true
			}
		}
		return false
	}
	pos := Positive(op.Name)
	if !comparable(pos, value, values) {
		return false
	}
	for _, e := range values {
		if Compare(pos, value, e) {
			return false
		}
	}
	return true
}

// comparable is false when the request value or a condition value cannot be read as the
// operator's type (then a negated operator fails too: IAM cannot compare them).
func comparable(op, value string, expected []string) bool {
	switch {
	case strings.HasPrefix(op, "Numeric"):
		if _, ok := number(value); !ok {
			return false
		}
		for _, e := range expected {
			if _, ok := number(e); !ok {
				return false
			}
		}
	case strings.HasPrefix(op, "Date"):
		if _, ok := date(value); !ok {
			return false
		}
		for _, e := range expected {
			if _, ok := date(e); !ok {
				return false
			}
		}
	case op == "IpAddress":
		if _, err := netip.ParseAddr(value); err != nil {
			return false
		}
		for _, e := range expected {
			if _, ok := prefix(e); !ok {
				return false
			}
		}
	}
	return true
}

// Compare is one positive operator (no qualifier, not negated) applied to a request value and
// one condition value.
func Compare(op, value, expected string) bool {
	switch op {
	case "StringEquals", "BinaryEquals":
		return value == expected
	case "StringEqualsIgnoreCase":
		return strings.EqualFold(value, expected)
	case "StringLike":
		return GlobMatch(expected, value)
	case "ArnEquals", "ArnLike":
		return ARNMatch(expected, value)
	case "Bool":
		lv := strings.ToLower(value)
		return (lv == "true" || lv == "false") && lv == strings.ToLower(expected)
	case "NumericEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals":
		v, ok1 := number(value)
		e, ok2 := number(expected)
		return ok1 && ok2 && ordered(strings.TrimPrefix(op, "Numeric"), v.Cmp(e))
	case "DateEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals":
		v, ok1 := date(value)
		e, ok2 := date(expected)
		return ok1 && ok2 && ordered(strings.TrimPrefix(op, "Date"), v.Compare(e))
	case "IpAddress":
		a, err := netip.ParseAddr(value)
		p, ok := prefix(expected)
		return err == nil && ok && p.Contains(a.Unmap())
	}
	return false
}

func ordered(rel string, c int) bool {
	switch rel {
	case "Equals":
		return c == 0
	case "LessThan":
		return c < 0
	case "LessThanEquals":
		return c <= 0
	case "GreaterThan":
		return c > 0
	case "GreaterThanEquals":
		return c >= 0
	}
	return false
}

var (
	numberRE   = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	epochRE    = regexp.MustCompile(`^[0-9]+$`)
	dateRE     = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`)
	dateTimeRE = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$`)
)

// number reads a decimal number exactly.
func number(s string) (*big.Rat, bool) {
	if !numberRE.MatchString(s) {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

// date reads epoch seconds, a date (midnight UTC) or an RFC 3339 date-time.
func date(s string) (time.Time, bool) {
	switch {
	case epochRE.MatchString(s):
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0), true
	case dateRE.MatchString(s):
		t, err := time.Parse(time.DateOnly, s)
		return t, err == nil
	case dateTimeRE.MatchString(s):
		t, err := time.Parse(time.RFC3339, s)
		return t, err == nil
	}
	return time.Time{}, false
}

// prefix reads an IpAddress condition value: a CIDR block, or one address.
func prefix(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}
