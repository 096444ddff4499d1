package load

import (
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// The Source.Format values of the EKS Pod Identity exports.
const (
	// FormatAssociation is `aws eks describe-pod-identity-association`.
	FormatAssociation = "aws-eks-pod-identity-association"
	// FormatAssociationList is `aws eks list-pod-identity-associations`.
	FormatAssociationList = "aws-eks-pod-identity-association-list"
)

// isAssociation matches describe-pod-identity-association: {"association": {...}}.
func isAssociation(n *syntax.Node) bool {
	a := n.Get("association")
	return a != nil && a.Kind == syntax.Object && n.Field("apiVersion") == nil &&
		(a.Field("associationArn") != nil || a.Field("roleArn") != nil)
}

// loadAssociation reads one described association, with its role.
func loadAssociation(d document, r *fileResult) error {
	p, err := association(d, d.node.Get("association"))
	if err != nil {
		return err
	}
	r.items.PodIdentityAssociations = append(r.items.PodIdentityAssociations, p)
	return nil
}

// isAssociationList matches list-pod-identity-associations: {"associations": [{...}]}.
func isAssociationList(n *syntax.Node) bool {
	a := n.Get("associations")
	if a == nil || a.Kind != syntax.Array || n.Field("apiVersion") != nil {
		return false
	}
	for _, it := range a.Items {
		if it.Kind != syntax.Object || it.Field("associationArn") == nil {
			return false
		}
	}
	return true
}

// loadAssociationList reads the summaries of list-pod-identity-associations. They carry no
// role: snapshot.Fold completes each with the describe-pod-identity-association output of the
// same ARN when one is loaded too; alone, an association still names its ServiceAccount.
func loadAssociationList(d document, r *fileResult) error {
	items := d.node.Get("associations").Items
	if len(items) == 0 {
		r.skipped = append(r.skipped, snapshot.Skipped{File: d.file, Named: r.explicit, Reason: "an empty Pod Identity association list"})
	}
	for _, it := range items {
		p, err := association(d, it)
		if err != nil {
			r.addError(d.file, err)
			continue
		}
		r.items.PodIdentityAssociations = append(r.items.PodIdentityAssociations, p)
	}
	if t := d.node.Get("nextToken"); t != nil && t.Kind == syntax.String && t.Value != "" {
		truncated(d, r, d.node.Field("nextToken").KeyNode, "the associations after this page are not in the export (it stops at a nextToken): export without --max-items")
	}
	return nil
}

// association reads one association object (a describe output's or a list summary). Its
// cluster is the cluster ARN, derived from the association ARN
// (arn:aws:eks:<region>:<account>:podidentityassociation/<cluster>/<id>), as the live
// collector and describe-cluster key clusters.
func association(d document, n *syntax.Node) (snapshot.PodIdentityAssociation, error) {
	var p snapshot.PodIdentityAssociation
	fields := []struct {
		key string
		dst *string
	}{
		{"associationArn", &p.ARN}, {"associationId", &p.ID}, {"namespace", &p.Namespace},
		{"serviceAccount", &p.ServiceAccount}, {"roleArn", &p.RoleARN}, {"targetRoleArn", &p.TargetRoleARN},
		{"ownerArn", &p.OwnerARN},
	}
	for _, f := range fields {
		s, err := stringField(n, f.key)
		if err != nil {
			return p, err
		}
		*f.dst = s
	}
	clusterName, err := stringField(n, "clusterName")
	if err != nil {
		return p, err
	}
	if p.ARN == "" {
		return p, syntax.Errorf(n, "pod identity association has no associationArn")
	}
	a, ok := iam.ParseARN(p.ARN)
	res, okRes := strings.CutPrefix(a.Resource, "podidentityassociation/")
	if !ok || a.Service != "eks" || !okRes {
		return p, syntax.Errorf(n.Get("associationArn"), "%q is not an EKS Pod Identity association ARN", p.ARN)
	}
	name, _, _ := strings.Cut(res, "/")
	if clusterName == "" {
		clusterName = name
	}
	p.AccountID, p.Region = a.Account, a.Region
	p.Cluster = iam.ARN{Partition: a.Partition, Service: "eks", Region: a.Region, Account: a.Account, Resource: "cluster/" + clusterName}.String()
	if p.Namespace == "" || p.ServiceAccount == "" {
		return p, syntax.Errorf(n, "pod identity association %s has no namespace or serviceAccount", p.ARN)
	}
	p.DisableSessionTags = truthy(n.Get("disableSessionTags"))
	p.Loc = d.loc(n)
	return p, nil
}
