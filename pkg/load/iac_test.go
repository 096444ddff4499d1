package load

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const trustTF = `resource "aws_iam_role" "r" {
  name = var.name
  assume_role_policy = jsonencode({Statement = [{Effect = "Allow", Action = "sts:AssumeRole", Principal = {Service = "ec2.amazonaws.com"}}]})
}
`

// TestTerraformFolders checks how a walk reads Terraform: a folder is one module and one input
// per file; a folder called by another is read through its caller only; .tfvars files that
// Terraform does not load by itself are skipped with a hint; .terraform is not walked.
func TestTerraformFolders(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"live/main.tf":                      "module \"m\" {\n  source = \"../modules/m\"\n  name = \"from-caller\"\n}\n",
		"live/terraform.tfvars":             "unused = 1\n",
		"live/prod.tfvars":                  "unused = 2\n",
		"live/.terraform/modules/x/main.tf": "this is not HCL {\n",
		"modules/m/main.tf":                 trustTF,
		"modules/m/variables.tf":            "variable \"name\" { default = \"own-default\" }\n",
		"other/main.tf":                     trustTF + "variable \"name\" {}\n",
	})
	t.Chdir(dir)
	snap, err := Load(context.Background(), []string{"."}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Errors) > 0 {
		t.Fatalf("errors: %+v", snap.Errors)
	}
	var names []string
	for _, r := range snap.Roles {
		names = append(names, r.Name)
	}
	if diff := cmp.Diff([]string{"from-caller", "«var.name»"}, names); diff != "" {
		t.Errorf("role names (-want +got):\n%s", diff)
	}
	var sources []string
	for _, s := range snap.Sources {
		sources = append(sources, s.Name+" "+s.Format)
	}
	wantSources := []string{"live/main.tf terraform", "modules/m/main.tf terraform", "modules/m/variables.tf terraform", "live/terraform.tfvars terraform", "other/main.tf terraform"}
	if diff := cmp.Diff(wantSources, sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if snap.Stats.Files != len(wantSources) {
		t.Errorf("stats.files = %d, want %d", snap.Stats.Files, len(wantSources))
	}
	if !slices.Contains(snap.Skipped, snapshot.Skipped{File: "live/prod.tfvars", Reason: "Terraform variables file: give it with --tf-vars to use its values"}) {
		t.Errorf("prod.tfvars not skipped with a hint: %+v", snap.Skipped)
	}
	if !slices.ContainsFunc(snap.NotJudged, func(n snapshot.NotJudged) bool {
		return n.ID == "arn:aws:iam::«account of other»:role/«var.name»" || n.Kind == "role"
	}) &&
		len(snap.Roles) != 2 {
		t.Errorf("roles: %+v", snap.Roles)
	}
}

// TestIaCOptionErrors checks that unreadable or malformed --tf-vars and --cfn-parameters files
// are input errors with their file and position.
func TestIaCOptionErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"stack.yaml":  "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  Name: {Type: String}\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Ref Name\n",
		"params.json": `{"Parameters": {"Name": ["not", "a", "string"]}}`,
		"vars.tfvars": "name = \n",
		"tf/main.tf":  trustTF + "variable \"name\" {}\n",
	})
	p := func(n string) string { return filepath.Join(dir, n) }
	snap, err := Load(context.Background(), []string{p("stack.yaml"), p("tf")}, Options{
		CFNParameterFiles: []string{p("params.json"), p("missing.json")},
		TFVarFiles:        []string{p("vars.tfvars")},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range snap.Errors {
		rel, _ := filepath.Rel(dir, e.File)
		got = append(got, fmt.Sprintf("%s:%d:%d: %s", filepath.ToSlash(rel), e.Line, e.Column, e.Message))
	}
	want := []string{
		"params.json:1:25: --cfn-parameters: parameter values must be strings",
		"missing.json:0:0: --cfn-parameters: cannot read: no such file or directory",
		"vars.tfvars:1:8: Invalid expression",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}
