package terraform

import (
	"io/fs"
	"os"
	"path"
	"testing"
	"testing/fstest"
	"time"
)

// mapFS serves an fstest.MapFS through FS.
type mapFS struct{ m fstest.MapFS }

func (f mapFS) ReadDir(name string) ([]fs.DirEntry, error) { return f.m.ReadDir(name) }
func (f mapFS) ReadFile(name string) ([]byte, error)       { return f.m.ReadFile(name) }

// FuzzRoot evaluates an arbitrary main.tf (with a local module and a variables file beside
// it): the reader may report errors, but never panics or runs away.
func FuzzRoot(f *testing.F) {
	for _, dir := range []string{caseDir("jsonencode"), caseDir("policy-document"), caseDir("registry-modules"),
		caseDir("local-module"), caseDir("heredoc-file"), caseDir("plan")} {
		data, err := os.ReadFile(path.Join(dir, "main.tf"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`locals { a = local.b
  b = local.a }
resource "aws_iam_role" "r" { name = local.a
  assume_role_policy = jsonencode({Statement = [for i in range(3) : {Effect = "Allow", Action = "*"}]}) }`))
	f.Add([]byte(`module "m" { source = "./m"
  count = 2
  x = count.index }`))
	module, err := os.ReadFile("testdata/local-module/modules/irsa/main.tf")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m := fstest.MapFS{
			"root/main.tf":          {Data: data},
			"root/terraform.tfvars": {Data: []byte(`namespace = "fuzz"`)},
			"root/m/main.tf": {Data: []byte(`variable "x" {}
output "y" { value = var.x }`)},
			"root/modules/irsa/main.tf": {Data: module},
			"root/policy.json":          {Data: []byte(`{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`)},
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			r := NewReader(mapFS{m}, Options{MaxFileSize: 1 << 20})
			r.Calls("root")
			_ = r.Root("root")
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("evaluation ran for more than 10s:\n%s", data)
		}
	})
}
