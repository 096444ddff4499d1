// Package eksctl reads eksctl ClusterConfig files (apiVersion eksctl.io/v1alpha5) into the
// snapshot items eksctl would create: the cluster and its IAM OIDC provider (iam.withOIDC), one
// IAM role per iam.serviceAccounts entry with the trust policy eksctl writes (the cluster's
// provider, "sub" system:serviceaccount:<namespace>:<name> and "aud" sts.amazonaws.com) and
// the permissions of attachPolicyARNs, attachPolicy and wellKnownPolicies, the ServiceAccount
// annotated with the role (unless roleOnly), the roles of add-ons (whose trust pins a
// ServiceAccount only for the add-ons whose ServiceAccount eksctl knows: vpc-cni,
// aws-ebs-csi-driver, aws-efs-csi-driver; other add-on roles trust every ServiceAccount of the
// cluster through an "aud"-only condition), and EKS Pod Identity associations with the roles
// eksctl creates for them (trusting pods.eks.amazonaws.com).
//
// What eksctl knows only when it runs is a symbol: the cluster's issuer, the account, and the
// names CloudFormation generates for roles without roleName.
package eksctl

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/load/internal/unknowns"
	"github.com/irsa-audit/irsa-audit/pkg/policydoc"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// Is reports whether a parsed document is an eksctl ClusterConfig.
func Is(n *syntax.Node) bool {
	if n == nil || n.Kind != syntax.Object {
		return false
	}
	k, v := n.Get("kind"), n.Get("apiVersion")
	return k != nil && k.Value == "ClusterConfig" && v != nil && strings.HasPrefix(v.Value, "eksctl.io/")
}

// wellKnown maps wellKnownPolicies to the AWS managed policies eksctl attaches; the others are
// inline policies eksctl writes, not modelled here.
var wellKnown = map[string]string{
	"imageBuilder":              "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser",
	"ebsCSIController":          "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
	"efsCSIController":          "",
	"autoScaler":                "",
	"awsLoadBalancerController": "",
	"externalDNS":               "",
	"certManager":               "",
}

// addonServiceAccounts are the ServiceAccounts of the add-ons whose roles eksctl pins to them.
var addonServiceAccounts = map[string][2]string{
	"vpc-cni":            {"kube-system", "aws-node"},
	"aws-ebs-csi-driver": {"kube-system", "ebs-csi-controller-sa"},
	"aws-efs-csi-driver": {"kube-system", "efs-csi-controller-sa"},
}

type config struct {
	file    string
	stack   string
	name    string
	region  string
	account string
	issuer  string
	cluster string // cluster ID
	items   snapshot.Snapshot
	reasons map[string]string
}

func (c *config) symbol(name, reason string) string {
	s := snapshot.SymbolOpen + strings.NewReplacer(":", ".", "/", ".").Replace(name) + snapshot.SymbolClose
	if _, ok := c.reasons[s]; !ok {
		c.reasons[s] = reason
	}
	return s
}

func (c *config) reasonOf(syms []string) string {
	var rs []string
	for _, s := range syms {
		r := cmp.Or(c.reasons[s], "known only when eksctl creates the cluster")
		if !slices.Contains(rs, r) {
			rs = append(rs, r)
		}
	}
	return strings.Join(rs, "; ")
}

func (c *config) loc(n *syntax.Node) snapshot.Location {
	return snapshot.Location{File: c.file, StartLine: n.Line, StartColumn: n.Column, EndLine: n.EndLine}
}

