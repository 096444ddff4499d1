// Package progress writes one-line progress messages for the live collectors. A nil *Reporter or
// one made from a nil writer is quiet; messages from concurrent goroutines never interleave.
package progress

import (
	"fmt"
	"io"
	"sync"
)

// Reporter writes progress lines.
type Reporter struct {
	mu sync.Mutex
	w  io.Writer
}

// New returns a Reporter writing to w (nil: quiet).
func New(w io.Writer) *Reporter { return &Reporter{w: w} }

// Printf writes one line; a trailing newline is added.
func (r *Reporter) Printf(format string, args ...any) {
	if r == nil || r.w == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.w, format+"\n", args...)
}
