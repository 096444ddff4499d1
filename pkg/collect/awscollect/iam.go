package awscollect

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	// iamsem is irsa-audit's IAM semantics; "iam" is the SDK's IAM client here.
	iamsem "github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/policydoc"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

const (
	apiAuthDetails      = "iam:GetAccountAuthorizationDetails"
	apiListProviders    = "iam:ListOpenIDConnectProviders"
	apiGetProvider      = "iam:GetOpenIDConnectProvider"
	authDetailsMaxItems = 1000
)

func (c *Collector) iamClient(cfg aws.Config) *iam.Client {
	return iam.NewFromConfig(cfg, func(o *iam.Options) {
		if c.opts.Endpoints.IAM != "" {
			o.BaseEndpoint = aws.String(c.opts.Endpoints.IAM)
		}
	})
}

func (c *Collector) stsEndpoint(o *sts.Options) {
	if c.opts.Endpoints.STS != "" {
		o.BaseEndpoint = aws.String(c.opts.Endpoints.STS)
	}
}

// collectIAM reads roles and managed policies with iam:GetAccountAuthorizationDetails (1,000
// entities a page, so an account of 5,000 roles costs a handful of calls instead of one per role
// and policy), then the OIDC providers.
func (r *run) collectIAM(ctx context.Context, client *iam.Client, res *accountResult) {
	res.sources = append(res.sources, snapshot.Source{Kind: "api", Name: "iam:" + res.id, Format: "aws-iam"})
	in := &iam.GetAccountAuthorizationDetailsInput{
		Filter:   []iamtypes.EntityType{iamtypes.EntityTypeRole, iamtypes.EntityTypeLocalManagedPolicy, iamtypes.EntityTypeAWSManagedPolicy},
		MaxItems: aws.Int32(authDetailsMaxItems),
	}
	complete := false
	tokens := newPageTokens(apiAuthDetails)
	for page := 1; ; page++ {
		out, err := client.GetAccountAuthorizationDetails(ctx, in)
		if err != nil {
			if r.check(err) {
				return
			}
			res.fail(apiAuthDetails, fmt.Errorf("list iam roles and policies: %w", err))
			res.note("roles incomplete: %s failed after %d pages (%s)", apiAuthDetails, page-1, cmp.Or(errorCode(err), "error"))
			break
		}
		for _, rd := range out.RoleDetailList {
			res.roles = append(res.roles, convertRole(res, rd))
		}
		for _, pd := range out.Policies {
			res.policies = append(res.policies, convertPolicy(res, pd))
		}
		r.c.progress.Printf("aws %s: iam page %d: %d roles, %d managed policies so far", res.id, page, len(res.roles), len(res.policies))
		if !out.IsTruncated {
			complete = true
			break
		}
		if aws.ToString(out.Marker) == "" {
			// IAM never does this; the roles are known to be incomplete, so it is an error.
			res.fail(apiAuthDetails, fmt.Errorf("list iam roles and policies: page %d said IsTruncated without a Marker to go on from", page))
			res.note("roles incomplete: %s said IsTruncated without a Marker after %d pages", apiAuthDetails, page)
			break
		}
		next, err := tokens.next(out.Marker)
		if err != nil {
			res.fail(apiAuthDetails, fmt.Errorf("list iam roles and policies: %w", err))
			res.note("roles incomplete: %s repeated a Marker after %d pages", apiAuthDetails, page)
			break
		}
		in.Marker = next
	}
	res.inv.Roles = complete
	if ctx.Err() != nil {
		return
	}
	res.inv.OIDCProviders = r.collectProviders(ctx, client, res)
}

func (r *run) collectProviders(ctx context.Context, client *iam.Client, res *accountResult) bool {
	list, err := client.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		if !r.check(err) {
			res.fail(apiListProviders, fmt.Errorf("list oidc providers: %w", err))
			res.note("oidc providers incomplete: %s failed (%s)", apiListProviders, cmp.Or(errorCode(err), "error"))
		}
		return false
	}
	complete := true
	for _, e := range list.OpenIDConnectProviderList {
		arn := aws.ToString(e.Arn)
		out, err := client.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: e.Arn})
		if err != nil {
			if r.check(err) {
				return false
			}
			res.fail(apiGetProvider, fmt.Errorf("get oidc provider %s: %w", arn, err))
			complete = false
			continue
		}
		res.provs = append(res.provs, snapshot.OIDCProvider{
			ARN:         arn,
			AccountID:   res.id,
			Issuer:      iamsem.NormalizeIssuer(aws.ToString(out.Url)),
			ClientIDs:   out.ClientIDList,
			Thumbprints: out.ThumbprintList,
			Loc:         snapshot.Location{API: apiGetProvider},
		})
	}
	if !complete {
		res.note("oidc providers incomplete: %s failed for some providers", apiGetProvider)
	}
	return complete
}