// Load reads a ClusterConfig document of file.
func Load(n *syntax.Node, file string) (*snapshot.Snapshot, error) {
	c := &config{file: file, stack: strings.NewReplacer("/", ".", ":", ".").Replace(file), reasons: map[string]string{}}
	meta := n.Get("metadata")
	if meta == nil || meta.Kind != syntax.Object {
		return nil, syntax.Errorf(n, "ClusterConfig has no metadata")
	}
	var err error
	if c.name, err = str(meta, "name", true); err != nil {
		return nil, err
	}
	if c.region, err = str(meta, "region", false); err != nil {
		return nil, err
	}
	region := c.region
	if region == "" {
		region = c.symbol("region of "+c.name, "the region eksctl runs with")
	}
	c.account = c.symbol("account of "+c.stack, "the account eksctl runs with")
	c.issuer = c.symbol("eksctl."+c.name+".oidc_issuer", "known only when eksctl creates the cluster")
	c.cluster = "arn:aws:eks:" + region + ":" + c.account + ":cluster/" + c.name
	cl := snapshot.Cluster{ID: c.cluster, Name: c.name, ARN: c.cluster, AccountID: c.account, Region: c.region, Issuer: c.issuer, Loc: c.loc(meta)}
	cl.Unknown = unknowns.Fields(map[string]string{"id": cl.ID, "arn": cl.ARN, "account_id": cl.AccountID, "issuer": cl.Issuer})
	c.items.Clusters = append(c.items.Clusters, cl)

	iam := n.Get("iam")
	withOIDC := false
	if iam != nil {
		if iam.Kind != syntax.Object {
			return nil, syntax.Errorf(iam, "iam must be an object, not %s", iam.Kind)
		}
		withOIDC = truthy(iam.Get("withOIDC"))
		if withOIDC {
			p := snapshot.OIDCProvider{ARN: c.providerARN(), AccountID: c.account, Issuer: c.issuer, ClientIDs: []string{"sts.amazonaws.com"}, Loc: c.loc(iam.Field("withOIDC").KeyNode)}
			p.Unknown = unknowns.Fields(map[string]string{"arn": p.ARN, "account_id": p.AccountID, "issuer": p.Issuer})
			c.items.OIDCProviders = append(c.items.OIDCProviders, p)
		}
		sas, err := list(iam, "serviceAccounts")
		if err != nil {
			return nil, err
		}
		for _, sa := range sas {
			if err := c.serviceAccount(sa); err != nil {
				return nil, err
			}
		}
		pias, err := list(iam, "podIdentityAssociations")
		if err != nil {
			return nil, err
		}
		for _, p := range pias {
			if err := c.podIdentity(p, ""); err != nil {
				return nil, err
			}
		}
	}
	addons, err := list(n, "addons")
	if err != nil {
		return nil, err
	}
	for _, a := range addons {
		if err := c.addon(a, withOIDC); err != nil {
			return nil, err
		}
	}
	return &c.items, nil
}

func (c *config) providerARN() string {
	return "arn:aws:iam::" + c.account + ":oidc-provider/" + c.issuer
}

func str(n *syntax.Node, key string, required bool) (string, error) {
	v := n.Get(key)
	if v == nil || v.Kind == syntax.Null {
		if required {
			return "", syntax.Errorf(n, "%s is required", key)
		}
		return "", nil
	}
	if v.Kind != syntax.String {
		return "", syntax.Errorf(v, "%s must be a string, not %s", key, v.Kind)
	}
	return v.Value, nil
}

func strs(n *syntax.Node, key string) ([]string, error) {
	v := n.Get(key)
	if v == nil || v.Kind == syntax.Null {
		return nil, nil
	}
	if v.Kind != syntax.Array {
		return nil, syntax.Errorf(v, "%s must be a list of strings, not %s", key, v.Kind)
	}
	var out []string
	for _, it := range v.Items {
		if it.Kind != syntax.String {
			return nil, syntax.Errorf(it, "%s must be a list of strings; found %s", key, it.Kind)
		}
		out = append(out, it.Value)
	}
	return out, nil
}

func list(n *syntax.Node, key string) ([]*syntax.Node, error) {
	v := n.Get(key)
	if v == nil || v.Kind == syntax.Null {
		return nil, nil
	}
	if v.Kind != syntax.Array {
		return nil, syntax.Errorf(v, "%s must be a list, not %s", key, v.Kind)
	}
	for _, it := range v.Items {
		if it.Kind != syntax.Object {
			return nil, syntax.Errorf(it, "entries of %s must be objects, not %s", key, it.Kind)
		}
	}
	return v.Items, nil
}

func truthy(n *syntax.Node) bool {
	return n != nil && n.Kind == syntax.Bool && strings.EqualFold(n.Value, "true")
}

