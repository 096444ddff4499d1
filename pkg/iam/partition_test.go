package iam

import "testing"

func TestIssuerPartition(t *testing.T) {
	for _, tc := range []struct{ issuer, want string }{
		{"oidc.eks.us-east-1.amazonaws.com/id/ABC", "aws"},
		{"oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC", "aws-cn"},
		{"OIDC.EKS.cn-north-1.AmazonAWS.com.CN/id/ABC", "aws-cn"},
		{"example.com/amazonaws.com.cn", "aws"}, // the path is not the host
		{"amazonaws.com.cn", "aws"},             // no subdomain: not an AWS host
		{"", "aws"},
	} {
		if got := IssuerPartition(tc.issuer); got != tc.want {
			t.Errorf("IssuerPartition(%q) = %q, want %q", tc.issuer, got, tc.want)
		}
	}
}
