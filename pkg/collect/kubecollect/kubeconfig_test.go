package kubecollect

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const tinyKubeconfig = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: ctx, context: {cluster: c, user: u}}]
current-context: ctx
`

// TestKubeconfigBounds: --kubeconfig /dev/zero ran the process out of memory (client-go reads a
// file whole); a fifo nobody writes to hung it. Both are errors now; a kubeconfig from process
// substitution still works.
func TestKubeconfigBounds(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, maxKubeconfigSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	silent := filepath.Join(dir, "silent")
	if err := syscall.Mkfifo(silent, 0o600); err != nil {
		t.Fatal(err)
	}
	defer func() { // let the abandoned open finish
		if f, err := os.OpenFile(silent, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	}()
	piped := filepath.Join(dir, "piped")
	if err := syscall.Mkfifo(piped, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		if f, err := os.OpenFile(piped, os.O_WRONLY, 0); err == nil {
			f.WriteString(tinyKubeconfig)
			f.Close()
		}
	}()
	for _, tc := range []struct {
		name, path, wantErr string
	}{
		{"device", "/dev/zero", "kubeconfig /dev/zero is larger than any kubeconfig (more than 16 MiB)"},
		{"large file", big, "is 16777217 bytes, larger than any kubeconfig"},
		{"fifo nobody writes to", silent, "context deadline exceeded"},
		{"process substitution", piped, ""},
		{"directory", dir, "is a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			start := time.Now()
			got, err := targets(ctx, Options{Kubeconfig: tc.path})
			if time.Since(start) > 10*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if tc.wantErr == "" {
				if err != nil || len(got) != 1 || got[0].context != "ctx" {
					t.Errorf("targets = %+v, %v; want the context of the piped kubeconfig", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("targets error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
