package main

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPermissionExamples scans the policies of issue 12 (testdata/permissions: the official
// Karpenter controller policy, AWS managed policies resolved from the embedded copy, and policies
// in the shape of AWS's documentation examples) with the permission rules, and compares every
// finding (rule, severity, file and lines, message) and every "not judged" entry of the report's
// not-checked section with what a reviewer should read. Each case failed before the permission
// analysis knew resource types, conditions, Deny NotResource and which roles to judge.
func TestPermissionExamples(t *testing.T) {
	for _, tc := range []struct {
		name string
		dir  string
		args []string
		want []string
	}{
		{
			// karpenter: PassRole of the named node role to EC2 makes no combination; the EC2-trusting node role is not judged
			name: "karpenter", dir: "karpenter", args: nil,
			want: []string{
				"111122223333: 1 role that no workload identity can assume was not judged by the permission rules (IRSA-030..037, IRSA-040); --all-roles judges them",
			},
		},
		{
			// karpenter --all-roles: the node role is judged, and its finding points at the attachment entry of the AWS managed policy
			name: "karpenter-all-roles", dir: "karpenter", args: []string{"--all-roles"},
			want: []string{
				"IRSA-037 high get-account-authorization-details.json:73-76 arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore grants to role arn:aws:iam::111122223333:role/KarpenterNodeRole-prod ssm:GetParameter, ssm:GetParameters on every resource, so every secret it covers can be read",
			},
		},
		{
			// AmazonDynamoDBFullAccess passes roles only to services that run no code (DAX, Application Auto Scaling); AmazonECS_FullAccess passes any role to ECS tasks it can run
			name: "dynamodb", dir: "dynamodb", args: nil,
			want: []string{
				"IRSA-034 high get-account-authorization-details.json:65-68 arn:aws:iam::aws:policy/AmazonECS_FullAccess grants to role arn:aws:iam::111122223333:role/deployer iam:PassRole to ecs-tasks.amazonaws.com, and with ecs:RegisterTaskDefinition, ecs:RunTask, ecs:StartTask a role can be passed to code that runs as it; it can be assumed by system:serviceaccount:ci:deployer",
				"IRSA-034 high get-account-authorization-details.json:65-68 statement \"TasksPassRolePolicy\" of arn:aws:iam::aws:policy/AmazonECS_FullAccess grants to role arn:aws:iam::111122223333:role/deployer privilege-escalation actions: iam:PassRole (roles passed only to ecs-tasks.amazonaws.com); it can be assumed by system:serviceaccount:ci:deployer",
			},
		},
		{
			// IRSA-034's good example (one named role, to Lambda) is silent; PassRole on every role with lambda:CreateFunction is not
			name: "good-example", dir: "good-example", args: nil,
			want: []string{
				"IRSA-034 high deploy-any-role-policy.json:4-9 cmd/irsa-audit/testdata/permissions/good-example/deploy-any-role-policy.json grants iam:PassRole, and with lambda:CreateFunction a role can be passed to code that runs as it",
				"IRSA-034 high deploy-any-role-policy.json:4-9 statement \"PassAnyRole\" of cmd/irsa-audit/testdata/permissions/good-example/deploy-any-role-policy.json grants privilege-escalation actions: iam:PassRole",
			},
		},
		{
			// kms:Decrypt on aliases names no key; on key/* every key
			name: "kms-alias", dir: "kms-alias", args: nil,
			want: []string{
				"IRSA-037 high decrypt-any-key-policy.json:4-9 statement \"DecryptWithAnyKey\" of cmd/irsa-audit/testdata/permissions/kms-alias/decrypt-any-key-policy.json grants kms:Decrypt on every resource, so every secret it covers can be read",
			},
		},
		{
			// parameter* names every parameter
			name: "ssm-prefix", dir: "ssm-prefix", args: nil,
			want: []string{
				"IRSA-037 high parameters-policy.json:4-9 statement \"ReadConfig\" of cmd/irsa-audit/testdata/permissions/ssm-prefix/parameters-policy.json grants ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath on every resource, so every secret it covers can be read",
			},
		},
		{
			// a Deny with NotResource keeps S3 on the one bucket: no S3-on-every-bucket
			name: "deny-notresource", dir: "deny-notresource", args: nil,
			want: []string{
				"IRSA-030 high guardrail-policy.json:4-9 the wildcard \"s3:*\" in statement \"AllowS3\" of cmd/irsa-audit/testdata/permissions/deny-notresource/guardrail-policy.json grants 50 S3 write and permissions-management actions: s3:PutBucketPolicy, s3:DeleteBucketPolicy, s3:PutBucketAcl, s3:PutObjectAcl, s3:PutBucketPublicAccessBlock, s3:PutBucketOwnershipControls, s3:DeleteBucket, s3:DeleteObject, s3:DeleteObjectVersion, s3:PutObject and 40 more",
				"IRSA-035 medium guardrail-policy.json:4-9 statement \"AllowS3\" of cmd/irsa-audit/testdata/permissions/deny-notresource/guardrail-policy.json grants 9 S3 permissions-management actions (bucket policies, ACLs, public access blocks): s3:PutBucketPolicy, s3:DeleteBucketPolicy, s3:PutBucketAcl, s3:PutObjectAcl, s3:PutBucketPublicAccessBlock, s3:PutBucketOwnershipControls, s3:BypassGovernanceRetention, s3:ObjectOwnerOverrideToBucketOwner, s3:PutObjectVersionAcl",
			},
		},
		{
			// s3:ListAllMyBuckets is an account-level action, on no bucket
			name: "list-all-my-buckets", dir: "list-all-my-buckets", args: nil,
			want: []string{},
		},
		{
			// an Allow with NotResource applies to every other bucket: IRSA-031 as well as IRSA-033
			name: "allow-notresource", dir: "allow-notresource", args: nil,
			want: []string{
				"IRSA-031 high everything-but-audit-policy.json:4-12 statement \"ReadAllButAudit\" of cmd/irsa-audit/testdata/permissions/allow-notresource/everything-but-audit-policy.json grants 2 S3 actions on every bucket or object except \"arn:aws:s3:::audit-logs\", \"arn:aws:s3:::audit-logs/*\": s3:GetObject, s3:ListBucket",
				"IRSA-033 high everything-but-audit-policy.json:4-12 statement \"ReadAllButAudit\" of cmd/irsa-audit/testdata/permissions/allow-notresource/everything-but-audit-policy.json uses NotResource in an Allow statement, so it grants 2 actions on every resource except \"arn:aws:s3:::audit-logs\", \"arn:aws:s3:::audit-logs/*\"",
			},
		},
		{
			// a tag condition and a Deny unless a VPC endpoint lower the severity; a condition on the caller's tags and a conditional Deny leave the grant conditional
			name: "conditions", dir: "conditions", args: nil,
			want: []string{
				"IRSA-037 high principal-tag-policy.json:4-10 statement \"ReadParametersOfMyTeam\" of cmd/irsa-audit/testdata/permissions/conditions/principal-tag-policy.json grants ssm:GetParameter on every resource, so every secret it covers can be read (conditionally: when aws:PrincipalTag/team is \"payments\"; unless a Deny applies when aws:MultiFactorAuthPresent is \"false\" (if present))",
				"IRSA-031 medium vpce-only-policy.json:4-9 statement \"ReadAllObjects\" of cmd/irsa-audit/testdata/permissions/conditions/vpce-only-policy.json grants 2 S3 actions on every bucket or object (\"*\"): s3:GetObject, s3:ListBucket (only where aws:SourceVpce is \"vpce-1a2b3c4d\")",
				"IRSA-037 medium tagged-secrets-policy.json:4-10 statement \"ReadTeamSecrets\" of cmd/irsa-audit/testdata/permissions/conditions/tagged-secrets-policy.json grants secretsmanager:GetSecretValue on every resource, so every secret it covers can be read (only where aws:ResourceTag/team is \"payments\")",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"scan", "--format", "json", "--fail-on", "none"}, tc.args...)
			for _, id := range []string{"IRSA-030", "IRSA-031", "IRSA-032", "IRSA-033", "IRSA-034", "IRSA-035", "IRSA-036", "IRSA-037", "IRSA-040"} {
				args = append(args, "--rule", id)
			}
			code, stdout, stderr := runCLI(t, "", append(args, path.Join("cmd/irsa-audit/testdata/permissions", tc.dir))...)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			var rep struct {
				Findings []struct {
					RuleID   string `json:"rule_id"`
					Severity string `json:"severity"`
					Message  string `json:"message"`
					Location struct {
						File      string `json:"file"`
						StartLine int    `json:"start_line"`
						EndLine   int    `json:"end_line"`
					} `json:"location"`
				} `json:"findings"`
				NotChecked []struct {
					Resource struct {
						ID string `json:"id"`
					} `json:"resource"`
					Note string `json:"note"`
				} `json:"not_checked"`
			}
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatalf("report: %v", err)
			}
			got := []string{}
			for _, f := range rep.Findings {
				got = append(got, fmt.Sprintf("%s %s %s:%d-%d %s", f.RuleID, f.Severity, path.Base(f.Location.File), f.Location.StartLine, f.Location.EndLine, f.Message))
			}
			for _, c := range rep.NotChecked {
				if strings.Contains(c.Note, "not judged") {
					got = append(got, c.Resource.ID+": "+c.Note)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}
