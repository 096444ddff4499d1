package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/irsa-audit/irsa-audit/pkg/load"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// checkOutputPath fails early, before any input is read, when -o cannot be written: its folder
// does not exist, or it is a directory. An hour-long live scan should not end in "no such file
// or directory".
func checkOutputPath(name string) error {
	if name == "" || name == "-" || isS3URL(name) {
		return nil
	}
	fi, err := os.Stat(name)
	switch {
	case err == nil && fi.IsDir():
		return usageError{fmt.Errorf("-o %s is a directory", name)}
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("-o %s: %w", name, unwrapPath(err))
	}
	if lfi, lerr := os.Lstat(name); lerr == nil && lfi.Mode()&fs.ModeSymlink != 0 {
		return nil // a dangling symlink: written through, which creates its target
	}
	dir := filepath.Dir(name)
	if di, err := os.Stat(dir); err != nil || !di.IsDir() {
		return usageError{fmt.Errorf("-o %s: folder %s does not exist", name, dir)}
	}
	return nil
}

// refuseInputAsOutput fails when -o names a file the scan read: a file named on the command
// line, or a file found by a walk that held something (a policy, a manifest, an export, a
// template, a malformed input). Writing the report would destroy it. A walked file that held
// nothing (a report of an earlier run in the scanned folder, an empty file) may be replaced.
func refuseInputAsOutput(output string, paths []string, snap *snapshot.Snapshot) error {
	if output == "" || output == "-" {
		return nil
	}
	out, err := os.Stat(output)
	if err != nil || !out.Mode().IsRegular() {
		return nil // a new file, or a device or fifo written through
	}
	same := func(p string) bool {
		fi, err := os.Stat(p)
		return err == nil && os.SameFile(fi, out)
	}
	for _, p := range paths {
		if p != "-" && same(p) {
			return usageError{fmt.Errorf("-o %s is %s, an input named on the command line: the report would overwrite it", output, p)}
		}
	}
	if snap == nil {
		return nil
	}
	for _, s := range snap.Sources {
		if s.Kind != "file" || s.Format == load.FormatUnrelated || s.Format == load.FormatEmpty {
			continue
		}
		if same(filepath.FromSlash(s.Name)) {
			return usageError{fmt.Errorf("-o %s is %s, an input of this scan (%s): the report would overwrite it", output, s.Name, s.Format)}
		}
	}
	return nil
}

// writeOutput writes what write produces to the file name:
//
//   - a regular file (new, or existing, also through a symlink) is written to a temporary file in
//     the same folder and renamed over it, so that an interrupted or failed run never leaves half
//     a report; an existing file keeps its permissions (a 0600 report stays 0600) and, when run
//     as root, its owner; a new one gets 0666 less the umask, as the shell's ">" would give it;
//   - a device, a fifo or a socket (/dev/null, a named pipe) is written through: replacing it
//     with a regular file would break it for everything else (and /dev/null as root would stop
//     being a device);
//   - a path through /dev/stdout, /dev/fd/N or /proc/*/fd/N is written through and appended to:
//     it is a descriptor the caller opened, perhaps with ">>".
//
// Errors name the output, never the temporary file.
func writeOutput(ctx context.Context, name string, write func(io.Writer) error) error {
	fi, err := os.Stat(name)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("write %s: it is a directory", name)
	case err == nil && !fi.Mode().IsRegular():
		return writeThrough(ctx, name, os.O_WRONLY, write)
	case err == nil && viaDescriptor(name):
		return writeThrough(ctx, name, os.O_WRONLY|os.O_APPEND, write)
	case err == nil:
		real, err := filepath.EvalSymlinks(name)
		if err != nil {
			return fmt.Errorf("write %s: %w", name, unwrapPath(err))
		}
		return replaceFile(name, real, fi, write)
	case errors.Is(err, fs.ErrNotExist):
		if lfi, lerr := os.Lstat(name); lerr == nil && lfi.Mode()&fs.ModeSymlink != 0 {
			// A dangling symlink: create its target through it.
			return writeThrough(ctx, name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, write)
		}
		return replaceFile(name, name, nil, write)
	}
	return fmt.Errorf("write %s: %w", name, unwrapPath(err))
}

// viaDescriptor reports whether name leads, through symlinks, to a file descriptor of the
// process (/dev/stdout is a symlink to /proc/self/fd/1).
func viaDescriptor(name string) bool {
	p := name
	for range 40 {
		if strings.HasPrefix(p, "/proc/") || strings.HasPrefix(p, "/dev/fd/") {
			return true
		}
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return false
		}
		t, err := os.Readlink(p)
		if err != nil {
			return false
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(p), t)
		}
		p = t
	}
	return false
}

// writeThrough opens name with flag and writes to it. Opening a fifo waits for a reader; the
// wait ends with ctx.
func writeThrough(ctx context.Context, name string, flag int, write func(io.Writer) error) error {
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.OpenFile(name, flag, 0o666)
		ch <- opened{f, err}
	}()
	var o opened
	select {
	case o = <-ch:
	case <-ctx.Done():
		return fmt.Errorf("write %s: %w", name, context.Cause(ctx))
	}
	if o.err != nil {
		return fmt.Errorf("write %s: %w", name, unwrapPath(o.err))
	}
	if err := write(o.f); err != nil {
		o.f.Close()
		return fmt.Errorf("write %s: %w", name, unwrapPath(err))
	}
	if err := o.f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, unwrapPath(err))
	}
	return nil
}

// replaceFile writes a temporary file beside real and renames it over real. old is real's
// current FileInfo, nil when it does not exist.
func replaceFile(name, real string, old fs.FileInfo, write func(io.Writer) error) error {
	var suffix [6]byte
	rand.Read(suffix[:])
	tmp := filepath.Join(filepath.Dir(real), "."+filepath.Base(real)+".irsa-audit-"+hex.EncodeToString(suffix[:]))
	perm := fs.FileMode(0o666) // less the umask, as for any new file
	if old != nil {
		perm = old.Mode().Perm()
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, unwrapPath(err))
	}
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, unwrapPath(err))
	}
	if err := write(f); err != nil {
		return fail(err)
	}
	if old != nil {
		// The umask applied at creation; the old file's mode is what the user chose.
		if err := f.Chmod(perm); err != nil {
			return fail(err)
		}
		if st, ok := old.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 {
			_ = f.Chown(int(st.Uid), int(st.Gid)) // best effort: keep the owner
		}
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, unwrapPath(err))
	}
	if err := os.Rename(tmp, real); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the path of a *fs.PathError or *os.LinkError, which may be a temporary
// file's, keeping the cause.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
