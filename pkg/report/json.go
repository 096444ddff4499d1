package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
)

// writeJSON writes r exactly as findings.Report marshals, indented two spaces, with a trailing
// newline; bytes of file names and messages that are not UTF-8 are written as \xNN (jsonSafe). docs/report-format.md documents the result field by field.
func writeJSON(w io.Writer, r *findings.Report) error {
	b, err := json.MarshalIndent(jsonSafe(r), "", "  ")
	if err != nil {
		return fmt.Errorf("encode json report: %w", err)
	}
	b = append(escapeJSONText(b), '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}
