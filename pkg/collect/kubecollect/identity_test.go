package kubecollect

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func TestEKSFromKubeconfig(t *testing.T) {
	const arn = "arn:aws:eks:eu-central-1:123456789012:cluster/prod-1"
	raw := clientcmdapi.Config{
		Clusters: map[string]*clientcmdapi.Cluster{
			arn:               {Server: "https://ABCDEF0123456789.gr7.eu-central-1.eks.amazonaws.com"},
			"plain":           {Server: "https://10.0.0.1:6443"},
			"eks-by-endpoint": {Server: "https://0123456789ABCDEF.yl4.ap-southeast-2.eks.amazonaws.com"},
		},
		AuthInfos: map[string]*clientcmdapi.AuthInfo{
			"aws-cli":       {Exec: &clientcmdapi.ExecConfig{Command: "aws", Args: []string{"--region", "eu-central-1", "eks", "get-token", "--cluster-name", "prod-1", "--output", "json"}}},
			"authenticator": {Exec: &clientcmdapi.ExecConfig{Command: "aws-iam-authenticator", Args: []string{"token", "-i", "staging"}}},
			"token":         {Token: "SECRET"},
		},
		Contexts: map[string]*clientcmdapi.Context{
			arn:                {Cluster: arn, AuthInfo: "aws-cli"},
			"prod-alias":       {Cluster: arn, AuthInfo: "aws-cli"},
			"staging":          {Cluster: "eks-by-endpoint", AuthInfo: "authenticator"},
			"kind":             {Cluster: "plain", AuthInfo: "token"},
			"exec-region-only": {Cluster: "plain", AuthInfo: "aws-cli"},
		},
	}
	for _, tc := range []struct {
		name, context, override string
		want                    eksRef
	}{
		{name: "context named by ARN", context: arn, want: eksRef{ARN: arn, AccountID: "123456789012", Region: "eu-central-1", Name: "prod-1"}},
		{name: "cluster entry named by ARN", context: "prod-alias", want: eksRef{ARN: arn, AccountID: "123456789012", Region: "eu-central-1", Name: "prod-1"}},
		{name: "aws-iam-authenticator and endpoint region", context: "staging", want: eksRef{Region: "ap-southeast-2", Name: "staging"}},
		{name: "not EKS", context: "kind", want: eksRef{}},
		{name: "--cluster name on a non-EKS context", context: "kind", override: "lab", want: eksRef{Name: "lab"}},
		{name: "--cluster ARN wins", context: "kind", override: "arn:aws:eks:us-east-2:210987654321:cluster/other", want: eksRef{ARN: "arn:aws:eks:us-east-2:210987654321:cluster/other", AccountID: "210987654321", Region: "us-east-2", Name: "other"}},
		{name: "exec args only", context: "exec-region-only", want: eksRef{Region: "eu-central-1", Name: "prod-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := eksFromKubeconfig(raw, tc.context, tc.override)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("eksFromKubeconfig (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExecArgs(t *testing.T) {
	for _, tc := range []struct {
		args               []string
		wantName, wantRegn string
	}{
		{[]string{"eks", "get-token", "--cluster-name=a", "--region=us-west-1"}, "a", "us-west-1"},
		{[]string{"eks", "get-token", "--cluster-name", "b"}, "b", ""},
		{[]string{"token", "-i", "c", "--region", "eu-west-3"}, "c", "eu-west-3"},
		{[]string{"--cluster-name"}, "", ""},
	} {
		name, region := execArgs(tc.args)
		if name != tc.wantName || region != tc.wantRegn {
			t.Errorf("execArgs(%q) = %q, %q; want %q, %q", tc.args, name, region, tc.wantName, tc.wantRegn)
		}
	}
}
