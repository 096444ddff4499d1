package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// TestIaCExamples scans the infrastructure-as-code examples through the CLI against golden
// transcripts.
func TestIaCExamples(t *testing.T) {
	params := filepath.Join(t.TempDir(), "params.json")
	if err := os.WriteFile(params, []byte(`[{"ParameterKey": "Namespace", "ParameterValue": "*"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"terraform", []string{"scan", "examples/terraform"}},
		{"terraform-tf-vars", []string{"scan", "--tf-vars", "examples/terraform/irsa-policy-document/prod.tfvars", "examples/terraform/irsa-policy-document"}},
		{"terraform-plan-alone", []string{"scan", "examples/terraform-plan/plan.json"}},
		{"terraform-plan-with-config", []string{"scan", "examples/terraform-plan"}},
		{"cloudformation", []string{"scan", "examples/cloudformation"}},
		{"cloudformation-parameters", []string{"scan", "--cfn-parameters", params, "examples/cloudformation/irsa-stack.yaml"}},
		{"cdk", []string{"scan", "examples/cdk"}},
		{"eksctl", []string{"scan", "examples/eksctl"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", tc.args...)
			checkGolden(t, "iac-"+tc.name, strings.ReplaceAll(transcript(code, stdout, stderr), params, "PARAMS"))
		})
	}
}

// TestIaCLocations holds the findings of the examples of issue 13 to the file and line of the
// HCL block, template node or plan resource they come from, and checks that values known only
// after deployment are reported as not judged rather than passed.
func TestIaCLocations(t *testing.T) {
	type at struct {
		rule, file string
		line       int
	}
	for _, tc := range []struct {
		name      string
		args      []string
		want      []at     // findings that must be there
		notWant   []at     // findings that must not
		notJudged []string // "file:line" of skipped entries that say "not judged"
	}{{
		name: "IRSA modules with and without aud",
		args: []string{"examples/terraform/irsa-modules"},
		want: []at{
			{"IRSA-003", "examples/terraform/irsa-modules/main.tf", 30}, // iam-assumable-role-with-oidc: no aud
			{"IRSA-032", "examples/terraform/irsa-modules/main.tf", 30}, // AdministratorAccess
		},
		notWant: []at{{"IRSA-003", "examples/terraform/irsa-modules/main.tf", 13}}, // iam-role-for-service-accounts-eks has aud
	}, {
		name: "jsonencode trust",
		args: []string{"examples/terraform/irsa-jsonencode"},
		want: []at{
			{"IRSA-002", "examples/terraform/irsa-jsonencode/main.tf", 47}, // the sub entry inside jsonencode
			{"IRSA-003", "examples/terraform/irsa-jsonencode/main.tf", 41}, // the statement
			{"IRSA-032", "examples/terraform/irsa-jsonencode/main.tf", 36}, // the role, via the attachment
		},
	}, {
		name:    "aws_iam_policy_document with aud",
		args:    []string{"examples/terraform/irsa-policy-document"},
		want:    []at{{"IRSA-031", "examples/terraform/irsa-policy-document/main.tf", 54}},
		notWant: []at{{"IRSA-003", "examples/terraform/irsa-policy-document/main.tf", 20}},
	}, {
		name: "aws_iam_policy_document with --tf-vars",
		args: []string{"--tf-vars", "examples/terraform/irsa-policy-document/prod.tfvars", "examples/terraform/irsa-policy-document"},
		want: []at{{"IRSA-006", "examples/terraform/irsa-policy-document/main.tf", 29}}, // "*" under StringEquals, in the sub condition block
	}, {
		name:      "plan with after_unknown",
		args:      []string{"examples/terraform-plan/plan.json"},
		want:      []at{{"IRSA-002", "examples/terraform-plan/plan.json", 260}},
		notJudged: []string{"examples/terraform-plan/plan.json:132"},
	}, {
		name: "plan with its configuration",
		args: []string{"examples/terraform-plan"},
		want: []at{
			{"IRSA-002", "examples/terraform-plan/main.tf", 44},
			{"IRSA-003", "examples/terraform-plan/main.tf", 16}, // judged from the configuration
		},
	}, {
		name: "CloudFormation GitHub OIDC role",
		args: []string{"examples/cloudformation/github-oidc-role.yaml"},
		want: []at{{"IRSA-032", "examples/cloudformation/github-oidc-role.yaml", 30}},
	}, {
		name:      "CloudFormation IRSA stack",
		args:      []string{"examples/cloudformation/irsa-stack.yaml"},
		want:      []at{{"IRSA-003", "examples/cloudformation/irsa-stack.yaml", 47}},
		notJudged: []string{"examples/cloudformation/irsa-stack.yaml:76"},
	}, {
		name: "CDK synth",
		args: []string{"examples/cdk"},
		want: []at{{"IRSA-031", "examples/cdk/IrsaStack.template.json", 191}},
		// The expanded Custom::AWSCDKCfnJson condition pins sub and aud.
		notWant: []at{{"IRSA-003", "examples/cdk/IrsaStack.template.json", 164}},
	}, {
		name: "eksctl",
		args: []string{"examples/eksctl"},
		want: []at{
			{"IRSA-032", "examples/eksctl/cluster.yaml", 34}, // the Pod Identity role
			{"IRSA-031", "examples/eksctl/cluster.yaml", 30}, // roleOnly's attachPolicy
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			_, stdout, stderr := runCLI(t, "", append([]string{"scan", "--format", "json"}, tc.args...)...)
			rep := decodeReport(t, stdout)
			if len(rep.Errors) > 0 {
				t.Fatalf("input errors: %+v\n%s", rep.Errors, stderr)
			}
			var got []at
			for _, f := range rep.Findings {
				got = append(got, at{f.RuleID, f.Location.File, f.Location.StartLine})
			}
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("no %s at %s:%d; findings: %v", w.rule, w.file, w.line, got)
				}
			}
			for _, w := range tc.notWant {
				if slices.Contains(got, w) {
					t.Errorf("unexpected %s at %s:%d", w.rule, w.file, w.line)
				}
			}
			for _, nj := range tc.notJudged {
				file, line, _ := strings.Cut(nj, ":")
				if !slices.ContainsFunc(rep.Skipped, func(s snapshot.Skipped) bool {
					return s.File == file && fmt.Sprint(s.Line) == line && strings.HasPrefix(s.Reason, "not judged:")
				}) {
					t.Errorf("%s is not reported as not judged; skipped: %+v", nj, rep.Skipped)
				}
			}
		})
	}
}
