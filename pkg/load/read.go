package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
)

// headSize is how much of an input over the size limit is read to recognise it: exports,
// snapshots and manifests are read whatever their size, anything else over the limit is skipped.
const headSize = 64 << 10

// chunkSize is how much is read at a time; the context is checked between reads.
const chunkSize = 256 << 10

// readSlot reads and recognises one input. The read runs on its own goroutine so that a
// cancelled context (Ctrl-C, SIGTERM, --timeout) stops the scan even when the read is blocked:
// opening a fifo waits for a writer, and a terminal or a pipe that never closes blocks read(2)
// with no deadline to set. Such a read is left behind; the process is about to exit. nil means
// the context ended first. A Terraform module folder is parsed here and judged as a whole
// after every file is read (terraform.go); its result is set then.
func (l *loader) readSlot(s *slot) *fileResult {
	if s.tfDir != "" {
		l.parseTerraform(s)
		return nil
	}
	done := make(chan *fileResult, 1)
	go func() { done <- l.readInput(s) }()
	select {
	case r := <-done:
		return r
	case <-l.ctx.Done():
		return nil
	}
}

func (l *loader) readInput(s *slot) *fileResult {
	kind := "file"
	var src io.Reader
	if s.stdin {
		kind = "stdin"
		if l.opts.Stdin == nil {
			return errorResult(s.name, "standard input is not available")
		}
		src = l.opts.Stdin
	} else {
		f, err := l.fs.Open(s.path)
		if err != nil {
			return errorResult(s.name, fmt.Sprintf("cannot read: %v", unwrapPathError(err)))
		}
		defer f.Close()
		src = f
	}
	in := &ctxReader{ctx: l.ctx, r: src}
	limit := l.opts.MaxFileSize
	want := limit + 1
	if s.size > limit {
		want = headSize // only enough to recognise it
	}
	data, eof, err := readUpTo(in, want, s.size)
	if err != nil {
		return readError(s.name, err)
	}
	if s.size > limit || (!eof && int64(len(data)) > limit) {
		if !readWhateverSize(data[:min(len(data), headSize)]) {
			return tooLarge(s.name, s.size, limit, s.explicit)
		}
	}
	if isSnapshotStream(data) {
		var rest io.Reader = bytes.NewReader(data)
		if !eof {
			rest = io.MultiReader(rest, in)
		}
		return decodeSnapshot(s.name, kind, rest, s.explicit)
	}
	if !eof {
		if data, err = readRest(in, data, s.size); err != nil {
			return readError(s.name, err)
		}
	}
	return recogniseWith(s.name, kind, data, s.explicit, l.iac.cfnParams)
}

func readError(name string, err error) *fileResult {
	return errorResult(name, readFailure(err).Error())
}

// readFailure says why a read failed.
func readFailure(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("read stopped: %w", err)
	}
	return fmt.Errorf("cannot read: %w", unwrapPathError(err))
}

// ctxReader stops reading once its context ends (between reads: a blocked read is handled by
// readSlot).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p[:min(len(p), chunkSize)])
}

// readUpTo reads up to n bytes; eof says the input ended within them. size is what the input
// is expected to hold (a file's size; 0 when unknown): the buffer is allocated for it at once
// instead of doubling its way there.
func readUpTo(r io.Reader, n, size int64) (data []byte, eof bool, err error) {
	var b bytes.Buffer
	b.Grow(int(min(size, n)) + bytes.MinRead)
	got, err := b.ReadFrom(io.LimitReader(r, n))
	if err != nil {
		return nil, false, err
	}
	if got < n {
		return b.Bytes(), true, nil
	}
	// Exactly n bytes: the input may end right there.
	var one [1]byte
	for {
		k, err := r.Read(one[:])
		if k > 0 {
			b.WriteByte(one[0])
			return b.Bytes(), false, nil
		}
		if err == io.EOF {
			return b.Bytes(), true, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
}

// readRest reads the rest of r after data.
func readRest(r io.Reader, data []byte, size int64) ([]byte, error) {
	buf := make([]byte, len(data), max(int64(len(data)), size)+bytes.MinRead)
	copy(buf, data)
	b := bytes.NewBuffer(buf)
	if _, err := b.ReadFrom(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var (
	// exportHeadRE finds the keys of the AWS CLI exports that can be large (in JSON and in the
	// CLI's YAML output).
	exportHeadRE = regexp.MustCompile(`(?m)("(RoleDetailList|UserDetailList|GroupDetailList|GetAccountAuthorizationDetailsResponse|OpenIDConnectProviderList)"\s*:|^[ \t-]*(RoleDetailList|UserDetailList|GroupDetailList|OpenIDConnectProviderList)[ \t]*:)`)
	apiVersionRE = regexp.MustCompile(`(?m)("apiVersion"\s*:|^[ \t-]*apiVersion[ \t]*:)`)
	kindRE       = regexp.MustCompile(`(?m)("kind"\s*:|^[ \t-]*kind[ \t]*:)`)
	snapshotRE   = regexp.MustCompile(`"version"\s*:\s*"[^"]*"\s*,\s*"(generated_at|sources|accounts|oidc_providers|clusters|roles|managed_policies|policies|service_accounts|workloads|pod_identity_associations|errors|skipped|stats)"\s*:`)
	// snapshotStartRE is how a snapshot written by irsa-audit (or encoding/json) begins.
	snapshotStartRE = regexp.MustCompile(`^(\xEF\xBB\xBF)?\s*\{\s*"version"\s*:\s*"[^"]*"\s*,\s*"(generated_at|sources|accounts|oidc_providers|clusters|roles|managed_policies|policies|service_accounts|workloads|pod_identity_associations|errors|skipped|stats)"\s*:`)
)

// readWhateverSize reports whether an input whose first bytes are head is read whatever its
// size: an AWS CLI or kubectl export, a Kubernetes manifest stream, or a saved snapshot.
func readWhateverSize(head []byte) bool {
	return exportHeadRE.Match(head) || snapshotRE.Match(head) || (apiVersionRE.Match(head) && kindRE.Match(head))
}

// isSnapshotStream reports whether data begins like a snapshot written by irsa-audit: such a
// file is decoded straight into the model instead of through the position-keeping tree (its
// items carry their own locations), which is what makes a snapshot of a large estate quick to
// read.
func isSnapshotStream(data []byte) bool {
	return snapshotStartRE.Match(data[:min(len(data), headSize)])
}
