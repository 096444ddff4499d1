package awscollect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/internal/fakeaws"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

const (
	acctA   = "111111111111"
	acctB   = "222222222222"
	acctC   = "333333333333"
	keyA    = "AKIDACCOUNTA"
	keyB    = "AKIDACCOUNTB"
	keyC    = "AKIDACCOUNTC"
	secretA = "STATIC-SECRET-DO-NOT-LEAK"
	tokenA  = "STATIC-SESSION-TOKEN-DO-NOT-LEAK"
	issuerA = "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
)

// trustA trusts issuerA for one ServiceAccount; the sub value holds characters that URL
// encoding changes (space, '+', '%', '/') so a wrong decode shows.
var trustA = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::111111111111:oidc-provider/` + issuerA + `"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {
      "` + issuerA + `:sub": "system:serviceaccount:payments:api+v2 100%/x",
      "` + issuerA + `:aud": "sts.amazonaws.com"
    }}
  }]
}`

const auditTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`

func testEstate() *fakeaws.Estate {
	return &fakeaws.Estate{Accounts: []*fakeaws.Account{
		{
			ID: acctA, AccessKeyID: keyA,
			Roles: []*fakeaws.Role{
				{Name: "irsa-audit", TrustPolicy: auditTrust},
				{
					Name: "payments-api", Path: "/irsa/", TrustPolicy: trustA,
					Inline:   []fakeaws.InlinePolicy{{Name: "read-bucket", Document: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::payments/*"}}`}},
					Attached: []string{"arn:aws:iam::111111111111:policy/payments", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
					Tags:     map[string]string{"team": "payments"}, LastUsed: "2026-01-02T03:04:05Z", LastUsedRegion: "us-east-1",
				},
			},
			ManagedPolicies: []*fakeaws.ManagedPolicy{
				{Name: "payments", Versions: []fakeaws.PolicyVersion{
					{ID: "v1", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
					{ID: "v2", Default: true, Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*"}]}`},
				}},
				{ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess", Name: "ReadOnlyAccess", Versions: []fakeaws.PolicyVersion{
					{ID: "v9", Default: true, Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:Describe*"],"Resource":"*"}]}`},
				}},
			},
			OIDCProviders: []*fakeaws.OIDCProvider{{URL: issuerA, ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}}},
			Regions: []*fakeaws.Region{
				{Name: "us-east-1", Clusters: []*fakeaws.Cluster{{
					Name: "prod", Issuer: "https://" + issuerA,
					PodIdentity: []*fakeaws.PodIdentityAssociation{{ID: "a-prod0001", Namespace: "payments", ServiceAccount: "worker", RoleARN: "arn:aws:iam::111111111111:role/irsa/payments-api"}},
				}}},
				{Name: "eu-west-1", AccessDenied: true, Clusters: []*fakeaws.Cluster{{Name: "hidden", Issuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/HIDDEN"}}},
				{Name: "ap-south-2", OptStatus: "ENABLED"},
			},
		},
		{
			ID: acctB, AccessKeyID: keyB, AssumableByOther: true,
			Roles:   []*fakeaws.Role{{Name: "irsa-audit", TrustPolicy: auditTrust}},
			Regions: []*fakeaws.Region{{Name: "us-west-2", Clusters: []*fakeaws.Cluster{{Name: "staging", Issuer: "https://oidc.eks.us-west-2.amazonaws.com/id/B"}}}},
		},
		{ID: acctC, AccessKeyID: keyC, Roles: []*fakeaws.Role{{Name: "irsa-audit", TrustPolicy: auditTrust}}}, // not assumable from A
	}}
}

// testOptions points every client at srv with account A's static credentials.
func testOptions(srv *fakeaws.Server) Options {
	return Options{
		Config: &aws.Config{
			Region:      "us-east-1",
			Credentials: credentials.NewStaticCredentialsProvider(keyA, secretA, tokenA),
		},
		Endpoints:  Endpoints{IAM: srv.URL, STS: srv.URL, EKS: srv.URL, Account: srv.URL, Organizations: srv.URL},
		MaxBackoff: time.Millisecond,
		Now:        func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) },
	}
}

func TestCollectAccount(t *testing.T) {
	srv := fakeaws.New(testEstate())
	defer srv.Close()
	// Throttled calls are retried by the SDK's adaptive retryer; the collection still succeeds.
	srv.Throttle("iam:GetAccountAuthorizationDetails", 2)
	srv.Throttle("eks:ListClusters", 1)

	snap, err := Collect(context.Background(), testOptions(srv))
	if err != nil {
		t.Fatal(err)
	}

	if diff := cmp.Diff([]snapshot.Account{{
		ID: acctA,
		Inventory: snapshot.AccountInventory{
			Roles: true, OIDCProviders: true,
			ClusterRegions: []string{"ap-south-2", "us-east-1"},
			AllRegions:     false,
			Notes:          []string{"eks eu-west-1: clusters not listed (eks:ListClusters: AccessDeniedException)"},
		},
	}}, snap.Accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}

	var gotRoles []string
	for _, r := range snap.Roles {
		gotRoles = append(gotRoles, r.ARN)
	}
	if diff := cmp.Diff([]string{"arn:aws:iam::111111111111:role/irsa-audit", "arn:aws:iam::111111111111:role/irsa/payments-api"}, gotRoles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	r := snap.Roles[1]
	if r.TrustPolicy == nil || len(r.TrustPolicy.Statements) != 1 {
		t.Fatalf("trust policy of %s not decoded: %+v", r.ARN, r.TrustPolicy)
	}
	var conds []string
	for _, c := range r.TrustPolicy.Statements[0].Conditions {
		conds = append(conds, c.Operator+" "+c.Key+"="+strings.Join(c.Values, ","))
	}
	if diff := cmp.Diff([]string{
		"StringEquals " + issuerA + ":sub=system:serviceaccount:payments:api+v2 100%/x",
		"StringEquals " + issuerA + ":aud=sts.amazonaws.com",
	}, conds); diff != "" {
		t.Errorf("trust conditions (-want +got):\n%s", diff)
	}
	if got := r.TrustPolicy.Statements[0].Principal.Federated; !slices.Equal(got, []string{"arn:aws:iam::111111111111:oidc-provider/" + issuerA}) {
		t.Errorf("federated principal = %v", got)
	}
	if diff := cmp.Diff(snapshot.Role{
		ARN: r.ARN, Name: "payments-api", AccountID: acctA, Path: "/irsa/",
		AttachedPolicies: []snapshot.AttachedPolicy{
			{ARN: "arn:aws:iam::111111111111:policy/payments", Name: "payments"},
			{ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess", Name: "ReadOnlyAccess"},
		},
		LastUsed: "2026-01-02T03:04:05Z", LastUsedRegion: "us-east-1",
		Tags: map[string]string{"team": "payments"},
		Loc:  snapshot.Location{API: "iam:GetAccountAuthorizationDetails"},
	}, r, cmpIgnoreDocs()); diff != "" {
		t.Errorf("role (-want +got):\n%s", diff)
	}
	if len(r.InlinePolicies) != 1 || r.InlinePolicies[0].Name != "read-bucket" || !slices.Equal(r.InlinePolicies[0].Document.Statements[0].Resources, []string{"arn:aws:s3:::payments/*"}) {
		t.Errorf("inline policies = %+v", r.InlinePolicies)
	}

	// The default version is the one in force: v2 (dynamodb:GetItem), not v1 ("*").
	var pols []string
	for _, p := range snap.ManagedPolicies {
		var acts []string
		if p.Document != nil {
			for _, s := range p.Document.Statements {
				acts = append(acts, s.Actions...)
			}
		}
		pols = append(pols, fmt.Sprintf("%s %s %v", p.ARN, p.DefaultVersionID, acts))
	}
	if diff := cmp.Diff([]string{
		"arn:aws:iam::111111111111:policy/payments v2 [dynamodb:GetItem]",
		"arn:aws:iam::aws:policy/ReadOnlyAccess v9 [ec2:Describe*]",
	}, pols); diff != "" {
		t.Errorf("managed policies (-want +got):\n%s", diff)
	}

	if diff := cmp.Diff([]snapshot.OIDCProvider{{
		ARN: "arn:aws:iam::111111111111:oidc-provider/" + issuerA, AccountID: acctA, Issuer: issuerA,
		ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"},
		Loc: snapshot.Location{API: "iam:GetOpenIDConnectProvider"},
	}}, snap.OIDCProviders); diff != "" {
		t.Errorf("oidc providers (-want +got):\n%s", diff)
	}

	prodARN := "arn:aws:eks:us-east-1:111111111111:cluster/prod"
	if diff := cmp.Diff([]snapshot.Cluster{{
		ID: prodARN, Name: "prod", ARN: prodARN, AccountID: acctA, Region: "us-east-1", Issuer: issuerA,
		Inventory: snapshot.ClusterInventory{Notes: []string{"service accounts and workloads are read through the Kubernetes API, not through EKS"}},
		Loc:       snapshot.Location{API: "eks:DescribeCluster"},
	}}, snap.Clusters); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]snapshot.PodIdentityAssociation{{
		ARN: "arn:aws:eks:us-east-1:111111111111:podidentityassociation/prod/a-prod0001", ID: "a-prod0001",
		Cluster: prodARN, AccountID: acctA, Region: "us-east-1", Namespace: "payments", ServiceAccount: "worker",
		RoleARN: "arn:aws:iam::111111111111:role/irsa/payments-api",
		Loc:     snapshot.Location{API: "eks:DescribePodIdentityAssociation"},
	}}, snap.PodIdentityAssociations); diff != "" {
		t.Errorf("pod identity associations (-want +got):\n%s", diff)
	}

	if len(snap.Errors) != 1 || snap.Errors[0].API != "eks:ListClusters" || !strings.Contains(snap.Errors[0].Message, "region eu-west-1") || !strings.Contains(snap.Errors[0].Message, "AccessDeniedException") {
		t.Errorf("errors = %+v, want one eks:ListClusters AccessDenied in eu-west-1", snap.Errors)
	}
	// Stats count every request sent, throttled attempts included, so they match the server's count.
	if diff := cmp.Diff(srv.Calls(), snap.Stats.APICalls); diff != "" {
		t.Errorf("api calls (-server +snapshot):\n%s", diff)
	}
	if got := snap.Stats.APICalls["iam:GetAccountAuthorizationDetails"]; got != 3 {
		t.Errorf("GetAccountAuthorizationDetails attempts = %d, want 3 (2 throttled + 1)", got)
	}
	if snap.GeneratedAt != "2026-11-27T12:00:00Z" {
		t.Errorf("generated_at = %q", snap.GeneratedAt)
	}
}

func cmpIgnoreDocs() cmp.Option {
	return cmp.FilterPath(func(p cmp.Path) bool {
		s := p.String()
		return s == "TrustPolicy" || s == "InlinePolicies"
	}, cmp.Ignore())
}

// TestOperations holds the collector to its documented, read-only set of operations: a run that
// uses every feature (assumed role, the organization's accounts, default regions, pod identity)
// calls exactly Operations() and nothing else.
func TestOperations(t *testing.T) {
	est := testEstate()
	est.Organization = &fakeaws.Organization{ManagementAccount: acctA, Members: []fakeaws.Member{{ID: acctB, Status: "ACTIVE"}, {ID: acctA, Status: "ACTIVE"}}}
	srv := fakeaws.New(est)
	defer srv.Close()
	opts := testOptions(srv)
	opts.RoleARN = "arn:aws:iam::111111111111:role/irsa-audit"
	opts.AccountRole = "arn:aws:iam::{account}:role/irsa-audit"
	opts.AllAccounts = true
	snap, err := Collect(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(maps.Keys(srv.Calls()))
	if diff := cmp.Diff(Operations(), got); diff != "" {
		t.Errorf("operations used (-want +got):\n%s", diff)
	}
	for _, op := range got {
		if !strings.Contains(op, ":Get") && !strings.Contains(op, ":List") && !strings.Contains(op, ":Describe") && op != "sts:AssumeRole" {
			t.Errorf("operation %s is not read-only", op)
		}
	}
	var ids []string
	for _, a := range snap.Accounts {
		ids = append(ids, a.ID)
	}
	if diff := cmp.Diff([]string{acctA, acctB}, ids); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	var clusters []string
	for _, c := range snap.Clusters {
		clusters = append(clusters, c.ID)
	}
	if diff := cmp.Diff([]string{"arn:aws:eks:us-east-1:111111111111:cluster/prod", "arn:aws:eks:us-west-2:222222222222:cluster/staging"}, clusters); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
}

// TestAccountRoleDenied: one account whose role cannot be assumed is reported; the others are
// still collected.
func TestAccountRoleDenied(t *testing.T) {
	srv := fakeaws.New(testEstate())
	defer srv.Close()
	opts := testOptions(srv)
	opts.AccountRole = "arn:aws:iam::{account}:role/irsa-audit"
	opts.Accounts = []string{acctB, acctC}
	snap, err := Collect(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range snap.Accounts {
		got = append(got, fmt.Sprintf("%s roles=%v", a.ID, a.Inventory.Roles))
	}
	if diff := cmp.Diff([]string{acctB + " roles=true", acctC + " roles=false"}, got); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	if len(snap.Errors) != 1 || snap.Errors[0].API != "sts:GetCallerIdentity" || !strings.Contains(snap.Errors[0].Message, "AccessDenied") || !strings.Contains(snap.Errors[0].Message, acctC) {
		t.Errorf("errors = %+v, want one AccessDenied for account %s", snap.Errors, acctC)
	}
	if len(snap.Roles) != 1 || snap.Roles[0].AccountID != acctB {
		t.Errorf("roles = %+v, want account B's only", snap.Roles)
	}
}

// TestExpiredToken: rejected credentials stop the collection with one *CredentialsError and no
// snapshot, whether they are the caller's own or the base of an assumed account role.
func TestExpiredToken(t *testing.T) {
	for _, tc := range []struct {
		name    string
		expired string
		opts    func(*Options)
		code    string
	}{
		{name: "own credentials", expired: acctA, opts: func(*Options) {}, code: "ExpiredToken"},
		{name: "base of account roles", expired: acctA, opts: func(o *Options) {
			o.AccountRole = "arn:aws:iam::{account}:role/irsa-audit"
			o.Accounts = []string{acctB}
		}, code: "ExpiredToken"},
		{name: "assumed account expires mid-scan", expired: acctB, opts: func(o *Options) {
			o.AccountRole = "arn:aws:iam::{account}:role/irsa-audit"
			o.Accounts = []string{acctA, acctB}
		}, code: "ExpiredToken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			est := testEstate()
			for _, a := range est.Accounts {
				a.Expired = a.ID == tc.expired
			}
			srv := fakeaws.New(est)
			defer srv.Close()
			opts := testOptions(srv)
			tc.opts(&opts)
			snap, err := Collect(context.Background(), opts)
			var ce *CredentialsError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *CredentialsError", err)
			}
			if ce.Code != tc.code {
				t.Errorf("code = %q, want %q", ce.Code, tc.code)
			}
			if snap != nil {
				t.Errorf("snapshot = %+v, want nil", snap)
			}
			// One sentence with the advice once (the CLI used to add it a second time).
			if msg := err.Error(); !strings.HasPrefix(msg, "aws rejected the credentials (ExpiredToken: ") || strings.Count(msg, "refresh them") != 1 || strings.Contains(msg, "operation error") {
				t.Errorf("message = %q", err)
			}
		})
	}
}

// TestCallBudget: 5,000 roles and 1,200 policies cost a handful of IAM calls, not one per role.
func TestCallBudget(t *testing.T) {
	const roles, policies = 5000, 1200
	srv := fakeaws.New(fakeaws.Synthetic(acctA, keyA, roles, policies))
	defer srv.Close()
	c, err := New(context.Background(), testOptions(srv))
	if err != nil {
		t.Fatal(err)
	}
	snap, err := c.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Roles) != roles || len(snap.ManagedPolicies) != policies {
		t.Fatalf("got %d roles, %d policies; want %d, %d", len(snap.Roles), len(snap.ManagedPolicies), roles, policies)
	}
	if !snap.Accounts[0].Inventory.Roles || len(snap.Errors) != 0 {
		t.Errorf("inventory = %+v, errors = %+v", snap.Accounts[0].Inventory, snap.Errors)
	}
	// The budget is on operations invoked (pages and lookups). Requests sent can be one more
	// when the SDK retries a transient loopback connection error; those are logged below.
	iamCalls := 0
	for op, n := range c.Invocations() {
		if strings.HasPrefix(op, "iam:") {
			iamCalls += n
		}
	}
	// ceil(5000/1000) + ceil(1200/1000) pages at most, + ListOpenIDConnectProviders + one Get per provider.
	budget := (roles+999)/1000 + (policies+999)/1000 + 2
	if iamCalls > budget {
		t.Errorf("iam operations = %d (%v), budget %d", iamCalls, c.Invocations(), budget)
	}
	t.Logf("iam operations for %d roles + %d policies: %d (budget %d); invoked: %v; requests sent: %v", roles, policies, iamCalls, budget, c.Invocations(), snap.Stats.APICalls)
	if diff := cmp.Diff(slices.Sorted(maps.Keys(snap.Stats.APICalls)), slices.Sorted(maps.Keys(c.Invocations()))); diff != "" {
		t.Errorf("operations counted as requests and as invocations differ (-requests +invocations):\n%s", diff)
	}
	// Every trust policy was decoded from its URL-encoded form.
	for _, r := range snap.Roles {
		if r.TrustPolicy == nil || len(r.TrustPolicy.Statements) != 1 {
			t.Fatalf("role %s: trust policy not decoded", r.ARN)
		}
	}
}

// TestNoSecretsInSnapshot: the credentials used (static and assumed) never reach the snapshot.
func TestNoSecretsInSnapshot(t *testing.T) {
	srv := fakeaws.New(testEstate())
	defer srv.Close()
	opts := testOptions(srv)
	opts.AccountRole = "arn:aws:iam::{account}:role/irsa-audit"
	opts.Accounts = []string{acctA, acctB}
	snap, err := Collect(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{secretA, tokenA, keyA, keyB, "FAKE-SESSION-TOKEN-", "fake-secret-for-"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("snapshot contains %q", secret)
		}
	}
	if len(snap.Roles) == 0 {
		t.Error("no roles collected: the check above proves nothing")
	}
}

// TestCanceled: a canceled context stops the collection with its error and no snapshot.
func TestCanceled(t *testing.T) {
	srv := fakeaws.New(testEstate())
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	snap, err := Collect(ctx, testOptions(srv))
	if !errors.Is(err, context.Canceled) || snap != nil {
		t.Errorf("Collect = %v, %v; want nil, context.Canceled", snap, err)
	}
}

func TestRegionsFlag(t *testing.T) {
	srv := fakeaws.New(testEstate())
	defer srv.Close()
	opts := testOptions(srv)
	opts.Regions = []string{"us-east-1", "us-east-1"}
	snap, err := Collect(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	inv := snap.Accounts[0].Inventory
	if diff := cmp.Diff(snapshot.AccountInventory{
		Roles: true, OIDCProviders: true, ClusterRegions: []string{"us-east-1"},
		Notes: []string{"cluster regions limited to --region [us-east-1]"},
	}, inv); diff != "" {
		t.Errorf("inventory (-want +got):\n%s", diff)
	}
	if n := snap.Stats.APICalls["account:ListRegions"]; n != 0 {
		t.Errorf("ListRegions called %d times with --region", n)
	}
}
