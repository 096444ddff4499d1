package terraform

import (
	"cmp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/load/internal/unknowns"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// resourceObject is the value of one resource instance: its configuration, and the attributes
// the provider computes that the model knows (ARNs built the way AWS builds them, with symbols
// for what only apply knows). Other attributes become symbols where referenced (bind).
func (in *instance) resourceObject(r *resource, ri resInst) cty.Value {
	var m map[string]cty.Value
	if r.mode == "data" && r.typ == "aws_iam_policy_document" {
		m = map[string]cty.Value{}
	} else {
		m = in.bodyObject(r.body, ri.scope)
	}
	ev := in.ev
	sym := func(attr, reason string) cty.Value { return cty.StringVal(ev.symbol(ri.addr+"."+attr, reason)) }
	known := func(name string) (string, bool) {
		v, ok := m[name]
		if !ok {
			return "", false
		}
		v, _ = v.UnmarkDeep()
		if !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
			return "", false
		}
		return v.AsString(), true
	}
	nameOr := func(attr string) string {
		if s, ok := known(attr); ok {
			return s
		}
		return ev.symbol(ri.addr+"."+attr, reasonAfterApply)
	}
	arnPrefix := "arn:" + ev.partition + ":iam::" + ev.account + ":"
	switch r.mode + "." + r.typ {
	case "data.aws_iam_policy_document":
		doc := in.policyDocument(r, ri)
		text := renderJSON(doc)
		ev.docs = append(ev.docs, &docValue{json: text, doc: doc})
		v := cty.StringVal(text).Mark(docMark{id: len(ev.docs) - 1})
		m["json"], m["minified_json"], m["id"] = v, v, cty.StringVal(ri.addr)
	case "resource.aws_iam_role":
		p := cmp.Or(first(known("path")), "/")
		name := nameOr("name")
		m["name"], m["id"], m["path"] = cty.StringVal(name), cty.StringVal(name), cty.StringVal(p)
		m["arn"] = cty.StringVal(arnPrefix + "role" + p + name)
		m["unique_id"] = sym("unique_id", reasonAfterApply)
	case "resource.aws_iam_policy":
		p := cmp.Or(first(known("path")), "/")
		name := nameOr("name")
		arn := arnPrefix + "policy" + p + name
		m["name"], m["path"], m["arn"], m["id"] = cty.StringVal(name), cty.StringVal(p), cty.StringVal(arn), cty.StringVal(arn)
		m["policy_id"] = sym("policy_id", reasonAfterApply)
	case "resource.aws_iam_openid_connect_provider":
		url := nameOr("url")
		arn := arnPrefix + "oidc-provider/" + iam.NormalizeIssuer(url)
		m["arn"], m["id"] = cty.StringVal(arn), cty.StringVal(arn)
	case "data.aws_iam_openid_connect_provider":
		if arn, ok := known("arn"); ok {
			m["url"] = cty.StringVal("https://" + arnResource(arn, "oidc-provider/"))
		} else if url, ok := known("url"); ok {
			m["arn"] = cty.StringVal(arnPrefix + "oidc-provider/" + iam.NormalizeIssuer(url))
		}
	case "resource.aws_eks_cluster", "data.aws_eks_cluster":
		name := nameOr("name")
		region := ev.region
		issuer := "https://" + ev.symbol(ri.addr+".oidc_issuer", reasonAfterApply)
		if r.mode == "data" {
			issuer = "https://" + ev.symbol(ri.addr+".oidc_issuer", reasonDataSource)
		}
		m["name"], m["id"] = cty.StringVal(name), cty.StringVal(name)
		m["arn"] = cty.StringVal("arn:" + ev.partition + ":eks:" + region + ":" + ev.account + ":cluster/" + name)
		m["identity"] = cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"oidc": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"issuer": cty.StringVal(issuer)})}),
		})})
	case "data.aws_caller_identity":
		m["account_id"], m["id"] = cty.StringVal(ev.account), cty.StringVal(ev.account)
	case "data.aws_partition":
		m["partition"], m["id"] = cty.StringVal(ev.partition), cty.StringVal(ev.partition)
		m["dns_suffix"] = cty.StringVal("amazonaws.com")
		if ev.partition == "aws-cn" {
			m["dns_suffix"] = cty.StringVal("amazonaws.com.cn")
		}
	case "data.aws_region":
		region := ev.region
		if s, ok := known("name"); ok {
			region = s
		}
		m["name"], m["region"], m["id"] = cty.StringVal(region), cty.StringVal(region), cty.StringVal(region)
	case "data.aws_iam_role":
		name := nameOr("name")
		m["arn"] = cty.StringVal(arnPrefix + "role/" + name)
		m["assume_role_policy"] = sym("assume_role_policy", reasonDataSource)
	case "data.aws_iam_policy":
		if arn, ok := known("arn"); ok {
			m["name"] = cty.StringVal(arn[strings.LastIndex(arn, "/")+1:])
		} else if name, ok := known("name"); ok {
			m["arn"] = cty.StringVal(arnPrefix + "policy/" + name)
		}
		m["policy"] = sym("policy", reasonDataSource)
	}
	return cty.ObjectVal(m)
}

