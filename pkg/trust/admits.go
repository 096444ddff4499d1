// Package trust decides, in Go, whether a role's trust policy admits an OIDC token as
// sts:AssumeRoleWithWebIdentity, with exactly the semantics of policies/lib/admits.rego, and
// computes the admission verdict of every ServiceAccount that names a role (Analyze). The
// evaluator puts that analysis in the Rego input at input.trust, so the cross-resource rules
// (IRSA-022, IRSA-025) read a verdict instead of evaluating the trust policy in Rego, which
// costs OPA a few hundred microseconds per ServiceAccount.
//
// The Rego library stays the definition: the rules compute the same verdicts from it when the
// input has no input.trust (their Rego tests, `opa test`), and the tests of this package run
// both on the cases of policies/lib/admits_test.rego and on generated trust policies and tokens
// and require identical answers. Every choice below is the library's; see its package comment.
package trust

import (
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Verdict is what a trust policy says about a token: Admitted, Refused or Unknown.
type Verdict string

// The verdicts of admits.verdict.
const (
	Admitted Verdict = "admitted"
	Refused  Verdict = "refused"
	// Unknown is the verdict when the outcome depends on a condition on an "aws:" or "sts:" key
	// that the token does not carry.
	Unknown Verdict = "unknown"
)

// WebIdentityAction is the STS action a token exchange is evaluated as.
const WebIdentityAction = "sts:AssumeRoleWithWebIdentity"

// DefaultAudience is the audience the EKS Pod Identity Webhook requests for projected tokens.
const DefaultAudience = "sts.amazonaws.com"

// Token is an OIDC token as admits.rego describes it: the issuer without scheme (iss) and the
// values of its sub, aud and amr claims. A nil claim is absent from the token.
type Token struct {
	Issuer        string
	Sub, Aud, AMR []string
}

// ServiceAccountToken is the token the EKS Pod Identity Webhook projects for a ServiceAccount
// (admits.service_account_token, with the audience as an argument).
func ServiceAccountToken(issuer, namespace, name, audience string) Token {
	return Token{
		Issuer: NormalizeIssuer(valid(issuer)),
		Sub:    []string{ServiceAccountSubject(valid(namespace), valid(name))},
		Aud:    []string{valid(audience)},
	}
}

// ServiceAccountSubject is the "sub" claim of a ServiceAccount token.
func ServiceAccountSubject(namespace, name string) string {
	return "system:serviceaccount:" + namespace + ":" + name
}

// NormalizeIssuer drops the scheme and a trailing "/" from an issuer URL (once each, as
// admits.normalize_issuer does).
func NormalizeIssuer(issuer string) string {
	issuer = strings.TrimPrefix(issuer, "https://")
	issuer = strings.TrimPrefix(issuer, "http://")
	return strings.TrimSuffix(issuer, "/")
}

// ProviderARN is admits.provider_arn: the ARN of the IAM OIDC provider for issuer in the
// partition and account of roleARN; ok is false when roleARN has fewer than six ":" parts or
// does not start with "arn".
func ProviderARN(roleARN, issuer string) (arn string, ok bool) {
	parts := strings.Split(roleARN, ":")
	if len(parts) < 6 || parts[0] != "arn" {
		return "", false
	}
	return "arn:" + parts[1] + ":iam::" + parts[4] + ":oidc-provider/" + NormalizeIssuer(issuer), true
}

// RoleKey is admits.role_key: "<account>/<lower-case name>" of an IAM role ARN; ok is false
// for anything that is not one.
func RoleKey(arn string) (key string, ok bool) {
	p, ok := ParseRoleARN(arn)
	if !ok {
		return "", false
	}
	return p.Key(), true
}

// Key is the role key of the parts: "<account>/<lower-case name>".
func (p RoleARNParts) Key() string { return p.Account + "/" + strings.ToLower(p.Name) }

// ParseRoleARN is admits.role_arn_parts: it splits an IAM role ARN as the library's regular
// expression ^arn:(aws[a-z-]*):iam::([0-9]{12}):role(/(?:[^/]+/)*)([^/]+)$ does (a test holds
// the two equal), without running it: this is done for every ServiceAccount and role of an
// estate.
func ParseRoleARN(arn string) (RoleARNParts, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws")
	if !ok {
		return RoleARNParts{}, false
	}
	n := strings.IndexFunc(rest, func(r rune) bool { return (r < 'a' || r > 'z') && r != '-' })
	if n < 0 {
		return RoleARNParts{}, false
	}
	partition := "aws" + rest[:n]
	rest, ok = strings.CutPrefix(rest[n:], ":iam::")
	if !ok || len(rest) < 12 {
		return RoleARNParts{}, false
	}
	account := rest[:12]
	for i := range len(account) {
		if account[i] < '0' || account[i] > '9' {
			return RoleARNParts{}, false
		}
	}
	rest, ok = strings.CutPrefix(rest[12:], ":role/")
	if !ok {
		return RoleARNParts{}, false
	}
	slash := strings.LastIndexByte(rest, '/')
	path, name := "/"+rest[:slash+1], rest[slash+1:]
	if name == "" || strings.Contains(path, "//") {
		return RoleARNParts{}, false
	}
	return RoleARNParts{Partition: partition, Account: account, Path: path, Name: name}, true
}

// request is the request context of a token: the lower-case issuer and its claims. Lookups
// compare a lower-case condition key with "<issuer>:<claim>" without building the keys.
type request struct {
	issuer        string // lower(normalize_issuer(iss))
	sub, aud, amr []string
}

func newRequest(t Token) request {
	return request{issuer: strings.ToLower(NormalizeIssuer(valid(t.Issuer))), sub: t.Sub, aud: t.Aud, amr: t.AMR}
}

// values returns the values of a condition key (already lower-case); nil when absent.
func (r *request) values(key string) []string {
	rest, ok := strings.CutPrefix(key, r.issuer)
	if !ok || len(rest) == 0 || rest[0] != ':' {
		return nil
	}
	switch rest[1:] {
	case "sub":
		return r.sub
	case "aud":
		return r.aud
	case "amr":
		return r.amr
	}
	return nil
}

// Admits is admits.admits: some Allow statement matches the token through provider and no Deny
// statement does. Keys other than the token's are absent. A nil doc admits nothing.
func Admits(doc *snapshot.Document, provider string, t Token) bool {
	if doc == nil {
		return false
	}
	r := newRequest(t)
	provider = valid(provider)
	allowed := false
	for i := range doc.Statements {
		st := &doc.Statements[i]
		switch st.Effect {
		case "Allow":
			if !allowed && statementMatches(st, provider, &r) {
				allowed = true
			}
		case "Deny":
			if statementMatches(st, provider, &r) {
				return false
			}
		}
	}
	return allowed
}

// VerdictOf is admits.verdict: "admitted", "refused" or "unknown" (see Unknown). A nil doc has
// no statements: "refused".
func VerdictOf(doc *snapshot.Document, provider string, t Token) Verdict {
	var allowYes, allowMaybe, denyYes, denyMaybe bool
	if doc != nil {
		r := newRequest(t)
		provider = valid(provider)
		for i := range doc.Statements {
			st := &doc.Statements[i]
			if st.Effect != "Allow" && st.Effect != "Deny" {
				continue // _combine looks at Allow and Deny statuses only
			}
			s := status(st, provider, &r)
			switch {
			case st.Effect == "Allow" && s == yes:
				allowYes = true
			case st.Effect == "Allow" && s == maybe:
				allowMaybe = true
			case st.Effect == "Deny" && s == yes:
				denyYes = true
			case st.Effect == "Deny" && s == maybe:
				denyMaybe = true
			}
		}
	}
	switch {
	case denyYes:
		return Refused
	case allowYes && !denyMaybe:
		return Admitted
	case !allowYes && !allowMaybe:
		return Refused
	}
	return Unknown
}

type stmtStatus int

const (
	no stmtStatus = iota
	maybe
	yes
)

// status is admits._status: "no" unless the statement applies, then the fold of its
// condition states (any false: no; else any unknown: maybe; else yes).
func status(st *snapshot.Statement, provider string, r *request) stmtStatus {
	if !applies(st, provider) {
		return no
	}
	out := yes
	for i := range st.Conditions {
		c := &st.Conditions[i]
		key := strings.ToLower(valid(c.Key))
		vals := r.values(key)
		switch {
		case len(vals) == 0 && unknowableKey(key):
			out = maybe
		case !holds(c, vals):
			return no
		}
	}
	return out
}

// unknowableKey: global and STS keys, whose presence in a real request a policy alone cannot
// tell (key is lower-case).
func unknowableKey(key string) bool {
	return strings.HasPrefix(key, "aws:") || strings.HasPrefix(key, "sts:")
}

func statementMatches(st *snapshot.Statement, provider string, r *request) bool {
	if !applies(st, provider) {
		return false
	}
	for i := range st.Conditions {
		c := &st.Conditions[i]
		if !holds(c, r.values(strings.ToLower(valid(c.Key)))) {
			return false
		}
	}
	return true
}

func applies(st *snapshot.Statement, provider string) bool {
	return principalMatches(st, provider) && CoversAction(st, WebIdentityAction)
}

// principalMatches: no NotPrincipal, and Principal is "*", {"AWS": "*"} or lists provider
// under Federated (exact string).
func principalMatches(st *snapshot.Statement, provider string) bool {
	if st.NotPrincipal != nil || st.Principal == nil {
		return false
	}
	p := st.Principal
	if p.Wildcard {
		return true
	}
	for _, a := range p.AWS {
		if valid(a) == "*" {
			return true
		}
	}
	for _, f := range p.Federated {
		if valid(f) == provider {
			return true
		}
	}
	return false
}

// CoversAction is admits.covers_action: one of the statement's Action patterns matches action,
// or it has no Action and NotAction patterns none of which matches; case-insensitive, with
// "*" and "?" wildcards.
func CoversAction(st *snapshot.Statement, action string) bool {
	action = strings.ToLower(action)
	for _, p := range st.Actions {
		if GlobMatch(strings.ToLower(valid(p)), action) {
			return true
		}
	}
	if len(st.Actions) > 0 || len(st.NotActions) == 0 {
		return false
	}
	for _, p := range st.NotActions {
		if GlobMatch(strings.ToLower(valid(p)), action) {
			return false
		}
	}
	return true
}

// GlobMatch is admits.glob_match, IAM's wildcard matching: "*" matches any run of characters
// (the empty one and newlines too), "?" exactly one character; every other character is
// literal and compared case-sensitively. Both strings must be valid UTF-8.
func GlobMatch(pattern, value string) bool {
	px, vx := 0, 0
	starP, starV := -1, -1 // where the last "*" is and where its match ends so far
	for px < len(pattern) || vx < len(value) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				starP, starV = px, vx
				px++
				continue
			case '?':
				if vx < len(value) {
					_, w := utf8.DecodeRuneInString(value[vx:])
					px++
					vx += w
					continue
				}
			default:
				// Byte comparison is rune comparison here: both strings are valid UTF-8 and
				// vx only ever moves by whole runes.
				if vx < len(value) && value[vx] == c {
					px++
					vx++
					continue
				}
			}
		}
		if starP >= 0 && starV < len(value) {
			_, w := utf8.DecodeRuneInString(value[starV:])
			starV += w
			px, vx = starP+1, starV
			continue
		}
		return false
	}
	return true
}

