package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"unicode/utf8"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// decodeSnapshot reads a saved snapshot straight from r with encoding/json: no position-keeping
// tree is built (the items carry the locations they were collected with), so a snapshot of
// 100,000 ServiceAccounts reads in a fraction of the time and memory the tree would take.
// Errors are located by line and column all the same.
func decodeSnapshot(name, kind string, r io.Reader, explicit bool) *fileResult {
	res := &fileResult{source: &snapshot.Source{Kind: kind, Name: name, Format: FormatSnapshot}, dir: path.Clean(path.Dir(name)), explicit: explicit}
	pr := &posReader{r: r, bad: -1}
	dec := json.NewDecoder(pr)
	var s snapshot.Snapshot
	err := dec.Decode(&s)
	if err == nil {
		// Nothing but white space may follow the snapshot.
		if _, terr := dec.Token(); terr != io.EOF {
			err = &trailingError{off: dec.InputOffset()}
		}
	}
	if pr.bad >= 0 {
		// encoding/json would have replaced invalid UTF-8 with U+FFFD and said nothing.
		res.addError(name, pr.errorAt(pr.bad, pr.badWhat))
		return res
	}
	if err != nil {
		var (
			se *json.SyntaxError
			te *json.UnmarshalTypeError
			tr *trailingError
		)
		switch {
		case errors.As(err, &tr):
			res.addError(name, pr.errorAt(tr.off, "unexpected data after the snapshot"))
		case errors.As(err, &te):
			res.addError(name, pr.errorAt(te.Offset, fmt.Sprintf("%s must be %s, not %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)))
		case errors.As(err, &se):
			res.addError(name, pr.errorAt(se.Offset, se.Error()))
		case errors.Is(err, io.ErrUnexpectedEOF):
			res.addError(name, pr.errorAt(pr.n, "unexpected end of input (truncated JSON?)"))
		default:
			res.addError(name, readFailure(err))
		}
		return res
	}
	if s.Version != snapshot.Version {
		res.addError(name, pr.errorAt(pr.keyOffset("version"), fmt.Sprintf("snapshot version %s is not supported: this irsa-audit reads version %q", s.Version, snapshot.Version)))
		return res
	}
	finishSnapshot(res, s, func(key string) (int, int) {
		e := pr.errorAt(pr.keyOffset(key), "")
		return e.Line, e.Column
	})
	return res
}

// posReader passes bytes through and remembers where lines start, so that byte offsets from
// encoding/json become lines and columns, and where the first byte that is not UTF-8 text is.
type posReader struct {
	r     io.Reader
	n     int64   // bytes read
	lines []int64 // offsets of the bytes after each newline
	head  []byte  // the first bytes, to find top-level keys in
	carry []byte  // an incomplete UTF-8 sequence at the end of the last read
	// bad is the offset of the first NUL byte or invalid UTF-8 sequence, -1 when none.
	bad     int64
	badWhat string
}

// trailingError is data after the snapshot's JSON value.
type trailingError struct{ off int64 }

func (e *trailingError) Error() string { return "unexpected data after the snapshot" }

func (p *posReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	chunk := b[:n]
	for i, c := range chunk {
		if c == '\n' {
			p.lines = append(p.lines, p.n+int64(i)+1)
		}
	}
	if len(p.head) < headSize {
		p.head = append(p.head, chunk[:min(len(chunk), headSize-len(p.head))]...)
	}
	if p.bad < 0 {
		p.check(chunk, err != nil)
	}
	p.n += int64(n)
	return n, err
}

// check looks for NUL bytes and invalid UTF-8 in chunk (read at offset p.n); a sequence cut at
// the end of a read is completed by the next one.
func (p *posReader) check(chunk []byte, last bool) {
	data := append(p.carry, chunk...)
	base := p.n - int64(len(p.carry))
	p.carry = nil
	for i := 0; i < len(data); {
		c := data[i]
		if c == 0 {
			p.bad, p.badWhat = base+int64(i), "NUL byte (a snapshot is UTF-8 JSON text)"
			return
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		if !last && !utf8.FullRune(data[i:]) {
			p.carry = append([]byte(nil), data[i:]...)
			return
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			p.bad, p.badWhat = base+int64(i), fmt.Sprintf("invalid UTF-8 byte 0x%02x (a snapshot is UTF-8 JSON text)", c)
			return
		}
		i += size
	}
}

// errorAt returns a syntax error at byte offset off (0-based).
func (p *posReader) errorAt(off int64, msg string) *syntax.Error {
	line := sort.Search(len(p.lines), func(i int) bool { return p.lines[i] > off })
	start := int64(0)
	if line > 0 {
		start = p.lines[line-1]
	}
	// Columns count characters; the column is computed from the head when the line is in it,
	// else counted in bytes (a snapshot's lines are ASCII but for string contents).
	col := int(off-start) + 1
	if off <= int64(len(p.head)) && start <= off {
		col = utf8.RuneCount(p.head[start:off]) + 1
	}
	return &syntax.Error{Line: line + 1, Column: col, Msg: msg}
}

var topKeyRE = regexp.MustCompile(`"([a-z_]+)"\s*:`)

// keyOffset is the offset of the first occurrence of the top-level key in the first bytes of
// the snapshot, or 0.
func (p *posReader) keyOffset(key string) int64 {
	for _, m := range topKeyRE.FindAllSubmatchIndex(p.head, -1) {
		if string(p.head[m[2]:m[3]]) == key {
			return int64(m[0])
		}
	}
	return 0
}