// webIdentityTrust is the trust eksctl writes for an IRSA role: the cluster's provider, with
// "sub" pinned to the ServiceAccount when it knows it, and "aud" sts.amazonaws.com.
func (c *config) webIdentityTrust(at snapshot.Location, namespace, name string) *snapshot.Document {
	cond := func(claim, value string) snapshot.Condition {
		k := policydoc.ParseOperator("StringEquals")
		k.Key, k.Values, k.Loc = c.issuer+":"+claim, []string{value}, at
		return k
	}
	st := snapshot.Statement{Effect: "Allow", Actions: []string{"sts:AssumeRoleWithWebIdentity"},
		Principal: &snapshot.Principal{Federated: []string{c.providerARN()}}, Loc: at}
	if namespace != "" && name != "" {
		st.Conditions = append(st.Conditions, cond("sub", "system:serviceaccount:"+namespace+":"+name))
	}
	st.Conditions = append(st.Conditions, cond("aud", "sts.amazonaws.com"))
	d := &snapshot.Document{Version: "2012-10-17", Statements: []snapshot.Statement{st}, Loc: at}
	d.MarkUnknown()
	return d
}

// podIdentityTrust is the trust of a role eksctl creates for a Pod Identity association.
func podIdentityTrust(at snapshot.Location) *snapshot.Document {
	return &snapshot.Document{Version: "2012-10-17", Loc: at, Statements: []snapshot.Statement{{
		Effect: "Allow", Actions: []string{"sts:AssumeRole", "sts:TagSession"},
		Principal: &snapshot.Principal{Service: []string{"pods.eks.amazonaws.com"}}, Loc: at,
	}}}
}

// role builds a role eksctl creates, with the permissions of an entry (attachPolicyARNs or
// permissionPolicyARNs, attachPolicy or permissionPolicy, wellKnownPolicies).
func (c *config) role(entry *syntax.Node, generated string, trust *snapshot.Document, arnsKey, policyKey string) (snapshot.Role, error) {
	name, err := str(entry, "roleName", false)
	if err != nil {
		return snapshot.Role{}, err
	}
	if name == "" {
		name = c.symbol(generated, "generated by CloudFormation when eksctl creates the role")
	}
	r := snapshot.Role{ARN: "arn:aws:iam::" + c.account + ":role/" + name, Name: name, AccountID: c.account, Path: "/", TrustPolicy: trust, Loc: c.loc(entry)}
	if r.PermissionsBoundary, err = str(entry, "permissionsBoundary", false); err != nil {
		return r, err
	}
	arns, err := strs(entry, arnsKey)
	if err != nil {
		return r, err
	}
	for _, a := range arns {
		r.AttachedPolicies = append(r.AttachedPolicies, snapshot.AttachedPolicy{ARN: a, Name: a[strings.LastIndex(a, "/")+1:]})
	}
	if pv := entry.Get(policyKey); pv != nil {
		d, err := policydoc.FromNode(pv, snapshot.Location{File: c.file})
		if err != nil {
			return r, err
		}
		r.InlinePolicies = append(r.InlinePolicies, snapshot.InlinePolicy{Name: "Policy1", Document: d})
	}
	if wk := entry.Get("wellKnownPolicies"); wk != nil {
		if wk.Kind != syntax.Object {
			return r, syntax.Errorf(wk, "wellKnownPolicies must be an object, not %s", wk.Kind)
		}
		for _, f := range wk.Fields {
			if !truthy(f.Value) {
				continue
			}
			arn, ok := wellKnown[f.Key]
			switch {
			case !ok:
				return r, syntax.Errorf(f.KeyNode, "unknown well-known policy %q", f.Key)
			case arn != "":
				r.AttachedPolicies = append(r.AttachedPolicies, snapshot.AttachedPolicy{ARN: arn, Name: arn[strings.LastIndex(arn, "/")+1:]})
			default:
				c.items.NotJudged = append(c.items.NotJudged, snapshot.NotJudged{Kind: "role", ID: r.ARN,
					Element: "wellKnownPolicies " + f.Key, Reason: "eksctl writes this inline policy itself; irsa-audit does not model its content", Loc: c.loc(f.KeyNode)})
			}
		}
	}
	r.Unknown = unknowns.Fields(map[string]string{"arn": r.ARN, "name": r.Name, "account_id": r.AccountID})
	return r, nil
}

