// Package policydoc reads IAM policy documents (trust and permission policies) in every legal
// JSON shape of the IAM policy language and normalises them to snapshot.Document, keeping the
// source position of every statement and condition entry.
//
// Choices, following IAM's own validation (the grammar of the IAM JSON policy language):
//
//   - Element names are case-sensitive, as in the grammar. An element the grammar does not
//     define (at the top level: Version, Id, Statement; in a statement: Sid, Effect, Principal,
//     NotPrincipal, Action, NotAction, Resource, NotResource, Condition) is an error, because
//     IAM rejects such a document as malformed; an auditor that ignored it would judge a policy
//     that cannot exist.
//   - Statement is required; Effect is required and exactly "Allow" or "Deny"; each statement
//     needs Action or NotAction; the pairs Action/NotAction, Resource/NotResource and
//     Principal/NotPrincipal are mutually exclusive. Resource is not required, since trust
//     policies have none.
//   - Version is kept as written (a rule may judge it); it must be a string.
//   - Duplicate keys are rejected by package syntax.
//   - Condition operators are matched case-insensitively; BaseOperator gets the canonical
//     spelling, Operator stays as written. An operator IAM does not know is kept (Known false)
//     so that rules can report it.
//   - A URL-encoded document, as the IAM API returns it ("%7B%22Version%22..."), is decoded
//     with url.QueryUnescape semantics ("+" is a space) before parsing; line and column
//     numbers then refer to the decoded text, which is what a user sees after decoding it.
//
// Every error about the content is a *syntax.Error with the line and column of the offending
// value.
package policydoc

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// Parse parses a policy document from JSON text (optionally with a UTF-8 byte order mark, or
// URL-encoded as the IAM API returns it). origin's File or API is copied into every location.
func Parse(data []byte, origin snapshot.Location) (snapshot.Document, error) {
	data, err := Decode(data)
	if err != nil {
		return snapshot.Document{}, err
	}
	n, err := syntax.ParseJSON(data)
	if err != nil {
		return snapshot.Document{}, err
	}
	return FromNode(n, origin)
}

// IsURLEncoded reports whether data looks like a URL-encoded JSON object: its first
// non-blank characters are "%7B" (an encoded "{"), possibly after encoded whitespace.
func IsURLEncoded(data []byte) bool {
	d := bytes.TrimLeft(data, " \t\r\n")
	for {
		switch {
		case len(d) >= 3 && d[0] == '%' && (d[1] == '7') && (d[2] == 'B' || d[2] == 'b'):
			return true
		case len(d) >= 3 && d[0] == '%' && (string(d[1:3]) == "20" || string(d[1:3]) == "09" ||
			string(d[1:3]) == "0A" || string(d[1:3]) == "0a" || string(d[1:3]) == "0D" || string(d[1:3]) == "0d"):
			d = d[3:]
		case len(d) > 0 && d[0] == '+':
			d = d[1:]
		default:
			return false
		}
	}
}

// Decode returns the JSON text of a policy document: without a UTF-8 byte order mark, and
// URL-decoded (url.QueryUnescape: "+" is a space) when IsURLEncoded. Other text is returned as
// is. A malformed escape is an error located at line 1, column 1 of the encoded text.
func Decode(data []byte) ([]byte, error) {
	data = syntax.StripBOM(data)
	if !IsURLEncoded(data) {
		return data, nil
	}
	s, err := url.QueryUnescape(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, &syntax.Error{Line: 1, Column: 1, Msg: fmt.Sprintf("URL-encoded policy: %v", err)}
	}
	return syntax.StripBOM([]byte(s)), nil
}

// LooksLikePolicy reports whether n is meant to be an IAM policy document: an object with a
// Statement element, or with a Version that is one of the policy language versions. It is
// cheap, and deliberately loose so that a broken policy is reported rather than ignored.
func LooksLikePolicy(n *syntax.Node) bool {
	if n == nil || n.Kind != syntax.Object {
		return false
	}
	if n.Field("Statement") != nil {
		return true
	}
	v := n.Get("Version")
	return v != nil && v.Kind == syntax.String && (v.Value == "2012-10-17" || v.Value == "2008-10-17")
}

