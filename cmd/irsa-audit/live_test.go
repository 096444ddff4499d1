package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/internal/fakeaws"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

const (
	liveAccount = "111122223333"
	liveKey     = "AKIDLIVETEST"
	liveIssuer  = "oidc.eks.us-east-1.amazonaws.com/id/5C5A1E0B3F2D4A6E8B0C2D4F6A8B0C2D"
	// goneIssuer is the issuer of a deleted cluster whose provider was deleted too.
	goneIssuer = "oidc.eks.us-east-1.amazonaws.com/id/0000000000000000000000000000DEAD"
)

func liveTrust(issuer, sub, op string) string {
	cond := `"` + op + `":{"` + issuer + `:sub":"` + sub + `"},"StringEquals":{"` + issuer + `:aud":"sts.amazonaws.com"}`
	if op == "StringEquals" {
		cond = `"StringEquals":{"` + issuer + `:sub":"` + sub + `","` + issuer + `:aud":"sts.amazonaws.com"}`
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"Federated":"arn:aws:iam::` + liveAccount + `:oidc-provider/` + issuer + `"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{` + cond + `}}]}`
}

// liveEstate is one account with a registered provider for its cluster and three roles: a
// correct one, one whose trust admits every ServiceAccount of a namespace and that may write to
// every bucket, and one that trusts the provider of a deleted cluster.
func liveEstate(expired bool) *fakeaws.Estate {
	return &fakeaws.Estate{Accounts: []*fakeaws.Account{{
		ID: liveAccount, AccessKeyID: liveKey, Expired: expired,
		OIDCProviders: []*fakeaws.OIDCProvider{{URL: liveIssuer, ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{strings.Repeat("a", 40)}}},
		Regions:       []*fakeaws.Region{{Name: "us-east-1", Clusters: []*fakeaws.Cluster{{Name: "prod", Issuer: "https://" + liveIssuer}}}},
		Roles: []*fakeaws.Role{
			{Name: "reports-reader", TrustPolicy: liveTrust(liveIssuer, "system:serviceaccount:reports:reader", "StringEquals"),
				Inline: []fakeaws.InlinePolicy{{Name: "read", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`}}},
			{Name: "payments-any", TrustPolicy: liveTrust(liveIssuer, "system:serviceaccount:payments:*", "StringLike"),
				Inline: []fakeaws.InlinePolicy{{Name: "s3", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`}}},
			{Name: "old-cluster", TrustPolicy: liveTrust(goneIssuer, "system:serviceaccount:old:app", "StringEquals")},
		},
	}}}
}

// useFakeAWS points the real SDK's default configuration at a loopback fake AWS through the
// standard environment variables, and makes sure nothing else (profiles, IMDS) is consulted.
func useFakeAWS(t *testing.T, expired bool) *fakeaws.Server {
	t.Helper()
	srv := fakeaws.New(liveEstate(expired))
	t.Cleanup(srv.Close)
	useFakeAWSServer(t, srv)
	return srv
}

func useFakeAWSServer(t *testing.T, srv *fakeaws.Server) {
	t.Helper()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":            srv.URL,
		"AWS_ACCESS_KEY_ID":           liveKey,
		"AWS_SECRET_ACCESS_KEY":       "fake-secret-not-in-snapshot",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "us-east-1",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
}

func TestScanAWS(t *testing.T) {
	srv := useFakeAWS(t, false)
	code, stdout, stderr := runCLI(t, "", "scan", "--aws", "--quiet", "--format", "json")
	if code != exitFindings {
		t.Fatalf("exit code = %d, want %d\nstderr:\n%s", code, exitFindings, stderr)
	}
	r := decodeReport(t, stdout)
	got := map[string][]string{}
	for _, f := range r.Findings {
		got[f.Resource.ID] = append(got[f.Resource.ID], f.RuleID)
		if f.Location.API == "" {
			t.Errorf("%s on %s: location names no API: %+v", f.RuleID, f.Resource.ID, f.Location)
		}
	}
	want := map[string][]string{
		"arn:aws:iam::" + liveAccount + ":role/payments-any": {"IRSA-040", "IRSA-002", "IRSA-030", "IRSA-031", "IRSA-035"},
		"arn:aws:iam::" + liveAccount + ":role/old-cluster":  {"IRSA-007"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings by resource (-want +got):\n%s", diff)
	}
	if r.Stats.APICalls["iam:GetAccountAuthorizationDetails"] != 1 {
		t.Errorf("api calls: %v", r.Stats.APICalls)
	}
	if calls := srv.Calls(); calls["iam:GetAccountAuthorizationDetails"] == 0 {
		t.Errorf("the fake AWS was not called: %v", calls)
	}
	if strings.Contains(stdout, "fake-secret-not-in-snapshot") {
		t.Error("the report contains the secret access key")
	}
}

// TestCollectThenScan checks that a saved snapshot gives the same findings as a live scan.
func TestCollectThenScan(t *testing.T) {
	useFakeAWS(t, false)
	out := filepath.Join(t.TempDir(), "snapshot.json")
	code, stdout, stderr := runCLI(t, "", "collect", "--aws", "--quiet", "-o", out)
	if code != exitOK || stdout != "" {
		t.Fatalf("collect: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "fake-secret-not-in-snapshot") || strings.Contains(string(b), liveKey) {
		t.Error("the snapshot contains credentials")
	}
	_, live, _ := runCLI(t, "", "scan", "--aws", "--quiet", "--format", "json")
	code, saved, stderr := runCLI(t, "", "scan", "--format", "json", out)
	if code != exitFindings {
		t.Fatalf("scan snapshot: exit %d\n%s", code, stderr)
	}
	// The same findings, to the message, location and fingerprint: a saved snapshot is the live
	// collection, not an approximation of it.
	liveFindings, savedFindings := decodeReport(t, live).Findings, decodeReport(t, saved).Findings
	if len(liveFindings) == 0 {
		t.Fatal("the live scan found nothing; the test estate should have findings")
	}
	if diff := cmp.Diff(liveFindings, savedFindings); diff != "" {
		t.Errorf("findings, live vs saved snapshot (-live +saved):\n%s", diff)
	}
}

func TestExpiredCredentials(t *testing.T) {
	useFakeAWS(t, true)
	out := filepath.Join(t.TempDir(), "snapshot.json")
	code, _, stderr := runCLI(t, "", "collect", "--aws", "--quiet", "-o", out)
	if code != exitError {
		t.Errorf("exit code = %d, want %d", code, exitError)
	}
	if !strings.Contains(stderr, "aws rejected the credentials") || !strings.Contains(stderr, "ExpiredToken") {
		t.Errorf("stderr does not explain the expired token:\n%s", stderr)
	}
	if strings.Count(stderr, "\n") > 3 {
		t.Errorf("want one clear error, got:\n%s", stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed collection left %s behind (err %v)", out, err)
	}
}

const (
	memberAccount    = "444455556666"
	memberKey        = "AKIDMEMBERTEST"
	memberIssuer     = "oidc.eks.eu-west-1.amazonaws.com/id/7D7B2F1C4E3A5B7F9C1D3E5A7B9C1D3E"
	suspendedAccount = "777788889999"
	auditRoleTrust   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + liveAccount + `:root"},"Action":"sts:AssumeRole"}]}`
)

// orgEstate is liveEstate as the management account of an organization with one active member,
// whose CI role trusts every ServiceAccount of a namespace, and one suspended member. Both
// active accounts have the irsa-audit role; the management account's trusts itself.
func orgEstate() *fakeaws.Estate {
	est := liveEstate(false)
	mgmt := est.Accounts[0]
	mgmt.Roles = append(mgmt.Roles, &fakeaws.Role{Name: "irsa-audit", TrustPolicy: auditRoleTrust})
	est.Accounts = append(est.Accounts, &fakeaws.Account{
		ID: memberAccount, AccessKeyID: memberKey, AssumableByOther: true,
		OIDCProviders: []*fakeaws.OIDCProvider{{URL: memberIssuer, ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{strings.Repeat("b", 40)}}},
		Regions:       []*fakeaws.Region{{Name: "eu-west-1", Clusters: []*fakeaws.Cluster{{Name: "ci", Issuer: "https://" + memberIssuer}}}},
		Roles: []*fakeaws.Role{
			{Name: "irsa-audit", TrustPolicy: auditRoleTrust},
			{Name: "ci-any", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
				`"Principal":{"Federated":"arn:aws:iam::` + memberAccount + `:oidc-provider/` + memberIssuer + `"},` +
				`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"` + memberIssuer + `:sub":"system:serviceaccount:ci:*"},` +
				`"StringEquals":{"` + memberIssuer + `:aud":"sts.amazonaws.com"}}}]}`},
		},
	})
	est.Organization = &fakeaws.Organization{ManagementAccount: liveAccount, Members: []fakeaws.Member{
		{ID: memberAccount, Status: "ACTIVE"},
		{ID: suspendedAccount, Status: "SUSPENDED"},
		{ID: liveAccount, Status: "ACTIVE"},
	}}
	return est
}

// TestScanAllAccounts: `scan --aws --all-accounts --account-role` lists the organization's
// accounts through the real SDK (AWS_ENDPOINT_URL), scans each active one through the account
// role and finds the misconfigured role of the member account; the suspended account is noted
// in the snapshot.
func TestScanAllAccounts(t *testing.T) {
	srv := fakeaws.New(orgEstate())
	t.Cleanup(srv.Close)
	useFakeAWSServer(t, srv)
	args := []string{"--aws", "--quiet", "--all-accounts", "--account-role", "arn:aws:iam::{account}:role/irsa-audit"}

	code, stdout, stderr := runCLI(t, "", append([]string{"scan", "--format", "json"}, args...)...)
	if code != exitFindings {
		t.Fatalf("exit code = %d, want %d\nstderr:\n%s", code, exitFindings, stderr)
	}
	got := map[string][]string{}
	for _, f := range decodeReport(t, stdout).Findings {
		got[f.Resource.ID] = append(got[f.Resource.ID], f.RuleID)
	}
	want := map[string][]string{
		"arn:aws:iam::" + memberAccount + ":role/ci-any":     {"IRSA-002"},
		"arn:aws:iam::" + liveAccount + ":role/payments-any": {"IRSA-040", "IRSA-002", "IRSA-030", "IRSA-031", "IRSA-035"},
		"arn:aws:iam::" + liveAccount + ":role/old-cluster":  {"IRSA-007"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings by resource (-want +got):\n%s", diff)
	}
	calls := srv.Calls()
	if calls["organizations:ListAccounts"] != 2 || calls["sts:AssumeRole"] != 2 {
		t.Errorf("want 2 ListAccounts pages and 2 AssumeRole, got %v", calls)
	}

	out := filepath.Join(t.TempDir(), "snapshot.json")
	if code, _, stderr := runCLI(t, "", append([]string{"collect", "-o", out}, args...)...); code != exitOK {
		t.Fatalf("collect: exit %d\n%s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var snap snapshot.Snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		t.Fatal(err)
	}
	var accounts []string
	for _, a := range snap.Accounts {
		accounts = append(accounts, fmt.Sprintf("%s roles=%v %v", a.ID, a.Inventory.Roles, a.Inventory.Notes))
	}
	if diff := cmp.Diff([]string{
		liveAccount + " roles=true []",
		memberAccount + " roles=true []",
		suspendedAccount + " roles=false [account not scanned: organizations:ListAccounts lists it as SUSPENDED]",
	}, accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	if len(snap.Errors) != 0 {
		t.Errorf("errors: %+v", snap.Errors)
	}
}

// TestAllAccountsUsage: --all-accounts needs --account-role and excludes --accounts; an
// organization whose accounts cannot be listed is one clear error naming the API, and nothing is
// scanned.
func TestAllAccountsUsage(t *testing.T) {
	const role = "arn:aws:iam::{account}:role/irsa-audit"
	for _, tc := range []struct {
		name   string
		estate func(*fakeaws.Estate)
		args   []string
		want   string
	}{
		{name: "without account role", args: []string{"--all-accounts"}, want: "--all-accounts needs --account-role"},
		{name: "with accounts", args: []string{"--all-accounts", "--account-role", role, "--accounts", memberAccount}, want: "--all-accounts and --accounts cannot be used together"},
		{name: "account role alone", args: []string{"--account-role", role}, want: "--account-role needs --accounts or --all-accounts"},
		{
			name:   "list accounts denied",
			estate: func(e *fakeaws.Estate) { e.Organization.ManagementAccount = memberAccount },
			args:   []string{"--all-accounts", "--account-role", role},
			want:   "organizations:ListAccounts failed (AccessDeniedException): run it as the organization's management account or a delegated administrator",
		},
		{
			name:   "no organization",
			estate: func(e *fakeaws.Estate) { e.Organization = nil },
			args:   []string{"--all-accounts", "--account-role", role},
			want:   "organizations:ListAccounts failed (AWSOrganizationsNotInUseException): the account is not in an AWS Organization",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			est := orgEstate()
			if tc.estate != nil {
				tc.estate(est)
			}
			srv := fakeaws.New(est)
			t.Cleanup(srv.Close)
			useFakeAWSServer(t, srv)
			out := filepath.Join(t.TempDir(), "snapshot.json")
			code, stdout, stderr := runCLI(t, "", append([]string{"collect", "--aws", "--quiet", "-o", out}, tc.args...)...)
			if code != exitError || stdout != "" {
				t.Errorf("exit code = %d, stdout %q; want %d and nothing", code, stdout, exitError)
			}
			if !strings.Contains(stderr, tc.want) || strings.Count(stderr, "irsa-audit: ") != 1 {
				t.Errorf("stderr does not say %q once:\n%s", tc.want, stderr)
			}
			for op := range srv.Calls() {
				if op != "organizations:ListAccounts" {
					t.Errorf("%s called although nothing was to be scanned", op)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a failed collection left %s behind (err %v)", out, err)
			}
		})
	}
}

// TestNoAWSCredentials: with no credentials anywhere, the SDK printed WARN lines straight to the
// process's standard error (falling back to IMDSv1) and the run ended with its raw error. Now
// nothing reaches the process's stderr but one sentence saying what to do. The instance
// metadata service is a closed loopback port.
func TestNoAWSCredentials(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_EC2_METADATA_DISABLED": "", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://" + closed, "AWS_REGION": "us-east-1",
		"AWS_ENDPOINT_URL": "http://" + closed,
	} {
		t.Setenv(k, v)
	}
	// Whatever the SDK writes to the process's standard error.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	code, stdout, stderr := runCLI(t, "", "scan", "--aws", "--quiet")
	os.Stderr = saved
	w.Close()
	leaked, _ := io.ReadAll(r)
	if code != exitError || stdout != "" {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	if want := "irsa-audit: no aws credentials found"; !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "operation error") {
		t.Errorf("stderr = %q, want one line starting %q", stderr, want)
	}
	if len(leaked) > 0 {
		t.Errorf("the SDK wrote to the process's stderr:\n%s", leaked)
	}
}
