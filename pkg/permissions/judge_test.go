package permissions

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/policydoc"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// fileSnapshot is a snapshot of one standalone policy file with the given statements (JSON).
func fileSnapshot(t *testing.T, statements string) *snapshot.Snapshot {
	t.Helper()
	doc, err := policydoc.Parse([]byte(`{"Version": "2012-10-17", "Statement": [`+statements+`]}`), snapshot.Location{File: "p.json"})
	if err != nil {
		t.Fatalf("parse %s: %v", statements, err)
	}
	return &snapshot.Snapshot{Policies: []snapshot.PolicyFile{{ID: "p.json", Document: doc}}}
}

// summary is what TestStatementFacts compares: per grant, the facts that change with resource
// types, conditions and Deny statements, and the holder's combinations.
type summary struct {
	Grants []string
	Combos []string
}

func summarise(a Analysis) summary {
	var s summary
	for _, h := range a.Holders {
		for _, g := range h.Grants {
			f := a.Facts[g.Facts]
			line := fmt.Sprintf("statement %v:", g.Path[len(g.Path)-1])
			if f.S3 != nil {
				line += fmt.Sprintf(" s3=%d on %q", f.S3.Count, f.S3AllResources)
			}
			for _, w := range f.S3Wildcards {
				line += " wildcard=" + w.Pattern
			}
			if f.SecretsRead != nil {
				line += fmt.Sprintf(" secrets=%v", f.SecretsRead.Names)
			}
			if f.PrivilegeEscalation != nil {
				line += fmt.Sprintf(" escalation=%v", f.PrivilegeEscalation.Names)
			}
			if len(f.PassRoleServices) > 0 {
				line += fmt.Sprintf(" to=%v", f.PassRoleServices)
			}
			if f.Narrowed {
				line += " narrowed"
			}
			if f.Conditions != nil {
				c, _ := json.Marshal(f.Conditions)
				line += " conditions=" + string(c)
			}
			if f.Conditional {
				line += " conditional"
			}
			s.Grants = append(s.Grants, line)
		}
		for _, c := range h.EscalationCombos {
			s.Combos = append(s.Combos, fmt.Sprintf("%s %v with=%v roles=%v services=%v scoped=%v", c.Kind, c.Path[len(c.Path)-1], c.With, c.Roles, c.Services, c.Scoped))
		}
	}
	return s
}

