// Package awscollect collects the AWS side of IRSA into a snapshot: IAM roles, managed policies
// and OIDC providers (iam:GetAccountAuthorizationDetails, iam:ListOpenIDConnectProviders,
// iam:GetOpenIDConnectProvider), EKS clusters and Pod Identity associations per region, and the
// account identity (sts:GetCallerIdentity); with AllAccounts, the accounts of the AWS
// Organization (organizations:ListAccounts). It only reads: the operations it can call are listed
// in Operations, and a test holds the collector to that list.
package awscollect

import (
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Options configure an AWS collection. The zero value collects the account of the SDK's default
// credential chain in every region the account has enabled.
type Options struct {
	// Profile is the shared-config profile (--profile); "" uses AWS_PROFILE or the default.
	Profile string
	// Regions are the regions to scan for EKS clusters (--region, repeatable). Empty means every
	// region enabled for the account, from account:ListRegions.
	Regions []string
	// RoleARN is a role to assume first (--role-arn), e.g. a read-only audit role.
	RoleARN string
	// ExternalID is passed with every AssumeRole when set (--external-id).
	ExternalID string
	// AccountRole is a role ARN template with "{account}" (--account-role), assumed in each of
	// Accounts, or of the organization's accounts with AllAccounts (after RoleARN, when both are
	// set).
	AccountRole string
	// Accounts are the account ids to scan through AccountRole (--accounts).
	Accounts []string
	// AllAccounts scans every active account of the AWS Organization through AccountRole
	// (--all-accounts). The accounts come from organizations:ListAccounts, called with the base
	// credentials (after RoleARN), so they must be those of the management account or of a
	// delegated administrator. It excludes Accounts.
	AllAccounts bool

	// Concurrency bounds the accounts and regions scanned at once (default 4).
	Concurrency int
	// CallTimeout bounds each API operation, retries included (default 60s).
	CallTimeout time.Duration
	// MaxAttempts is the SDK retryer's attempts per operation (default 10).
	MaxAttempts int
	// MaxBackoff caps the retryer's backoff between attempts (default: the SDK's, 20s).
	MaxBackoff time.Duration

	// Progress receives one line per step; nil is quiet.
	Progress io.Writer
	// Now is the clock for GeneratedAt (default time.Now).
	Now func() time.Time

	// Config, when set, is used instead of loading the SDK's default configuration (Profile is
	// then ignored). Tests set static credentials here.
	Config *aws.Config
	// Endpoints override service endpoints, e.g. a VPC endpoint or a test server.
	Endpoints Endpoints
}

// Endpoints are base endpoint URLs per service; "" keeps the SDK's endpoint resolution.
type Endpoints struct {
	IAM           string
	STS           string
	EKS           string
	Account       string
	Organizations string
}

// Operations returns all the AWS operations the collector can call, sorted. Everything is Get,
// List or Describe except sts:AssumeRole, which is used only for RoleARN/AccountRole and changes
// nothing in the account. docs/permissions/irsa-audit-scanner-policy.json grants exactly these.
func Operations() []string {
	return []string{
		"account:ListRegions",
		"eks:DescribeCluster",
		"eks:DescribePodIdentityAssociation",
		"eks:ListClusters",
		"eks:ListPodIdentityAssociations",
		"iam:GetAccountAuthorizationDetails",
		"iam:GetOpenIDConnectProvider",
		"iam:ListOpenIDConnectProviders",
		"organizations:ListAccounts",
		"sts:AssumeRole",
		"sts:GetCallerIdentity",
	}
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 60 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
