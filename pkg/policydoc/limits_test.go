package policydoc

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

func TestSizeBounds(t *testing.T) {
	stmts := func(n int, actions string) string {
		var parts []string
		for range n {
			parts = append(parts, `{"Effect": "Allow", "Action": `+actions+`, "Resource": "*"}`)
		}
		return "{\"Statement\": [\n" + strings.Join(parts, ",\n") + "]}"
	}
	manyActions := "[" + strings.TrimSuffix(strings.Repeat(`"s3:GetObject",`, 200), ",") + "]"
	for _, tc := range []struct {
		name, in string
		want     string // "" when accepted; else the error with its position
	}{
		{"at the statement bound", stmts(MaxStatements, `"s3:*"`), ""},
		{"past the statement bound", stmts(MaxStatements+1, `"s3:*"`), fmt.Sprintf("1:15: policy document has %d statements, more than the %d", MaxStatements+1, MaxStatements)},
		{"past the value bound", stmts(60, manyActions), "1:1: policy document has 12060 values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse([]byte(tc.in), snapshot.Location{File: "p.json"})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if len(doc.Statements) != MaxStatements {
					t.Errorf("%d statements", len(doc.Statements))
				}
				return
			}
			var se *syntax.Error
			if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("Parse error = %v, want one starting %q", err, tc.want)
			}
		})
	}
}
