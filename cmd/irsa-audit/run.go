package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/irsa-audit/irsa-audit/pkg/report"
)

// Exit codes, documented in the README.
const (
	exitOK       = 0 // nothing at or above --fail-on, every input read
	exitFindings = 1 // findings at or above --fail-on
	exitError    = 2 // usage error, input error, nothing judged, skipped inputs, --timeout
	// A run ended by a signal exits 128 + its number (130 SIGINT, 143 SIGTERM): see interrupted.
)

// version is set at build time with -ldflags "-X main.version=v1.2.3" (make build, make release,
// the Dockerfile); see buildVersion for builds without it.
var version = ""

// env is what the commands take from the process, injected so tests control it.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	getwd          func() (string, error)
	version        string
}

// exitCodeError carries an exit code through cobra; its message (if any) was already printed.
type exitCodeError struct{ code int }

func (e exitCodeError) Error() string { return fmt.Sprintf("exit code %d", e.code) }

// usageError marks an error the user can fix by changing the command line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runEnv(ctx, args, env{
		stdin:   stdin,
		stdout:  stdout,
		stderr:  stderr,
		getenv:  os.Getenv,
		now:     time.Now,
		getwd:   os.Getwd,
		version: buildVersion(),
	})
}

func runEnv(ctx context.Context, args []string, e env) int {
	root := newRootCommand(e)
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ec exitCodeError
	if errors.As(err, &ec) {
		return ec.code
	}
	var in interrupted
	if errors.As(context.Cause(ctx), &in) {
		fmt.Fprintf(e.stderr, "irsa-audit: %v\n", in)
		return in.exitCode()
	}
	// Errors quote paths and values from the command line and inputs: escape them as the
	// reports do, line by line (OPA's errors span several lines).
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = report.Escape(l)
	}
	fmt.Fprintf(e.stderr, "irsa-audit: %s\n", strings.Join(lines, "\n"))
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(e.stderr, "Run 'irsa-audit --help' for usage.")
	}
	return exitError
}

func newRootCommand(e env) *cobra.Command {
	root := &cobra.Command{
		Use:   "irsa-audit",
		Short: "Audit IRSA: how Kubernetes workloads get AWS permissions",
		Long: `irsa-audit audits IAM Roles for Service Accounts (IRSA): the trust policies that let
Kubernetes ServiceAccounts assume IAM roles, the ServiceAccounts and workloads that use them,
and the OIDC providers and clusters that join them. It reads policy files and manifests (the
pull-request gate) or live AWS and Kubernetes APIs (the scheduled scan), evaluates Rego rules,
and reports in text, JSON, SARIF, Markdown or JUnit XML.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       e.version,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newScanCommand(e), newRulesCommand(e), newVersionCommand(e), newCollectCommand(e))
	root.AddCommand(newBaselineCommand(e), newDiffCommand(e), newTestCommand(e), newCapabilitiesCommand(e))
	quietBoolFlags(root)
	return root
}

func newVersionCommand(e env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "irsa-audit %s\n", e.version)
			return nil
		},
	}
}

// noArgs is cobra.NoArgs as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if err := cobra.NoArgs(cmd, args); err != nil {
		return usageError{err}
	}
	return nil
}

// progress returns where live collection reports progress: standard error when it is a
// terminal and --quiet is not set, else nowhere.
func (e env) progress(quiet bool) io.Writer {
	if quiet || !isTerminal(e.stderr) {
		return nil
	}
	return e.stderr
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}
