// Package syntax parses JSON and YAML into one position-keeping tree, so that everything built
// from an input (a policy statement, a ServiceAccount annotation) can say where it was written.
//
// Positions are 1-based. Columns count Unicode code points from the start of the line (a leading
// UTF-8 byte order mark is stripped first and not counted), which is what yaml.v3 reports too.
//
// Duplicate keys in one object are rejected with a located error, in JSON and in YAML alike: the
// YAML specification forbids them, and for JSON (where RFC 8259 only says names SHOULD be unique)
// different consumers disagree on which duplicate wins, so an auditor that picked one could judge
// a document other than the one IAM or the Kubernetes API server actually stores.
package syntax

import (
	"fmt"
	"strconv"
)

// MaxDepth is the deepest nesting of objects and arrays accepted; deeper input is a located
// error rather than a risk to the stack.
const MaxDepth = 512

// Kind is the type of a Node.
type Kind uint8

// The node kinds. The zero Kind is invalid so an uninitialised Node is never mistaken for null.
const (
	Null Kind = iota + 1
	Bool
	Number
	String
	Object
	Array
)

var kindNames = [...]string{Null: "null", Bool: "boolean", Number: "number", String: "string", Object: "object", Array: "array"}

// String returns the kind's name as used in error messages ("string", "object", ...).
func (k Kind) String() string {
	if k >= Null && k <= Array {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Node is one value with its position.
type Node struct {
	Kind Kind
	// Value holds a scalar: the decoded text of a string, and the source text of a number,
	// boolean or null (so "1.50" stays "1.50", and YAML's "True" stays "True").
	Value string
	// Items are the elements of an Array.
	Items []*Node
	// Fields are the members of an Object, in source order.
	Fields []Field
	// Tag is a YAML local tag written on the node, e.g. "!Ref" or "!GetAtt" (CloudFormation's
	// short forms); "" for JSON and for untagged or standard-tagged ("!!str") YAML nodes.
	Tag string
	// Line and Column are where the value starts; EndLine is the last line it spans (the line
	// of the closing bracket for JSON objects and arrays). For YAML, EndLine is the last line
	// of the last nested value, and for multi-line flow scalars it may under-count.
	Line, Column, EndLine int
}

// Field is one member of an Object.
type Field struct {
	Key string
	// KeyNode is the key itself, for its position.
	KeyNode *Node
	Value   *Node
}

// Get returns the value of the first field named key, or nil when n is not an object or has no
// such field.
func (n *Node) Get(key string) *Node {
	if f := n.Field(key); f != nil {
		return f.Value
	}
	return nil
}

// Field returns the field named key, or nil when n is not an object or has no such field.
func (n *Node) Field(key string) *Field {
	if n == nil || n.Kind != Object {
		return nil
	}
	for i := range n.Fields {
		if n.Fields[i].Key == key {
			return &n.Fields[i]
		}
	}
	return nil
}

// Error is a syntax error with the position where it was found.
type Error struct {
	// Line and Column are 1-based; Column is 0 when the parser does not report it.
	Line, Column int
	Msg          string
}

// Error formats the error as "line:column: message" (or "line: message").
func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Errorf returns an *Error located at n (or unlocated when n is nil).
func Errorf(n *Node, format string, args ...any) *Error {
	e := &Error{Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// StripBOM removes a leading UTF-8 byte order mark.
func StripBOM(data []byte) []byte {
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		return data[3:]
	}
	return data
}
