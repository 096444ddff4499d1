package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// writeTerraformMonorepo writes a Terraform monorepo of roots*6+4 files: roots services, each a
// root module of six files (provider, variables, locals, a local module called for three
// applications, a role with a jsonencode trust and an aws_iam_policy_document permission
// policy, two ServiceAccounts), all calling one shared local module of four files. One root in
// ten trusts a whole namespace.
func writeTerraformMonorepo(dir string, roots int) (files int, err error) {
	write := func(name, text string) {
		if err != nil {
			return
		}
		p := filepath.Join(dir, name)
		if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
			err = os.WriteFile(p, []byte(text), 0o644)
			files++
		}
	}
	write("modules/irsa/variables.tf", `variable "name" { type = string }
variable "namespace" { type = string }
variable "service_account" { type = string }
variable "oidc_provider_arn" { type = string }
variable "policy_arns" {
  type    = list(string)
  default = []
}
`)
	write("modules/irsa/main.tf", `locals {
  issuer = replace(var.oidc_provider_arn, "/^(.*provider/)/", "")
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${var.service_account}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy_attachment" "this" {
  count      = length(var.policy_arns)
  role       = aws_iam_role.this.name
  policy_arn = var.policy_arns[count.index]
}
`)
	write("modules/irsa/outputs.tf", `output "arn" { value = aws_iam_role.this.arn }
output "name" { value = aws_iam_role.this.name }
`)
	write("modules/irsa/versions.tf", `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}
`)
	for i := range roots {
		svc := fmt.Sprintf("services/svc-%03d", i)
		sub := fmt.Sprintf("system:serviceaccount:svc-%03d:api", i)
		if i%10 == 0 {
			sub = fmt.Sprintf("system:serviceaccount:svc-%03d:*", i)
		}
		write(svc+"/providers.tf", fmt.Sprintf(`provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = ["%012d"]
}
`, 100000000000+i))
		write(svc+"/variables.tf", fmt.Sprintf(`variable "namespace" {
  type    = string
  default = "svc-%03d"
}

variable "apps" {
  type    = map(list(string))
  default = {
    api    = ["arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"]
    worker = ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    cron   = []
  }
}
`, i))
		write(svc+"/locals.tf", `locals {
  oidc_provider_arn = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
  issuer            = element(split("oidc-provider/", local.oidc_provider_arn), 1)
}

data "aws_caller_identity" "current" {}
`)
		write(svc+"/main.tf", `module "irsa" {
  source   = "../../modules/irsa"
  for_each = var.apps

  name              = "${var.namespace}-${each.key}"
  namespace         = var.namespace
  service_account   = each.key
  oidc_provider_arn = local.oidc_provider_arn
  policy_arns       = each.value
}
`)
		write(svc+"/iam.tf", fmt.Sprintf(`resource "aws_iam_role" "legacy" {
  name = "${var.namespace}-legacy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = local.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringLike = { "${local.issuer}:sub" = "%s" }
        StringEquals = { "${local.issuer}:aud" = "sts.amazonaws.com" }
      }
    }]
  })
}

data "aws_iam_policy_document" "legacy" {
  statement {
    actions   = ["sqs:SendMessage", "sqs:ReceiveMessage"]
    resources = ["arn:aws:sqs:us-east-1:${data.aws_caller_identity.current.account_id}:${var.namespace}-*"]
  }
}

resource "aws_iam_role_policy" "legacy" {
  name   = "queues"
  role   = aws_iam_role.legacy.id
  policy = data.aws_iam_policy_document.legacy.json
}
`, sub))
		write(svc+"/k8s.tf", `resource "kubernetes_service_account_v1" "app" {
  for_each = module.irsa
  metadata {
    name      = each.key
    namespace = var.namespace
    annotations = {
      "eks.amazonaws.com/role-arn" = each.value.arn
    }
  }
}

resource "kubernetes_service_account_v1" "legacy" {
  metadata {
    name      = "legacy"
    namespace = var.namespace
    annotations = {
      "eks.amazonaws.com/role-arn" = aws_iam_role.legacy.arn
    }
  }
}
`)
	}
	return files, err
}

// BenchmarkScanTerraform is the pull-request gate of a Terraform monorepo of 1,000 files (166
// root modules and a shared module), end to end through the binary. It reports the wall time
// of the process (ns/op), its peak RSS, the files, the roles read and the findings.
func BenchmarkScanTerraform(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "irsa-audit")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "github.com/irsa-audit/irsa-audit/cmd/irsa-audit")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	tree := filepath.Join(dir, "repo")
	files, err := writeTerraformMonorepo(tree, 166)
	if err != nil {
		b.Fatal(err)
	}
	if files != 1000 {
		b.Fatalf("wrote %d files, want 1000", files)
	}
	out := filepath.Join(dir, "report.json")
	maxRSS := benchScan(b, bin, out, tree)
	rules, read := benchFindings(b, out)
	wildcards := 0
	for _, r := range rules {
		if r == "IRSA-002" {
			wildcards++
		}
	}
	if want := (166 + 9) / 10; wildcards != want {
		b.Fatalf("%d IRSA-002 findings, want %d (one per tenth root)", wildcards, want)
	}
	b.ReportMetric(float64(read), "files")
	b.ReportMetric(float64(len(rules)), "findings")
	b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(time.Second), "s/op")
}

// TestTerraformMonorepo scans a small generated monorepo in-process: every root is evaluated
// once, the shared module through its callers, and every seeded wildcard is found.
func TestTerraformMonorepo(t *testing.T) {
	tree := filepath.Join(t.TempDir(), "repo")
	files, err := writeTerraformMonorepo(tree, 12)
	if err != nil {
		t.Fatal(err)
	}
	_, stdout, stderr := runCLI(t, "", "scan", "--format", "json", "--fail-on", "none", tree)
	rep := decodeReport(t, stdout)
	if len(rep.Errors) > 0 {
		t.Fatalf("input errors: %+v\n%s", rep.Errors, stderr)
	}
	if rep.Stats.Files != files {
		t.Errorf("stats.files = %d, want %d", rep.Stats.Files, files)
	}
	n := findingsPerRule(rep)
	if n["IRSA-002"] != 2 {
		t.Errorf("IRSA-002 findings = %d, want 2 (roots 0 and 10): %v", n["IRSA-002"], n)
	}
}
