// Package fakeaws is a loopback AWS for tests and benchmarks: one httptest server that speaks
// IAM's and STS's query protocol (query.go), EKS's and Account's REST-JSON protocol
// (restjson.go), Organizations' awsJson1_1 protocol (organizations.go) and S3's REST-XML
// PutObject (s3.go), answering from an
// in-memory Estate (this file). The real aws-sdk-go-v2 clients
// are pointed at it through BaseEndpoint with static credentials; the access key id of a request
// selects the account, the SigV4 credential scope selects the region.
package fakeaws

import (
	"fmt"
	"strings"
)

// Estate is the AWS world the server answers from.
type Estate struct {
	// Accounts are the accounts; a request signed with Account.AccessKeyID acts in that account.
	Accounts []*Account
	// Organization is the AWS Organization; nil answers organizations:ListAccounts with
	// AWSOrganizationsNotInUseException.
	Organization *Organization
}

// Organization is an AWS Organization. Only callers in ManagementAccount may list its accounts;
// callers in any other account get AccessDeniedException (a member account, or a delegated
// administrator that was never registered).
type Organization struct {
	ManagementAccount string
	// Members are the accounts organizations:ListAccounts returns, in this order (the management
	// account is one of them in a real organization). Their ids need not be in Estate.Accounts: an
	// account that is not there cannot be assumed into.
	Members []Member
}

// Member is an account as organizations:ListAccounts lists it.
type Member struct {
	ID string
	// Status is "ACTIVE", "SUSPENDED" or "PENDING_CLOSURE".
	Status string
	// State is the newer field ("ACTIVE", "SUSPENDED", "PENDING_ACTIVATION", "PENDING_CLOSURE",
	// "CLOSED"); "" leaves it out of the answer, as older responses do.
	State string
}

// Account is one AWS account.
type Account struct {
	ID string
	// AccessKeyID identifies callers in this account (static test credentials or the credentials
	// AssumeRole hands out for a role of this account).
	AccessKeyID string
	// Expired makes every request signed with AccessKeyID fail with ExpiredToken.
	Expired bool
	// Regions are the regions enabled for the account (account:ListRegions), with their EKS
	// clusters.
	Regions         []*Region
	Roles           []*Role
	ManagedPolicies []*ManagedPolicy
	OIDCProviders   []*OIDCProvider
	// Buckets are the S3 buckets of the account: callers in it may put objects there (s3.go).
	Buckets          []string
	DenyListRegions  bool // account:ListRegions answers AccessDenied
	DenyAuthDetails  bool // iam:GetAccountAuthorizationDetails answers AccessDenied
	AssumableByOther bool // other accounts' callers may AssumeRole into this account's roles
}

// Region is one enabled region of an account.
type Region struct {
	Name string
	// OptStatus is "ENABLED_BY_DEFAULT" (default when empty) or "ENABLED".
	OptStatus string
	// AccessDenied makes every EKS call in this region answer AccessDeniedException.
	AccessDenied bool
	Clusters     []*Cluster
}

// Cluster is an EKS cluster.
type Cluster struct {
	Name string
	// Issuer is the OIDC issuer URL with scheme, as EKS returns it.
	Issuer      string
	PodIdentity []*PodIdentityAssociation
}

// PodIdentityAssociation is an EKS Pod Identity association.
type PodIdentityAssociation struct {
	ID             string
	Namespace      string
	ServiceAccount string
	RoleARN        string
	TargetRoleARN  string
	// DisableSessionTags is the association's disableSessionTags.
	DisableSessionTags bool
}

// Role is an IAM role. Documents are plain JSON; the server URL-encodes them as IAM does.
type Role struct {
	Name        string
	Path        string // "/" when empty
	TrustPolicy string
	Inline      []InlinePolicy
	// Attached are managed policy ARNs.
	Attached            []string
	PermissionsBoundary string
	Tags                map[string]string
	LastUsed            string // RFC 3339
	LastUsedRegion      string
}

// InlinePolicy is a role's inline policy.
type InlinePolicy struct {
	Name     string
	Document string
}

