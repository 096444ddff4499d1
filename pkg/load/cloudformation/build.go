package cloudformation

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/load/internal/unknowns"
	"github.com/irsa-audit/irsa-audit/pkg/policydoc"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

func (t *template) loc(n *syntax.Node) snapshot.Location {
	return snapshot.Location{File: t.file, StartLine: n.Line, StartColumn: n.Column, EndLine: n.EndLine}
}

// document renders a policy document property: an object (with intrinsics inside) or a JSON
// string (Fn::Sub or Fn::Join of JSON text). A document using CloudFormation conditions is
// rendered for each combination of them, and the statements of every rendering are kept.
func (t *template) document(v *syntax.Node, kind, id, element string) (*snapshot.Document, error) {
	t.scenario, t.used = map[string]bool{}, nil
	defer func() { t.scenario, t.used = nil, nil }()
	first, err := t.render(v)
	if err != nil || first == nil {
		return first, err
	}
	conds := slices.Compact(slices.Sorted(slices.Values(t.used)))
	if len(conds) > maxConditions {
		conds = conds[:maxConditions]
	}
	doc := first
	for mask := 1; mask < 1<<len(conds); mask++ {
		t.scenario, t.used = map[string]bool{}, nil
		for i, c := range conds {
			t.scenario[c] = mask&(1<<i) == 0
		}
		d, err := t.render(v)
		if err != nil {
			return nil, err
		}
		if d == nil {
			continue
		}
		for _, s := range d.Statements {
			if !slices.ContainsFunc(doc.Statements, func(x snapshot.Statement) bool { return reflect.DeepEqual(x, s) }) {
				doc.Statements = append(doc.Statements, s)
			}
		}
	}
	doc.MarkUnknown()
	t.items.NotJudged = append(t.items.NotJudged, unknowns.InDocument(t.reasonOf, kind, id, element, doc)...)
	return doc, nil
}

