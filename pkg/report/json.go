package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
)

// writeJSON writes r exactly as findings.Report marshals, indented two spaces, with a trailing
// newline. docs/report-format.md documents the result field by field.
func writeJSON(w io.Writer, r *findings.Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode json report: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}
