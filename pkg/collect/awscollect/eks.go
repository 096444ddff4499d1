package awscollect

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"

	iamsem "github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

const (
	apiListRegions         = "account:ListRegions"
	apiListClusters        = "eks:ListClusters"
	apiDescribeCluster     = "eks:DescribeCluster"
	apiListAssociations    = "eks:ListPodIdentityAssociations"
	apiDescribeAssociation = "eks:DescribePodIdentityAssociation"
)

func (c *Collector) eksClient(cfg aws.Config, region string) *eks.Client {
	return eks.NewFromConfig(cfg, func(o *eks.Options) {
		o.Region = region
		if c.opts.Endpoints.EKS != "" {
			o.BaseEndpoint = aws.String(c.opts.Endpoints.EKS)
		}
	})
}

// regions returns the regions to scan for EKS clusters and whether they are all the regions the
// account has enabled. Without --region they come from account:ListRegions (regions that are
// enabled or enabled by default), which needs no EC2 permissions and knows about opt-in regions;
// when that call is denied only the configured region is scanned, and the account's inventory
// says so.
func (r *run) regions(ctx context.Context, cfg aws.Config, res *accountResult) ([]string, bool) {
	c := r.c
	if len(c.opts.Regions) > 0 {
		rs := slices.Compact(slices.Sorted(slices.Values(c.opts.Regions)))
		res.note("cluster regions limited to --region %v", rs)
		return rs, false
	}
	client := account.NewFromConfig(cfg, func(o *account.Options) {
		if c.opts.Endpoints.Account != "" {
			o.BaseEndpoint = aws.String(c.opts.Endpoints.Account)
		}
	})
	var regions []string
	in := &account.ListRegionsInput{
		RegionOptStatusContains: []accounttypes.RegionOptStatus{accounttypes.RegionOptStatusEnabled, accounttypes.RegionOptStatusEnabledByDefault},
	}
	tokens := newPageTokens(apiListRegions)
	for {
		out, err := client.ListRegions(ctx, in)
		if err == nil {
			in.NextToken, err = tokens.next(out.NextToken)
		}
		if err != nil {
			if r.check(err) {
				return nil, false
			}
			res.fail(apiListRegions, fmt.Errorf("list enabled regions: %w", err))
			res.note("enabled regions unknown (%s failed: %s): only %s scanned", apiListRegions, cmp.Or(errorCode(err), tokenCode(err), "error"), cfg.Region)
			return []string{cfg.Region}, false
		}
		for _, reg := range out.Regions {
			regions = append(regions, aws.ToString(reg.RegionName))
		}
		if in.NextToken == nil {
			break
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(regions))), true
}

// regionResult is what was read from one region of an account.
type regionResult struct {
	complete bool // the cluster list is complete
	clusters []snapshot.Cluster
	pias     []snapshot.PodIdentityAssociation
	errs     []snapshot.InputError
	notes    []string
}

func (rr *regionResult) fail(api, accountID, region string, err error) {
	rr.errs = append(rr.errs, snapshot.InputError{API: api, Message: fmt.Sprintf("account %s region %s: %v", accountID, region, err)})
}

// region lists the EKS clusters of one region with their Pod Identity associations.
func (r *run) region(ctx context.Context, client *eks.Client, accountID, region string) *regionResult {
	rr := &regionResult{}
	var names []string
	in := &eks.ListClustersInput{}
	tokens := newPageTokens(apiListClusters)
	for {
		out, err := client.ListClusters(ctx, in)
		if err == nil {
			in.NextToken, err = tokens.next(out.NextToken)
		}
		if err != nil {
			if !r.check(err) {
				rr.fail(apiListClusters, accountID, region, fmt.Errorf("list eks clusters: %w", err))
				rr.notes = append(rr.notes, fmt.Sprintf("eks %s: clusters not listed (%s: %s)", region, apiListClusters, cmp.Or(errorCode(err), tokenCode(err), "error")))
			}
			return rr
		}
		names = append(names, out.Clusters...)
		if in.NextToken == nil {
			break
		}
	}
	slices.Sort(names)
	rr.complete = true
	for _, name := range names {
		cl, err := describeCluster(ctx, client, accountID, region, name)
		if err != nil {
			if r.check(err) {
				rr.complete = false
				return rr
			}
			rr.fail(apiDescribeCluster, accountID, region, err)
			rr.notes = append(rr.notes, fmt.Sprintf("eks %s: cluster %s not described (%s)", region, name, cmp.Or(errorCode(err), "error")))
			rr.complete = false
			continue
		}
		rr.clusters = append(rr.clusters, cl)
		if !r.associations(ctx, client, rr, cl, accountID, region) {
			return rr
		}
	}
	r.c.progress.Printf("aws %s: eks %s: %d clusters", accountID, region, len(rr.clusters))
	return rr
}