// FromNode converts a parsed policy document. n may come from JSON or YAML.
func FromNode(n *syntax.Node, origin snapshot.Location) (snapshot.Document, error) {
	doc := snapshot.Document{Loc: loc(origin, n, n)}
	if n == nil {
		return doc, &syntax.Error{Msg: "empty policy document"}
	}
	if n.Kind != syntax.Object {
		return doc, syntax.Errorf(n, "policy document must be a JSON object, not %s", n.Kind)
	}
	var stmts *syntax.Node
	for _, f := range n.Fields {
		var err error
		switch f.Key {
		case "Version":
			doc.Version, err = str(f)
		case "Id":
			doc.ID, err = str(f)
		case "Statement":
			stmts = f.Value
		default:
			err = unknown(f, "policy", "Version, Id, Statement")
		}
		if err != nil {
			return doc, err
		}
	}
	if stmts == nil {
		return doc, syntax.Errorf(n, "policy document has no Statement")
	}
	switch stmts.Kind {
	case syntax.Object:
		s, err := statement(stmts, origin)
		if err != nil {
			return doc, err
		}
		doc.Statements = []snapshot.Statement{s}
	case syntax.Array:
		if len(stmts.Items) > MaxStatements {
			// Refused before converting: the point is not to spend the memory.
			return doc, syntax.Errorf(stmts, "policy document has %d statements, more than the %d any AWS policy can hold (the largest, a KMS key policy, is limited to 32 KiB): not judged", len(stmts.Items), MaxStatements)
		}
		doc.Statements = make([]snapshot.Statement, 0, len(stmts.Items))
		for _, item := range stmts.Items {
			s, err := statement(item, origin)
			if err != nil {
				return doc, err
			}
			doc.Statements = append(doc.Statements, s)
		}
	default:
		return doc, syntax.Errorf(stmts, "Statement must be an object or a list of objects, not %s", stmts.Kind)
	}
	if err := CheckSize(&doc); err != nil {
		return doc, syntax.Errorf(n, "%s", err.Error())
	}
	return doc, nil
}

func loc(origin snapshot.Location, start, end *syntax.Node) snapshot.Location {
	l := snapshot.Location{File: origin.File, API: origin.API}
	if start != nil && end != nil {
		l.StartLine, l.StartColumn, l.EndLine = start.Line, start.Column, end.EndLine
	}
	return l
}

func unknown(f syntax.Field, where, known string) error {
	return syntax.Errorf(f.KeyNode, "unknown %s element %q (IAM accepts %s; names are case-sensitive)", where, f.Key, known)
}

func str(f syntax.Field) (string, error) {
	if f.Value.Kind != syntax.String {
		return "", syntax.Errorf(f.Value, "%s must be a string, not %s", f.Key, f.Value.Kind)
	}
	return f.Value.Value, nil
}

// strList reads a string or a list of strings.
func strList(f syntax.Field) ([]string, error) {
	v := f.Value
	switch v.Kind {
	case syntax.String:
		return []string{v.Value}, nil
	case syntax.Array:
		out := make([]string, 0, len(v.Items))
		for _, it := range v.Items {
			if it.Kind != syntax.String {
				return nil, syntax.Errorf(it, "%s must be a string or a list of strings; found a %s in the list", f.Key, it.Kind)
			}
			out = append(out, it.Value)
		}
		return out, nil
	}
	return nil, syntax.Errorf(v, "%s must be a string or a list of strings, not %s", f.Key, v.Kind)
}

const statementElements = "Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition"

