package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runCtx runs the CLI like runCLI, with a context of the caller's and stdin of the caller's.
func runCtx(ctx context.Context, stdin io.Reader, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := runEnv(ctx, args, env{
		stdin: stdin, stdout: &out, stderr: &errb,
		getenv:  func(string) string { return "" },
		now:     func() time.Time { return time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC) },
		getwd:   func() (string, error) { return "/src/irsa-audit", nil },
		version: "test",
	})
	return code, out.String(), errb.String()
}

// TestStopWhileReading: Ctrl-C and SIGTERM were ignored while a scan read a fifo nobody writes
// to or a standard input that never closes; --timeout bounded only live collection. Each now
// stops the run promptly, writes nothing, and exits 130, 143 or 2.
func TestStopWhileReading(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	// A writer is never opened: os.Open of the fifo blocks in open(2). It is unblocked at the
	// end so that the abandoned read finishes.
	defer func() {
		if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	}()
	for _, tc := range []struct {
		name     string
		args     []string
		stop     error // the cause the context is cancelled with; nil: --timeout ends it
		wantCode int
		wantErr  string
	}{
		{"stdin, SIGINT", []string{"scan", "-"}, interrupted{syscall.SIGINT}, 130, "interrupted by SIGINT: stopped, nothing written"},
		{"stdin, SIGTERM", []string{"scan", "-"}, interrupted{syscall.SIGTERM}, 143, "interrupted by SIGTERM"},
		{"fifo, SIGINT", []string{"scan", fifo}, interrupted{syscall.SIGINT}, 130, "interrupted by SIGINT"},
		{"stdin, --timeout", []string{"scan", "--timeout", "300ms", "-"}, nil, exitError, "read inputs: timed out after 300ms (--timeout)"},
		{"fifo, --timeout", []string{"scan", "--timeout", "300ms", fifo}, nil, exitError, "timed out after 300ms (--timeout)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdinR, stdinW := io.Pipe() // never closed by the test until the end
			defer stdinW.Close()
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			type result struct {
				code           int
				stdout, stderr string
			}
			done := make(chan result, 1)
			go func() {
				code, stdout, stderr := runCtx(ctx, stdinR, tc.args...)
				done <- result{code, stdout, stderr}
			}()
			if tc.stop != nil {
				time.Sleep(300 * time.Millisecond)
				cancel(tc.stop)
			}
			select {
			case r := <-done:
				if r.code != tc.wantCode || !strings.Contains(r.stderr, tc.wantErr) || r.stdout != "" {
					t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit %d and %q", r.code, r.stdout, r.stderr, tc.wantCode, tc.wantErr)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the scan did not stop")
			}
		})
	}
}

// TestNotifyContext: SIGTERM cancels the context with the signal as its cause.
func TestNotifyContext(t *testing.T) {
	ctx, stop := notifyContext(context.Background())
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}
	var in interrupted
	if !errors.As(context.Cause(ctx), &in) || in.exitCode() != 143 {
		t.Errorf("cause = %v, want SIGTERM (exit 143)", context.Cause(ctx))
	}
}
