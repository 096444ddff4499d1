package triage

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Directive is the comment marker of an inline suppression:
//
//	# irsa-audit:ignore IRSA-002[,IRSA-003] reason="a reason" [until=2027-01-31]
const Directive = "irsa-audit:ignore"

// CommentFile reports whether file can hold inline suppressions: YAML, and HCL/Terraform
// (which irsa-audit does not read yet, so no finding points into one). JSON has no comments:
// use a sidecar file.
func CommentFile(file string) bool {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".yaml", ".yml", ".tf", ".hcl":
		return true
	}
	return false
}

var ruleID = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*-[0-9]+$`)

// ParseInline finds the inline suppressions of one file. It silences the findings of its rules
// whose lines overlap the lines it covers. A comment on a line of its own covers
// the next line with content and the lines indented below it (a YAML mapping or list item and
// its children); a comment after content on a line covers that line's block; a comment before
// the first content of a YAML document covers the whole document (up to the next "---"). A
// directive that cannot be read is an input error at its line, and suppresses nothing.
func ParseInline(file string, data []byte) ([]findings.Suppression, []snapshot.InputError) {
	if !CommentFile(file) {
		return nil, nil
	}
	hcl := strings.ToLower(filepath.Ext(file)) != ".yaml" && strings.ToLower(filepath.Ext(file)) != ".yml"
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	var sups []findings.Suppression
	var errs []snapshot.InputError
	docStart := true // no content yet in the current YAML document
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		if trimmed == "---" || strings.HasPrefix(trimmed, "--- ") {
			docStart = true
			continue
		}
		col, text, ok := comment(line, hcl)
		content := strings.TrimSpace(line[:col]) != ""
		if ok {
			if rest, found := strings.CutPrefix(strings.TrimSpace(text), Directive); found && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
				s, err := parseDirective(rest)
				s.Kind = findings.SuppressInline
				s.Source = snapshot.Location{File: file, StartLine: i + 1, EndLine: i + 1, StartColumn: col + 1}
				switch {
				case err != nil:
					errs = append(errs, snapshot.InputError{File: file, Line: i + 1, Column: col + 1, Message: err.Error()})
				case content:
					s.Lines = []int{i + 1, blockEnd(lines, i, hcl) + 1}
					sups = append(sups, s)
				default:
					next := nextContent(lines, i+1, hcl)
					switch {
					case next < 0:
						errs = append(errs, snapshot.InputError{File: file, Line: i + 1, Column: col + 1, Message: Directive + " is followed by nothing it could apply to"})
						continue
					case docStart && !hcl:
						s.Lines = []int{next + 1, documentEnd(lines, next) + 1}
					default:
						s.Lines = []int{next + 1, blockEnd(lines, next, hcl) + 1}
					}
					sups = append(sups, s)
				}
			}
		}
		if content {
			docStart = false
		}
	}
	return sups, errs
}

// parseDirective reads `IRSA-002,IRSA-003 reason="..." until=2027-01-31`.
func parseDirective(s string) (findings.Suppression, error) {
	var sup findings.Suppression
	s = strings.TrimSpace(s)
	for s != "" {
		var tok string
		key, rest, isKV := strings.Cut(s, "=")
		if isKV && !strings.ContainsAny(key, " \t") {
			rest = strings.TrimLeft(rest, " \t")
			var val string
			if strings.HasPrefix(rest, `"`) {
				end := closingQuote(rest)
				if end < 0 {
					return sup, fmt.Errorf("%s: %s has an unterminated quote", Directive, key)
				}
				v, err := strconv.Unquote(rest[:end+1])
				if err != nil {
					return sup, fmt.Errorf("%s: %s: %v", Directive, key, err)
				}
				val, s = v, rest[end+1:]
			} else {
				val, s, _ = strings.Cut(rest, " ")
			}
			switch key {
			case "reason":
				sup.Reason = val
			case "until":
				sup.Until = val
			default:
				return sup, fmt.Errorf("%s: unknown key %q (want reason= and until=)", Directive, key)
			}
		} else {
			tok, s, _ = strings.Cut(s, " ")
			for id := range strings.SplitSeq(tok, ",") {
				if id == "" {
					continue
				}
				if !ruleID.MatchString(id) {
					return sup, fmt.Errorf("%s: %q is not a rule id (e.g. IRSA-002)", Directive, id)
				}
				sup.Rules = append(sup.Rules, id)
			}
		}
		s = strings.TrimSpace(s)
	}
	if len(sup.Rules) == 0 {
		return sup, fmt.Errorf("%s needs the rule ids it silences, e.g. %s IRSA-002 reason=\"...\"", Directive, Directive)
	}
	if err := Validate(sup); err != nil {
		return sup, fmt.Errorf("%s: %w", Directive, err)
	}
	return sup, nil
}

func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// comment finds a comment on line: the byte offset of its marker and its text. A "#" counts
// when it starts the line or follows a blank outside quotes, as YAML has it; HCL also has "//".
func comment(line string, hcl bool) (col int, text string, ok bool) {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return i, line[i+1:], true
		case hcl && c == '/' && i+1 < len(line) && line[i+1] == '/':
			return i, line[i+2:], true
		}
	}
	return len(line), "", false
}

// blank reports whether a line has no content (empty or only a comment).
func blank(line string, hcl bool) bool {
	col, _, _ := comment(line, hcl)
	return strings.TrimSpace(line[:col]) == ""
}

func nextContent(lines []string, from int, hcl bool) int {
	for i := from; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "---" || strings.HasPrefix(t, "--- ") {
			return -1
		}
		if !blank(lines[i], hcl) {
			return i
		}
	}
	return -1
}

func indent(line string) int { return len(line) - len(strings.TrimLeft(line, " \t")) }

// blockEnd is the last line of the block that starts at line i: the following lines indented
// more deeply (blank and comment lines in between do not end it). For a YAML list item
// ("- name: x") the item's keys count as its block, and a key's list value may sit at the
// key's own indentation ("containers:" then "- name: x"). An HCL block ("resource ... {") runs to
// its closing brace at the same indentation.
func blockEnd(lines []string, i int, hcl bool) int {
	base := indent(lines[i])
	item := !hcl && strings.HasPrefix(strings.TrimSpace(lines[i]), "- ")
	if item {
		base++ // the item's own keys are indented past the dash
	}
	end := i
	for j := i + 1; j < len(lines); j++ {
		if blank(lines[j], hcl) {
			continue
		}
		t := strings.TrimSpace(lines[j])
		if t == "---" {
			break
		}
		if !hcl && !item && indent(lines[j]) == base && strings.HasPrefix(t, "- ") {
			end = j // a list that is the value of this key, at the key's own indentation
			continue
		}
		if indent(lines[j]) <= base {
			if hcl && indent(lines[j]) == indent(lines[i]) && strings.HasPrefix(t, "}") {
				end = j
			}
			break
		}
		end = j
	}
	return end
}

// documentEnd is the last content line of the YAML document that contains line i.
func documentEnd(lines []string, i int) int {
	end := i
	for j := i; j < len(lines); j++ {
		t := strings.TrimSpace(lines[j])
		if t == "---" || strings.HasPrefix(t, "--- ") {
			break
		}
		if !blank(lines[j], false) {
			end = j
		}
	}
	return end
}