func convertRole(res *accountResult, rd iamtypes.RoleDetail) snapshot.Role {
	arn := aws.ToString(rd.Arn)
	role := snapshot.Role{
		ARN:       arn,
		Name:      aws.ToString(rd.RoleName),
		AccountID: cmp.Or(accountOf(arn), res.id),
		Path:      aws.ToString(rd.Path),
		Loc:       snapshot.Location{API: apiAuthDetails},
	}
	if rd.AssumeRolePolicyDocument != nil {
		if doc, ok := decode(res, *rd.AssumeRolePolicyDocument, "role "+arn+": trust policy"); ok {
			role.TrustPolicy = &doc
		}
	}
	for _, p := range rd.RolePolicyList {
		name := aws.ToString(p.PolicyName)
		doc, _ := decode(res, aws.ToString(p.PolicyDocument), "role "+arn+": inline policy "+name)
		role.InlinePolicies = append(role.InlinePolicies, snapshot.InlinePolicy{Name: name, Document: doc})
	}
	for _, a := range rd.AttachedManagedPolicies {
		role.AttachedPolicies = append(role.AttachedPolicies, snapshot.AttachedPolicy{ARN: aws.ToString(a.PolicyArn), Name: aws.ToString(a.PolicyName)})
	}
	if rd.PermissionsBoundary != nil {
		role.PermissionsBoundary = aws.ToString(rd.PermissionsBoundary.PermissionsBoundaryArn)
	}
	if lu := rd.RoleLastUsed; lu != nil {
		if lu.LastUsedDate != nil {
			role.LastUsed = lu.LastUsedDate.UTC().Format("2006-01-02T15:04:05Z")
		}
		role.LastUsedRegion = aws.ToString(lu.Region)
	}
	if len(rd.Tags) > 0 {
		role.Tags = map[string]string{}
		for _, t := range rd.Tags {
			role.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return role
}

// convertPolicy keeps only the default version of a managed policy: it is the one in force.
func convertPolicy(res *accountResult, pd iamtypes.ManagedPolicyDetail) snapshot.ManagedPolicy {
	arn := aws.ToString(pd.Arn)
	mp := snapshot.ManagedPolicy{
		ARN:              arn,
		Name:             aws.ToString(pd.PolicyName),
		DefaultVersionID: aws.ToString(pd.DefaultVersionId),
		Loc:              snapshot.Location{API: apiAuthDetails},
	}
	i := slices.IndexFunc(pd.PolicyVersionList, func(v iamtypes.PolicyVersion) bool { return v.IsDefaultVersion })
	if i < 0 {
		i = slices.IndexFunc(pd.PolicyVersionList, func(v iamtypes.PolicyVersion) bool {
			return mp.DefaultVersionID != "" && aws.ToString(v.VersionId) == mp.DefaultVersionID
		})
	}
	if i < 0 {
		res.fail(apiAuthDetails, fmt.Errorf("policy %s: default version %q not in the response", arn, mp.DefaultVersionID))
		return mp
	}
	v := pd.PolicyVersionList[i]
	mp.DefaultVersionID = cmp.Or(mp.DefaultVersionID, aws.ToString(v.VersionId))
	if doc, ok := decode(res, aws.ToString(v.Document), "policy "+arn+" version "+mp.DefaultVersionID); ok {
		mp.Document = &doc
	}
	return mp
}

// decode parses a policy document as IAM returns it (URL-encoded JSON). A document that does not
// parse is reported and left out; the item it belongs to is still kept.
func decode(res *accountResult, text, what string) (snapshot.Document, bool) {
	doc, err := policydoc.Parse([]byte(text), snapshot.Location{API: apiAuthDetails})
	if err != nil {
		res.fail(apiAuthDetails, fmt.Errorf("%s: %w", what, err))
		return snapshot.Document{Statements: []snapshot.Statement{}, Loc: snapshot.Location{API: apiAuthDetails}}, false
	}
	return doc, true
}

// accountOf returns the account id field of an ARN ("" when s is no ARN).
func accountOf(arn string) string {
	a, _ := iamsem.ParseARN(arn)
	return a.Account
}
