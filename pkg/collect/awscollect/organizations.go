package awscollect

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

const (
	apiListAccounts = "organizations:ListAccounts"
	// listAccountsMaxResults is the largest page ListAccounts allows.
	listAccountsMaxResults = 20
)

// OrganizationsError means the accounts of the organization could not be listed for
// --all-accounts (organizations:ListAccounts denied, AWS Organizations not in use, or the call
// failed). Nothing was scanned: without the list there is no account to scan, and a snapshot of
// none would look like a clean organization. Callers treat it as a usage error (exit 2).
type OrganizationsError struct {
	// Code is the AWS error code, e.g. "AccessDeniedException" or
	// "AWSOrganizationsNotInUseException"; "" when the call failed without one.
	Code string
	Err  error
}

func (e *OrganizationsError) Error() string {
	fix := "run it as the organization's management account or a delegated administrator (e.g. through --role-arn), or name the accounts with --accounts"
	if e.Code == "AWSOrganizationsNotInUseException" {
		fix = "the account is not in an AWS Organization: name the accounts with --accounts"
	}
	return fmt.Sprintf("aws: --all-accounts: %s failed (%s): %s: %v", apiListAccounts, cmp.Or(e.Code, "error"), fix, e.Err)
}

func (e *OrganizationsError) Unwrap() error { return e.Err }

// orgAccount is one account listed by organizations:ListAccounts.
type orgAccount struct {
	id     string
	status string // State when AWS sends it, else Status
}

// listOrganizationAccounts lists every account of the organization with cfg's credentials.
// Accounts come back sorted by id.
func (c *Collector) listOrganizationAccounts(ctx context.Context, cfg aws.Config) ([]orgAccount, error) {
	client := organizations.NewFromConfig(cfg, func(o *organizations.Options) {
		if c.opts.Endpoints.Organizations != "" {
			o.BaseEndpoint = aws.String(c.opts.Endpoints.Organizations)
		}
	})
	var accounts []orgAccount
	in := &organizations.ListAccountsInput{MaxResults: aws.Int32(listAccountsMaxResults)}
	tokens := newPageTokens(apiListAccounts)
	for {
		out, err := client.ListAccounts(ctx, in)
		if err == nil {
			in.NextToken, err = tokens.next(out.NextToken)
		}
		if err != nil {
			return nil, fmt.Errorf("list organization accounts: %w", err)
		}
		for _, a := range out.Accounts {
			accounts = append(accounts, orgAccount{id: aws.ToString(a.Id), status: accountStatus(a)})
		}
		if in.NextToken == nil {
			break
		}
	}
	slices.SortFunc(accounts, func(a, b orgAccount) int { return cmp.Compare(a.id, b.id) })
	return slices.CompactFunc(accounts, func(a, b orgAccount) bool { return a.id == b.id }), nil
}

// accountStatus is the account's State, which AWS introduced to replace Status, or its Status
// when State is absent.
func accountStatus(a orgtypes.Account) string {
	if a.State != "" {
		return string(a.State)
	}
	return string(a.Status)
}

// active reports whether the account can be scanned; suspended, closing and not yet activated
// accounts cannot.
func (a orgAccount) active() bool { return a.status == string(orgtypes.AccountStateActive) }