func first(s string, _ bool) string { return s }

func arnResource(arn, prefix string) string {
	if i := strings.Index(arn, ":"+prefix); i >= 0 {
		return arn[i+1+len(prefix):]
	}
	return arn
}

// collected is what the root module defines, before roles are linked to their policies.
type collected struct {
	roles        []snapshot.Role
	roleAddrs    []string
	policies     []snapshot.ManagedPolicy
	standalone   []snapshot.PolicyFile
	providers    []snapshot.OIDCProvider
	clusters     []snapshot.Cluster
	sas          []snapshot.ServiceAccount
	pias         []snapshot.PodIdentityAssociation
	rolePolicies []rolePolicy
	attachments  []attachment
}

type rolePolicy struct {
	role    string
	name    string
	doc     snapshot.Document
	addr    string
	at      snapshot.Location
	unnamed bool
}

type attachment struct {
	role string
	arn  string
}

// collect builds the snapshot items of every module instance.
func (ev *evaluator) collect() *collected {
	c := &collected{}
	for i := 0; i < len(ev.instances); i++ { // instances grow while resources are evaluated
		in := ev.instances[i]
		for _, r := range in.mod.resources {
			if r.mode != "resource" {
				continue
			}
			switch r.typ {
			case "aws_iam_role", "aws_iam_policy", "aws_iam_role_policy", "aws_iam_role_policy_attachment",
				"aws_iam_policy_attachment", "aws_iam_openid_connect_provider", "aws_eks_cluster",
				"kubernetes_service_account", "kubernetes_service_account_v1", "aws_eks_pod_identity_association":
			default:
				continue
			}
			in.resource(r)
			for _, ri := range in.insts[r.key] {
				in.collectResource(c, r, ri)
			}
		}
	}
	return c
}