func (t *template) render(v *syntax.Node) (*snapshot.Document, error) {
	r, err := t.resolve(v)
	if err != nil || r == nil {
		return nil, err
	}
	origin := snapshot.Location{File: t.file}
	if r.Kind != syntax.String {
		d, err := policydoc.FromNode(r, origin)
		if err != nil {
			return nil, err
		}
		return &d, nil
	}
	text := r.Value
	n, err := syntax.ParseJSON([]byte(text))
	if err != nil {
		return nil, &syntax.Error{Line: r.Line, Column: r.Column, Msg: fmt.Sprintf("policy document string is not JSON: %v", err)}
	}
	// A block scalar (!Sub |) keeps its lines when no substitution added or removed one.
	if lines := strings.Count(strings.TrimRight(text, "\n"), "\n") + 1; r.EndLine-r.Line == lines && r.EndLine > r.Line {
		shift(n, r.Line)
	} else {
		place(n, r)
	}
	d, err := policydoc.FromNode(n, origin)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func shift(n *syntax.Node, by int) {
	n.Line += by
	n.EndLine += by
	for _, it := range n.Items {
		shift(it, by)
	}
	for i := range n.Fields {
		if n.Fields[i].KeyNode != nil {
			shift(n.Fields[i].KeyNode, by)
		}
		shift(n.Fields[i].Value, by)
	}
}

// build turns the resources into snapshot items.
func (t *template) build() error {
	type pending struct {
		roles []string // role names or ARNs
		name  string
		doc   *snapshot.Document
		arn   string
		at    snapshot.Location
		id    string
	}
	var inline, managed []pending
	for _, logical := range t.order {
		res := t.resources[logical]
		typ := res.Get("Type").Value
		p := t.props(logical)
		at := t.loc(res)
		switch typ {
		case "AWS::IAM::Role":
			arn, err := t.arn(logical)
			if err != nil {
				return err
			}
			name, _ := t.physicalName(logical, "RoleName")
			path, err := t.scalar(p, "Path")
			if err != nil {
				return err
			}
			role := snapshot.Role{ARN: arn, Name: name, AccountID: t.account(), Path: cmpOr(path, "/"), Loc: at}
			if v := p.Get("AssumeRolePolicyDocument"); v != nil {
				d, err := t.document(v, "role", arn, "trust policy")
				if err != nil {
					return err
				}
				role.TrustPolicy = d
			}
			if pols := p.Get("Policies"); pols != nil {
				r, err := t.resolveList(pols)
				if err != nil {
					return err
				}
				for i, pn := range r {
					orig := pols
					if pols.Kind == syntax.Array && i < len(pols.Items) {
						orig = pols.Items[i]
					}
					name := t.text(orEmpty(pn.Get("PolicyName")))
					dv := orig.Get("PolicyDocument")
					if dv == nil {
						dv = pn.Get("PolicyDocument")
					}
					if dv == nil {
						return syntax.Errorf(pn, "policy %q of %s has no PolicyDocument", name, logical)
					}
					d, err := t.document(dv, "role", arn, "inline policy "+name)
					if err != nil {
						return err
					}
					if d != nil {
						role.InlinePolicies = append(role.InlinePolicies, snapshot.InlinePolicy{Name: name, Document: *d})
					}
				}
			}
			if mp := p.Get("ManagedPolicyArns"); mp != nil {
				arns, err := t.strings(mp)
				if err != nil {
					return err
				}
				for _, a := range arns {
					role.AttachedPolicies = append(role.AttachedPolicies, snapshot.AttachedPolicy{ARN: a, Name: a[strings.LastIndex(a, "/")+1:]})
				}
			}
			role.PermissionsBoundary, err = t.scalar(p, "PermissionsBoundary")
			if err != nil {
				return err
			}
			role.Unknown = unknowns.Fields(map[string]string{"arn": role.ARN, "name": role.Name, "account_id": role.AccountID})
			t.items.Roles = append(t.items.Roles, role)
		case "AWS::IAM::Policy", "AWS::IAM::RolePolicy", "AWS::IAM::ManagedPolicy":
			nameProp := "PolicyName"
			if typ == "AWS::IAM::ManagedPolicy" {
				nameProp = "ManagedPolicyName"
			}
			name, err := t.scalar(p, nameProp)
			if err != nil {
				return err
			}
			var roles []string
			if typ == "AWS::IAM::RolePolicy" {
				rn, err := t.scalar(p, "RoleName")
				if err != nil {
					return err
				}
				roles = []string{rn}
			} else if rv := p.Get("Roles"); rv != nil {
				if roles, err = t.strings(rv); err != nil {
					return err
				}
			}
			id := t.file + "#" + logical
			kind := "policy"
			var arn string
			if typ == "AWS::IAM::ManagedPolicy" {
				arn, err = t.arn(logical)
				if err != nil {
					return err
				}
				id, kind = arn, "managed_policy"
			}
			dv := p.Get("PolicyDocument")
			if dv == nil {
				return syntax.Errorf(res, "%s %s has no PolicyDocument", typ, logical)
			}
			d, err := t.document(dv, kind, id, "policy")
			if err != nil {
				return err
			}
			if typ == "AWS::IAM::ManagedPolicy" {
				t.items.ManagedPolicies = append(t.items.ManagedPolicies, snapshot.ManagedPolicy{ARN: arn, Name: cmpOr(name, logical), Document: d, Loc: at})
				managed = append(managed, pending{roles: roles, arn: arn})
				continue
			}
			if d != nil {
				inline = append(inline, pending{roles: roles, name: name, doc: d, at: at, id: id})
			}
		case "AWS::IAM::OIDCProvider", "Custom::AWSCDKOpenIdConnectProvider":
			arn, err := t.arn(logical)
			if err != nil {
				return err
			}
			url, err := t.scalar(p, "Url")
			if err != nil {
				return err
			}
			pr := snapshot.OIDCProvider{ARN: arn, AccountID: t.account(), Issuer: iam.NormalizeIssuer(url), Loc: at}
			for _, key := range []string{"ClientIdList", "ClientIDList"} {
				if v := p.Get(key); v != nil {
					if pr.ClientIDs, err = t.strings(v); err != nil {
						return err
					}
				}
			}
			for _, key := range []string{"ThumbprintList", "ThumbprintsList"} {
				if v := p.Get(key); v != nil {
					if pr.Thumbprints, err = t.strings(v); err != nil {
						return err
					}
				}
			}
			pr.Unknown = unknowns.Fields(map[string]string{"arn": pr.ARN, "account_id": pr.AccountID, "issuer": pr.Issuer})
			t.items.OIDCProviders = append(t.items.OIDCProviders, pr)
		case "AWS::EKS::Cluster", "Custom::AWSCDK-EKS-Cluster":
			arn, err := t.arn(logical)
			if err != nil {
				return err
			}
			name, err := t.ref(logical, nil)
			if err != nil {
				return err
			}
			cl := snapshot.Cluster{ID: arn, Name: name, ARN: arn, AccountID: t.account(), Issuer: t.issuer(logical), Loc: at}
			cl.Unknown = unknowns.Fields(map[string]string{"id": cl.ID, "arn": cl.ARN, "name": cl.Name, "account_id": cl.AccountID, "issuer": cl.Issuer})
			t.items.Clusters = append(t.items.Clusters, cl)
		case "AWS::EKS::PodIdentityAssociation":
			get := func(k string) string { s, _ := t.scalar(p, k); return s }
			pia := snapshot.PodIdentityAssociation{ARN: t.symbol(t.stack+"#"+logical+".AssociationArn", "known only when the stack is deployed"),
				Cluster: get("ClusterName"), AccountID: t.account(), Namespace: get("Namespace"), ServiceAccount: get("ServiceAccount"),
				RoleARN: get("RoleArn"), TargetRoleARN: get("TargetRoleArn"), DisableSessionTags: strings.EqualFold(get("DisableSessionTags"), "true"), Loc: at}
			for _, c := range t.items.Clusters {
				if c.Name == pia.Cluster {
					pia.Cluster = c.ID
				}
			}
			pia.Unknown = unknowns.Fields(map[string]string{"arn": pia.ARN, "cluster": pia.Cluster, "namespace": pia.Namespace, "service_account": pia.ServiceAccount, "role_arn": pia.RoleARN})
			t.items.PodIdentityAssociations = append(t.items.PodIdentityAssociations, pia)
		case "Custom::AWSCDK-EKS-KubernetesResource":
			if err := t.kubernetesManifest(p); err != nil {
				return err
			}
		}
	}
	find := func(ref string) int {
		for i, r := range t.items.Roles {
			if r.Name == ref || r.ARN == ref {
				return i
			}
		}
		return -1
	}
	for _, pol := range inline {
		attached := false
		for _, rn := range pol.roles {
			if i := find(rn); i >= 0 {
				t.items.Roles[i].InlinePolicies = append(t.items.Roles[i].InlinePolicies, snapshot.InlinePolicy{Name: pol.name, Document: *pol.doc})
				attached = true
			}
		}
		if !attached {
			t.items.Policies = append(t.items.Policies, snapshot.PolicyFile{ID: pol.id, Document: *pol.doc, Loc: pol.at})
		}
	}
	for _, mp := range managed {
		for _, rn := range mp.roles {
			if i := find(rn); i >= 0 {
				t.items.Roles[i].AttachedPolicies = append(t.items.Roles[i].AttachedPolicies, snapshot.AttachedPolicy{ARN: mp.arn, Name: mp.arn[strings.LastIndex(mp.arn, "/")+1:]})
			}
		}
	}
	return nil
}

// kubernetesManifest reads the ServiceAccounts of a CDK KubernetesResource (its Manifest is
// JSON text of a list of objects).
func (t *template) kubernetesManifest(p *syntax.Node) error {
	mv := p.Get("Manifest")
	if mv == nil {
		return nil
	}
	r, err := t.resolve(mv)
	if err != nil || r == nil || r.Kind != syntax.String {
		return err
	}
	n, err := syntax.ParseJSON([]byte(r.Value))
	if err != nil {
		return &syntax.Error{Line: mv.Line, Column: mv.Column, Msg: fmt.Sprintf("Manifest is not JSON: %v", err)}
	}
	place(n, mv)
	objs := []*syntax.Node{n}
	if n.Kind == syntax.Array {
		objs = n.Items
	}
	for _, o := range objs {
		if o.Get("kind") == nil || o.Get("kind").Value != "ServiceAccount" {
			continue
		}
		meta := o.Get("metadata")
		sa := snapshot.ServiceAccount{Name: t.text(orEmpty(meta.Get("name"))), Namespace: cmpOr(t.text(orEmpty(meta.Get("namespace"))), "default"), Loc: t.loc(mv)}
		if ann := meta.Get("annotations"); ann != nil && ann.Kind == syntax.Object {
			sa.Annotations = map[string]string{}
			for _, f := range ann.Fields {
				sa.Annotations[f.Key] = f.Value.Value
			}
			sa.RoleARN = sa.Annotations["eks.amazonaws.com/role-arn"]
			if sa.RoleARN != "" {
				l := t.loc(mv)
				sa.RoleARNLoc = &l
			}
		}
		sa.Unknown = unknowns.Fields(map[string]string{"namespace": sa.Namespace, "name": sa.Name, "role_arn": sa.RoleARN})
		t.items.ServiceAccounts = append(t.items.ServiceAccounts, sa)
	}
	return nil
}

func orEmpty(n *syntax.Node) *syntax.Node {
	if n == nil {
		return &syntax.Node{Kind: syntax.String}
	}
	return n
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// resolveList resolves a property that must be a list.
func (t *template) resolveList(n *syntax.Node) ([]*syntax.Node, error) {
	r, err := t.resolve(n)
	if err != nil || r == nil {
		return nil, err
	}
	if r.Tag == bothTag {
		return r.Items, nil
	}
	if r.Kind != syntax.Array {
		return nil, syntax.Errorf(n, "want a list, not %s", r.Kind)
	}
	return r.Items, nil
}

// strings resolves a list of strings (a single string is a list of one).
func (t *template) strings(n *syntax.Node) ([]string, error) {
	r, err := t.resolve(n)
	if err != nil || r == nil {
		return nil, err
	}
	items := []*syntax.Node{r}
	if r.Kind == syntax.Array {
		items = r.Items
	}
	var out []string
	for _, it := range items {
		if it.Kind == syntax.Object || it.Kind == syntax.Array {
			return nil, syntax.Errorf(it, "want a string, not %s", it.Kind)
		}
		out = append(out, it.Value)
	}
	return out, nil
}
