package terraform

import (
	"fmt"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/load/internal/unknowns"
	"github.com/irsa-audit/irsa-audit/pkg/policydoc"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// IsPlan reports whether a JSON document is the output of `terraform show -json` for a plan.
func IsPlan(n *syntax.Node) bool {
	return n != nil && n.Kind == syntax.Object && n.Field("format_version") != nil &&
		n.Field("terraform_version") != nil && (n.Field("resource_changes") != nil || n.Field("planned_values") != nil)
}

// plan reads a plan: the resources it will have after apply (resource_changes[].change.after,
// with after_unknown honoured), located at their resource_changes entry.
type plan struct {
	file      string
	res       *Result
	account   string
	partition string
	// config indexes configuration.root_module's resources (and module calls') by address
	// without instance keys.
	config map[string]*syntax.Node
	// changes indexes resource_changes by address.
	changes  map[string]*syntax.Node
	reasons  map[string]string
	policies map[string]snapshot.Document // rendered aws_iam_policy_document data sources
}

// LoadPlan reads a plan JSON document of file.
func LoadPlan(n *syntax.Node, file string) (*Result, error) {
	p := &plan{file: file, res: &Result{}, config: map[string]*syntax.Node{}, changes: map[string]*syntax.Node{},
		reasons: map[string]string{}, policies: map[string]snapshot.Document{}, partition: "aws"}
	rc := n.Get("resource_changes")
	if rc != nil && rc.Kind != syntax.Array && rc.Kind != syntax.Null {
		return nil, syntax.Errorf(rc, "resource_changes must be a list, not %s", rc.Kind)
	}
	if cfg := n.Get("configuration"); cfg != nil {
		p.indexConfig(cfg.Get("root_module"), "", 0)
	}
	var changes []*syntax.Node
	if rc != nil {
		changes = rc.Items
	}
	for _, c := range changes {
		if c.Kind != syntax.Object {
			return nil, syntax.Errorf(c, "resource change must be an object, not %s", c.Kind)
		}
		addr := c.Get("address")
		if addr == nil || addr.Kind != syntax.String {
			return nil, syntax.Errorf(c, "resource change has no address")
		}
		p.changes[addr.Value] = c
		p.learnAccount(c.Get("change"))
	}
	if p.account == "" {
		p.account = p.symbol("account of "+strings.NewReplacer("/", ".", ":", ".").Replace(file), "the AWS account Terraform runs with")
	}
	// Data sources first: policy documents that are read during apply are rendered from their
	// planned blocks.
	for _, c := range changes {
		if str(c.Get("mode")) == "data" && str(c.Get("type")) == "aws_iam_policy_document" {
			if doc, ok := p.policyDocument(c); ok {
				p.policies[str(c.Get("address"))] = doc
			}
		}
	}
	c := &collected{}
	for _, ch := range changes {
		if str(ch.Get("mode")) != "managed" {
			continue
		}
		change := ch.Get("change")
		if change == nil || change.Kind != syntax.Object {
			continue
		}
		if actions := strList(change.Get("actions")); len(actions) == 1 && actions[0] == "delete" {
			continue
		}
		if err := p.resource(c, ch, change); err != nil {
			return nil, err
		}
	}
	c.link()
	p.res.Items.Roles, p.res.RoleAddresses = c.roles, c.roleAddrs
	p.res.Items.ManagedPolicies = c.policies
	p.res.Items.Policies = c.standalone
	p.res.Items.OIDCProviders = c.providers
	p.res.Items.Clusters = c.clusters
	p.res.Items.ServiceAccounts = c.sas
	p.res.Items.PodIdentityAssociations = c.pias
	return p.res, nil
}

func (p *plan) symbol(name, reason string) string {
	s := snapshot.SymbolOpen + name + snapshot.SymbolClose
	if _, ok := p.reasons[s]; !ok {
		p.reasons[s] = reason
	}
	return s
}

func (p *plan) reasonOf(syms []string) string {
	var rs []string
	for _, s := range syms {
		r := cmpOr(p.reasons[s], reasonAfterApply)
		if !slices.Contains(rs, r) {
			rs = append(rs, r)
		}
	}
	return strings.Join(rs, "; ")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func str(n *syntax.Node) string {
	if n == nil || n.Kind != syntax.String {
		return ""
	}
	return n.Value
}

func strList(n *syntax.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == syntax.String {
		return []string{n.Value}
	}
	var out []string
	if n.Kind == syntax.Array {
		for _, it := range n.Items {
			if it.Kind == syntax.String {
				out = append(out, it.Value)
			}
		}
	}
	return out
}

func (p *plan) indexConfig(m *syntax.Node, prefix string, depth int) {
	if m == nil || m.Kind != syntax.Object || depth > maxModuleDepth {
		return
	}
	if rs := m.Get("resources"); rs != nil && rs.Kind == syntax.Array {
		for _, r := range rs.Items {
			if a := str(r.Get("address")); a != "" {
				p.config[prefix+a] = r
			}
		}
	}
	if calls := m.Get("module_calls"); calls != nil && calls.Kind == syntax.Object {
		for _, f := range calls.Fields {
			p.indexConfig(f.Value.Get("module"), prefix+"module."+f.Key+".", depth+1)
		}
	}
}

// configAddress drops instance keys: module.a["x"].aws_iam_role.b[0] -> module.a.aws_iam_role.b
func configAddress(addr string) string {
	var b strings.Builder
	depth := 0
	inQuote := false
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
			continue
		case c == '"' && depth > 0:
			inQuote = true
			continue
		case c == '[':
			depth++
			continue
		case c == ']':
			depth--
			continue
		}
		if depth == 0 {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// references returns the configuration's references for an attribute of a resource.
func (p *plan) references(addr, attr string) []string {
	cfg := p.config[configAddress(addr)]
	if cfg == nil {
		return nil
	}
	e := cfg.Get("expressions")
	if e == nil {
		return nil
	}
	return strList(e.Get(attr).Get("references"))
}

// nestedRefs returns the configuration's references of an attribute inside nested blocks,
// e.g. statement[0].principals[0].identifiers.
func (p *plan) nestedRefs(addr string, path ...any) []string {
	cfg := p.config[configAddress(addr)]
	if cfg == nil {
		return nil
	}
	n := cfg.Get("expressions")
	for _, k := range path {
		if n == nil {
			return nil
		}
		switch k := k.(type) {
		case int:
			if n.Kind != syntax.Array || k >= len(n.Items) {
				return nil
			}
			n = n.Items[k]
		case string:
			n = n.Get(k)
		}
	}
	return strList(n.Get("references"))
}

func (p *plan) learnAccount(change *syntax.Node) {
	if p.account != "" || change == nil {
		return
	}
	after := change.Get("after")
	if after == nil || after.Kind != syntax.Object {
		return
	}
	if arn := str(after.Get("arn")); strings.HasPrefix(arn, "arn:") {
		parts := strings.SplitN(arn, ":", 6)
		if len(parts) == 6 && len(parts[4]) == 12 {
			p.account, p.partition = parts[4], parts[1]
		}
	}
}

// attr is one attribute of a planned resource: its value node, and whether it is unknown.
func attrOf(change *syntax.Node, name string) (*syntax.Node, bool) {
	unknown := false
	if u := change.Get("after_unknown"); u != nil {
		if v := u.Get(name); v != nil && v.Kind == syntax.Bool && v.Value == "true" {
			unknown = true
		}
	}
	after := change.Get("after")
	if after == nil {
		return nil, unknown
	}
	return after.Get(name), unknown
}

// value returns a string attribute, or a symbol when it is unknown: named after the one thing
// the configuration says it refers to, else after the attribute.
func (p *plan) value(addr string, change *syntax.Node, name string) string {
	v, unknown := attrOf(change, name)
	if !unknown {
		return str(v)
	}
	return p.unknownRef(addr, name)
}

func (p *plan) unknownRef(addr, name string) string {
	refs := p.references(addr, name)
	if len(refs) > 0 {
		ref := refs[0]
		// The issuer of a cluster: the same symbol the configuration reader gives it.
		if i := strings.Index(ref, ".identity[0].oidc[0].issuer"); i > 0 && strings.Contains(ref[:i], "aws_eks_cluster.") {
			return "https://" + p.symbol(ref[:i]+".oidc_issuer", reasonAfterApply)
		}
		if c := p.changes[strings.TrimSuffix(ref, ".arn")]; c != nil && strings.HasSuffix(ref, ".arn") {
			if arn := p.arnOf(ref[:len(ref)-len(".arn")], c); arn != "" {
				return arn
			}
		}
		return p.symbol(ref, reasonAfterApply)
	}
	return p.symbol(addr+"."+name, reasonAfterApply)
}

// arnOf builds the ARN of a planned IAM resource the way AWS will.
func (p *plan) arnOf(addr string, c *syntax.Node) string {
	change := c.Get("change")
	if change == nil {
		return ""
	}
	if v, unknown := attrOf(change, "arn"); !unknown && str(v) != "" {
		return str(v)
	}
	arnPrefix := "arn:" + p.partition + ":iam::" + p.account + ":"
	path := cmpOr(p.value(addr, change, "path"), "/")
	switch str(c.Get("type")) {
	case "aws_iam_role":
		return arnPrefix + "role" + path + p.value(addr, change, "name")
	case "aws_iam_policy":
		return arnPrefix + "policy" + path + p.value(addr, change, "name")
	case "aws_iam_openid_connect_provider":
		return arnPrefix + "oidc-provider/" + iam.NormalizeIssuer(p.value(addr, change, "url"))
	}
	return ""
}

func (p *plan) loc(n *syntax.Node) snapshot.Location {
	return snapshot.Location{File: p.file, StartLine: n.Line, StartColumn: n.Column, EndLine: n.EndLine}
}

// document reads a policy attribute: the JSON text of after, or, when it is unknown, the
// rendered aws_iam_policy_document it refers to; else it is not judged.
func (p *plan) document(addr string, change *syntax.Node, name, kind, id, element string) (*snapshot.Document, error) {
	v, unknown := attrOf(change, name)
	at := p.loc(change)
	if unknown {
		for _, ref := range p.references(addr, name) {
			if doc, ok := p.policies[strings.TrimSuffix(strings.TrimSuffix(ref, ".json"), ".minified_json")]; ok {
				d := cloneDoc(doc)
				p.res.Items.NotJudged = append(p.res.Items.NotJudged, unknowns.InDocument(p.reasonOf, kind, id, element, &d)...)
				return &d, nil
			}
		}
		refs := p.references(addr, name)
		sym := p.symbol(addr+"."+name, reasonAfterApply)
		reason := reasonAfterApply
		if len(refs) > 0 {
			reason += " (it refers to " + strings.Join(refs, ", ") + ")"
		}
		p.res.Items.NotJudged = append(p.res.Items.NotJudged, snapshot.NotJudged{Kind: kind, ID: id, Element: element, Symbols: []string{sym}, Reason: reason, Loc: at})
		return nil, nil
	}
	if v == nil || v.Kind == syntax.Null || v.Kind == syntax.String && strings.TrimSpace(v.Value) == "" {
		return nil, nil
	}
	if v.Kind != syntax.String {
		return nil, syntax.Errorf(v, "%s must be a JSON string, not %s", name, v.Kind)
	}
	n, err := syntax.ParseJSON([]byte(v.Value))
	var doc snapshot.Document
	if err == nil {
		doc, err = policydoc.FromNode(n, snapshot.Location{File: p.file})
	}
	if err != nil {
		return nil, &syntax.Error{Line: v.Line, Column: v.Column, Msg: fmt.Sprintf("in %s of %s: %v", name, addr, err)}
	}
	l := p.loc(v)
	doc.Loc = l
	for i := range doc.Statements {
		doc.Statements[i].Loc = l
		for j := range doc.Statements[i].Conditions {
			doc.Statements[i].Conditions[j].Loc = l
		}
	}
	doc.MarkUnknown()
	p.res.Items.NotJudged = append(p.res.Items.NotJudged, unknowns.InDocument(p.reasonOf, kind, id, element, &doc)...)
	return &doc, nil
}

func (p *plan) resource(c *collected, ch, change *syntax.Node) error {
	addr := str(ch.Get("address"))
	at := p.loc(ch)
	val := func(name string) string { return p.value(addr, change, name) }
	switch str(ch.Get("type")) {
	case "aws_iam_role":
		role := snapshot.Role{ARN: p.arnOf(addr, ch), Name: val("name"), AccountID: p.account, Path: cmpOr(val("path"), "/"),
			PermissionsBoundary: val("permissions_boundary"), Loc: at}
		doc, err := p.document(addr, change, "assume_role_policy", "role", role.ARN, "trust policy")
		if err != nil {
			return err
		}
		role.TrustPolicy = doc
		if after := change.Get("after"); after != nil {
			if ip := after.Get("inline_policy"); ip != nil && ip.Kind == syntax.Array {
				for _, b := range ip.Items {
					pol := b.Get("policy")
					if pol == nil || pol.Kind != syntax.String || pol.Value == "" {
						continue
					}
					d, err := p.document(addr, syntaxObject("after", b), "policy", "role", role.ARN, "inline policy "+str(b.Get("name")))
					if err != nil {
						return err
					}
					if d != nil {
						role.InlinePolicies = append(role.InlinePolicies, snapshot.InlinePolicy{Name: str(b.Get("name")), Document: *d})
					}
				}
			}
			for _, arn := range strList(after.Get("managed_policy_arns")) {
				role.AttachedPolicies = append(role.AttachedPolicies, snapshot.AttachedPolicy{ARN: arn, Name: arn[strings.LastIndex(arn, "/")+1:]})
			}
		}
		role.Unknown = unknowns.Fields(map[string]string{"arn": role.ARN, "name": role.Name, "account_id": role.AccountID})
		c.roles = append(c.roles, role)
		c.roleAddrs = append(c.roleAddrs, addr)
	case "aws_iam_policy":
		mp := snapshot.ManagedPolicy{ARN: p.arnOf(addr, ch), Name: val("name"), Loc: at}
		doc, err := p.document(addr, change, "policy", "managed_policy", mp.ARN, "policy")
		if err != nil {
			return err
		}
		mp.Document = doc
		c.policies = append(c.policies, mp)
	case "aws_iam_role_policy":
		doc, err := p.document(addr, change, "policy", "policy", addr, "policy")
		if err != nil {
			return err
		}
		if doc != nil {
			c.rolePolicies = append(c.rolePolicies, rolePolicy{role: p.roleRef(addr, change, "role"), name: val("name"), doc: *doc, addr: addr, at: at})
		}
	case "aws_iam_role_policy_attachment":
		c.attachments = append(c.attachments, attachment{role: p.roleRef(addr, change, "role"), arn: val("policy_arn")})
	case "aws_iam_openid_connect_provider":
		after := change.Get("after")
		pr := snapshot.OIDCProvider{ARN: p.arnOf(addr, ch), AccountID: p.account, Issuer: iam.NormalizeIssuer(val("url")), Loc: at}
		if after != nil {
			pr.ClientIDs, pr.Thumbprints = strList(after.Get("client_id_list")), strList(after.Get("thumbprint_list"))
		}
		pr.Unknown = unknowns.Fields(map[string]string{"arn": pr.ARN, "account_id": pr.AccountID, "issuer": pr.Issuer})
		c.providers = append(c.providers, pr)
	case "aws_eks_cluster":
		name := val("name")
		cl := snapshot.Cluster{Name: name, AccountID: p.account, Loc: at}
		cl.ARN = val("arn")
		if _, unknown := attrOf(change, "arn"); unknown {
			cl.ARN = "arn:" + p.partition + ":eks:" + p.symbol("region of "+strings.NewReplacer("/", ".", ":", ".").Replace(p.file), "the region Terraform runs with") + ":" + p.account + ":cluster/" + name
		}
		cl.ID = cl.ARN
		cl.Issuer = p.symbol(addr+".oidc_issuer", reasonAfterApply)
		if after := change.Get("after"); after != nil {
			if id := after.Get("identity"); id != nil && id.Kind == syntax.Array && len(id.Items) > 0 {
				if oidc := id.Items[0].Get("oidc"); oidc != nil && oidc.Kind == syntax.Array && len(oidc.Items) > 0 {
					if iss := str(oidc.Items[0].Get("issuer")); iss != "" {
						cl.Issuer = iam.NormalizeIssuer(iss)
					}
				}
			}
		}
		cl.Unknown = unknowns.Fields(map[string]string{"id": cl.ID, "arn": cl.ARN, "account_id": cl.AccountID, "issuer": cl.Issuer, "name": cl.Name})
		c.clusters = append(c.clusters, cl)
	case "kubernetes_service_account", "kubernetes_service_account_v1":
		p.serviceAccount(c, addr, change, at)
	}
	return nil
}

// syntaxObject wraps n as the only field of an object, so that attrOf reads n's attributes.
func syntaxObject(key string, n *syntax.Node) *syntax.Node {
	return &syntax.Node{Kind: syntax.Object, Fields: []syntax.Field{{Key: key, Value: n}}, Line: n.Line, Column: n.Column, EndLine: n.EndLine}
}

// roleRef is a role reference (name, id or ARN) of an attachment: known, or the role the
// configuration refers to.
func (p *plan) roleRef(addr string, change *syntax.Node, name string) string {
	v, unknown := attrOf(change, name)
	if !unknown {
		return str(v)
	}
	for _, ref := range p.references(addr, name) {
		for _, suffix := range []string{".name", ".id", ".arn"} {
			role, ok := strings.CutSuffix(ref, suffix)
			if c := p.changes[role]; ok && c != nil {
				if suffix == ".arn" {
					return p.arnOf(role, c)
				}
				return p.value(role, c.Get("change"), "name")
			}
		}
	}
	return p.symbol(addr+"."+name, reasonAfterApply)
}

func (p *plan) serviceAccount(c *collected, addr string, change *syntax.Node, at snapshot.Location) {
	after := change.Get("after")
	if after == nil {
		return
	}
	metas := after.Get("metadata")
	if metas == nil || metas.Kind != syntax.Array || len(metas.Items) != 1 {
		return
	}
	meta := metas.Items[0]
	sa := snapshot.ServiceAccount{Name: str(meta.Get("name")), Namespace: cmpOr(str(meta.Get("namespace")), "default"), Loc: at}
	if ann := meta.Get("annotations"); ann != nil && ann.Kind == syntax.Object {
		sa.Annotations = map[string]string{}
		for _, f := range ann.Fields {
			sa.Annotations[f.Key] = str(f.Value)
		}
	}
	// An annotation known only after apply: the role the configuration refers to.
	if u := change.Get("after_unknown"); u != nil {
		if um := u.Get("metadata"); um != nil && um.Kind == syntax.Array && len(um.Items) == 1 {
			if ua := um.Items[0].Get("annotations"); ua != nil && ua.Kind == syntax.Object {
				for _, f := range ua.Fields {
					if f.Value.Kind == syntax.Bool && f.Value.Value == "true" {
						if sa.Annotations == nil {
							sa.Annotations = map[string]string{}
						}
						sa.Annotations[f.Key] = p.unknownAnnotation(addr)
					}
				}
			}
		}
	}
	if arn, ok := sa.Annotations["eks.amazonaws.com/role-arn"]; ok {
		sa.RoleARN = arn
	}
	sa.Unknown = unknowns.Fields(map[string]string{"namespace": sa.Namespace, "name": sa.Name, "role_arn": sa.RoleARN})
	c.sas = append(c.sas, sa)
}

func (p *plan) unknownAnnotation(addr string) string {
	for _, ref := range p.references(addr, "metadata") {
		if role, ok := strings.CutSuffix(ref, ".arn"); ok {
			if c := p.changes[role]; c != nil && str(c.Get("type")) == "aws_iam_role" {
				return p.arnOf(role, c)
			}
		}
	}
	return p.symbol(addr+".metadata[0].annotations", reasonAfterApply)
}

// policyDocument renders an aws_iam_policy_document read during apply from its planned
// statement blocks; unknown values become symbols named after what the configuration refers to.
func (p *plan) policyDocument(ch *syntax.Node) (snapshot.Document, bool) {
	change := ch.Get("change")
	addr := str(ch.Get("address"))
	if change == nil {
		return snapshot.Document{}, false
	}
	after, unknown := change.Get("after"), change.Get("after_unknown")
	if after == nil || after.Kind != syntax.Object {
		return snapshot.Document{}, false
	}
	at := p.loc(ch)
	doc := snapshot.Document{Version: cmpOr(str(after.Get("version")), "2012-10-17"), Loc: at}
	stmts := after.Get("statement")
	if stmts == nil || stmts.Kind != syntax.Array {
		return doc, true
	}
	var ustmts *syntax.Node
	if unknown != nil {
		ustmts = unknown.Get("statement")
	}
	isUnknown := func(path ...any) bool {
		n := ustmts
		for _, k := range path {
			if n == nil {
				return false
			}
			switch k := k.(type) {
			case int:
				if n.Kind != syntax.Array || k >= len(n.Items) {
					return false
				}
				n = n.Items[k]
			case string:
				n = n.Get(k)
			}
		}
		return n != nil && n.Kind == syntax.Bool && n.Value == "true"
	}
	sym := func(path string) string { return p.symbol(addr+"."+path, reasonAfterApply) }
	list := func(n *syntax.Node, path string, up ...any) []string {
		if isUnknown(up...) {
			return []string{sym(path)}
		}
		out := strList(n)
		for i := range out {
			if isUnknown(append(slices.Clone(up), i)...) {
				out[i] = sym(fmt.Sprintf("%s[%d]", path, i))
			}
		}
		return out
	}
	for i, s := range stmts.Items {
		st := snapshot.Statement{Sid: str(s.Get("sid")), Effect: cmpOr(str(s.Get("effect")), "Allow"), Loc: p.loc(s)}
		pre := fmt.Sprintf("statement[%d]", i)
		st.Actions = list(s.Get("actions"), pre+".actions", i, "actions")
		st.NotActions = list(s.Get("not_actions"), pre+".not_actions", i, "not_actions")
		st.Resources = list(s.Get("resources"), pre+".resources", i, "resources")
		st.NotResources = list(s.Get("not_resources"), pre+".not_resources", i, "not_resources")
		for _, kind := range []string{"principals", "not_principals"} {
			pb := s.Get(kind)
			if pb == nil || pb.Kind != syntax.Array || len(pb.Items) == 0 {
				continue
			}
			pr := &snapshot.Principal{}
			for j, b := range pb.Items {
				ids := list(b.Get("identifiers"), fmt.Sprintf("%s.%s[%d].identifiers", pre, kind, j), i, kind, j, "identifiers")
				if isUnknown(i, kind, j, "identifiers") {
					// The configuration says what the identifiers are: an ARN of a resource of
					// the plan is built as AWS will build it.
					if refs := p.nestedRefs(addr, "statement", i, kind, j, "identifiers"); len(refs) > 0 {
						if r, ok := strings.CutSuffix(refs[0], ".arn"); ok && p.changes[r] != nil {
							if arn := p.arnOf(r, p.changes[r]); arn != "" {
								ids = []string{arn}
							}
						}
					}
				}
				switch str(b.Get("type")) {
				case "*":
					pr.Wildcard = true
				case "AWS":
					pr.AWS = append(pr.AWS, ids...)
				case "Federated":
					pr.Federated = append(pr.Federated, ids...)
				case "Service":
					pr.Service = append(pr.Service, ids...)
				case "CanonicalUser":
					pr.CanonicalUser = append(pr.CanonicalUser, ids...)
				}
			}
			if kind == "principals" {
				st.Principal = pr
			} else {
				st.NotPrincipal = pr
			}
		}
		if conds := s.Get("condition"); conds != nil && conds.Kind == syntax.Array {
			for j, cb := range conds.Items {
				cp := fmt.Sprintf("%s.condition[%d]", pre, j)
				c := policydoc.ParseOperator(str(cb.Get("test")))
				c.Key = str(cb.Get("variable"))
				if isUnknown(i, "condition", j, "variable") {
					c.Key = sym(cp + ".variable")
				}
				c.Values = list(cb.Get("values"), cp+".values", i, "condition", j, "values")
				if c.Values == nil {
					c.Values = []string{}
				}
				c.Loc = p.loc(cb)
				st.Conditions = append(st.Conditions, c)
			}
		}
		doc.Statements = append(doc.Statements, st)
	}
	doc.MarkUnknown()
	return doc, true
}
