package awscollect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/internal/fakeaws"
)

const (
	acctD = "444444444444" // active member, assumable
	acctE = "555555555555" // suspended member
	acctF = "666666666666" // Status ACTIVE but State PENDING_CLOSURE: State wins
)

// orgEstate is testEstate with an organization managed by account A: A, B and D active, E
// suspended, F closing, listed out of order over three pages.
func orgEstate() *fakeaws.Estate {
	est := testEstate()
	est.Accounts = append(est.Accounts, &fakeaws.Account{
		ID: acctD, AccessKeyID: "AKIDACCOUNTD", AssumableByOther: true,
		Roles: []*fakeaws.Role{{Name: "irsa-audit", TrustPolicy: auditTrust}},
	})
	est.Organization = &fakeaws.Organization{ManagementAccount: acctA, Members: []fakeaws.Member{
		{ID: acctD, Status: "ACTIVE", State: "ACTIVE"},
		{ID: acctA, Status: "ACTIVE"},
		{ID: acctF, Status: "ACTIVE", State: "PENDING_CLOSURE"},
		{ID: acctE, Status: "SUSPENDED"},
		{ID: acctB, Status: "ACTIVE"},
	}}
	return est
}

// TestAllAccounts: --all-accounts lists the organization's accounts (every page) with the base
// credentials, scans the active ones through the account role, notes the others, and fails as a
// whole when the list cannot be read.
func TestAllAccounts(t *testing.T) {
	const (
		noteA    = "eks eu-west-1: clusters not listed (eks:ListClusters: AccessDeniedException)"
		deniedEU = "eks:ListClusters " + acctA + " region eu-west-1"
	)
	for _, tc := range []struct {
		name   string
		estate func(*fakeaws.Estate)
		opts   func(*Options)
		// wantAccounts are "id roles=<complete> notes", each note cut at its first comma, the
		// SDK's error code kept.
		wantAccounts []string
		// wantErrors are "api account" of the snapshot's errors.
		wantErrors []string
		// wantCalls are requests the server received, per operation.
		wantCalls map[string]int
		// wantErr is a substring of Collect's error; wantOrgCode the *OrganizationsError code.
		wantErr, wantOrgCode string
	}{
		{
			name: "active members scanned, others noted",
			wantAccounts: []string{
				acctA + " roles=true [" + noteA + "]",
				acctB + " roles=true []",
				acctD + " roles=true []",
				acctE + " roles=false [account not scanned: organizations:ListAccounts lists it as SUSPENDED]",
				acctF + " roles=false [account not scanned: organizations:ListAccounts lists it as PENDING_CLOSURE]",
			},
			wantErrors: []string{deniedEU},
			wantCalls:  map[string]int{"organizations:ListAccounts": 3, "sts:AssumeRole": 3, "iam:GetAccountAuthorizationDetails": 3},
		},
		{
			name: "member role denied",
			estate: func(e *fakeaws.Estate) {
				e.Organization.Members = append(e.Organization.Members, fakeaws.Member{ID: acctC, Status: "ACTIVE"})
			},
			wantAccounts: []string{
				acctA + " roles=true [" + noteA + "]",
				acctB + " roles=true []",
				acctC + " roles=false [account not scanned: get caller identity: operation error STS: GetCallerIdentity (AccessDenied)]",
				acctD + " roles=true []",
				acctE + " roles=false [account not scanned: organizations:ListAccounts lists it as SUSPENDED]",
				acctF + " roles=false [account not scanned: organizations:ListAccounts lists it as PENDING_CLOSURE]",
			},
			wantErrors: []string{deniedEU, "sts:GetCallerIdentity " + acctC},
			wantCalls:  map[string]int{"organizations:ListAccounts": 3, "sts:AssumeRole": 4, "iam:GetAccountAuthorizationDetails": 3},
		},
		{
			name: "management account reached through role-arn",
			estate: func(e *fakeaws.Estate) {
				e.Organization.ManagementAccount = acctB
				e.Accounts[0].AssumableByOther = true // A's audit role trusts B
			},
			opts: func(o *Options) { o.RoleARN = "arn:aws:iam::" + acctB + ":role/irsa-audit" },
			wantAccounts: []string{
				acctA + " roles=true [" + noteA + "]",
				acctB + " roles=true []",
				acctD + " roles=true []",
				acctE + " roles=false [account not scanned: organizations:ListAccounts lists it as SUSPENDED]",
				acctF + " roles=false [account not scanned: organizations:ListAccounts lists it as PENDING_CLOSURE]",
			},
			wantErrors: []string{deniedEU},
			wantCalls:  map[string]int{"organizations:ListAccounts": 3, "sts:AssumeRole": 4, "iam:GetAccountAuthorizationDetails": 3},
		},
		{
			name:        "list accounts denied",
			estate:      func(e *fakeaws.Estate) { e.Organization.ManagementAccount = acctB },
			wantErr:     "organizations:ListAccounts failed (AccessDeniedException)",
			wantOrgCode: "AccessDeniedException",
			wantCalls:   map[string]int{"organizations:ListAccounts": 1},
		},
		{
			name:        "no organization",
			estate:      func(e *fakeaws.Estate) { e.Organization = nil },
			wantErr:     "organizations:ListAccounts failed (AWSOrganizationsNotInUseException)",
			wantOrgCode: "AWSOrganizationsNotInUseException",
			wantCalls:   map[string]int{"organizations:ListAccounts": 1},
		},
		{
			name:      "expired credentials",
			estate:    func(e *fakeaws.Estate) { e.Accounts[0].Expired = true },
			wantErr:   "aws rejected the credentials (ExpiredTokenException: ",
			wantCalls: map[string]int{"organizations:ListAccounts": 1},
		},
		{
			name:      "without account role",
			opts:      func(o *Options) { o.AccountRole = "" },
			wantErr:   "aws: --all-accounts needs --account-role",
			wantCalls: map[string]int{},
		},
		{
			name:      "with accounts",
			opts:      func(o *Options) { o.Accounts = []string{acctB} },
			wantErr:   "aws: --all-accounts and --accounts exclude each other",
			wantCalls: map[string]int{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			est := orgEstate()
			if tc.estate != nil {
				tc.estate(est)
			}
			srv := fakeaws.New(est)
			defer srv.Close()
			opts := testOptions(srv)
			opts.AccountRole = "arn:aws:iam::{account}:role/irsa-audit"
			opts.AllAccounts = true
			if tc.opts != nil {
				tc.opts(&opts)
			}
			snap, err := Collect(context.Background(), opts)

			calls := srv.Calls()
			gotCalls := map[string]int{}
			for op := range tc.wantCalls {
				if calls[op] > 0 {
					gotCalls[op] = calls[op]
				}
			}
			if diff := cmp.Diff(tc.wantCalls, gotCalls); diff != "" {
				t.Errorf("requests (-want +got):\n%s\nall: %v", diff, calls)
			}

			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				if snap != nil {
					t.Errorf("snapshot = %+v, want nil", snap)
				}
				var oe *OrganizationsError
				if errors.As(err, &oe) != (tc.wantOrgCode != "") || (oe != nil && oe.Code != tc.wantOrgCode) {
					t.Errorf("err = %#v, want *OrganizationsError with code %q", err, tc.wantOrgCode)
				}
				// Nothing was scanned.
				for op := range calls {
					if op != "organizations:ListAccounts" {
						t.Errorf("%s called although the accounts were not listed", op)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var accounts []string
			for _, a := range snap.Accounts {
				var notes []string
				for _, n := range a.Inventory.Notes {
					short, rest, cut := strings.Cut(n, ",")
					if cut && strings.Contains(rest, "api error AccessDenied:") {
						short += " (AccessDenied)"
					}
					notes = append(notes, short)
				}
				accounts = append(accounts, fmt.Sprintf("%s roles=%v %v", a.ID, a.Inventory.Roles, notes))
			}
			if diff := cmp.Diff(tc.wantAccounts, accounts); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
			var errs []string
			for _, e := range snap.Errors {
				account, _, _ := strings.Cut(strings.TrimPrefix(e.Message, "account "), ":")
				errs = append(errs, e.API+" "+account)
			}
			if diff := cmp.Diff(tc.wantErrors, errs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(calls, snap.Stats.APICalls); diff != "" {
				t.Errorf("api calls (-server +snapshot):\n%s", diff)
			}
			var roles []string
			for _, r := range snap.Roles {
				if strings.HasSuffix(r.ARN, ":role/irsa-audit") {
					roles = append(roles, r.AccountID)
				}
			}
			var want []string
			for _, a := range tc.wantAccounts {
				if strings.Contains(a, "roles=true") {
					want = append(want, a[:12])
				}
			}
			if diff := cmp.Diff(want, roles); diff != "" {
				t.Errorf("audit roles read, by account (-want +got):\n%s", diff)
			}
		})
	}
}
