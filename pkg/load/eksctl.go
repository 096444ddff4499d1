package load

import (
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// FormatEksctl is an eksctl ClusterConfig (apiVersion eksctl.io/..., kind ClusterConfig).
const FormatEksctl = "eksctl-cluster-config"

func isEksctlConfig(n *syntax.Node) bool {
	if !isKubernetesObject(n) {
		return false
	}
	v, k := n.Get("apiVersion"), n.Get("kind")
	return v.Kind == syntax.String && strings.HasPrefix(v.Value, "eksctl.io/") && k.Kind == syntax.String && k.Value == "ClusterConfig"
}

// skipEksctl reports an eksctl ClusterConfig as not read: its iam.serviceAccounts create IRSA
// roles and ServiceAccounts, and iam.withOIDC the provider, none of which is judged yet. It is
// needed when it declares any of them.
func skipEksctl(d document, r *fileResult) error {
	iam := d.node.Get("iam")
	needed := false
	if iam != nil && iam.Kind == syntax.Object {
		sas := iam.Get("serviceAccounts")
		needed = (sas != nil && sas.Kind == syntax.Array && len(sas.Items) > 0) || iam.Get("withOIDC") != nil ||
			iam.Get("podIdentityAssociations") != nil
	}
	r.skipped = append(r.skipped, snapshot.Skipped{
		File: d.file, Line: d.node.Line, Column: d.node.Column, Named: r.explicit, Needed: needed,
		Reason: "eksctl ClusterConfig: not read yet (its iam.serviceAccounts, iam.withOIDC and podIdentityAssociations are not judged)",
	})
	return nil
}
