package eval

import (
	"context"
	"testing"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// TestCustomBuiltinInUserRule: a --policy rule calls a custom built-in, which compiles against
// the capabilities and runs the Go implementation (IAM globbing: "?" is one character, case
// counts).
func TestCustomBuiltinInUserRule(t *testing.T) {
	e, err := New(context.Background(), Options{Now: fixedNow, PolicyDirs: []string{"testdata/custombuiltin"}, Include: []string{"ACME-100"}})
	if err != nil {
		t.Fatal(err)
	}
	snap := &snapshot.Snapshot{Roles: []snapshot.Role{
		{ARN: "arn:aws:iam::111122223333:role/legacy-a"},
		{ARN: "arn:aws:iam::111122223333:role/legacy-ab"},
		{ARN: "arn:aws:iam::111122223333:role/Legacy-a"},
	}}
	fs, err := e.Evaluate(context.Background(), snap)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Resource.ID != "arn:aws:iam::111122223333:role/legacy-a" {
		t.Fatalf("findings %+v, want one on role/legacy-a", fs)
	}
}
