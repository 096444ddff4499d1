package syntax

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ParseJSON parses one JSON value (RFC 8259: no comments, no trailing commas, UTF-8 text) and
// nothing after it but whitespace. A leading UTF-8 byte order mark is accepted and stripped.
// Errors are *Error.
func ParseJSON(data []byte) (*Node, error) {
	return ParseJSONTaking(data, nil)
}

// ParseJSONTaking is ParseJSON that hands take, as soon as each is parsed, the elements of
// the arrays that are members of the root object (the "items" of a kubectl List, the
// "RoleDetailList" of an AWS CLI export), with the member's key. An element take returns true
// for is left out of the tree and its nodes are reused for the next one, so take must keep no
// pointer into it (strings may be kept); once take returns false for an element, that element
// and the rest of its array stay in the tree and take is not asked about them. A huge export
// is thus read item by item in the memory of one item, by the code that reads one item of the
// tree. take is not called when the root is not an object; on a syntax error the elements
// already taken are in no tree, and what take did with them is the caller's to undo.
func ParseJSONTaking(data []byte, take func(key string, elem *Node) bool) (*Node, error) {
	p := &jsonParser{data: StripBOM(data), line: 1, col: 1, take: take}
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.data) {
		return nil, p.errorf(p.pos, "unexpected %s after the JSON value", p.describe(p.pos))
	}
	return n, nil
}

// jsonParser is a recursive-descent parser. Newlines can only occur in whitespace, so line
// tracking lives in skipSpace; columns are counted lazily and incrementally so that long
// single-line documents (minified or URL-decoded policies) stay linear.
type jsonParser struct {
	data      []byte
	pos       int
	line      int
	lineStart int
	// colPos/col cache the column of a position on the current line.
	colPos, col int
	depth       int

	// nodes is a slab that newNode hands nodes out of: one allocation per nodeSlab nodes
	// instead of one per node (a 100,000-ServiceAccount list has two million).
	nodes []Node
	// fields and items are stacks of the members of the objects and arrays being parsed; an
	// object's or array's own slice is allocated once, at its exact size, when it ends.
	fields []Field
	items  []*Node
	// keys interns object keys, which repeat from one item to the next (at most maxKeys).
	keys map[string]string
	// fieldSlab and itemSlab are what the member slices of small objects and arrays are cut
	// from, as nodes are from nodes.
	fieldSlab []Field
	itemSlab  []*Node

	// take and rootKey: see ParseJSONTaking. rootKey is the key of the root object's member
	// being parsed.
	take       func(key string, elem *Node) bool
	rootKey    string
	rootObject bool
	// slabs counts the slabs allocated, so that release knows whether one was.
	slabs int
}

const (
	nodeSlab   = 512
	memberSlab = 1024
	maxKeys    = 4096
)

func (p *jsonParser) newNode() *Node {
	if len(p.nodes) == 0 {
		p.nodes = make([]Node, nodeSlab)
		p.slabs++
	}
	n := &p.nodes[0]
	p.nodes = p.nodes[1:]
	return n
}

// fieldsOf returns a copy of an object's members, cut from fieldSlab when small.
func (p *jsonParser) fieldsOf(src []Field) []Field {
	k := len(src)
	if k > memberSlab/8 {
		return append([]Field(nil), src...)
	}
	if len(p.fieldSlab) < k {
		p.fieldSlab = make([]Field, memberSlab)
		p.slabs++
	}
	s := p.fieldSlab[:k:k]
	p.fieldSlab = p.fieldSlab[k:]
	copy(s, src)
	return s
}

// itemsOf returns a copy of an array's elements, cut from itemSlab when small.
func (p *jsonParser) itemsOf(src []*Node) []*Node {
	k := len(src)
	if k > memberSlab/8 {
		return append([]*Node(nil), src...)
	}
	if len(p.itemSlab) < k {
		p.itemSlab = make([]*Node, memberSlab)
		p.slabs++
	}
	s := p.itemSlab[:k:k]
	p.itemSlab = p.itemSlab[k:]
	copy(s, src)
	return s
}

// mark is where the slabs stood before an element was parsed.
type mark struct {
	nodes  []Node
	fields []Field
	items  []*Node
	slabs  int
}

func (p *jsonParser) mark() mark { return mark{p.nodes, p.fieldSlab, p.itemSlab, p.slabs} }

// release hands the nodes and member slices cut since m out again (their element was taken),
// cleared so that they keep nothing alive. When a slab was allocated since m, what was cut is
// left to the garbage collector instead.
func (p *jsonParser) release(m mark) {
	if p.slabs != m.slabs {
		return
	}
	clear(m.nodes[:len(m.nodes)-len(p.nodes)])
	clear(m.fields[:len(m.fields)-len(p.fieldSlab)])
	clear(m.items[:len(m.items)-len(p.itemSlab)])
	p.nodes, p.fieldSlab, p.itemSlab = m.nodes, m.fields, m.items
}