func (in *instance) collectResource(c *collected, r *resource, ri resInst) {
	ev := in.ev
	at := loc(in.rng(blockRange(r.block)))
	get := func(name string) cty.Value {
		if !ri.obj.Type().IsObjectType() || !ri.obj.Type().HasAttribute(name) {
			return cty.NullVal(cty.DynamicPseudoType)
		}
		v, _ := ri.obj.GetAttr(name).UnmarkDeep()
		return v
	}
	str := func(name string) string {
		v := get(name)
		if !v.IsKnown() {
			return ev.symbol(ri.addr+"."+name, reasonUnknown)
		}
		if v.IsNull() || v.Type() != cty.String {
			return ""
		}
		return v.AsString()
	}
	strs := func(name string) []string {
		v := get(name)
		if v.IsNull() {
			return nil
		}
		if a := attr(r.body, name); a != nil {
			return in.asStrings(v, a.Expr)
		}
		return nil
	}
	doc := func(kind, id, element, name string, sc *scope) (snapshot.Document, bool) {
		a := attr(r.body, name)
		if a == nil {
			return snapshot.Document{}, false
		}
		res := in.document(a.Expr, sc)
		if res.doc == nil {
			if len(res.unknown) > 0 {
				in.notJudged(kind, id, element, a.Expr.Range(), res.unknown, res.reason)
			}
			return snapshot.Document{}, false
		}
		in.reportUnknowns(kind, id, element, res.doc)
		return *res.doc, true
	}
	switch r.typ {
	case "aws_iam_role":
		role := snapshot.Role{ARN: str("arn"), Name: str("name"), AccountID: ev.account, Path: str("path"), PermissionsBoundary: str("permissions_boundary"), Loc: at}
		if d, ok := doc("role", role.ARN, "trust policy", "assume_role_policy", ri.scope); ok {
			role.TrustPolicy = &d
		}
		for _, b := range in.blocks(r.body, "inline_policy", ri.scope) {
			if b.unknown != "" {
				in.notJudged("role", role.ARN, "inline policy", b.rng, nil, b.unknown)
				continue
			}
			name := ""
			if a := attr(b.body, "name"); a != nil {
				name = in.str(a.Expr, b.scope)
			}
			if a := attr(b.body, "policy"); a != nil {
				res := in.document(a.Expr, b.scope)
				switch {
				case res.doc != nil:
					in.reportUnknowns("role", role.ARN, "inline policy "+name, res.doc)
					role.InlinePolicies = append(role.InlinePolicies, snapshot.InlinePolicy{Name: name, Document: *res.doc})
				case len(res.unknown) > 0:
					in.notJudged("role", role.ARN, "inline policy "+name, a.Expr.Range(), res.unknown, res.reason)
				}
			}
		}
		for _, arn := range strs("managed_policy_arns") {
			role.AttachedPolicies = append(role.AttachedPolicies, snapshot.AttachedPolicy{ARN: arn, Name: arn[strings.LastIndex(arn, "/")+1:]})
		}
		if tags := get("tags"); tags.IsKnown() && !tags.IsNull() && (tags.Type().IsMapType() || tags.Type().IsObjectType()) {
			role.Tags = map[string]string{}
			for it := tags.ElementIterator(); it.Next(); {
				k, v := it.Element()
				if v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
					role.Tags[k.AsString()] = v.AsString()
				}
			}
		}
		role.Unknown = unknowns.Fields(map[string]string{"arn": role.ARN, "name": role.Name, "account_id": role.AccountID})
		c.roles = append(c.roles, role)
		c.roleAddrs = append(c.roleAddrs, ri.addr)
	case "aws_iam_policy":
		p := snapshot.ManagedPolicy{ARN: str("arn"), Name: str("name"), Loc: at}
		if d, ok := doc("managed_policy", p.ARN, "policy", "policy", ri.scope); ok {
			p.Document = &d
		}
		c.policies = append(c.policies, p)
	case "aws_iam_role_policy":
		if d, ok := doc("policy", ri.addr, "policy", "policy", ri.scope); ok {
			name := str("name")
			c.rolePolicies = append(c.rolePolicies, rolePolicy{role: str("role"), name: name, doc: d, addr: ri.addr, at: at, unnamed: name == ""})
		}
	case "aws_iam_role_policy_attachment":
		c.attachments = append(c.attachments, attachment{role: str("role"), arn: str("policy_arn")})
	case "aws_iam_policy_attachment":
		for _, role := range strs("roles") {
			c.attachments = append(c.attachments, attachment{role: role, arn: str("policy_arn")})
		}
	case "aws_iam_openid_connect_provider":
		p := snapshot.OIDCProvider{ARN: str("arn"), AccountID: ev.account, Issuer: iam.NormalizeIssuer(str("url")),
			ClientIDs: strs("client_id_list"), Thumbprints: strs("thumbprint_list"), Loc: at}
		p.Unknown = unknowns.Fields(map[string]string{"arn": p.ARN, "account_id": p.AccountID, "issuer": p.Issuer})
		c.providers = append(c.providers, p)
	case "aws_eks_cluster":
		issuer := get("identity").Index(cty.NumberIntVal(0)).GetAttr("oidc").Index(cty.NumberIntVal(0)).GetAttr("issuer").AsString()
		cl := snapshot.Cluster{ID: str("arn"), Name: str("name"), ARN: str("arn"), AccountID: ev.account, Issuer: iam.NormalizeIssuer(issuer), Loc: at}
		if !snapshot.HasSymbol(ev.region) {
			cl.Region = ev.region
		}
		cl.Unknown = unknowns.Fields(map[string]string{"id": cl.ID, "name": cl.Name, "arn": cl.ARN, "account_id": cl.AccountID, "issuer": cl.Issuer})
		c.clusters = append(c.clusters, cl)
	case "kubernetes_service_account", "kubernetes_service_account_v1":
		in.collectServiceAccount(c, r, ri, at)
	case "aws_eks_pod_identity_association":
		p := snapshot.PodIdentityAssociation{
			ARN: str("association_arn"), ID: str("association_id"), Cluster: str("cluster_name"), AccountID: ev.account,
			Namespace: str("namespace"), ServiceAccount: str("service_account"), RoleARN: str("role_arn"),
			TargetRoleARN: str("target_role_arn"), Loc: at,
		}
		if v := get("disable_session_tags"); v.IsKnown() && !v.IsNull() && v.Type() == cty.Bool {
			p.DisableSessionTags = v.True()
		}
		if !snapshot.HasSymbol(ev.region) {
			p.Region = ev.region
		}
		for _, cl := range c.clusters {
			if cl.Name == p.Cluster {
				p.Cluster = cl.ID
			}
		}
		p.Unknown = unknowns.Fields(map[string]string{"arn": p.ARN, "cluster": p.Cluster, "namespace": p.Namespace, "service_account": p.ServiceAccount, "role_arn": p.RoleARN})
		c.pias = append(c.pias, p)
	}
}

