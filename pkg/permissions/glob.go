package permissions

import (
	"strings"
	"sync"
)

// covers reports whether IAM pattern p matches every string that pattern t matches ("*" any
// run, "?" one character, case-sensitive as ARNs are). A "*" of t must meet a "*" of p; a "?"
// of t a "?" or "*".
func covers(p, t string) bool {
	if p == "*" || p == t {
		return true
	}
	// A "*" at either end of t needs one at the same end of p (most calls end here).
	if len(t) > 0 && (t[0] == '*' && (len(p) == 0 || p[0] != '*') || t[len(t)-1] == '*' && (len(p) == 0 || p[len(p)-1] != '*')) {
		return false
	}
	buf := memoPool.Get().(*[]uint8)
	defer memoPool.Put(buf)
	memo := newMemo(buf, len(p), len(t))
	var cov func(i, j int) bool
	cov = func(i, j int) bool {
		if i == len(p) {
			return j == len(t)
		}
		if v, ok := memo.get(i, j); ok {
			return v
		}
		var r bool
		switch {
		case p[i] == '*':
			r = cov(i+1, j) || (j < len(t) && cov(i, j+1))
		case j == len(t) || t[j] == '*':
			r = false
		case t[j] == '?':
			r = p[i] == '?' && cov(i+1, j+1)
		default:
			r = (p[i] == '?' || p[i] == t[j]) && cov(i+1, j+1)
		}
		memo.set(i, j, r)
		return r
	}
	return cov(0, 0)
}

// token kinds of an ARN format turned into a pattern (see formatTokens). A placeholder is never
// empty: it becomes a token for its first character and one for the rest.
const (
	tokLit   = iota
	tokField // a placeholder before the resource part (partition, region, account): no ":" or "/"
	tokName  // ${BucketName}: no "/" or ":" (a bucket ARN is never an object ARN)
	tokPart  // another placeholder of the resource part (role path, parameter name): no ":"
	tokKey   // ${ObjectName}: anything (S3 object keys may hold "/" and ":")
)

type token struct {
	kind int
	c    byte // the character of a tokLit
	// more is set on the second token of a placeholder: any number of further characters.
	more bool
}

// formatTokens turns an ARN format of the Service Authorization Reference, e.g.
// "arn:${Partition}:s3:::${BucketName}/${ObjectName}", into tokens. The account may be empty
// (public AMIs, snapshots and SSM parameters have none), except in S3, where an empty account
// and region is what tells a bucket or object ARN from an access point's.
func formatTokens(format string) []token {
	var out []token
	colons := 0
	s3 := strings.HasPrefix(format, "arn:${Partition}:s3:")
	for len(format) > 0 {
		if strings.HasPrefix(format, "${") {
			if end := strings.IndexByte(format, '}'); end > 0 {
				kind := tokPart
				switch {
				case colons < 5:
					kind = tokField
				case format[2:end] == "BucketName":
					kind = tokName
				case format[2:end] == "ObjectName":
					kind = tokKey
				}
				if colons != 4 || s3 {
					out = append(out, token{kind: kind})
				}
				out = append(out, token{kind: kind, more: true})
				format = format[end+1:]
				continue
			}
		}
		if format[0] == ':' {
			colons++
		}
		out = append(out, token{kind: tokLit, c: format[0]})
		format = format[1:]
	}
	return out
}

// holds reports whether a placeholder of kind k may hold character c.
func holds(k int, c byte) bool {
	switch k {
	case tokField, tokName:
		return c != ':' && c != '/'
	case tokPart:
		return c != ':'
	}
	return true
}

// one reports whether token t matches the single character c of a pattern ('?' matches any).
func (t token) one(c byte) bool {
	if c == '?' {
		return true
	}
	if t.kind == tokLit {
		return c == t.c
	}
	return holds(t.kind, c)
}

// overlaps reports whether a Resource pattern r ("*" and "?" wildcards) and an ARN format share
// at least one string: whether r can name a resource of that type.
func overlaps(format []token, r string) bool {
	if r == "*" {
		return true
	}
	if !strings.ContainsAny(r, "*?") {
		return matchFormat(format, r)
	}
	buf := memoPool.Get().(*[]uint8)
	defer memoPool.Put(buf)
	memo := newMemo(buf, len(format), len(r))
	var ov func(i, j int) bool
	ov = func(i, j int) bool {
		if i == len(format) && j == len(r) {
			return true
		}
		if v, ok := memo.get(i, j); ok {
			return v
		}
		res := false
		switch {
		case j < len(r) && r[j] == '*':
			// The star matches nothing more, or it takes the token's character(s).
			res = ov(i, j+1) || (i < len(format) && ov(i+1, j))
		case i < len(format) && format[i].more:
			// The rest of a placeholder: done, or one more character.
			res = ov(i+1, j) || (j < len(r) && format[i].one(r[j]) && ov(i, j+1))
		case i < len(format) && j < len(r):
			res = format[i].one(r[j]) && ov(i+1, j+1)
		}
		memo.set(i, j, res)
		return res
	}
	return ov(0, 0)
}

// matchFormat reports whether the literal string r is an ARN of the format. Formats have a
// handful of placeholders, so plain backtracking is cheap.
func matchFormat(format []token, r string) bool {
	for i, t := range format {
		if !t.more {
			if len(r) == 0 || !t.one(r[0]) {
				return false
			}
			r = r[1:]
			continue
		}
		for n := 0; n <= len(r); n++ {
			if matchFormat(format[i+1:], r[n:]) {
				return true
			}
			if n < len(r) && !holds(t.kind, r[n]) {
				return false
			}
		}
		return false
	}
	return len(r) == 0
}

// memo is a (len(a)+1) x (len(b)+1) table of known results.
type memo struct {
	w    int
	vals []uint8 // 0 unknown, 1 false, 2 true
}

// memoPool holds the tables of finished overlaps calls: the analysis of a large estate makes tens
// of thousands of them.
var memoPool = sync.Pool{New: func() any { return new([]uint8) }}

// newMemo returns an empty table in buf's storage, growing it if needed.
func newMemo(buf *[]uint8, a, b int) memo {
	n := (a + 1) * (b + 1)
	if cap(*buf) < n {
		*buf = make([]uint8, n)
	}
	*buf = (*buf)[:n]
	clear(*buf)
	return memo{w: b + 1, vals: *buf}
}

func (m memo) get(i, j int) (bool, bool) {
	v := m.vals[i*m.w+j]
	return v == 2, v != 0
}

func (m memo) set(i, j int, v bool) {
	if v {
		m.vals[i*m.w+j] = 2
	} else {
		m.vals[i*m.w+j] = 1
	}
}
