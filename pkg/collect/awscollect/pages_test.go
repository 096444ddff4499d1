package awscollect

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/irsa-audit/irsa-audit/internal/fakeaws"
)

// TestRepeatedTokens: an endpoint that answers a page with a pagination token it gave before
// (IAM's Marker, NextToken elsewhere) was followed for ever. Each listing now stops with an
// error naming the operation, its inventory is not complete, and the rest is collected. The
// real aws-sdk-go-v2 clients talk to the loopback fake.
func TestRepeatedTokens(t *testing.T) {
	for _, tc := range []struct {
		op string
		// what the account's inventory must not claim
		inventory string
		note      string
	}{
		{"iam:GetAccountAuthorizationDetails", "roles", "roles incomplete: iam:GetAccountAuthorizationDetails repeated a Marker"},
		{"account:ListRegions", "regions", "enabled regions unknown (account:ListRegions failed: RepeatedToken)"},
		{"eks:ListClusters", "regions", "eks us-east-1: clusters not listed (eks:ListClusters: RepeatedToken)"},
		{"eks:ListPodIdentityAssociations", "", "eks us-east-1: pod identity associations of prod incomplete (RepeatedToken)"},
	} {
		t.Run(tc.op, func(t *testing.T) {
			srv := fakeaws.New(testEstate())
			defer srv.Close()
			srv.RepeatToken(tc.op)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			snap, err := Collect(ctx, testOptions(srv))
			if err != nil {
				t.Fatalf("Collect: %v (it did not stop following the repeated token)", err)
			}
			var msgs []string
			for _, e := range snap.Errors {
				if e.API == tc.op && strings.Contains(e.Message, "repeated the pagination token of an earlier page") {
					msgs = append(msgs, e.Message)
				}
			}
			if len(msgs) == 0 || !strings.Contains(msgs[0], "page 2 repeated") {
				t.Errorf("errors %+v: want one for %s (per region for the EKS lists)", snap.Errors, tc.op)
			}
			inv := snap.Accounts[0].Inventory
			switch tc.inventory {
			case "roles":
				if inv.Roles {
					t.Error("the role inventory is marked complete")
				}
			case "regions":
				if inv.AllRegions {
					t.Error("the cluster inventory is marked complete in every region")
				}
			}
			if !strings.Contains(strings.Join(inv.Notes, "\n"), tc.note) {
				t.Errorf("notes %q, want %q", inv.Notes, tc.note)
			}
			if n := srv.Calls()[tc.op]; n > 10 {
				t.Errorf("%s called %d times", tc.op, n)
			}
		})
	}
}

// TestTruncatedWithoutMarker: IsTruncated without a Marker was only an inventory note, and the
// run passed with roles known to be missing. It is an error now.
func TestTruncatedWithoutMarker(t *testing.T) {
	srv := fakeaws.New(fakeaws.Synthetic(acctA, keyA, 1500, 0))
	defer srv.Close()
	srv.OmitMarker()
	snap, err := Collect(context.Background(), testOptions(srv))
	if err != nil {
		t.Fatal(err)
	}
	if snap.Accounts[0].Inventory.Roles {
		t.Error("the role inventory is marked complete")
	}
	found := false
	for _, e := range snap.Errors {
		found = found || (e.API == apiAuthDetails && strings.Contains(e.Message, "IsTruncated without a Marker"))
	}
	if !found {
		t.Errorf("errors %+v: want one for the missing Marker", snap.Errors)
	}
}

// TestRepeatedTokenOrganizations: the organization's account list repeating a token stops
// --all-accounts with an OrganizationsError, as any other failure of that list does.
func TestRepeatedTokenOrganizations(t *testing.T) {
	srv := fakeaws.New(orgEstate())
	defer srv.Close()
	srv.RepeatToken("organizations:ListAccounts")
	opts := testOptions(srv)
	opts.AllAccounts, opts.AccountRole = true, "arn:aws:iam::{account}:role/irsa-audit"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := Collect(ctx, opts)
	var oe *OrganizationsError
	var rt *RepeatedTokenError
	if !errors.As(err, &oe) || !errors.As(err, &rt) {
		t.Errorf("Collect error = %v, want an OrganizationsError for the repeated token", err)
	}
}

// TestNoCredentials: with no credentials the SDK's error (each provider it tried, wrapped in
// operation errors) reached the user; it is one sentence saying what to do now, and no call is
// made.
func TestNoCredentials(t *testing.T) {
	srv := fakeaws.New(testEstate())
	defer srv.Close()
	opts := testOptions(srv)
	opts.Config.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, errors.New("failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, request canceled")
	})
	_, err := Collect(context.Background(), opts)
	var ce *CredentialsError
	if !errors.As(err, &ce) || ce.Code != "" || !strings.HasPrefix(err.Error(), "no aws credentials found") || strings.Contains(err.Error(), "operation error") {
		t.Errorf("err = %v, want the no-credentials sentence", err)
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("%d operations called without credentials", n)
	}
}