func (c *config) serviceAccount(entry *syntax.Node) error {
	meta := entry.Get("metadata")
	if meta == nil || meta.Kind != syntax.Object {
		return syntax.Errorf(entry, "iam.serviceAccounts entry has no metadata")
	}
	name, err := str(meta, "name", true)
	if err != nil {
		return err
	}
	ns, err := str(meta, "namespace", false)
	if err != nil {
		return err
	}
	ns = cmp.Or(ns, "default")
	at := c.loc(entry)
	roleARN, err := str(entry, "attachRoleARN", false)
	if err != nil {
		return err
	}
	if roleARN == "" {
		r, err := c.role(entry, fmt.Sprintf("eksctl-%s-addon-iamserviceaccount-%s-%s-Role", c.name, ns, name),
			c.webIdentityTrust(at, ns, name), "attachPolicyARNs", "attachPolicy")
		if err != nil {
			return err
		}
		c.items.Roles = append(c.items.Roles, r)
		roleARN = r.ARN
	}
	if truthy(entry.Get("roleOnly")) {
		return nil
	}
	sa := snapshot.ServiceAccount{Cluster: c.cluster, Namespace: ns, Name: name, RoleARN: roleARN,
		Annotations: map[string]string{"eks.amazonaws.com/role-arn": roleARN}, Loc: at}
	l := c.loc(meta)
	sa.RoleARNLoc = &l
	sa.Unknown = unknowns.Fields(map[string]string{"role_arn": sa.RoleARN})
	c.items.ServiceAccounts = append(c.items.ServiceAccounts, sa)
	return nil
}

func (c *config) podIdentity(entry *syntax.Node, addon string) error {
	ns, err := str(entry, "namespace", addon == "")
	if err != nil {
		return err
	}
	sa, err := str(entry, "serviceAccountName", addon == "")
	if err != nil {
		return err
	}
	at := c.loc(entry)
	roleARN, err := str(entry, "roleARN", false)
	if err != nil {
		return err
	}
	if roleARN == "" {
		r, err := c.role(entry, fmt.Sprintf("eksctl-%s-podidentityrole-%s-%s-Role", c.name, ns, sa), podIdentityTrust(at), "permissionPolicyARNs", "permissionPolicy")
		if err != nil {
			return err
		}
		c.items.Roles = append(c.items.Roles, r)
		roleARN = r.ARN
	}
	p := snapshot.PodIdentityAssociation{ARN: c.symbol("eksctl."+c.name+".podidentity."+ns+"."+sa, "created by eksctl"), Cluster: c.cluster,
		AccountID: c.account, Region: c.region, Namespace: ns, ServiceAccount: sa, RoleARN: roleARN, Loc: at}
	p.Unknown = unknowns.Fields(map[string]string{"arn": p.ARN, "cluster": p.Cluster, "role_arn": p.RoleARN})
	c.items.PodIdentityAssociations = append(c.items.PodIdentityAssociations, p)
	return nil
}

// addon reads an add-on: its IRSA role (with attachPolicyARNs, attachPolicy or
// wellKnownPolicies and no serviceAccountRoleARN), and its Pod Identity associations.
func (c *config) addon(entry *syntax.Node, withOIDC bool) error {
	name, err := str(entry, "name", true)
	if err != nil {
		return err
	}
	pias, err := list(entry, "podIdentityAssociations")
	if err != nil {
		return err
	}
	for _, p := range pias {
		if err := c.podIdentity(p, name); err != nil {
			return err
		}
	}
	existing, err := str(entry, "serviceAccountRoleARN", false)
	if err != nil || existing != "" || len(pias) > 0 {
		return err
	}
	if entry.Get("attachPolicyARNs") == nil && entry.Get("attachPolicy") == nil && entry.Get("wellKnownPolicies") == nil {
		return nil
	}
	if !withOIDC {
		return syntax.Errorf(entry, "add-on %s asks for an IAM role, which needs iam.withOIDC: true", name)
	}
	loc := [2]string{}
	if l, ok := addonServiceAccounts[name]; ok {
		loc = l
	}
	r, err := c.role(entry, fmt.Sprintf("eksctl-%s-addon-%s-Role", c.name, name), c.webIdentityTrust(c.loc(entry), loc[0], loc[1]), "attachPolicyARNs", "attachPolicy")
	if err != nil {
		return err
	}
	c.items.Roles = append(c.items.Roles, r)
	return nil
}