// associations reads a cluster's Pod Identity associations; false when the collection must stop.
func (r *run) associations(ctx context.Context, client *eks.Client, rr *regionResult, cl snapshot.Cluster, accountID, region string) bool {
	in := &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String(cl.Name)}
	tokens := newPageTokens(apiListAssociations)
	for more := true; more; {
		out, err := client.ListPodIdentityAssociations(ctx, in)
		if err == nil {
			in.NextToken, err = tokens.next(out.NextToken)
			more = in.NextToken != nil
		}
		if err != nil {
			if r.check(err) {
				return false
			}
			rr.fail(apiListAssociations, accountID, region, fmt.Errorf("list pod identity associations of %s: %w", cl.Name, err))
			rr.notes = append(rr.notes, fmt.Sprintf("eks %s: pod identity associations of %s incomplete (%s)", region, cl.Name, cmp.Or(errorCode(err), tokenCode(err), "error")))
			return true
		}
		for _, s := range out.Associations {
			d, err := client.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{
				ClusterName: aws.String(cl.Name), AssociationId: s.AssociationId,
			})
			if err != nil {
				if r.check(err) {
					return false
				}
				rr.fail(apiDescribeAssociation, accountID, region, fmt.Errorf("describe pod identity association %s: %w", aws.ToString(s.AssociationId), err))
				continue
			}
			a := d.Association
			rr.pias = append(rr.pias, snapshot.PodIdentityAssociation{
				ARN:                aws.ToString(a.AssociationArn),
				ID:                 aws.ToString(a.AssociationId),
				Cluster:            cl.ID,
				AccountID:          accountID,
				Region:             region,
				Namespace:          aws.ToString(a.Namespace),
				ServiceAccount:     aws.ToString(a.ServiceAccount),
				RoleARN:            aws.ToString(a.RoleArn),
				TargetRoleARN:      aws.ToString(a.TargetRoleArn),
				OwnerARN:           aws.ToString(a.OwnerArn),
				DisableSessionTags: aws.ToBool(a.DisableSessionTags),
				Loc:                snapshot.Location{API: apiDescribeAssociation},
			})
		}
	}
	return true
}

// describeCluster reads one cluster's identity: its ARN and OIDC issuer (without scheme).
func describeCluster(ctx context.Context, client *eks.Client, accountID, region, name string) (snapshot.Cluster, error) {
	out, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
	if err != nil {
		return snapshot.Cluster{}, fmt.Errorf("describe eks cluster %s: %w", name, err)
	}
	c := out.Cluster
	arn := aws.ToString(c.Arn)
	cl := snapshot.Cluster{
		ID:        arn,
		Name:      aws.ToString(c.Name),
		ARN:       arn,
		AccountID: cmp.Or(accountOf(arn), accountID),
		Region:    region,
		Inventory: snapshot.ClusterInventory{Notes: []string{"service accounts and workloads are read through the Kubernetes API, not through EKS"}},
		Loc:       snapshot.Location{API: apiDescribeCluster},
	}
	if c.Identity != nil && c.Identity.Oidc != nil {
		cl.Issuer = iamsem.NormalizeIssuer(aws.ToString(c.Identity.Oidc.Issuer))
	}
	return cl, nil
}
