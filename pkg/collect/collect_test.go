package collect

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/irsa-audit/irsa-audit/internal/fakeaws"
	"github.com/irsa-audit/irsa-audit/pkg/collect/awscollect"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

func awsOptions(srv *fakeaws.Server, key string) *awscollect.Options {
	return &awscollect.Options{
		Config:     &aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(key, "secret", "")},
		Endpoints:  awscollect.Endpoints{IAM: srv.URL, STS: srv.URL, EKS: srv.URL, Account: srv.URL},
		MaxBackoff: time.Millisecond,
	}
}

func TestCollectNothing(t *testing.T) {
	if _, err := Collect(context.Background(), Options{}); err == nil {
		t.Error("Collect with neither AWS nor Kubernetes succeeded")
	}
}

func TestCollectAWSOnly(t *testing.T) {
	srv := fakeaws.New(fakeaws.Synthetic("111111111111", "AKIDTEST", 3, 2))
	defer srv.Close()
	snap, err := Collect(context.Background(), Options{AWS: awsOptions(srv, "AKIDTEST"), Now: func() time.Time { return time.Unix(0, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Roles) != 3 || len(snap.ManagedPolicies) != 2 || len(snap.Clusters) != 1 || snap.Version != snapshot.Version {
		t.Errorf("got %d roles, %d policies, %d clusters, version %q", len(snap.Roles), len(snap.ManagedPolicies), len(snap.Clusters), snap.Version)
	}
	if snap.GeneratedAt != "1970-01-01T00:00:00Z" {
		t.Errorf("generated_at = %q", snap.GeneratedAt)
	}
}

// TestExpiredCredentials: the top level passes the credentials error through untouched, so the
// CLI can map it to exit 2.
func TestExpiredCredentials(t *testing.T) {
	est := fakeaws.Synthetic("111111111111", "AKIDTEST", 1, 1)
	est.Accounts[0].Expired = true
	srv := fakeaws.New(est)
	defer srv.Close()
	snap, err := Collect(context.Background(), Options{AWS: awsOptions(srv, "AKIDTEST")})
	var ce *awscollect.CredentialsError
	if !errors.As(err, &ce) || snap != nil {
		t.Errorf("Collect = %v, %v; want nil, *CredentialsError", snap, err)
	}
}

// TestTimeout: an expired overall timeout returns its cause and no snapshot.
func TestTimeout(t *testing.T) {
	srv := fakeaws.New(fakeaws.Synthetic("111111111111", "AKIDTEST", 1, 1))
	defer srv.Close()
	snap, err := Collect(context.Background(), Options{AWS: awsOptions(srv, "AKIDTEST"), Timeout: time.Nanosecond})
	if err == nil || snap != nil || !strings.Contains(err.Error(), "collection timed out after 1ns") {
		t.Errorf("Collect = %v, %v; want nil and the timeout", snap, err)
	}
}

// TestProgress: progress goes to the writer given, and nowhere when it is nil.
func TestProgress(t *testing.T) {
	srv := fakeaws.New(fakeaws.Synthetic("111111111111", "AKIDTEST", 2, 1))
	defer srv.Close()
	var buf bytes.Buffer
	if _, err := Collect(context.Background(), Options{AWS: awsOptions(srv, "AKIDTEST"), Progress: &buf}); err != nil {
		t.Fatal(err)
	}
	if want := "aws 111111111111: 2 roles, 1 managed policies, 1 oidc providers, 1 clusters in 1 regions\n"; !strings.HasSuffix(buf.String(), want) {
		t.Errorf("progress = %q, want it to end with %q", buf.String(), want)
	}
}
