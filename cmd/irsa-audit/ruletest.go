package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/irsa-audit/irsa-audit/pkg/eval"
	"github.com/irsa-audit/irsa-audit/pkg/report"
)

func newTestCommand(e env) *cobra.Command {
	var (
		opts    eval.TestOptions
		verbose bool
	)
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Run the Rego tests of the built-in rules or of --policy rules",
		Long: `Run Rego tests (test_* rules, in *_test.rego files) as 'opa test' does, with what scans use:
the custom built-ins (iam.parse_role_arn, iam.glob_match, ...), the same capabilities (no
http.send, net.*, opa.runtime, json.match_schema ...) and the built-in rules and libraries. With
no --policy, the built-in rules' own tests run; with --policy, the tests of those directories
(and with --builtin, the built-in ones too).

Exit code 0 when every test passes, 1 when a test fails, 2 when a test cannot be evaluated or
the rules do not compile.`,
		Example: "  irsa-audit test\n  irsa-audit test --policy ./my-rules\n  irsa-audit test --policy ./my-rules -v --run 'test_deny_.*'",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rs, err := eval.RunTests(cmd.Context(), opts)
			if err != nil {
				if errors.Is(err, eval.ErrNoTests) && opts.Run != "" {
					return fmt.Errorf("no test matches --run %q", opts.Run)
				}
				return err
			}
			if code := writeTestResults(e.stdout, rs, verbose); code != exitOK {
				return exitCodeError{code}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&opts.PolicyDirs, "policy", nil, "directory of Rego rules and their tests (repeatable)")
	cmd.Flags().BoolVar(&opts.Builtin, "builtin", false, "with --policy, run the built-in rules' tests too")
	cmd.Flags().StringVar(&opts.Run, "run", "", "run only the tests whose full name (data.<package>.<test>) matches this regular expression")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list every test, not only the failed ones, with what they printed")
	return cmd
}

// writeTestResults lists the failed tests (every test with verbose) with their file and line,
// where a test failed and what it printed, then a summary, and returns the exit code.
func writeTestResults(w io.Writer, rs []eval.TestResult, verbose bool) int {
	var pass, fail, errs, skip int
	for _, r := range rs {
		status := "PASS"
		switch {
		case r.Err != nil:
			status = "ERROR"
			errs++
		case r.Fail:
			status = "FAIL"
			fail++
		case r.Skip:
			status = "SKIP"
			skip++
		default:
			pass++
		}
		if status == "PASS" && !verbose {
			continue
		}
		fmt.Fprintf(w, "%-5s %s (%s:%d)\n", status, report.Escape(r.Name), report.Escape(r.File), r.Line)
		if r.Err != nil {
			for l := range strings.Lines(r.Err.Error()) {
				fmt.Fprintf(w, "      %s\n", report.Escape(strings.TrimRight(l, "\n")))
			}
		}
		if r.FailedAt != "" {
			fmt.Fprintf(w, "      failed at %s\n", report.Escape(r.FailedAt))
		}
		if r.Output != "" && (verbose || status != "PASS") {
			for l := range strings.Lines(strings.TrimRight(r.Output, "\n")) {
				fmt.Fprintf(w, "      | %s\n", report.Escape(strings.TrimRight(l, "\n")))
			}
		}
	}
	parts := []string{fmt.Sprintf("%d passed", pass)}
	for _, p := range []struct {
		n    int
		what string
	}{{fail, "failed"}, {errs, "errors"}, {skip, "skipped"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	fmt.Fprintf(w, "%d tests: %s\n", len(rs), strings.Join(parts, ", "))
	switch {
	case errs > 0:
		return exitError
	case fail > 0:
		return exitFindings
	}
	return exitOK
}

func newCapabilitiesCommand(e env) *cobra.Command {
	return &cobra.Command{
		Use:   "capabilities",
		Short: "Print the OPA capabilities that rules are compiled with, as JSON",
		Long: `Print the OPA capabilities (the built-in functions rules may call) in the format that
'opa check --capabilities', 'opa fmt', Regal and editor plugins read: OPA's built-ins minus those
withheld from rules (http.send, net.*, opa.runtime, rand.intn, uuid.rfc4122, json.match_schema,
json.verify_schema), plus the custom iam.* built-ins with their types and descriptions.`,
		Example: "  irsa-audit capabilities > irsa-audit-capabilities.json\n  opa check --capabilities irsa-audit-capabilities.json --v1-compatible ./my-rules",
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := eval.WriteCapabilities(e.stdout); err != nil {
				return fmt.Errorf("write capabilities: %w", err)
			}
			return nil
		},
	}
}