func TestStatementFacts(t *testing.T) {
	for _, tc := range []struct {
		name       string
		statements string
		want       summary
	}{
		{
			name:       "kms:Decrypt on aliases names no key",
			statements: `{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:*:*:alias/*"}`,
		},
		{
			name:       "kms:Decrypt on key* names every key",
			statements: `{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:*:*:key*"}`,
			want:       summary{Grants: []string{"statement 0: secrets=[kms:Decrypt]"}},
		},
		{
			name:       "ssm parameter* names every parameter",
			statements: `{"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": "arn:aws:ssm:*:*:parameter*"}`,
			want:       summary{Grants: []string{"statement 0: secrets=[ssm:GetParameters]"}},
		},
		{
			name:       "one parameter path is not every parameter",
			statements: `{"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "arn:aws:ssm:us-east-1:111122223333:parameter/app/*"}`,
		},
		{
			name:       "PassRole on users passes no role",
			statements: `{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction"], "Resource": "arn:aws:iam::*:user/*"}`,
		},
		{
			name:       "PassRole on role* passes every role",
			statements: `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role*"}`,
			want:       summary{Grants: []string{"statement 0: escalation=[iam:PassRole]"}},
		},
		{
			name:       "ListAllMyBuckets is on no bucket",
			statements: `{"Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "s3:GetAccountPublicAccessBlock"], "Resource": "*"}`,
		},
		{
			name:       "bucket reads on every bucket",
			statements: `{"Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"], "Resource": "arn:aws:s3:::*"}`,
			want:       summary{Grants: []string{`statement 0: s3=1 on ["arn:aws:s3:::*"]`}},
		},
		{
			name: "a Deny with NotResource keeps S3 on one bucket",
			statements: `{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
				{"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::app", "arn:aws:s3:::app/*"]}`,
			want: summary{Grants: []string{"statement 0: wildcard=s3:* narrowed"}},
		},
		{
			name: "a Deny with NotResource that covers the Allow's resources takes nothing away",
			statements: `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*"},
				{"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::*"}`,
			want: summary{Grants: []string{`statement 0: s3=1 on ["arn:aws:s3:::*/*"]`}},
		},
		{
			name: "a Deny with NotResource of other buckets takes everything away",
			statements: `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::a/*"},
				{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
				{"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::b/*"}`,
			want: summary{Grants: []string{"statement 1: secrets=[secretsmanager:GetSecretValue]"}},
		},
		{
			name: "a Deny with NotAction takes every other action away",
			statements: `{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
				{"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"}`,
			want: summary{Grants: []string{`statement 0: s3=1 on ["*"]`}},
		},
		{
			name: "a Deny with NotAction and NotResource keeps the other actions on one bucket",
			statements: `{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "secretsmanager:GetSecretValue"], "Resource": "*"},
				{"Effect": "Deny", "NotAction": "secretsmanager:GetSecretValue", "NotResource": "arn:aws:s3:::app/*"}`,
			want: summary{Grants: []string{"statement 0: secrets=[secretsmanager:GetSecretValue] narrowed"}},
		},
		{
			name: "a conditional Deny leaves the grant unless it holds",
			statements: `{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
				{"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "payments"}}}`,
			want: summary{Grants: []string{`statement 0: secrets=[secretsmanager:GetSecretValue] conditions={"unless":["when aws:PrincipalTag/team is not \"payments\""]} conditional`}},
		},
		{
			name: "a Deny unless a VPC endpoint scopes the grant",
			statements: `{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
				{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}`,
			want: summary{Grants: []string{`statement 0: secrets=[secretsmanager:GetSecretValue] conditions={"scoped":["aws:SourceVpce is \"vpce-1\""]}`}},
		},
		{
			name: "a Deny of plain HTTP takes nothing away",
			statements: `{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
				{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}`,
			want: summary{Grants: []string{"statement 0: secrets=[secretsmanager:GetSecretValue]"}},
		},
		{
			name: "a conditional Deny of some of the dangerous actions is left out",
			statements: `{"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "kms:Decrypt"], "Resource": "*"},
				{"Effect": "Deny", "Action": "kms:*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}`,
			want: summary{Grants: []string{"statement 0: secrets=[secretsmanager:GetSecretValue kms:Decrypt]"}},
		},
		{
			name:       "a tag condition scopes the grant; the caller's tags are undecided",
			statements: `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "data", "aws:PrincipalTag/team": "data"}}}`,
			want:       summary{Grants: []string{`statement 0: s3=1 on ["*"] conditions={"scoped":["aws:ResourceTag/team is \"data\""],"undecided":["aws:PrincipalTag/team is \"data\""]} conditional`}},
		},
		{
			name:       "a negated tag condition does not scope",
			statements: `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceTag/team": "audit"}}}`,
			want:       summary{Grants: []string{`statement 0: s3=1 on ["*"] conditions={"undecided":["aws:ResourceTag/team is not \"audit\""]} conditional`}},
		},
		{
			name:       "aws:RequestedRegion and aws:SecureTransport narrow nothing",
			statements: `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}, "Bool": {"aws:SecureTransport": "true"}}}`,
			want:       summary{Grants: []string{`statement 0: s3=1 on ["*"]`}},
		},
		{
			name: "PassRole to services that run no code escalates nothing",
			statements: `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringLike": {"iam:PassedToService": ["application-autoscaling.amazonaws.com", "application-autoscaling.amazonaws.com.cn", "dax.amazonaws.com"]}}},
				{"Effect": "Allow", "Action": ["lambda:CreateFunction", "datapipeline:CreatePipeline"], "Resource": "*"}`,
		},
		{
			name: "PassRole to Lambda: Lambda partners only",
			statements: `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}},
				{"Effect": "Allow", "Action": ["lambda:CreateFunction", "ec2:RunInstances"], "Resource": "*"}`,
			want: summary{
				Grants: []string{"statement 0: escalation=[iam:PassRole] to=[lambda.amazonaws.com]"},
				Combos: []string{"pass_role 0 with=[lambda:CreateFunction] roles=[] services=[lambda.amazonaws.com] scoped=[]"},
			},
		},
		{
			name:       "a service pattern may name a service that runs code",
			statements: `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringLike": {"iam:PassedToService": "*.amazonaws.com"}}}`,
			want:       summary{Grants: []string{"statement 0: escalation=[iam:PassRole] to=[*.amazonaws.com]"}},
		},
		{
			name:       "iam:PassedToService limits its statement to PassRole",
			statements: `{"Effect": "Allow", "Action": ["iam:PassRole", "secretsmanager:GetSecretValue"], "Resource": "*", "Condition": {"StringEquals": {"iam:PassedToService": "dax.amazonaws.com"}}}`,
		},
		{
			name: "PassRole of named roles to named services: what IRSA-034 recommends",
			statements: `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/nodes", "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}},
				{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}`,
		},
		{
			name: "PassRole of a named role to any service is bounded",
			statements: `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/nodes"},
				{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}`,
			want: summary{Combos: []string{"pass_role 0 with=[ec2:RunInstances] roles=[arn:aws:iam::111122223333:role/nodes] services=[] scoped=[]"}},
		},
		{
			name: "PassRole scoped to associated resources",
			statements: `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"ArnLike": {"iam:AssociatedResourceArn": "arn:aws:ec2:*:*:instance/*"}}},
				{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}`,
			want: summary{
				Grants: []string{`statement 0: escalation=[iam:PassRole] conditions={"scoped":["iam:AssociatedResourceArn matches \"arn:aws:ec2:*:*:instance/*\""]}`},
				Combos: []string{`pass_role 0 with=[ec2:RunInstances] roles=[] services=[] scoped=[iam:AssociatedResourceArn matches "arn:aws:ec2:*:*:instance/*"]`},
			},
		},
		{
			name: "UpdateAssumeRolePolicy with AssumeRole on the roles it rewrites",
			statements: `{"Effect": "Allow", "Action": "iam:UpdateAssumeRolePolicy", "Resource": "arn:aws:iam::111122223333:role/app-*"},
				{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111122223333:role/app-web"}`,
			want: summary{
				Grants: []string{"statement 0: escalation=[iam:UpdateAssumeRolePolicy]"},
				Combos: []string{"update_trust 0 with=[sts:AssumeRole] roles=[] services=[] scoped=[]"},
			},
		},
		{
			name: "UpdateAssumeRolePolicy and AssumeRole on other roles",
			statements: `{"Effect": "Allow", "Action": "iam:UpdateAssumeRolePolicy", "Resource": "arn:aws:iam::111122223333:role/app-*"},
				{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111122223333:role/ops-*"}`,
			want: summary{Grants: []string{"statement 0: escalation=[iam:UpdateAssumeRolePolicy]"}},
		},
		{
			name:       "permissions boundaries and group membership escalate",
			statements: `{"Effect": "Allow", "Action": ["iam:DeleteRolePermissionsBoundary", "iam:PutUserPermissionsBoundary", "iam:AddUserToGroup"], "Resource": "*"}`,
			want:       summary{Grants: []string{"statement 0: escalation=[iam:DeleteRolePermissionsBoundary iam:PutUserPermissionsBoundary iam:AddUserToGroup]"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := summarise(Analyze(fileSnapshot(t, tc.statements), Options{}))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMayRunCode(t *testing.T) {
	for _, tc := range []struct {
		services []string
		want     bool
	}{
		{[]string{"dax.amazonaws.com"}, false},
		{[]string{"application-autoscaling.amazonaws.com", "application-autoscaling.amazonaws.com.cn"}, false},
		{[]string{"dax.amazonaws.com*"}, false},
		{[]string{"ec2.amazonaws.com"}, true},
		{[]string{"ec2.amazonaws.com.cn"}, true},
		{[]string{"dax.amazonaws.com", "lambda.amazonaws.com"}, true},
		{[]string{"new-service.amazonaws.com"}, true},
		{[]string{"*"}, true},
		{[]string{"d*.amazonaws.com"}, true},
	} {
		if got := mayRunCode(tc.services); got != tc.want {
			t.Errorf("mayRunCode(%q) = %v, want %v", tc.services, got, tc.want)
		}
	}
}

// TestJudgedRoles: by default, only the roles a workload identity can assume are judged, and
// the others are counted per account; AllRoles and an Assumable of the caller's replace that.
func TestJudgedRoles(t *testing.T) {
	const issuer = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
	irsa := &snapshot.Document{Statements: []snapshot.Statement{{
		Effect: "Allow", Principal: &snapshot.Principal{Federated: []string{"arn:aws:iam::111122223333:oidc-provider/" + issuer}},
		Actions: []string{"sts:AssumeRoleWithWebIdentity"},
	}}}
	ec2 := &snapshot.Document{Statements: []snapshot.Statement{{
		Effect: "Allow", Principal: &snapshot.Principal{Service: []string{"ec2.amazonaws.com"}}, Actions: []string{"sts:AssumeRole"},
	}}}
	// The EKS Pod Identity agent assumes a role with sts:AssumeRole and sts:TagSession.
	podIdentity := &snapshot.Document{Statements: []snapshot.Statement{{
		Effect: "Allow", Principal: &snapshot.Principal{Service: []string{"pods.eks.amazonaws.com"}}, Actions: []string{"sts:AssumeRole", "sts:TagSession"},
	}}}
	admin := []snapshot.AttachedPolicy{{ARN: "arn:aws:iam::aws:policy/AdministratorAccess"}}
	snap := fileSnapshot(t, `{"Effect": "Allow", "Action": "*", "Resource": "*"}`)
	snap.Roles = []snapshot.Role{
		{ARN: "arn:aws:iam::111122223333:role/app", AccountID: "111122223333", TrustPolicy: irsa, AttachedPolicies: admin},
		{ARN: "arn:aws:iam::111122223333:role/node", AccountID: "111122223333", TrustPolicy: ec2, AttachedPolicies: admin},
		{ARN: "arn:aws:iam::444455556666:role/none", AccountID: "444455556666", AttachedPolicies: admin},
		{ARN: "arn:aws:iam::444455556666:role/ci", AccountID: "444455556666", TrustPolicy: ec2, AttachedPolicies: admin},
		{ARN: "arn:aws:iam::444455556666:role/pods", AccountID: "444455556666", TrustPolicy: podIdentity, AttachedPolicies: admin},
	}
	holders := func(opts Options) []string {
		var ids []string
		for _, h := range Analyze(snap, opts).Holders {
			ids = append(ids, h.Resource.ID)
		}
		return ids
	}
	for _, tc := range []struct {
		name      string
		opts      Options
		holders   []string
		notJudged []AccountRoles
	}{
		{"default", Options{}, []string{"arn:aws:iam::111122223333:role/app", "arn:aws:iam::444455556666:role/pods", "p.json"},
			[]AccountRoles{{"111122223333", 1}, {"444455556666", 2}}},
		{"all roles", Options{AllRoles: true}, []string{
			"arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/node",
			"arn:aws:iam::444455556666:role/none", "arn:aws:iam::444455556666:role/ci", "arn:aws:iam::444455556666:role/pods", "p.json",
		}, nil},
		{"the caller's answer", Options{Assumable: func(i int) bool { return i == 3 }}, []string{"arn:aws:iam::444455556666:role/ci", "p.json"},
			[]AccountRoles{{"111122223333", 2}, {"444455556666", 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.holders, holders(tc.opts)); diff != "" {
				t.Errorf("holders (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.notJudged, NotJudged(snap, tc.opts)); diff != "" {
				t.Errorf("not judged (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDangerousLeavesScopedOut: IRSA-040 weighs unscoped grants only; a grant scoped by a tag
// condition is reported on its own, one severity lower.
func TestDangerousLeavesScopedOut(t *testing.T) {
	for _, tc := range []struct {
		name       string
		statements string
		want       *Dangerous
	}{
		{"unscoped", `{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}`,
			&Dangerous{Kinds: []string{"secrets_read"}, Actions: ActionList{Names: []string{"secretsmanager:GetSecretValue"}, Count: 1}}},
		{"scoped by a tag", `{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}}}`, nil},
		{"undecided", `{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}}}`,
			&Dangerous{Kinds: []string{"secrets_read"}, Actions: ActionList{Names: []string{"secretsmanager:GetSecretValue"}, Count: 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Analyze(fileSnapshot(t, tc.statements), Options{})
			if len(a.Holders) != 1 {
				t.Fatalf("holders = %+v", a.Holders)
			}
			if diff := cmp.Diff(tc.want, a.Holders[0].Dangerous); diff != "" {
				t.Errorf("dangerous (-want +got):\n%s", diff)
			}
		})
	}
}
