package syntax

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ParseYAML parses a YAML stream into one node per document, in order; an explicitly empty
// document ("---" with nothing after it) is a Null node, a stream with no document at all
// yields none. Aliases are
// expanded (an alias refers to the anchored node, whose positions it keeps), with a budget on
// the number of nodes an expansion may create (so an alias "billion laughs" is an error, not
// an out-of-memory) and a check for alias cycles. Merge keys ("<<") are applied. Mapping keys
// must be scalars.
//
// Scalars keep their source text in Value and get their Kind from YAML's resolution: !!str is
// String, !!int and !!float are Number, !!bool is Bool, !!null is Null; any other tag
// (timestamps, binary, custom tags) is a String.
//
// On a syntax error, ParseYAML returns the documents before the one that failed together with
// the error (*Error). yaml.v3 reports a line but no column for syntax errors; Column is then 0.
func ParseYAML(data []byte) (docs []*Node, err error) {
	defer func() {
		// yaml.v3 is not ours; an input that makes it panic is an error, never a crash.
		if r := recover(); r != nil {
			err = &Error{Msg: fmt.Sprintf("yaml: internal parser error: %v", r)}
		}
	}()
	data = StripBOM(data)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	c := &yamlConverter{budget: 2*len(data) + 10000}
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return docs, yamlError(err)
		}
		content := &doc
		if doc.Kind == yaml.DocumentNode {
			if len(doc.Content) == 0 {
				continue
			}
			content = doc.Content[0]
		}
		n, err := c.convert(content, 0)
		if err != nil {
			return docs, err
		}
		docs = append(docs, n)
	}
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func yamlError(err error) *Error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Line: line, Msg: m[2]}
	}
	return &Error{Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// localTag returns a node's local tag ("!Ref"), or "" for standard and implicit tags.
func localTag(y *yaml.Node) string {
	if strings.HasPrefix(y.Tag, "!") && !strings.HasPrefix(y.Tag, "!!") {
		return y.Tag
	}
	return ""
}

type yamlConverter struct {
	// budget is how many more nodes may be created; aliases make it possible to create far
	// more nodes than the input has bytes, so this is the expansion cap.
	budget int
	active []*yaml.Node // anchors being expanded, to detect cycles
}

func (c *yamlConverter) errorAt(y *yaml.Node, format string, args ...any) *Error {
	return &Error{Line: y.Line, Column: y.Column, Msg: fmt.Sprintf(format, args...)}
}

func (c *yamlConverter) convert(y *yaml.Node, depth int) (*Node, error) {
	if depth >= MaxDepth && (y.Kind == yaml.SequenceNode || y.Kind == yaml.MappingNode) {
		return nil, c.errorAt(y, "nesting deeper than %d levels", MaxDepth)
	}
	c.budget--
	if c.budget < 0 {
		return nil, c.errorAt(y, "aliases expand to too many nodes")
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &Node{Kind: Null, Line: y.Line, Column: y.Column, EndLine: y.Line}, nil
		}
		return c.convert(y.Content[0], depth)
	case yaml.AliasNode:
		if y.Alias == nil {
			return nil, c.errorAt(y, "unknown alias %q", y.Value)
		}
		for _, a := range c.active {
			if a == y.Alias {
				return nil, c.errorAt(y, "alias *%s refers to a node that contains it", y.Value)
			}
		}
		c.active = append(c.active, y.Alias)
		n, err := c.convert(y.Alias, depth)
		c.active = c.active[:len(c.active)-1]
		return n, err
	case yaml.ScalarNode:
		n := &Node{Kind: String, Value: y.Value, Line: y.Line, Column: y.Column, EndLine: y.Line}
		switch y.ShortTag() {
		case "!!int", "!!float":
			n.Kind = Number
		case "!!bool":
			n.Kind = Bool
		case "!!null":
			n.Kind = Null
		}
		if y.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			n.EndLine += 1 + strings.Count(strings.TrimRight(y.Value, "\n"), "\n")
		}
		n.Tag = localTag(y)
		return n, nil
	case yaml.SequenceNode:
		n := &Node{Kind: Array, Line: y.Line, Column: y.Column, EndLine: y.Line, Items: make([]*Node, 0, len(y.Content)), Tag: localTag(y)}
		for _, item := range y.Content {
			v, err := c.convert(item, depth+1)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, v)
			n.EndLine = max(n.EndLine, v.EndLine)
		}
		return n, nil
	case yaml.MappingNode:
		return c.mapping(y, depth)
	}
	return nil, c.errorAt(y, "unsupported YAML node")
}

func (c *yamlConverter) mapping(y *yaml.Node, depth int) (*Node, error) {
	n := &Node{Kind: Object, Line: y.Line, Column: y.Column, EndLine: y.Line, Fields: make([]Field, 0, len(y.Content)/2), Tag: localTag(y)}
	seen := make(map[string]*Node, len(y.Content)/2)
	var merges []*Node
	for i := 0; i+1 < len(y.Content); i += 2 {
		ky, vy := y.Content[i], y.Content[i+1]
		v, err := c.convert(vy, depth+1)
		if err != nil {
			return nil, err
		}
		n.EndLine = max(n.EndLine, v.EndLine)
		if ky.Kind == yaml.ScalarNode && ky.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		k, err := c.convert(ky, depth)
		if err != nil {
			return nil, err
		}
		if k.Kind == Object || k.Kind == Array {
			return nil, c.errorAt(ky, "mapping key must be a scalar, not %s", k.Kind)
		}
		if prev := seen[k.Value]; prev != nil {
			return nil, &Error{Line: k.Line, Column: k.Column, Msg: fmt.Sprintf("duplicate key %q (first at line %d)", k.Value, prev.Line)}
		}
		seen[k.Value] = k
		n.Fields = append(n.Fields, Field{Key: k.Value, KeyNode: k, Value: v})
	}
	// Merged mappings supply the keys the mapping does not set itself; with a list of
	// mappings, earlier ones win.
	for _, m := range merges {
		sources := []*Node{m}
		if m.Kind == Array {
			sources = m.Items
		}
		for _, s := range sources {
			if s.Kind != Object {
				return nil, &Error{Line: s.Line, Column: s.Column, Msg: "merge key value must be a mapping or a list of mappings"}
			}
			for _, f := range s.Fields {
				if seen[f.Key] == nil {
					seen[f.Key] = f.KeyNode
					n.Fields = append(n.Fields, f)
				}
			}
		}
	}
	return n, nil
}
