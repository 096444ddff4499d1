package terraform

import (
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// osFS reads the real file system, with "/" paths.
type osFS struct{}

func (osFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(filepath.FromSlash(name)) }
func (osFS) ReadFile(name string) ([]byte, error)       { return os.ReadFile(filepath.FromSlash(name)) }

// TestGolden evaluates each root module under testdata and compares what it contributes
// with testdata/<case>.golden.json.
func TestGolden(t *testing.T) {
	for _, tc := range []string{"jsonencode", "policy-document", "registry-modules", "local-module", "heredoc-file"} {
		t.Run(tc, func(t *testing.T) {
			r := NewReader(osFS{}, Options{})
			res := r.Root("testdata/" + tc)
			got, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", tc+".golden.json")
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
		})
	}
}
