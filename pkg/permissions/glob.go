package permissions

import (
	"strings"
	"sync"

	"github.com/irsa-audit/irsa-audit/pkg/iamcatalog"
)

// covers reports whether IAM pattern p matches every string that pattern t matches ("*" any
// run, "?" one character, case-sensitive as ARNs are). A "*" of t must meet a "*" of p; a "?"
// of t a "?" or "*".
func covers(p, t string) bool {
	if p == "*" || p == t {
		return true
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

// token kinds of an ARN format turned into a pattern (see formatTokens).
const (
	tokLit = iota
	tokSeg // a placeholder that never holds "/" (bucket name, region, account, ...)
	tokAny // a placeholder that may hold "/" (an S3 object key)
)

type token struct {
	kind int
	c    byte
}

// formatTokens turns an ARN format of the Service Authorization Reference, e.g.
// "arn:${Partition}:s3:::${BucketName}/${ObjectName}", into tokens. ${ObjectName} may contain
// "/", every other placeholder may not.
func formatTokens(format string) []token {
	var out []token
	for len(format) > 0 {
		if strings.HasPrefix(format, "${") {
			if end := strings.IndexByte(format, '}'); end > 0 {
				kind := tokSeg
				if format[2:end] == "ObjectName" {
					kind = tokAny
				}
				out = append(out, token{kind: kind})
				format = format[end+1:]
				continue
			}
		}
		out = append(out, token{kind: tokLit, c: format[0]})
		format = format[1:]
	}
	return out
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
		r := func() bool {
			if i < len(format) && format[i].kind != tokLit {
				if ov(i+1, j) {
					return true
				}
				if j < len(r) && (format[i].kind == tokAny || r[j] != '/') && ov(i, j+1) {
					return true
				}
			}
			if j < len(r) && r[j] == '*' {
				if ov(i, j+1) {
					return true
				}
				if i < len(format) && ov(i+1, j) {
					return true
				}
			}
			if i < len(format) && j < len(r) && format[i].kind == tokLit && (r[j] == '?' || r[j] == format[i].c) {
				return ov(i+1, j+1)
			}
			return false
		}()
		memo.set(i, j, r)
		return r
	}
	return ov(0, 0)
}

// matchFormat reports whether the literal string r is an ARN of the format. Formats have a
// handful of placeholders, so plain backtracking is cheap.
func matchFormat(format []token, r string) bool {
	for i, t := range format {
		if t.kind == tokLit {
			if len(r) == 0 || r[0] != t.c {
				return false
			}
			r = r[1:]
			continue
		}
		for n := 0; n <= len(r); n++ {
			if matchFormat(format[i+1:], r[n:]) {
				return true
			}
			if n < len(r) && t.kind == tokSeg && r[n] == '/' {
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

// arnParts splits an ARN into partition, service, region, account and resource; ok is false for
// strings that are not ARNs.
func arnParts(s string) (partition, service, region, account, resource string, ok bool) {
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[0] != "arn" {
		return "", "", "", "", "", false
	}
	return f[1], f[2], f[3], f[4], f[5], true
}

// allOfService reports whether a Resource pattern names every resource of a service (in some
// account and region): "*", or an ARN of that service whose resource part is "*",
// "<type>/*" or "<type>:*".
func allOfService(r, service string) bool {
	if r == "*" {
		return true
	}
	_, svc, _, _, res, ok := arnParts(r)
	if !ok || !iamcatalog.Match(svc, service) {
		return false
	}
	if res == "*" {
		return true
	}
	for _, suffix := range []string{"/*", ":*"} {
		if typ, ok := strings.CutSuffix(res, suffix); ok && typ != "" && !strings.ContainsAny(typ, "*?/:") {
			return true
		}
	}
	return false
}

// allS3 reports whether a Resource pattern names every bucket or every object: "*",
// "arn:aws:s3:::*", "arn:aws:s3:::*/*" (any partition, "*" region and account allowed).
func allS3(r string) bool {
	if r == "*" {
		return true
	}
	_, svc, region, account, res, ok := arnParts(r)
	if !ok || !iamcatalog.Match(svc, "s3") || (region != "" && region != "*") || (account != "" && account != "*") {
		return false
	}
	return res == "*" || res == "*/*"
}