func (p *jsonParser) key() (string, error) {
	d := p.data
	start := p.pos + 1
	for i := start; i < len(d) && i-start < 64; i++ {
		c := d[i]
		if c == '"' {
			if s, ok := p.keys[string(d[start:i])]; ok {
				p.pos = i + 1
				return s, nil
			}
			break
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break // str validates and decodes
		}
	}
	s, err := p.str()
	if err == nil && len(p.keys) < maxKeys && len(s) <= 64 {
		if p.keys == nil {
			p.keys = make(map[string]string)
		}
		p.keys[s] = s
	}
	return s, err
}

func (p *jsonParser) column(pos int) int {
	if p.colPos < p.lineStart || p.colPos > pos {
		p.colPos, p.col = p.lineStart, 1
	}
	for i := p.colPos; i < pos && i < len(p.data); i++ {
		if p.data[i]&0xC0 != 0x80 {
			p.col++
		}
	}
	p.colPos = pos
	return p.col
}

func (p *jsonParser) errorf(pos int, format string, args ...any) *Error {
	return &Error{Line: p.line, Column: p.column(pos), Msg: fmt.Sprintf(format, args...)}
}

// describe names the byte at pos for an error message.
func (p *jsonParser) describe(pos int) string {
	if pos >= len(p.data) {
		return "end of input"
	}
	c := p.data[pos]
	if c < 0x20 || c >= 0x7F {
		r, _ := utf8.DecodeRune(p.data[pos:])
		if r == utf8.RuneError {
			return fmt.Sprintf("byte 0x%02x", c)
		}
		return fmt.Sprintf("character %U", r)
	}
	return fmt.Sprintf("character %q", c)
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\r':
			p.pos++
		case '\n':
			p.pos++
			p.line++
			p.lineStart = p.pos
		default:
			return
		}
	}
}

func (p *jsonParser) truncated() *Error {
	return p.errorf(len(p.data), "unexpected end of input (truncated JSON?)")
}

func (p *jsonParser) value() (*Node, error) {
	p.skipSpace()
	if p.pos >= len(p.data) {
		return nil, p.truncated()
	}
	start := p.pos
	n := p.newNode()
	n.Line, n.Column = p.line, p.column(start)
	switch c := p.data[p.pos]; {
	case c == '{':
		if err := p.object(n); err != nil {
			return nil, err
		}
	case c == '[':
		if err := p.array(n); err != nil {
			return nil, err
		}
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		n.Kind, n.Value = String, s
	case c == 't' || c == 'f' || c == 'n':
		if err := p.literal(n); err != nil {
			return nil, err
		}
	case c == '-' || (c >= '0' && c <= '9'):
		if err := p.number(n); err != nil {
			return nil, err
		}
	default:
		return nil, p.errorf(start, "unexpected %s, expected a JSON value", p.describe(start))
	}
	n.EndLine = p.line
	return n, nil
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errorf(p.pos, "nesting deeper than %d levels", MaxDepth)
	}
	return nil
}

func (p *jsonParser) object(n *Node) error {
	if err := p.enter(); err != nil {
		return err
	}
	n.Kind = Object
	p.pos++ // {
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		p.depth--
		return nil
	}
	var index map[string]int // built once an object grows past a linear scan's worth
	base := len(p.fields)
	for {
		p.skipSpace()
		if p.pos >= len(p.data) {
			return p.truncated()
		}
		if p.data[p.pos] != '"' {
			return p.errorf(p.pos, "unexpected %s, expected a string key", p.describe(p.pos))
		}
		key := p.newNode()
		key.Kind, key.Line, key.Column = String, p.line, p.column(p.pos)
		s, err := p.key()
		if err != nil {
			return err
		}
		key.Value, key.EndLine = s, p.line
		if p.depth == 1 {
			p.rootObject, p.rootKey = true, s
		}
		if prev := findKey(p.fields[base:], &index, s); prev != nil {
			return &Error{Line: key.Line, Column: key.Column, Msg: fmt.Sprintf("duplicate key %q (first at line %d)", s, prev.Line)}
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return p.truncated()
		}
		if p.data[p.pos] != ':' {
			return p.errorf(p.pos, "unexpected %s after object key, expected ':'", p.describe(p.pos))
		}
		p.pos++
		v, err := p.value()
		if err != nil {
			return err
		}
		p.fields = append(p.fields, Field{Key: s, KeyNode: key, Value: v})
		if index != nil {
			index[s] = len(p.fields) - 1 - base
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return p.truncated()
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			p.depth--
			n.Fields = p.fieldsOf(p.fields[base:])
			clear(p.fields[base:]) // the stack must not keep the nodes alive
			p.fields = p.fields[:base]
			return nil
		default:
			return p.errorf(p.pos, "unexpected %s after object value, expected ',' or '}'", p.describe(p.pos))
		}
	}
}

// findKey returns the key node of an earlier field named key, or nil.
func findKey(fields []Field, index *map[string]int, key string) *Node {
	const linear = 16
	if *index == nil {
		for i := range fields {
			if fields[i].Key == key {
				return fields[i].KeyNode
			}
		}
		if len(fields) >= linear {
			*index = make(map[string]int, 2*len(fields))
			for i := range fields {
				(*index)[fields[i].Key] = i
			}
		}
		return nil
	}
	if i, ok := (*index)[key]; ok {
		return fields[i].KeyNode
	}
	return nil
}

