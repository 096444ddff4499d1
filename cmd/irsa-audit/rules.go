package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
)

func newRulesCommand(e env) *cobra.Command {
	var (
		rf     ruleFlags
		format string
	)
	cmd := &cobra.Command{
		Use:   "rules [ID]",
		Short: "List the rules, or explain one",
		Long: `With no ID, list every rule (id, severity, title). With an ID, print what the rule checks,
why it matters, how to fix a finding, and a bad and a good example.`,
		Example: "  irsa-audit rules\n  irsa-audit rules IRSA-002\n  irsa-audit rules --policy ./my-rules",
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.MaximumNArgs(1)(cmd, args); err != nil {
				return usageError{err}
			}
			return nil
		},
		ValidArgsFunction: func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
			eng, err := rf.engine(cmd.Context(), e.now)
			if err != nil {
				return nil, cobra.ShellCompDirectiveError
			}
			var ids []string
			for _, r := range eng.Rules() {
				ids = append(ids, r.ID+"\t"+r.Title)
			}
			return ids, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError{fmt.Errorf("--format must be text or json, not %q", format)}
			}
			eng, err := rf.engine(cmd.Context(), e.now)
			if err != nil {
				return err
			}
			rules := eng.Rules()
			if len(args) == 1 {
				r, ok := findRule(rules, args[0])
				if !ok {
					return usageError{fmt.Errorf("no rule %q; 'irsa-audit rules' lists them", args[0])}
				}
				if format == "json" {
					return writeJSON(e.stdout, r)
				}
				return explainRule(e.stdout, r)
			}
			if format == "json" {
				return writeJSON(e.stdout, rules)
			}
			return listRules(e.stdout, rules)
		},
	}
	rf.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func findRule(rules []findings.Rule, id string) (findings.Rule, bool) {
	for _, r := range rules {
		if strings.EqualFold(r.ID, id) {
			return r, true
		}
	}
	return findings.Rule{}, false
}

func listRules(w io.Writer, rules []findings.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE")
	for _, r := range rules {
		title := r.Title
		if !r.Builtin {
			title += " (custom)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, title)
	}
	return tw.Flush()
}

func explainRule(w io.Writer, r findings.Rule) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", r.ID, r.Title)
	fmt.Fprintf(&b, "Severity: %s\n", r.Severity)
	if r.DocURL != "" {
		fmt.Fprintf(&b, "Documentation: %s\n", r.DocURL)
	}
	section := func(title, body string) {
		body = strings.TrimSpace(body)
		if body == "" {
			return
		}
		fmt.Fprintf(&b, "\n%s\n", title)
		for line := range strings.SplitSeq(body, "\n") {
			if line == "" {
				b.WriteString("\n")
				continue
			}
			fmt.Fprintf(&b, "  %s\n", line)
		}
	}
	section("What it checks and why it matters:", r.Description)
	section("How to fix:", r.RecommendedAction)
	section("Bad:", r.BadExample)
	section("Good:", r.GoodExample)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
