package eval

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
)

// TestRulesDoc keeps docs/rules.md in step with the METADATA of the built-in rules. Refresh it
// with: go test ./pkg/eval -run TestRulesDoc -update
func TestRulesDoc(t *testing.T) {
	checkGolden(t, "../../docs/rules.md", renderRulesDoc(builtinEngine(t).Rules()))
}

// renderRulesDoc renders the reference of the given rules as Markdown.
func renderRulesDoc(rules []findings.Rule) []byte {
	var b bytes.Buffer
	b.WriteString("# Built-in rules\n\n")
	b.WriteString("<!-- Generated from the METADATA of policies/; do not edit. Refresh with:\n")
	b.WriteString("     go test ./pkg/eval -run TestRulesDoc -update -->\n\n")
	b.WriteString("Every rule can be selected with `--rule ID` and skipped with `--skip-rule ID`. ")
	b.WriteString("The rule contract, and how to add rules of your own, is in [custom-rules.md](custom-rules.md).\n\n")
	b.WriteString("| ID | Severity | Title |\n|----|----------|-------|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s |\n", r.ID, strings.ToLower(r.ID), r.Severity, cell(prose(r.Title)))
	}
	for _, r := range rules {
		fmt.Fprintf(&b, "\n## %s\n\n", r.ID)
		fmt.Fprintf(&b, "**%s**\n\n", prose(r.Title))
		fmt.Fprintf(&b, "- Severity: %s\n", r.Severity)
		fmt.Fprintf(&b, "- Package: `%s`\n", r.Package)
		if r.DocURL != "" {
			fmt.Fprintf(&b, "- Documentation: <%s>\n", r.DocURL)
		}
		fmt.Fprintf(&b, "\n%s\n", prose(r.Description))
		if r.RecommendedAction != "" {
			fmt.Fprintf(&b, "\n### Fix\n\n%s\n", prose(r.RecommendedAction))
		}
		for _, ex := range []struct{ name, code string }{{"Bad", r.BadExample}, {"Good", r.GoodExample}} {
			if ex.code != "" {
				fmt.Fprintf(&b, "\n### %s example\n\n%s\n%s\n%s\n", ex.name, fence(ex.code), ex.code, fence(ex.code))
			}
		}
	}
	return b.Bytes()
}

// prose escapes what Markdown would take for HTML: rule texts write placeholders such as
// system:serviceaccount:<namespace>:<name>, which a renderer would otherwise drop as tags, and
// "*" wildcards, which it could take for emphasis.
func prose(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "*", `\*`).Replace(s)
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
}

// fence returns a code fence longer than any run of backticks in code.
func fence(code string) string {
	f := "```"
	for strings.Contains(code, f) {
		f += "`"
	}
	return f
}

// TestPoliciesReadmeListsEveryRule: policies/README.md has one table row per built-in rule,
// "| <id> | <group>/<rule_name> | <severity>...", and no row for a rule that does not exist.
func TestPoliciesReadmeListsEveryRule(t *testing.T) {
	readme, err := os.ReadFile("../../policies/README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for line := range strings.Lines(string(readme)) {
		f := strings.Split(line, "|")
		if len(f) < 4 || !strings.HasPrefix(strings.TrimSpace(f[1]), "IRSA-") {
			continue
		}
		rows[strings.TrimSpace(f[1])] = strings.TrimSpace(f[2]) + " " + strings.Fields(f[3])[0]
	}
	want := map[string]string{}
	for _, r := range builtinEngine(t).Rules() {
		pkg := strings.TrimPrefix(r.Package, "irsa_audit.rules.")
		want[r.ID] = strings.Replace(pkg, ".", "/", 1) + " " + r.Severity.String()
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("policies/README.md rule table (-want +got):\n%s", diff)
	}
}
