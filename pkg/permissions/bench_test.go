package permissions

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// benchSnapshot builds a snapshot of n roles in the shape of a large account: every role has an
// IRSA trust policy, an inline policy of its own, two of 50 shared customer-managed policies and
// one of four AWS managed policies; every fifth role has an explicit Deny and every tenth a
// permissions boundary.
func benchSnapshot(n int) *snapshot.Snapshot {
	const issuer = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
	stmt := func(effect string, actions, resources []string) snapshot.Statement {
		return snapshot.Statement{Effect: effect, Actions: actions, Resources: resources}
	}
	snap := &snapshot.Snapshot{Version: snapshot.Version}
	shapes := [][]snapshot.Statement{
		{stmt("Allow", []string{"s3:*"}, []string{"*"})},
		{stmt("Allow", []string{"s3:GetObject", "s3:PutObject"}, []string{"arn:aws:s3:::shared/*"})},
		{stmt("Allow", []string{"iam:PassRole"}, []string{"*"}), stmt("Allow", []string{"ec2:RunInstances"}, []string{"*"})},
		{stmt("Allow", []string{"secretsmanager:GetSecretValue"}, []string{"*"})},
		{stmt("Allow", []string{"dynamodb:GetItem", "dynamodb:Query"}, []string{"arn:aws:dynamodb:*:*:table/t"})},
	}
	for m := range 50 {
		snap.ManagedPolicies = append(snap.ManagedPolicies, snapshot.ManagedPolicy{
			ARN:      fmt.Sprintf("arn:aws:iam::111122223333:policy/shared-%d", m),
			Name:     fmt.Sprintf("shared-%d", m),
			Document: &snapshot.Document{Statements: shapes[m%len(shapes)]},
		})
	}
	aws := []string{
		"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3FullAccess",
		"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
	}
	for i := range n {
		inline := []snapshot.Statement{
			stmt("Allow", []string{"s3:GetObject", "s3:ListBucket"}, []string{
				fmt.Sprintf("arn:aws:s3:::bucket-%d", i), fmt.Sprintf("arn:aws:s3:::bucket-%d/*", i)}),
			stmt("Allow", []string{"sqs:SendMessage"}, []string{fmt.Sprintf("arn:aws:sqs:us-west-2:111122223333:queue-%d", i)}),
		}
		if i%5 == 0 {
			inline = append(inline, stmt("Deny", []string{"s3:Delete*"}, []string{"*"}))
		}
		r := snapshot.Role{
			ARN:       fmt.Sprintf("arn:aws:iam::111122223333:role/app-%d", i),
			Name:      fmt.Sprintf("app-%d", i),
			AccountID: "111122223333",
			TrustPolicy: &snapshot.Document{Statements: []snapshot.Statement{{
				Effect:    "Allow",
				Principal: &snapshot.Principal{Federated: []string{"arn:aws:iam::111122223333:oidc-provider/" + issuer}},
				Actions:   []string{"sts:AssumeRoleWithWebIdentity"},
				Conditions: []snapshot.Condition{{Operator: "StringEquals", BaseOperator: "StringEquals", Known: true,
					Key: issuer + ":sub", Values: []string{fmt.Sprintf("system:serviceaccount:ns-%d:app", i)}}},
			}}},
			InlinePolicies: []snapshot.InlinePolicy{{Name: "app", Document: snapshot.Document{Statements: inline}}},
			AttachedPolicies: []snapshot.AttachedPolicy{
				{ARN: snap.ManagedPolicies[i%50].ARN}, {ARN: snap.ManagedPolicies[(i*7+3)%50].ARN}, {ARN: aws[i%len(aws)]},
			},
		}
		if i%10 == 0 {
			r.PermissionsBoundary = "arn:aws:iam::aws:policy/PowerUserAccess"
		}
		snap.Roles = append(snap.Roles, r)
	}
	return snap
}

// BenchmarkAnalyze analyses 10,000 roles that share 50 customer-managed and 4 AWS managed
// policies. It reports the size of the analysis JSON and the number of distinct facts.
func BenchmarkAnalyze(b *testing.B) {
	snap := benchSnapshot(10000)
	Analyze(snap, Options{}) // decode the embedded catalog outside the timing
	var a Analysis
	for b.Loop() {
		a = Analyze(snap, Options{})
	}
	data, err := json.Marshal(a)
	if err != nil {
		b.Fatal(err)
	}
	grants := 0
	for _, h := range a.Holders {
		grants += len(h.Grants)
	}
	b.ReportMetric(float64(len(data))/1e6, "MB-json")
	b.ReportMetric(float64(len(a.Facts)), "facts")
	b.ReportMetric(float64(len(a.Holders)), "holders")
	b.ReportMetric(float64(grants), "grants")
}
