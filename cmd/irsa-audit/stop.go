package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// interrupted is the cause of a context cancelled by SIGINT or SIGTERM.
type interrupted struct{ sig syscall.Signal }

func (i interrupted) Error() string {
	name := "SIGINT"
	if i.sig == syscall.SIGTERM {
		name = "SIGTERM"
	}
	return fmt.Sprintf("interrupted by %s: stopped, nothing written", name)
}

// exitCode is the shell's convention for a process ended by a signal: 128 + its number (130
// for Ctrl-C, 143 for SIGTERM).
func (i interrupted) exitCode() int { return 128 + int(i.sig) }

// notifyContext is signal.NotifyContext with the signal kept in the cause, so that the exit code
// can say which one ended the run. After the first signal the default handling is restored: a
// second Ctrl-C ends a run that does not stop quickly enough.
func notifyContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch)
			sig, _ := s.(syscall.Signal)
			cancel(interrupted{sig})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel(context.Canceled)
	}
}

// timedOut is the cause of a context ended by --timeout.
type timedOut struct{ d time.Duration }

func (t timedOut) Error() string { return fmt.Sprintf("timed out after %s (--timeout)", t.d) }

// withTimeout bounds the whole run, reading, collection, evaluation and writing alike; 0 means
// no bound.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, d, timedOut{d})
}

// stopped replaces err with the reason the run was stopped (a signal, --timeout) when there is
// one: "context canceled" says nothing.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	cause := context.Cause(ctx)
	var in interrupted
	var to timedOut
	var me memoryExceeded
	if errors.As(cause, &in) || errors.As(cause, &to) || errors.As(cause, &me) {
		return cause
	}
	return err
}
