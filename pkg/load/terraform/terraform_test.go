package terraform

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// osFS reads the real file system, with "/" paths.
type osFS struct{}

func (osFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(filepath.FromSlash(name)) }
func (osFS) ReadFile(name string) ([]byte, error)       { return os.ReadFile(filepath.FromSlash(name)) }

// examples are the shipped examples a golden case reads where they are, so that the
// examples and the tests cannot drift apart.
var examples = map[string]string{
	"jsonencode":       "../../../examples/terraform/irsa-jsonencode",
	"policy-document":  "../../../examples/terraform/irsa-policy-document",
	"registry-modules": "../../../examples/terraform/irsa-modules",
	"plan":             "../../../examples/terraform-plan",
}

// caseDir is the folder of a golden case: a shipped example or testdata/<case>.
func caseDir(name string) string {
	if d, ok := examples[name]; ok {
		return d
	}
	return "testdata/" + name
}

// TestGolden evaluates each root module (under testdata, or a shipped example) and compares
// what it contributes with testdata/<case>.golden.json.
func TestGolden(t *testing.T) {
	t.Run("plan", func(t *testing.T) {
		data, err := os.ReadFile(caseDir("plan") + "/plan.json")
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
		res, err := LoadPlan(n, caseDir("plan")+"/plan.json")
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "plan-json", res)
	})
	for _, tc := range []string{"jsonencode", "policy-document", "registry-modules", "local-module", "heredoc-file", "cached", "unknowns", "tfjson"} {
		t.Run(tc, func(t *testing.T) {
			r := NewReader(osFS{}, Options{})
			checkGolden(t, tc, r.Root(caseDir(tc)))
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

// TestErrors checks that bad configurations give errors with file, line and column, never a
// panic, and that the rest of the module is still read.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // "line:column: message" prefixes
		roles     int
	}{
		{"syntax", "resource \"aws_iam_role\" \"r\" {\n  name = \n}\n", []string{"2:10: Invalid expression"}, 1},
		{"unknown function", "resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  assume_role_policy = frobnicate(1)\n}\n", []string{"3:24: Call to unknown function"}, 1},
		{"policy not JSON", "resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  assume_role_policy = \"{\\\"Statement\\\": [\"\n}\n", []string{"3:40: policy: unexpected end of input"}, 1},
		{"bad effect", "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    effect = \"Maybe\"\n    actions = [\"s3:*\"]\n  }\n}\nresource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  assume_role_policy = data.aws_iam_policy_document.d.json\n}\n", []string{`3:14: effect must be "Allow" or "Deny", not "Maybe"`}, 1},
		{"local cycle", "locals {\n  a = local.b\n  b = local.a\n}\nresource \"aws_iam_role\" \"r\" {\n  name = local.a\n  assume_role_policy = jsonencode({Statement = [{Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = {Service = \"ec2.amazonaws.com\"}}]})\n}\n", []string{"2:7: local.a refers to itself"}, 1},
		{"nesting", "locals {\n  a = " + strings.Repeat("[", 600) + "\n}\n", []string{"2:518: brackets nested deeper than 512 levels"}, 0},
		{"file outside", "resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  assume_role_policy = file(\"/etc/passwd\")\n}\n", []string{"3:24: Error in function call"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := fstest.MapFS{"root/main.tf": {Data: []byte(tc.src)}}
			res := NewReader(mapFS{m}, Options{}).Root("root")
			var got []string
			for _, e := range res.Errors {
				if e.File != "root/main.tf" {
					t.Errorf("error in %q, want root/main.tf: %s", e.File, e.Message)
				}
				got = append(got, fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Message))
			}
			if len(got) != len(tc.want) {
				t.Fatalf("errors %q, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("error %d = %q, want %q...", i, got[i], w)
				}
			}
			if len(res.Items.Roles) != tc.roles {
				t.Errorf("%d roles, want %d", len(res.Items.Roles), tc.roles)
			}
		})
	}
}