func (in *instance) collectServiceAccount(c *collected, r *resource, ri resInst, at snapshot.Location) {
	metas := in.blocks(r.body, "metadata", ri.scope)
	if len(metas) != 1 || metas[0].unknown != "" {
		in.errorAt(r.block.DefRange, "%s needs exactly one metadata block", r.typ)
		return
	}
	mb := metas[0]
	sa := snapshot.ServiceAccount{Namespace: "default", Loc: at}
	if a := attr(mb.body, "name"); a != nil {
		sa.Name = in.str(a.Expr, mb.scope)
	} else if a := attr(mb.body, "generate_name"); a != nil {
		sa.Name = in.str(a.Expr, mb.scope)
	}
	if a := attr(mb.body, "namespace"); a != nil {
		sa.Namespace = in.str(a.Expr, mb.scope)
	}
	if a := attr(mb.body, "annotations"); a != nil {
		v, diags := in.eval(a.Expr, mb.scope)
		if diags.HasErrors() {
			in.diagnostics(diags)
		} else if v, _ = v.UnmarkDeep(); v.IsKnown() && !v.IsNull() && v.CanIterateElements() {
			sa.Annotations = map[string]string{}
			for it := v.ElementIterator(); it.Next(); {
				k, e := it.Element()
				if k.Type() != cty.String || !k.IsKnown() {
					continue
				}
				sa.Annotations[k.AsString()] = in.asString(e, a.Expr)
			}
			if arn, ok := sa.Annotations["eks.amazonaws.com/role-arn"]; ok {
				sa.RoleARN = arn
				l := loc(in.rng(a.Expr.Range()))
				sa.RoleARNLoc = &l
			}
		}
	}
	sa.Unknown = unknowns.Fields(map[string]string{"namespace": sa.Namespace, "name": sa.Name, "role_arn": sa.RoleARN})
	if sa.RoleARN != "" && snapshot.HasSymbol(sa.RoleARN) && !strings.HasPrefix(sa.RoleARN, "arn:") {
		in.notJudged("service_account", sa.Namespace+"/"+sa.Name, "annotation eks.amazonaws.com/role-arn", hcl.Range{Filename: sa.RoleARNLoc.File, Start: hcl.Pos{Line: sa.RoleARNLoc.StartLine, Column: sa.RoleARNLoc.StartColumn}, End: hcl.Pos{Line: sa.RoleARNLoc.EndLine}}, snapshot.Symbols(sa.RoleARN), in.ev.reasonOf(snapshot.Symbols(sa.RoleARN)))
	}
	c.sas = append(c.sas, sa)
}

// reportUnknowns lists in not_judged the parts of a document the rules cannot judge.
func (in *instance) reportUnknowns(kind, id, element string, d *snapshot.Document) {
	in.ev.notJudged = append(in.ev.notJudged, unknowns.InDocument(in.ev.reasonOf, kind, id, element, d)...)
}

// link attaches inline policies and policy attachments to the roles they name (by name, or by
// ARN), and returns the items.
func (c *collected) link() {
	find := func(ref string) int {
		for i, r := range c.roles {
			if r.Name == ref || r.ARN == ref {
				return i
			}
		}
		return -1
	}
	for _, rp := range c.rolePolicies {
		if i := find(rp.role); i >= 0 {
			c.roles[i].InlinePolicies = append(c.roles[i].InlinePolicies, snapshot.InlinePolicy{Name: rp.name, Document: rp.doc})
			continue
		}
		// The role is defined elsewhere: the policy is judged on its own.
		c.standalone = append(c.standalone, snapshot.PolicyFile{ID: rp.addr, Document: rp.doc, Loc: rp.at})
	}
	for _, a := range c.attachments {
		if i := find(a.role); i >= 0 && a.arn != "" {
			r := &c.roles[i]
			if !slices.ContainsFunc(r.AttachedPolicies, func(p snapshot.AttachedPolicy) bool { return p.ARN == a.arn }) {
				r.AttachedPolicies = append(r.AttachedPolicies, snapshot.AttachedPolicy{ARN: a.arn, Name: a.arn[strings.LastIndex(a.arn, "/")+1:]})
			}
		}
	}
}