// holds is admits._holds: one condition entry against the values of its key (nil: absent).
func holds(c *snapshot.Condition, vals []string) bool {
	if !c.Known {
		return false
	}
	if c.BaseOperator == "Null" {
		present := len(vals) > 0
		for _, e := range c.Values {
			switch strings.ToLower(valid(e)) {
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
	if len(vals) == 0 {
		// ...IfExists holds; ForAllValues holds (vacuously); ForAnyValue fails; a plain
		// operator holds when negated.
		return c.IfExists || c.Qualifier == "ForAllValues" || (c.Qualifier == "" && c.Negated)
	}
	switch c.Qualifier {
	case "ForAnyValue":
		for _, v := range vals {
			if valueHolds(c, v) {
				return true
			}
		}
		return false
	case "ForAllValues":
		for _, v := range vals {
			if !valueHolds(c, v) {
				return false
			}
		}
		return true
	case "":
		if c.Negated {
			for _, v := range vals {
				if !valueHolds(c, v) {
					return false
				}
			}
			return true
		}
		for _, v := range vals {
			if valueHolds(c, v) {
				return true
			}
		}
	}
	return false
}

// positive maps a negated operator to the operator it negates.
var positive = map[string]string{
	"StringNotEquals":           "StringEquals",
	"StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
	"StringNotLike":             "StringLike",
	"NumericNotEquals":          "NumericEquals",
	"DateNotEquals":             "DateEquals",
	"NotIpAddress":              "IpAddress",
	"ArnNotEquals":              "ArnEquals",
	"ArnNotLike":                "ArnLike",
}

// valueHolds is admits._value_holds: for a positive operator the request value matches one of
// the condition values; for a negated one it is comparable and matches none.
func valueHolds(c *snapshot.Condition, value string) bool {
	value = valid(value)
	if !c.Negated {
		for _, e := range c.Values {
			if compare(c.BaseOperator, value, valid(e)) {
				return true
			}
		}
		return false
	}
	op, ok := positive[c.BaseOperator]
	if !ok || !comparable(op, value, c.Values) {
		return false
	}
	for _, e := range c.Values {
		if compare(op, value, valid(e)) {
			return false
		}
	}
	return true
}

// comparable is false when the request value or a condition value cannot be read as the
// operator's type. Condition values that are null (a nil slice, not an empty one) fail the
// Numeric and Date cases as they do in Rego, where "every" over null is false.
func comparable(op, value string, expected []string) bool {
	switch {
	case strings.HasPrefix(op, "Numeric"):
		if _, ok := number(value); !ok || expected == nil {
			return false
		}
		for _, e := range expected {
			if _, ok := number(valid(e)); !ok {
				return false
			}
		}
		return true
	case strings.HasPrefix(op, "Date"):
		if _, ok := dateNs(value); !ok || expected == nil {
			return false
		}
		for _, e := range expected {
			if _, ok := dateNs(valid(e)); !ok {
				return false
			}
		}
		return true
	}
	return strings.HasPrefix(op, "String") || strings.HasPrefix(op, "Arn")
}

func compare(op, value, expected string) bool {
	switch op {
	case "StringEquals", "BinaryEquals":
		return value == expected
	case "StringEqualsIgnoreCase":
		return strings.ToLower(value) == strings.ToLower(expected)
	case "StringLike":
		return GlobMatch(expected, value)
	case "ArnEquals", "ArnLike":
		return arnMatch(expected, value)
	case "Bool":
		lv := strings.ToLower(value)
		return (lv == "true" || lv == "false") && lv == strings.ToLower(expected)
	case "NumericEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals":
		v, ok1 := number(value)
		e, ok2 := number(expected)
		return ok1 && ok2 && ordered(strings.TrimPrefix(op, "Numeric"), v.Cmp(e))
	case "DateEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals":
		v, ok1 := dateNs(value)
		e, ok2 := dateNs(expected)
		return ok1 && ok2 && ordered(strings.TrimPrefix(op, "Date"), v.Cmp(e))
	}
	return false // IpAddress (never: see admits.rego), unknown operators
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

// arnMatch compares the six ":"-separated parts of two ARNs one by one, each with wildcards;
// the sixth part keeps its own colons.
func arnMatch(pattern, value string) bool {
	p := strings.SplitN(pattern, ":", 6)
	v := strings.SplitN(value, ":", 6)
	if len(p) < 6 || len(v) < 6 {
		return false
	}
	for i := range p {
		if !GlobMatch(p[i], v[i]) {
			return false
		}
	}
	return true
}

var (
	numberRE   = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	epochRE    = regexp.MustCompile(`^[0-9]+$`)
	dateRE     = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`)
	dateTimeRE = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$`)
)

// number is admits._number: a decimal number (to_number fails, and so the number is
// undefined, beyond the float64 range).
func number(s string) (*big.Rat, bool) {
	if !numberRE.MatchString(s) || !toNumberOK(s) {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

// toNumberOK is whether OPA's to_number accepts a decimal string: strconv.ParseFloat must not
// fail (it does beyond the float64 range).
func toNumberOK(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

var (
	minNs = time.Unix(0, math.MinInt64)
	maxNs = time.Unix(0, math.MaxInt64)
)

// dateNs is admits._date_ns: epoch seconds, a date (midnight UTC) or an RFC 3339 date-time, in
// nanoseconds; undefined for anything else and for times time.parse_rfc3339_ns refuses
// (invalid dates, outside the int64 nanosecond range).
func dateNs(s string) (*big.Int, bool) {
	switch {
	case epochRE.MatchString(s):
		if !toNumberOK(s) {
			return nil, false
		}
		n, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return nil, false
		}
		return n.Mul(n, big.NewInt(1e9)), true
	case dateRE.MatchString(s):
		return rfc3339Ns(s + "T00:00:00Z")
	case dateTimeRE.MatchString(s):
		return rfc3339Ns(s)
	}
	return nil, false
}

func rfc3339Ns(s string) (*big.Int, bool) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || t.Before(minNs) || t.After(maxNs) {
		return nil, false
	}
	return big.NewInt(t.UnixNano()), true
}

// valid replaces every invalid UTF-8 byte with U+FFFD, as encoding/json (and the evaluator's
// input conversion) does, so that Go compares the strings the rules see.
func valid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r)
	}
	return b.String()
}
