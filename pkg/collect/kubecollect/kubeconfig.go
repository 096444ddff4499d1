package kubecollect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
)

// maxKubeconfigSize bounds a kubeconfig: real ones are kilobytes; client-go reads a file whole,
// so --kubeconfig /dev/zero ran the process out of memory.
const maxKubeconfigSize = 16 << 20

// boundKubeconfigs checks the kubeconfig files the loading rules will read. A regular file over
// the bound is an error. A file that is not regular (a device, a fifo such as the
// --kubeconfig <(...) of process substitution) is read here, at most the bound and no longer
// than ctx lasts, into a private temporary copy that the rules read instead; cleanup removes
// the copies.
func boundKubeconfigs(ctx context.Context, rules *clientcmd.ClientConfigLoadingRules) (cleanup func(), err error) {
	var tmp []string
	cleanup = func() {
		for _, p := range tmp {
			os.Remove(p)
		}
	}
	replace := func(path string) (string, error) {
		data, err := readBounded(ctx, path)
		if err != nil {
			return "", err
		}
		f, err := os.CreateTemp("", "irsa-audit-kubeconfig-*")
		if err != nil {
			return "", fmt.Errorf("kubeconfig %s: copy: %w", path, err)
		}
		tmp = append(tmp, f.Name())
		_, werr := f.Write(data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return "", fmt.Errorf("kubeconfig %s: copy: %w", path, werr)
		}
		return f.Name(), nil
	}
	check := func(path string) (string, error) {
		fi, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return path, nil // client-go says what it makes of a missing file
		case err != nil:
			return "", fmt.Errorf("kubeconfig %s: %w", path, err)
		case fi.IsDir():
			return "", fmt.Errorf("kubeconfig %s is a directory", path)
		case !fi.Mode().IsRegular():
			return replace(path)
		case fi.Size() > maxKubeconfigSize:
			return "", fmt.Errorf("kubeconfig %s is %d bytes, larger than any kubeconfig (at most %d MiB read)", path, fi.Size(), maxKubeconfigSize>>20)
		}
		return path, nil
	}
	if rules.ExplicitPath != "" {
		p, err := check(rules.ExplicitPath)
		if err != nil {
			cleanup()
			return nil, err
		}
		rules.ExplicitPath = p
		return cleanup, nil
	}
	for i, path := range rules.Precedence {
		p, err := check(path)
		if err != nil {
			cleanup()
			return nil, err
		}
		rules.Precedence[i] = p
	}
	return cleanup, nil
}

// readBounded reads path, failing beyond maxKubeconfigSize or when ctx ends (a fifo nobody
// writes to blocks in open(2); that goroutine is left behind).
func readBounded(ctx context.Context, path string) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			ch <- result{nil, err}
			return
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxKubeconfigSize+1))
		ch <- result{data, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("kubeconfig %s: %w", path, r.err)
		}
		if len(r.data) > maxKubeconfigSize {
			return nil, fmt.Errorf("kubeconfig %s is larger than any kubeconfig (more than %d MiB)", path, maxKubeconfigSize>>20)
		}
		return r.data, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("kubeconfig %s: %w", filepath.Clean(path), context.Cause(ctx))
	}
}