// ManagedPolicy is a managed policy with its versions.
type ManagedPolicy struct {
	// ARN is set for AWS-managed policies ("arn:aws:iam::aws:policy/..."); customer-managed
	// policies get arn:aws:iam::<account>:policy/<Name>.
	ARN      string
	Name     string
	Versions []PolicyVersion
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	ID       string
	Document string
	Default  bool
}

// OIDCProvider is an IAM OIDC identity provider.
type OIDCProvider struct {
	// URL is without scheme, as IAM stores it.
	URL         string
	ClientIDs   []string
	Thumbprints []string
}

// RoleARN is the ARN of the account's role.
func (a *Account) RoleARN(r *Role) string {
	return fmt.Sprintf("arn:aws:iam::%s:role%s%s", a.ID, rolePath(r), r.Name)
}

// PolicyARN is the ARN of a managed policy as seen from the account.
func (a *Account) PolicyARN(p *ManagedPolicy) string {
	if p.ARN != "" {
		return p.ARN
	}
	return fmt.Sprintf("arn:aws:iam::%s:policy/%s", a.ID, p.Name)
}

// ProviderARN is the ARN of the account's OIDC provider.
func (a *Account) ProviderARN(p *OIDCProvider) string {
	return fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", a.ID, p.URL)
}

// ClusterARN is the ARN of the account's cluster in region.
func (a *Account) ClusterARN(region string, c *Cluster) string {
	return fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", region, a.ID, c.Name)
}

func rolePath(r *Role) string {
	if r.Path == "" {
		return "/"
	}
	return r.Path
}

func (e *Estate) accountByKey(key string) *Account {
	for _, a := range e.Accounts {
		if a.AccessKeyID == key {
			return a
		}
	}
	return nil
}

func (e *Estate) accountByID(id string) *Account {
	for _, a := range e.Accounts {
		if a.ID == id {
			return a
		}
	}
	return nil
}

func (a *Account) region(name string) *Region {
	for _, r := range a.Regions {
		if r.Name == name {
			return r
		}
	}
	return nil
}

func (a *Account) roleByARN(arn string) *Role {
	for _, r := range a.Roles {
		if a.RoleARN(r) == arn {
			return r
		}
	}
	return nil
}

// Synthetic returns an estate of one account (id, access key id) with the given number of roles
// and customer-managed policies, every role trusting the account's one EKS OIDC provider for one
// ServiceAccount and attaching one of the policies; one cluster in us-east-1. It is the shape of
// a large real account, for call-budget tests and benchmarks.
func Synthetic(id, accessKeyID string, roles, policies int) *Estate {
	issuer := "oidc.eks.us-east-1.amazonaws.com/id/" + strings.Repeat("A", 32)
	a := &Account{
		ID:          id,
		AccessKeyID: accessKeyID,
		OIDCProviders: []*OIDCProvider{{
			URL: issuer, ClientIDs: []string{"sts.amazonaws.com"},
			Thumbprints: []string{strings.Repeat("9", 40)},
		}},
		Regions: []*Region{{Name: "us-east-1", Clusters: []*Cluster{{Name: "prod", Issuer: "https://" + issuer}}}},
	}
	for i := range policies {
		a.ManagedPolicies = append(a.ManagedPolicies, &ManagedPolicy{
			Name: fmt.Sprintf("policy-%05d", i),
			Versions: []PolicyVersion{
				{ID: "v1", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
				{ID: "v2", Default: true, Document: fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-%05d/*"}]}`, i)},
			},
		})
	}
	for i := range roles {
		r := &Role{
			Name: fmt.Sprintf("role-%05d", i),
			TrustPolicy: fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::%s:oidc-provider/%s"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"%s:sub":"system:serviceaccount:ns-%d:sa-%d","%s:aud":"sts.amazonaws.com"}}}]}`,
				id, issuer, issuer, i%50, i, issuer),
		}
		if policies > 0 {
			r.Attached = []string{a.PolicyARN(a.ManagedPolicies[i%policies])}
		}
		a.Roles = append(a.Roles, r)
	}
	return &Estate{Accounts: []*Account{a}}
}
