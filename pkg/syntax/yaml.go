package syntax

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	goccy "github.com/goccy/go-yaml"
	goccyparser "github.com/goccy/go-yaml/parser"
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
// A document that does not parse does not hide the others: the stream is then split at its
// document markers ("---" and "..." at the start of a line, which YAML forbids inside content)
// and each document parsed on its own. The result has a nil entry for each document that did
// not parse, and the error is an *Error, or an ErrorList when several documents failed. Errors
// carry a line and a column: yaml.v3 reports only a line (sometimes that of the enclosing
// mapping), so a failing document is parsed again with goccy/go-yaml's parser to locate the
// problem; an unknown alias is located at its "*name".
func ParseYAML(data []byte) ([]*Node, error) {
	data = StripBOM(data)
	docs, err := parseYAMLDocs(data)
	if err == nil {
		return docs, nil
	}
	chunks := splitDocuments(data)
	if len(chunks) <= 1 {
		return docs, locateYAMLError(err, data)
	}
	docs = nil
	var errs ErrorList
	for _, c := range chunks {
		// Blank lines in front keep yaml.v3's line numbers those of the whole stream.
		text := append(bytes.Repeat([]byte{'\n'}, c.line-1), c.text...)
		d, err := parseYAMLDocs(text)
		docs = append(docs, d...)
		if err != nil {
			errs = append(errs, locateYAMLError(err, text))
			docs = append(docs, nil)
		}
	}
	if len(errs) == 1 {
		return docs, errs[0]
	}
	return docs, errs
}

// ErrorList holds the errors of the documents of a YAML stream that did not parse, in order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// parseYAMLDocs parses a stream, stopping at the first document that fails.
func parseYAMLDocs(data []byte) (docs []*Node, err *Error) {
	defer func() {
		// yaml.v3 is not ours; an input that makes it panic is an error, never a crash.
		if r := recover(); r != nil {
			err = &Error{Msg: fmt.Sprintf("yaml: internal parser error: %v", r)}
		}
	}()
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
		n, cerr := c.convert(content, 0)
		if cerr != nil {
			var se *Error
			if !errors.As(cerr, &se) {
				se = &Error{Msg: cerr.Error()}
			}
			return docs, se
		}
		docs = append(docs, n)
	}
}

// chunk is one document of a stream, with the line it starts on.
type chunk struct {
	text []byte
	line int
}

// splitDocuments cuts a stream before each "---" line (with the directives in front of it) and
// after each "..." line.
func splitDocuments(data []byte) []chunk {
	var out []chunk
	start, startLine, line := 0, 1, 1
	directives := -1 // offset of the first directive line since the last content, -1 when none
	dirLine := 0
	cut := func(at, atLine int) {
		if at > start {
			out = append(out, chunk{text: data[start:at], line: startLine})
		}
		start, startLine = at, atLine
	}
	for off := 0; off < len(data); line++ {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			next = off + end + 1
		}
		l := data[off:next]
		switch {
		case isMarker(l, "---"):
			if directives >= 0 {
				cut(directives, dirLine)
			} else {
				cut(off, line)
			}
			directives = -1
		case isMarker(l, "..."):
			cut(next, line+1)
			directives = -1
		case len(l) > 0 && l[0] == '%':
			if directives < 0 {
				directives, dirLine = off, line
			}
		case len(bytes.TrimSpace(l)) > 0 && l[0] != '#':
			directives = -1
		}
		off = next
	}
	cut(len(data), line)
	return out
}

// isMarker reports whether line is the document marker m followed by white space or nothing.
func isMarker(line []byte, m string) bool {
	if !bytes.HasPrefix(line, []byte(m)) {
		return false
	}
	rest := line[len(m):]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r'
}

var (
	yamlLineRE    = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
)

func yamlError(err error) *Error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Line: line, Msg: m[2]}
	}
	return &Error{Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// locateYAMLError gives an error of yaml.v3's, which has no column, a line and a column.
func locateYAMLError(e *Error, data []byte) *Error {
	if e.Column > 0 {
		return e
	}
	if m := unknownAnchor.FindStringSubmatch(e.Msg); m != nil {
		if line, col, ok := findAlias(data, m[1]); ok {
			return &Error{Line: line, Column: col, Msg: fmt.Sprintf("unknown alias *%s (no anchor &%s before it)", m[1], m[1])}
		}
		return e
	}
	if g := goccyError(data); g != nil {
		return g
	}
	return e
}

// goccyError parses data with goccy/go-yaml and returns its syntax error, which has a column.
func goccyError(data []byte) (located *Error) {
	defer func() {
		if recover() != nil {
			located = nil
		}
	}()
	_, err := goccyparser.ParseBytes(data, 0)
	var se *goccy.SyntaxError
	if !errors.As(err, &se) || se.Token == nil || se.Token.Position == nil || se.Token.Position.Line <= 0 {
		return nil
	}
	return &Error{Line: se.Token.Position.Line, Column: max(se.Token.Position.Column, 1), Msg: se.Message}
}

var aliasRE = regexp.MustCompile(`(^|[\s\[{,:-])\*([^\s\[\]{},]+)`)

// findAlias returns the line and column of the first alias *name in data.
func findAlias(data []byte, name string) (line, col int, ok bool) {
	for _, m := range aliasRE.FindAllSubmatchIndex(data, -1) {
		if string(data[m[4]:m[5]]) != name {
			continue
		}
		at := m[4] - 1 // the "*"
		line = 1 + bytes.Count(data[:at], []byte{'\n'})
		start := bytes.LastIndexByte(data[:at], '\n') + 1
		return line, utf8.RuneCount(data[start:at]) + 1, true
	}
	return 0, 0, false
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
