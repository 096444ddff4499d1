package terraform

import (
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// osFS reads the real file system, with "/" paths.
type osFS struct{}

func (osFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(filepath.FromSlash(name)) }
func (osFS) ReadFile(name string) ([]byte, error)       { return os.ReadFile(filepath.FromSlash(name)) }

// TestGolden evaluates each root module under testdata and compares what it contributes
// with testdata/<case>.golden.json.
func TestGolden(t *testing.T) {
	t.Run("plan", func(t *testing.T) {
		data, err := os.ReadFile("testdata/plan/plan.json")
		if err != nil {
			t.Fatal(err)
		}
		n, err := syntax.ParseJSON(data)
		if err != nil {
			t.Fatal(err)
		}
		if !IsPlan(n) {
			t.Fatal("IsPlan = false")
		}
		res, err := LoadPlan(n, "testdata/plan/plan.json")
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "plan-json", res)
	})
	for _, tc := range []string{"jsonencode", "policy-document", "registry-modules", "local-module", "heredoc-file"} {
		t.Run(tc, func(t *testing.T) {
			r := NewReader(osFS{}, Options{})
			checkGolden(t, tc, r.Root("testdata/"+tc))
		})
	}
}

func checkGolden(t *testing.T, name string, res *Result) {
	t.Helper()
	got, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", golden, diff)
	}
}
