package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// memoryExceeded is the cause of a run stopped by --max-memory.
type memoryExceeded struct{ limit int64 }

func (m memoryExceeded) Error() string {
	return fmt.Sprintf("stopped: memory use passed %s (--max-memory); a custom rule building a huge set, or an input far larger than any estate, is the usual cause", humanBytes(m.limit))
}

// watchMemory cancels the returned context when the live heap passes limit, so that a rule that
// builds an enormous set, or an input that never ends, stops the run with a clear error instead
// of "fatal error: out of memory" or the kernel's OOM killer. It samples the heap every 50 ms and
// collects garbage once before concluding. It also sets Go's soft memory limit, so that the
// collector works harder before the limit is reached. 0 means no limit.
//
// What it cannot stop: one built-in call that allocates a huge value at once (numbers.range
// over billions), which no cancellation interrupts.
func watchMemory(ctx context.Context, limit int64) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	if limit <= 0 {
		return ctx, func() { cancel(context.Canceled) }
	}
	prev := debug.SetMemoryLimit(limit)
	done := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		heap := func() int64 {
			metrics.Read(sample)
			return int64(sample[0].Value.Uint64())
		}
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if heap() <= limit {
					continue
				}
				runtime.GC()
				if heap() > limit {
					cancel(memoryExceeded{limit})
					return
				}
			}
		}
	}()
	return ctx, func() {
		close(done)
		debug.SetMemoryLimit(prev)
		cancel(context.Canceled)
	}
}

// defaultMaxMemory is three quarters of the memory the process may use: the cgroup's limit
// (a container, a CI job) or the machine's memory, whichever is smaller; 4 GiB when neither is
// known.
func defaultMaxMemory() int64 {
	avail := int64(0)
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 {
			avail = n
		}
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if rest, ok := strings.CutPrefix(s.Text(), "MemTotal:"); ok {
				if kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64); err == nil && (avail == 0 || kb*1024 < avail) {
					avail = kb * 1024
				}
			}
		}
		f.Close()
	}
	if avail == 0 {
		return 4 << 30
	}
	return avail / 4 * 3
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
