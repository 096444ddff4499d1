package load

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// TestProviderListARNs: provider ARNs are parsed by pkg/iam, which requires an "aws..."
// partition and a twelve-digit account (the loader's own splitting accepted any account), and
// keeps a trailing "/" of the issuer, as IAM keys the provider.
func TestProviderListARNs(t *testing.T) {
	for _, tc := range []struct {
		name, arn string
		want      []snapshot.OIDCProvider
		errs      []string
	}{
		{"eks", "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAA",
			[]snapshot.OIDCProvider{{ARN: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAA", AccountID: "111122223333", Issuer: "oidc.eks.us-east-1.amazonaws.com/id/AAA"}}, nil},
		{"trailing slash", "arn:aws-cn:iam::111122223333:oidc-provider/example.com/",
			[]snapshot.OIDCProvider{{ARN: "arn:aws-cn:iam::111122223333:oidc-provider/example.com/", AccountID: "111122223333", Issuer: "example.com/"}}, nil},
		{"short account", "arn:aws:iam::1234:oidc-provider/example.com", nil,
			[]string{`"arn:aws:iam::1234:oidc-provider/example.com" is not an IAM OIDC provider ARN`}},
		{"saml", "arn:aws:iam::111122223333:saml-provider/corp", nil,
			[]string{`"arn:aws:iam::111122223333:saml-provider/corp" is not an IAM OIDC provider ARN`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "providers.json"), `{"OpenIDConnectProviderList": [{"Arn": "`+tc.arn+`"}]}`)
			snap, err := Load(context.Background(), []string{dir}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []snapshot.OIDCProvider
			for _, p := range snap.OIDCProviders {
				got = append(got, snapshot.OIDCProvider{ARN: p.ARN, AccountID: p.AccountID, Issuer: p.Issuer})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("providers (-want +got):\n%s", diff)
			}
			var errs []string
			for _, e := range snap.Errors {
				errs = append(errs, e.Message)
			}
			if diff := cmp.Diff(tc.errs, errs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}