func statement(n *syntax.Node, origin snapshot.Location) (snapshot.Statement, error) {
	s := snapshot.Statement{Loc: loc(origin, n, n)}
	if n.Kind != syntax.Object {
		return s, syntax.Errorf(n, "statement must be an object, not %s", n.Kind)
	}
	var effect, action, notAction, resource, notResource, principal, notPrincipal *syntax.Field
	for i := range n.Fields {
		f := &n.Fields[i]
		var err error
		switch f.Key {
		case "Sid":
			s.Sid, err = str(*f)
		case "Effect":
			effect = f
			s.Effect, err = str(*f)
			if err == nil && s.Effect != "Allow" && s.Effect != "Deny" {
				err = syntax.Errorf(f.Value, "Effect must be \"Allow\" or \"Deny\", not %q", s.Effect)
			}
		case "Action":
			action = f
			s.Actions, err = strList(*f)
		case "NotAction":
			notAction = f
			s.NotActions, err = strList(*f)
		case "Resource":
			resource = f
			s.Resources, err = strList(*f)
		case "NotResource":
			notResource = f
			s.NotResources, err = strList(*f)
		case "Principal":
			principal = f
			s.Principal, err = principalOf(*f)
		case "NotPrincipal":
			notPrincipal = f
			s.NotPrincipal, err = principalOf(*f)
		case "Condition":
			s.Conditions, err = conditions(*f, origin)
		default:
			err = unknown(*f, "statement", statementElements)
		}
		if err != nil {
			return s, err
		}
	}
	for _, pair := range [...][2]*syntax.Field{{action, notAction}, {resource, notResource}, {principal, notPrincipal}} {
		if pair[0] != nil && pair[1] != nil {
			later := pair[1]
			if k0, k1 := pair[0].KeyNode, pair[1].KeyNode; k0.Line > k1.Line || k0.Line == k1.Line && k0.Column > k1.Column {
				later = pair[0]
			}
			return s, syntax.Errorf(later.KeyNode, "statement has both %s and %s", pair[0].Key, pair[1].Key)
		}
	}
	if effect == nil {
		return s, syntax.Errorf(n, "statement has no Effect")
	}
	if action == nil && notAction == nil {
		return s, syntax.Errorf(n, "statement has no Action or NotAction")
	}
	return s, nil
}

func principalOf(f syntax.Field) (*snapshot.Principal, error) {
	v := f.Value
	switch v.Kind {
	case syntax.String:
		if v.Value != "*" {
			return nil, syntax.Errorf(v, "%s must be \"*\" or an object such as {\"AWS\": ...}, not the string %q", f.Key, v.Value)
		}
		return &snapshot.Principal{Wildcard: true}, nil
	case syntax.Object:
		p := &snapshot.Principal{}
		for _, pf := range v.Fields {
			var dst *[]string
			switch pf.Key {
			case "AWS":
				dst = &p.AWS
			case "Federated":
				dst = &p.Federated
			case "Service":
				dst = &p.Service
			case "CanonicalUser":
				dst = &p.CanonicalUser
			default:
				return nil, syntax.Errorf(pf.KeyNode, "unknown %s type %q (IAM accepts AWS, Federated, Service, CanonicalUser)", f.Key, pf.Key)
			}
			list, err := strList(pf)
			if err != nil {
				return nil, err
			}
			*dst = list
		}
		return p, nil
	}
	return nil, syntax.Errorf(v, "%s must be \"*\" or an object, not %s", f.Key, v.Kind)
}

func conditions(f syntax.Field, origin snapshot.Location) ([]snapshot.Condition, error) {
	v := f.Value
	if v.Kind != syntax.Object {
		return nil, syntax.Errorf(v, "Condition must be an object of operators, not %s", v.Kind)
	}
	var out []snapshot.Condition
	for _, op := range v.Fields {
		if op.Value.Kind != syntax.Object {
			return nil, syntax.Errorf(op.Value, "condition operator %s must map to an object of condition keys, not %s", op.Key, op.Value.Kind)
		}
		parsed := ParseOperator(op.Key)
		for _, kf := range op.Value.Fields {
			values, err := conditionValues(kf)
			if err != nil {
				return nil, err
			}
			c := parsed
			c.Key = kf.Key
			c.Values = values
			c.Loc = loc(origin, kf.KeyNode, kf.Value)
			out = append(out, c)
		}
	}
	return out, nil
}

func conditionValues(f syntax.Field) ([]string, error) {
	scalar := func(n *syntax.Node) (string, error) {
		switch n.Kind {
		case syntax.String, syntax.Number:
			return n.Value, nil
		case syntax.Bool:
			if strings.EqualFold(n.Value, "true") {
				return "true", nil
			}
			return "false", nil
		}
		return "", syntax.Errorf(n, "value of condition key %q must be a string, boolean or number (or a list of them), not %s", f.Key, n.Kind)
	}
	if f.Value.Kind == syntax.Array {
		out := make([]string, 0, len(f.Value.Items))
		for _, it := range f.Value.Items {
			s, err := scalar(it)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := scalar(f.Value)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}