func (p *jsonParser) array(n *Node) error {
	if err := p.enter(); err != nil {
		return err
	}
	n.Kind = Array
	p.pos++ // [
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		p.depth--
		return nil
	}
	base := len(p.items)
	taking := p.take != nil && p.depth == 2 && p.rootObject
	for {
		var m mark
		if taking {
			m = p.mark()
		}
		v, err := p.value()
		if err != nil {
			return err
		}
		if taking && p.take(p.rootKey, v) {
			p.release(m)
		} else {
			taking = false
			p.items = append(p.items, v)
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return p.truncated()
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			p.depth--
			n.Items = p.itemsOf(p.items[base:])
			clear(p.items[base:])
			p.items = p.items[:base]
			return nil
		default:
			return p.errorf(p.pos, "unexpected %s after array element, expected ',' or ']'", p.describe(p.pos))
		}
	}
}

func (p *jsonParser) literal(n *Node) error {
	for _, lit := range [...]struct {
		text string
		kind Kind
	}{{"true", Bool}, {"false", Bool}, {"null", Null}} {
		if lit.text[0] != p.data[p.pos] {
			continue
		}
		end := p.pos + len(lit.text)
		if end <= len(p.data) && string(p.data[p.pos:end]) == lit.text {
			n.Kind, n.Value = lit.kind, lit.text
			p.pos = end
			return nil
		}
		if end > len(p.data) && strings.HasPrefix(lit.text, string(p.data[p.pos:])) {
			return p.truncated()
		}
		return p.errorf(p.pos, "invalid literal, expected %q", lit.text)
	}
	return p.errorf(p.pos, "unexpected %s, expected a JSON value", p.describe(p.pos))
}

func (p *jsonParser) number(n *Node) error {
	start := p.pos
	d := p.data
	i := p.pos
	digits := func() int {
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		return i - j
	}
	need := func(what string) error {
		if i >= len(d) {
			return p.truncated()
		}
		return p.errorf(i, "invalid number: unexpected %s, expected %s", p.describe(i), what)
	}
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		digits()
	default:
		return need("a digit")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if digits() == 0 {
			return need("a digit after '.'")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			return need("a digit in the exponent")
		}
	}
	n.Kind, n.Value = Number, string(d[start:i])
	p.pos = i
	return nil
}

// str reads a string starting at the opening quote and returns its decoded value.
func (p *jsonParser) str() (string, error) {
	d := p.data
	start := p.pos + 1
	for i := start; i < len(d); {
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return string(d[start:i]), nil
		case c == '\\':
			return p.strEscaped(start, i)
		case c < 0x20:
			return "", p.errorf(i, "control character %U in string (escape it)", rune(c))
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errorf(i, "invalid UTF-8 in string")
			}
			i += size
		}
	}
	return "", p.truncated()
}

// strEscaped continues str from the first backslash at i.
func (p *jsonParser) strEscaped(start, i int) (string, error) {
	d := p.data
	var b strings.Builder
	b.Grow(i - start + 16)
	b.Write(d[start:i])
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return b.String(), nil
		case c == '\\':
			if i+1 >= len(d) {
				return "", p.truncated()
			}
			switch e := d[i+1]; e {
			case '"', '\\', '/':
				b.WriteByte(e)
				i += 2
			case 'b':
				b.WriteByte('\b')
				i += 2
			case 'f':
				b.WriteByte('\f')
				i += 2
			case 'n':
				b.WriteByte('\n')
				i += 2
			case 'r':
				b.WriteByte('\r')
				i += 2
			case 't':
				b.WriteByte('\t')
				i += 2
			case 'u':
				r, err := p.hex4(i + 2)
				if err != nil {
					return "", err
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// A high surrogate pairs with a following \uXXXX low surrogate; anything
					// else is a lone surrogate, replaced as encoding/json does.
					r2 := utf8.RuneError
					if i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' {
						if lo, err := p.hex4(i + 2); err == nil {
							if dec := utf16.DecodeRune(r, lo); dec != utf8.RuneError {
								r2 = dec
								i += 6
							}
						}
					}
					r = r2
				}
				b.WriteRune(r)
			default:
				return "", p.errorf(i, "invalid escape sequence \\%s in string", string(rune(e)))
			}
		case c < 0x20:
			return "", p.errorf(i, "control character %U in string (escape it)", rune(c))
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errorf(i, "invalid UTF-8 in string")
			}
			b.Write(d[i : i+size])
			i += size
		}
	}
	return "", p.truncated()
}

func (p *jsonParser) hex4(i int) (rune, error) {
	if i+4 > len(p.data) {
		return 0, p.truncated()
	}
	var r rune
	for j := i; j < i+4; j++ {
		c := p.data[j]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, p.errorf(j, "invalid \\u escape: %s is not a hex digit", p.describe(j))
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}
