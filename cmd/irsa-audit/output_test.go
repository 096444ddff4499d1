package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// scanTo runs a scan of examples/broken/no-sub (one finding) with -o out.
func scanTo(t *testing.T, out string, extra ...string) (int, string) {
	t.Helper()
	args := append([]string{"scan", "--format", "json", "-o", out}, extra...)
	if len(extra) == 0 {
		args = append(args, "examples/broken/no-sub")
	}
	code, stdout, stderr := runCLI(t, "", args...)
	if stdout != "" {
		t.Errorf("stdout should be empty with -o, got:\n%s", stdout)
	}
	return code, stderr
}

func isReport(t *testing.T, b []byte) {
	t.Helper()
	if !strings.Contains(string(b), `"rule_id": "IRSA-001"`) {
		t.Errorf("not the report:\n%s", b)
	}
}

// TestOutputKeepsMode: replacing a report keeps its permissions (a 0600 file became 0644).
func TestOutputKeepsMode(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, stderr := scanTo(t, out); code != exitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(out)
	isReport(t, b)
	// No temporary file is left behind.
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the report", len(entries))
	}
}

// TestOutputThroughSymlink: a symlink stays a symlink; its target gets the report.
func TestOutputThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "link.json")
	if err := os.WriteFile(target, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.json", link); err != nil {
		t.Fatal(err)
	}
	if code, stderr := scanTo(t, link); code != exitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v, %v", fi.Mode(), err)
	}
	b, _ := os.ReadFile(target)
	isReport(t, b)
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
		t.Errorf("target mode = %v, want 0640", fi.Mode().Perm())
	}
}

// TestOutputToFifo: a named pipe is written through, not replaced by a regular file.
func TestOutputToFifo(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- b
	}()
	if code, stderr := scanTo(t, fifo); code != exitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	select {
	case b := <-got:
		isReport(t, b)
	case <-time.After(10 * time.Second):
		t.Fatal("the reader of the fifo got nothing (the fifo was replaced?)")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the fifo was replaced: %v, %v", fi.Mode(), err)
	}
}

// TestOutputToDevice: a device is written through (-o /dev/null as root turned /dev/null into a
// regular file). The test makes its own null device rather than risk the machine's.
func TestOutputToDevice(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skipf("mknod: %v", err)
	}
	if code, stderr := scanTo(t, dev); code != exitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if fi, err := os.Lstat(dev); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("the device was replaced: %v, %v", fi.Mode(), err)
	}
}

// TestOutputToDescriptor: -o /dev/stdout (a symlink to /proc/self/fd/1) printed nothing and
// replaced the link. A path through /proc/self/fd is written through and appended to, so a
// descriptor opened with ">>" keeps what it held. The test uses a descriptor of its own.
func TestOutputToDescriptor(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "log.txt")
	f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("earlier output\n"); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "stdout")
	if err := os.Symlink("/proc/self/fd/"+strconv.Itoa(int(f.Fd())), link); err != nil {
		t.Fatal(err)
	}
	if code, stderr := scanTo(t, link); code != exitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	b, _ := os.ReadFile(file)
	if !strings.HasPrefix(string(b), "earlier output\n") {
		t.Errorf("the descriptor's file lost what it held:\n%s", b)
	}
	isReport(t, b)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v, %v", fi.Mode(), err)
	}
}

// TestOutputIsAnInput: -o naming an input overwrote it.
func TestOutputIsAnInput(t *testing.T) {
	dir := writeTree(t, map[string]string{"trust.json": goodTrust, "deploy/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n", "old-report.json": `{"version": "1", "findings": []}`})
	t.Chdir(dir)
	for _, tc := range []struct {
		name, out string
		args      []string
		refused   bool
	}{
		{"named input", "trust.json", []string{"trust.json"}, true},
		{"named input by another path", "./deploy/../trust.json", []string{"trust.json"}, true},
		{"walked manifest", "deploy/sa.yaml", []string{"."}, true},
		// An earlier report in the scanned folder held nothing to judge: it may be replaced.
		{"walked earlier report", "old-report.json", []string{"."}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadFile(tc.out)
			code, stderr := scanTo(t, tc.out, tc.args...)
			after, _ := os.ReadFile(tc.out)
			if tc.refused {
				if code != exitError || !strings.Contains(stderr, "the report would overwrite it") {
					t.Errorf("exit %d, stderr:\n%s\nwant a refusal", code, stderr)
				}
				if string(before) != string(after) {
					t.Errorf("the input was changed:\n%s", after)
				}
				return
			}
			if strings.Contains(stderr, "overwrite") {
				t.Errorf("refused:\n%s", stderr)
			}
		})
	}
}

// TestOutputErrors: a bad -o fails before anything is read, and errors never name the temporary
// file.
func TestOutputErrors(t *testing.T) {
	code, _, stderr := runCLI(t, "", "scan", "-o", filepath.Join(t.TempDir(), "missing", "report.json"), "examples/irsa-s3")
	if code != exitError || !strings.Contains(stderr, "does not exist") {
		t.Errorf("missing folder: exit %d, stderr:\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "", "scan", "-o", t.TempDir(), "examples/irsa-s3")
	if code != exitError || !strings.Contains(stderr, "is a directory") {
		t.Errorf("directory: exit %d, stderr:\n%s", code, stderr)
	}
	// Nothing can be created in /proc, not even by root.
	code, _, stderr = runCLI(t, "", "scan", "-o", "/proc/irsa-report.json", "examples/irsa-s3")
	if code != exitError || !strings.Contains(stderr, "write /proc/irsa-report.json: ") || strings.Contains(stderr, ".irsa-audit-") {
		t.Errorf("/proc: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestWriteThroughStopsWithContext: opening a fifo nobody reads waits for a reader; the wait ends
// with the context.
func TestWriteThroughStopsWithContext(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	ctx, cancel := context.WithTimeoutCause(context.Background(), 200*time.Millisecond, timedOut{200 * time.Millisecond})
	defer cancel()
	start := time.Now()
	err := writeOutput(ctx, fifo, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
	var to timedOut
	if !errors.As(err, &to) || time.Since(start) > 5*time.Second {
		t.Errorf("writeOutput = %v after %v, want the timeout", err, time.Since(start))
	}
	// Let the abandoned open finish.
	if f, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
		time.Sleep(50 * time.Millisecond)
		f.Close()
	}
}
