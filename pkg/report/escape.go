package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
)

// Escape makes text from inputs safe to print to a terminal and unambiguous to read: control
// characters (ESC and the rest of C0 and C1, DEL), Unicode format characters (the bidirectional
// overrides and isolates such as U+202E, which can make a line read differently from what it
// holds, zero-width characters), line and paragraph separators, and bytes that are not UTF-8
// are written as Go escapes (\x1b, \u202e, \xff), so a file name with an invalid byte can be
// found with $'...\xff' and a message cannot break the one-line layout or drive the terminal.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case escapedRune(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func escapedRune(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

func needsEscape(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	return strings.ContainsFunc(s, escapedRune)
}

// clean is Escape, for the text renderer.
func clean(s string) string { return Escape(s) }

// validText writes the bytes of s that are not UTF-8 as \xNN and leaves the rest: JSON strings
// are Unicode, and encoding/json would turn each such byte into U+FFFD, so that a file named
// with one could not be found from the report.
func validText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// sarifText is a plain-text SARIF message made from report text: escaped as for a terminal
// (viewers show it to people), and with square brackets escaped with a backslash, as SARIF
// 2.1.0 (§3.11.6) requires of literal brackets: "[text](url)" in a message is otherwise an
// embedded link, which an input could use to put a link of its choosing into a code-scanning
// alert.
func sarifText(s string) string {
	s = Escape(s)
	if !strings.ContainsAny(s, "[]") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '[' || c == ']':
			b.WriteByte('\\')
		case c == '\\' && i+1 < len(s) && (s[i+1] == '[' || s[i+1] == ']'):
			b.WriteByte('\\') // a backslash before a literal bracket is itself literal
		}
		b.WriteByte(c)
	}
	return b.String()
}

// jsonSafe returns r, or a copy of it whose text fields hold no byte that is not UTF-8 (see
// validText).
func jsonSafe(r *findings.Report) *findings.Report {
	if reportValid(r) {
		return r
	}
	c := *r
	c.Findings = slices.Clone(r.Findings)
	for i := range c.Findings {
		f := &c.Findings[i]
		f.Message, f.Title = validText(f.Message), validText(f.Title)
		f.Resource.ID = validText(f.Resource.ID)
		f.Related = slices.Clone(f.Related)
		for j := range f.Related {
			f.Related[j].ID = validText(f.Related[j].ID)
		}
		f.Location.File, f.Location.API = validText(f.Location.File), validText(f.Location.API)
	}
	c.Errors = slices.Clone(r.Errors)
	for i := range c.Errors {
		e := &c.Errors[i]
		e.File, e.API, e.Message = validText(e.File), validText(e.API), validText(e.Message)
	}
	c.Skipped = slices.Clone(r.Skipped)
	for i := range c.Skipped {
		c.Skipped[i].File, c.Skipped[i].Reason = validText(c.Skipped[i].File), validText(c.Skipped[i].Reason)
	}
	c.NotChecked = slices.Clone(r.NotChecked)
	for i := range c.NotChecked {
		c.NotChecked[i].Resource.ID, c.NotChecked[i].Note = validText(c.NotChecked[i].Resource.ID), validText(c.NotChecked[i].Note)
	}
	return &c
}

func reportValid(r *findings.Report) bool {
	ok := utf8.ValidString
	for _, f := range r.Findings {
		if !ok(f.Message) || !ok(f.Title) || !ok(f.Resource.ID) || !ok(f.Location.File) || !ok(f.Location.API) {
			return false
		}
		for _, rel := range f.Related {
			if !ok(rel.ID) {
				return false
			}
		}
	}
	for _, e := range r.Errors {
		if !ok(e.File) || !ok(e.API) || !ok(e.Message) {
			return false
		}
	}
	for _, s := range r.Skipped {
		if !ok(s.File) || !ok(s.Reason) {
			return false
		}
	}
	for _, n := range r.NotChecked {
		if !ok(n.Resource.ID) || !ok(n.Note) {
			return false
		}
	}
	return true
}

// escapeJSONText rewrites, in JSON text, the characters that encoding/json leaves raw but a
// terminal or an editor would act on: C1 controls, format characters (the bidirectional
// overrides and isolates) and line and paragraph separators become \uXXXX escapes. Unlike
// Escape it loses nothing: a JSON reader gets the same strings back. Such characters occur only
// inside JSON strings, where the escapes are valid.
func escapeJSONText(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			if out != nil {
				out = append(out, b[i])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if !escapedRune(r) {
			if out != nil {
				out = append(out, b[i:i+size]...)
			}
			i += size
			continue
		}
		if out == nil {
			out = append(make([]byte, 0, len(b)+64), b[:i]...)
		}
		if r > 0xFFFF {
			r1, r2 := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += size
	}
	if out == nil {
		return b
	}
	return out
}
