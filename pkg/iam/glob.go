package iam

import (
	"strings"
	"unicode/utf8"
)

// GlobMatch is IAM's wildcard matching: "*" matches any run of characters (the empty one and
// newlines too), "?" exactly one character; every other character, "[", "{" and "\" included,
// is literal and compared case-sensitively. It backtracks only to the last "*", so it runs in
// O(len(pattern) * len(value)) at worst. Invalid UTF-8 bytes count as one character each.
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
				// Byte comparison is rune comparison here: vx only ever moves by whole runes,
				// and so does px past literal bytes.
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

// HasWildcard reports whether s contains an IAM wildcard ("*" or "?").
func HasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// MatchAction reports whether an Action or NotAction pattern of a policy matches an action
// ("service:Name"): GlobMatch, case-insensitively, as IAM compares action names.
func MatchAction(pattern, action string) bool {
	return GlobMatch(strings.ToLower(pattern), strings.ToLower(action))
}

// CoversAction reports whether a statement with these Action and NotAction lists applies to
// action: one of the Action patterns matches it, or there is no Action and there are NotAction
// patterns, none of which matches it. A statement with neither applies to nothing (IAM refuses
// it).
func CoversAction(actions, notActions []string, action string) bool {
	for _, p := range actions {
		if MatchAction(p, action) {
			return true
		}
	}
	if len(actions) > 0 || len(notActions) == 0 {
		return false
	}
	for _, p := range notActions {
		if MatchAction(p, action) {
			return false
		}
	}
	return true
}

// ARNMatch compares an ARN with an ARN pattern as the Arn condition operators do: each of the
// six ":"-separated fields separately, with GlobMatch (the sixth keeps its own colons).
func ARNMatch(pattern, value string) bool {
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
