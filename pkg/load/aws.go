package load

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/policydoc"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// The Source.Format values of AWS CLI exports and saved snapshots.
const (
	// FormatAuthDetails is `aws iam get-account-authorization-details` (CLI or raw API form).
	FormatAuthDetails = "aws-iam-authorization-details"
	// FormatProviderList is `aws iam list-open-id-connect-providers`.
	FormatProviderList = "aws-iam-oidc-provider-list"
	// FormatProvider is `aws iam get-open-id-connect-provider`.
	FormatProvider = "aws-iam-oidc-provider"
	// FormatCluster is `aws eks describe-cluster`.
	FormatCluster = "aws-eks-cluster"
	// FormatClusterList is `aws eks list-clusters`.
	FormatClusterList = "aws-eks-cluster-list"
	// FormatSnapshot is a snapshot saved by `irsa-audit collect` (snapshot.Snapshot as JSON).
	FormatSnapshot = "irsa-audit-snapshot"
)

// API names recorded in locations of items that came from a saved snapshot keep their own; these
// are used in notes.
const (
	cmdAuthDetails  = "aws iam get-account-authorization-details"
	cmdListProvider = "aws iam list-open-id-connect-providers"
	cmdListClusters = "aws eks list-clusters"
	cmdDescribe     = "aws eks describe-cluster"
)

// authDetailsRoot returns the object holding the lists of a get-account-authorization-details
// export: the document itself (CLI output), or the Result inside the raw API's JSON envelope
// ({"GetAccountAuthorizationDetailsResponse": {"GetAccountAuthorizationDetailsResult": {...}}}).
func authDetailsRoot(n *syntax.Node) *syntax.Node {
	if resp := n.Get("GetAccountAuthorizationDetailsResponse"); resp != nil {
		if res := resp.Get("GetAccountAuthorizationDetailsResult"); res != nil {
			return res
		}
		return resp
	}
	return n
}

func isAuthDetails(n *syntax.Node) bool {
	if n == nil || n.Kind != syntax.Object {
		return false
	}
	if n.Field("GetAccountAuthorizationDetailsResponse") != nil {
		return true
	}
	return n.Field("RoleDetailList") != nil || n.Field("UserDetailList") != nil || n.Field("GroupDetailList") != nil
}

// loadAuthDetails reads roles (with trust, inline and attached policies, boundary, last use and
// tags) and managed policies (their default version). Users and groups are not IRSA's concern.
// Embedded documents are objects in CLI output and URL-encoded strings in the raw API form.
func loadAuthDetails(d document, r *fileResult) error {
	root := authDetailsRoot(d.node)
	if root.Kind != syntax.Object {
		return syntax.Errorf(root, "GetAccountAuthorizationDetailsResult must be an object, not %s", root.Kind)
	}
	accounts := map[string]bool{}
	partition := ""
	roles, err := listAt(root, takeRoles)
	if err != nil {
		return err
	}
	// The roles and policies the parser's taker read come first, then those left in the tree.
	var takenRoles []snapshot.Role
	var takenPolicies []snapshot.ManagedPolicy
	if d.took(root, takeRoles) {
		takenRoles = d.taker.rolesRead()
	}
	if d.took(root, takePolicies) {
		takenPolicies = d.taker.r.items.ManagedPolicies
	}
	addRole := func(role snapshot.Role) {
		r.items.Roles = append(r.items.Roles, role)
		if role.AccountID != "" {
			accounts[role.AccountID] = true
		}
		if partition == "" {
			a, _ := iam.ParseARN(role.ARN)
			partition = a.Partition
		}
	}
	r.items.Roles = slices.Grow(r.items.Roles, len(takenRoles)+len(roles))
	for _, role := range takenRoles {
		addRole(role)
	}
	for _, rn := range roles {
		role, err := authRole(d, rn, r)
		if err != nil {
			r.addError(d.file, err)
			continue
		}
		addRole(role)
	}
	noRoles := len(takenRoles)+len(roles) == 0
	policies, err := listAt(root, takePolicies)
	if err != nil {
		return err
	}
	addPolicy := func(mp snapshot.ManagedPolicy) {
		r.items.ManagedPolicies = append(r.items.ManagedPolicies, mp)
		if a, _ := iam.ParseARN(mp.ARN); noRoles && a.Account != "" && a.Account != "aws" {
			accounts[a.Account] = true // a customer managed policy, when there is no role to go by
		}
	}
	for _, mp := range takenPolicies {
		addPolicy(mp)
	}
	for _, pn := range policies {
		mp, err := managedPolicy(d, pn, r)
		if err != nil {
			r.addError(d.file, err)
			continue
		}
		addPolicy(mp)
	}
	if noRoles && len(accounts) == 0 {
		// An account without roles: users and groups still name it.
		for _, key := range []string{"UserDetailList", "GroupDetailList"} {
			items, _ := listAt(root, key)
			for _, it := range items {
				if v := it.Get("Arn"); v != nil && v.Kind == syntax.String {
					if a, _ := iam.ParseARN(v.Value); a.Account != "" {
						accounts[a.Account] = true
					}
				}
			}
		}
	}

	c := claim{kind: claimRoles, at: d.loc(d.node), partition: partition}
	switch ids := sortedKeys(accounts); {
	case root.Field("RoleDetailList") == nil:
		c.note = fmt.Sprintf("roles not inventoried by %s: the export has no RoleDetailList (was --filter used without Role?)", d.file)
	case truthy(root.Get("IsTruncated")):
		c.note = fmt.Sprintf("roles incomplete: %s is one page of %s (IsTruncated is true): export every page", d.file, cmdAuthDetails)
		why := "IsTruncated is true"
		if m := root.Get("Marker"); m == nil || m.Kind != syntax.String || m.Value == "" {
			why += " and there is no Marker to go on from"
		}
		truncated(d, r, root.Field("IsTruncated").KeyNode, "the roles and policies after this page are not in the export ("+why+"): export every page ("+cmdAuthDetails+" without --max-items)")
	case root.Field("NextToken") != nil && root.Get("NextToken").Kind == syntax.String && root.Get("NextToken").Value != "":
		c.note = fmt.Sprintf("roles incomplete: %s stops at a NextToken (--max-items): export without --max-items", d.file)
		truncated(d, r, root.Field("NextToken").KeyNode, "the roles and policies after this page are not in the export (it stops at a NextToken): export without --max-items")
	case len(ids) > 1:
		c.note = fmt.Sprintf("roles incomplete: %s mixes the roles of accounts %s, so it is not one account's export", d.file, strings.Join(ids, ", "))
	default:
		c.complete = true
	}
	if ids := sortedKeys(accounts); len(ids) > 0 {
		for _, id := range ids {
			cc := c
			cc.account = id
			if len(ids) > 1 {
				cc.complete = false
			}
			r.claims = append(r.claims, cc)
		}
	} else {
		r.claims = append(r.claims, c) // tied to an account by folder, if any
	}
	return nil
}

func authRole(d document, n *syntax.Node, r *fileResult) (snapshot.Role, error) {
	if n.Kind != syntax.Object {
		return snapshot.Role{}, syntax.Errorf(n, "RoleDetailList item must be an object, not %s", n.Kind)
	}
	arn, err := requiredString(n, "Arn", "role")
	if err != nil {
		return snapshot.Role{}, err
	}
	parsed, _ := iam.ParseARN(arn)
	role := snapshot.Role{ARN: arn, AccountID: parsed.Account, Loc: d.loc(n)}
	if role.Name, err = stringField(n, "RoleName"); err != nil {
		return role, err
	}
	if role.Name == "" {
		role.Name = parsed.Resource[strings.LastIndexByte(parsed.Resource, '/')+1:]
	}
	if role.Path, err = stringField(n, "Path"); err != nil {
		return role, err
	}
	if v := n.Get("AssumeRolePolicyDocument"); v != nil && v.Kind != syntax.Null {
		doc, err := embeddedDocument(d, v)
		if err != nil {
			r.addError(d.file, fmt.Errorf("role %s: trust policy: %w", arn, err))
		} else {
			role.TrustPolicy = &doc
		}
	}
	inline, err := listAt(n, "RolePolicyList")
	if err != nil {
		return role, err
	}
	for _, p := range inline {
		if p.Kind != syntax.Object {
			return role, syntax.Errorf(p, "RolePolicyList item must be an object, not %s", p.Kind)
		}
		name, err := stringField(p, "PolicyName")
		if err != nil {
			return role, err
		}
		ip := snapshot.InlinePolicy{Name: name, Document: emptyDocument(d.loc(p))}
		if v := p.Get("PolicyDocument"); v == nil || v.Kind == syntax.Null {
			r.addError(d.file, syntax.Errorf(p, "role %s: inline policy %q has no PolicyDocument", arn, name))
		} else if doc, err := embeddedDocument(d, v); err != nil {
			r.addError(d.file, fmt.Errorf("role %s: inline policy %q: %w", arn, name, err))
		} else {
			ip.Document = doc
		}
		role.InlinePolicies = append(role.InlinePolicies, ip)
	}
	attached, err := listAt(n, "AttachedManagedPolicies")
	if err != nil {
		return role, err
	}
	for _, a := range attached {
		if a.Kind != syntax.Object {
			return role, syntax.Errorf(a, "AttachedManagedPolicies item must be an object, not %s", a.Kind)
		}
		parn, err := requiredString(a, "PolicyArn", "attached policy")
		if err != nil {
			return role, err
		}
		pname, err := stringField(a, "PolicyName")
		if err != nil {
			return role, err
		}
		role.AttachedPolicies = append(role.AttachedPolicies, snapshot.AttachedPolicy{ARN: parn, Name: pname, Loc: d.loc(a)})
	}
	if pb, err := objectAt(n, "PermissionsBoundary"); err != nil {
		return role, err
	} else if pb != nil {
		if role.PermissionsBoundary, err = stringField(pb, "PermissionsBoundaryArn"); err != nil {
			return role, err
		}
	}
	if lu, err := objectAt(n, "RoleLastUsed"); err != nil {
		return role, err
	} else if lu != nil {
		if v := lu.Get("LastUsedDate"); v != nil && v.Kind != syntax.Null {
			t, err := timestamp(v)
			if err != nil {
				return role, err
			}
			role.LastUsed = t
		}
		if role.LastUsedRegion, err = stringField(lu, "Region"); err != nil {
			return role, err
		}
	}
	tags, err := listAt(n, "Tags")
	if err != nil {
		return role, err
	}
	for _, t := range tags {
		if t.Kind != syntax.Object {
			return role, syntax.Errorf(t, "Tags item must be an object, not %s", t.Kind)
		}
		k, err := stringField(t, "Key")
		if err != nil {
			return role, err
		}
		v, err := stringField(t, "Value")
		if err != nil {
			return role, err
		}
		if role.Tags == nil {
			role.Tags = map[string]string{}
		}
		role.Tags[k] = v
	}
	return role, nil
}

// managedPolicy reads a Policies entry: the version marked IsDefaultVersion (the one in force),
// else the one named by DefaultVersionId.
func managedPolicy(d document, n *syntax.Node, r *fileResult) (snapshot.ManagedPolicy, error) {
	if n.Kind != syntax.Object {
		return snapshot.ManagedPolicy{}, syntax.Errorf(n, "Policies item must be an object, not %s", n.Kind)
	}
	arn, err := requiredString(n, "Arn", "policy")
	if err != nil {
		return snapshot.ManagedPolicy{}, err
	}
	mp := snapshot.ManagedPolicy{ARN: arn, Loc: d.loc(n)}
	if mp.Name, err = stringField(n, "PolicyName"); err != nil {
		return mp, err
	}
	if mp.DefaultVersionID, err = stringField(n, "DefaultVersionId"); err != nil {
		return mp, err
	}
	versions, err := listAt(n, "PolicyVersionList")
	if err != nil {
		return mp, err
	}
	var chosen *syntax.Node
	for _, v := range versions {
		if v.Kind == syntax.Object && truthy(v.Get("IsDefaultVersion")) {
			chosen = v
			break
		}
	}
	if chosen == nil && mp.DefaultVersionID != "" {
		i := slices.IndexFunc(versions, func(v *syntax.Node) bool {
			id := v.Get("VersionId")
			return id != nil && id.Kind == syntax.String && id.Value == mp.DefaultVersionID
		})
		if i >= 0 {
			chosen = versions[i]
		}
	}
	if chosen == nil {
		r.addError(d.file, syntax.Errorf(n, "policy %s: no default version in PolicyVersionList", arn))
		return mp, nil
	}
	if id, err := stringField(chosen, "VersionId"); err != nil {
		return mp, err
	} else if mp.DefaultVersionID == "" {
		mp.DefaultVersionID = id
	}
	v := chosen.Get("Document")
	if v == nil || v.Kind == syntax.Null {
		r.addError(d.file, syntax.Errorf(chosen, "policy %s: default version has no Document", arn))
		return mp, nil
	}
	doc, err := embeddedDocument(d, v)
	if err != nil {
		r.addError(d.file, fmt.Errorf("policy %s version %s: %w", arn, mp.DefaultVersionID, err))
		return mp, nil
	}
	mp.Document = &doc
	return mp, nil
}

// embeddedDocument reads a policy document inside an export. An object is read from the same
// syntax tree, so every statement keeps its real line. A string (URL-encoded, as the IAM API
// returns it, or plain JSON text) is decoded and parsed on its own; its lines would refer to the
// decoded text, which is nowhere in the file, so every location is set to the string's.
func embeddedDocument(d document, v *syntax.Node) (snapshot.Document, error) {
	origin := snapshot.Location{File: d.file}
	switch v.Kind {
	case syntax.Object:
		return policydoc.FromNode(v, origin)
	case syntax.String:
		at := d.loc(v)
		text, err := policydoc.Decode([]byte(v.Value))
		if err == nil {
			var n *syntax.Node
			if n, err = syntax.ParseJSON(text); err == nil {
				var doc snapshot.Document
				if doc, err = policydoc.FromNode(n, origin); err == nil {
					relocate(&doc, at)
					return doc, nil
				}
			}
		}
		return snapshot.Document{}, &syntax.Error{Line: v.Line, Column: v.Column, Msg: "in the encoded document: " + err.Error()}
	}
	return snapshot.Document{}, syntax.Errorf(v, "policy document must be an object or a string, not %s", v.Kind)
}

// relocate points every location of doc at l.
func relocate(doc *snapshot.Document, l snapshot.Location) {
	doc.Loc = l
	for i := range doc.Statements {
		doc.Statements[i].Loc = l
		for j := range doc.Statements[i].Conditions {
			doc.Statements[i].Conditions[j].Loc = l
		}
	}
}

func emptyDocument(l snapshot.Location) snapshot.Document {
	return snapshot.Document{Statements: []snapshot.Statement{}, Loc: l}
}

func isProviderList(n *syntax.Node) bool {
	return n != nil && n.Kind == syntax.Object && n.Field("OpenIDConnectProviderList") != nil
}

// loadProviderList reads the provider ARNs; the issuer is the ARN's resource (the provider URL
// without scheme). A list is the complete provider inventory of its account.
func loadProviderList(d document, r *fileResult) error {
	items, err := listAt(d.node, "OpenIDConnectProviderList")
	if err != nil {
		return err
	}
	accounts := map[string]bool{}
	partition := ""
	for _, it := range items {
		if it.Kind != syntax.Object {
			r.addError(d.file, syntax.Errorf(it, "OpenIDConnectProviderList item must be an object, not %s", it.Kind))
			continue
		}
		arn, err := requiredString(it, "Arn", "OIDC provider")
		if err != nil {
			r.addError(d.file, err)
			continue
		}
		pa, ok := iam.ParseProviderARN(arn)
		if !ok {
			r.addError(d.file, syntax.Errorf(it.Get("Arn"), "%q is not an IAM OIDC provider ARN", arn))
			continue
		}
		p := snapshot.OIDCProvider{ARN: arn, AccountID: pa.Account, Issuer: pa.Issuer, Loc: d.loc(it)}
		r.items.OIDCProviders = append(r.items.OIDCProviders, p)
		accounts[p.AccountID] = true
		partition = cmp.Or(partition, pa.Partition)
	}
	c := claim{kind: claimProviders, complete: true, at: d.loc(d.node), partition: partition}
	ids := sortedKeys(accounts)
	if len(ids) > 1 {
		c.complete = false
		c.note = fmt.Sprintf("oidc providers incomplete: %s mixes the providers of accounts %s, so it is not one account's list", d.file, strings.Join(ids, ", "))
	}
	if len(ids) == 0 {
		r.claims = append(r.claims, c) // an empty list: tied to an account by folder
	}
	for _, id := range ids {
		cc := c
		cc.account = id
		r.claims = append(r.claims, cc)
	}
	return nil
}

func isProvider(n *syntax.Node) bool {
	return n != nil && n.Kind == syntax.Object && n.Field("Url") != nil &&
		(n.Field("ClientIDList") != nil || n.Field("ThumbprintList") != nil)
}

// loadProvider reads get-open-id-connect-provider, whose output has no ARN: the provider is left
// with an empty ARN and resolve ties it to a listed provider of the same issuer, or derives the
// ARN from the account of its folder.
func loadProvider(d document, r *fileResult) error {
	url, err := requiredString(d.node, "Url", "OIDC provider")
	if err != nil {
		return err
	}
	p := snapshot.OIDCProvider{Issuer: iam.NormalizeIssuer(url), Loc: d.loc(d.node)}
	if p.ClientIDs, err = stringList(d.node, "ClientIDList"); err != nil {
		return err
	}
	if p.Thumbprints, err = stringList(d.node, "ThumbprintList"); err != nil {
		return err
	}
	r.items.OIDCProviders = append(r.items.OIDCProviders, p)
	return nil
}

func isCluster(n *syntax.Node) bool {
	c := n.Get("cluster")
	return c != nil && c.Kind == syntax.Object && n.Field("apiVersion") == nil &&
		(c.Field("arn") != nil || c.Field("identity") != nil)
}

// loadCluster reads describe-cluster: the cluster's ARN (its ID, account and region) and OIDC
// issuer.
func loadCluster(d document, r *fileResult) error {
	n := d.node.Get("cluster")
	name, err := requiredString(n, "name", "cluster")
	if err != nil {
		return err
	}
	arn, err := stringField(n, "arn")
	if err != nil {
		return err
	}
	c := snapshot.Cluster{ID: cmp.Or(arn, name), Name: name, ARN: arn, Loc: d.loc(n)}
	parsed, ok := iam.ParseARN(arn)
	if arn != "" {
		if !ok || parsed.Service != "eks" || parsed.Region == "" || parsed.Account == "" {
			return syntax.Errorf(n.Get("arn"), "%q is not an EKS cluster ARN", arn)
		}
		c.Region, c.AccountID = parsed.Region, parsed.Account
	}
	oidc, err := objectAt(n, "identity", "oidc")
	if err != nil {
		return err
	}
	issuer, err := stringField(oidc, "issuer")
	if err != nil {
		return err
	}
	c.Issuer = iam.NormalizeIssuer(issuer)
	r.items.Clusters = append(r.items.Clusters, c)
	if c.AccountID != "" {
		r.claims = append(r.claims, claim{kind: claimAccountSeen, account: c.AccountID, partition: parsed.Partition, at: c.Loc})
	}
	return nil
}

func isClusterList(n *syntax.Node) bool {
	c := n.Get("clusters")
	if c == nil || c.Kind != syntax.Array || n.Field("apiVersion") != nil {
		return false
	}
	for _, it := range c.Items {
		if it.Kind != syntax.String {
			return false
		}
	}
	return true
}

// loadClusterList reads list-clusters: names only. Its region and account are not in the output;
// resolve takes them from the describe-cluster outputs of the listed clusters.
func loadClusterList(d document, r *fileResult) error {
	c := claim{kind: claimClusterList, at: d.loc(d.node), complete: true}
	for _, it := range d.node.Get("clusters").Items {
		c.names = append(c.names, it.Value)
	}
	if t := d.node.Get("nextToken"); t != nil && t.Kind == syntax.String && t.Value != "" {
		c.complete = false
		c.note = fmt.Sprintf("%s stops at a nextToken (--max-items): export without --max-items", d.file)
		truncated(d, r, d.node.Field("nextToken").KeyNode, "the clusters after this page are not in the export (it stops at a nextToken): export without --max-items")
	}
	r.claims = append(r.claims, c)
	return nil
}

// listAt returns the items of the list under key: nil when absent or null; the raw query API's
// {"member": [...]} wrapper is unwrapped.
func listAt(n *syntax.Node, key string) ([]*syntax.Node, error) {
	v := n.Get(key)
	if v == nil || v.Kind == syntax.Null {
		return nil, nil
	}
	if v.Kind == syntax.Object {
		if m := v.Get("member"); m != nil && len(v.Fields) == 1 {
			if m.Kind == syntax.Array {
				return m.Items, nil
			}
			return []*syntax.Node{m}, nil
		}
	}
	if v.Kind != syntax.Array {
		return nil, syntax.Errorf(v, "%s must be a list, not %s", key, v.Kind)
	}
	return v.Items, nil
}

func stringList(n *syntax.Node, key string) ([]string, error) {
	items, err := listAt(n, key)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		if it.Kind != syntax.String {
			return nil, syntax.Errorf(it, "%s item must be a string, not %s", key, it.Kind)
		}
		out = append(out, it.Value)
	}
	return out, nil
}

func requiredString(n *syntax.Node, key, what string) (string, error) {
	s, err := stringField(n, key)
	if err == nil && s == "" {
		err = syntax.Errorf(n, "%s has no %s", what, key)
	}
	return s, err
}

// truthy is true for the boolean true and the string "true" (the raw query API's form).
func truthy(n *syntax.Node) bool {
	return n != nil && (n.Kind == syntax.Bool || n.Kind == syntax.String) && strings.EqualFold(n.Value, "true")
}

// timestamp normalises a date to RFC 3339 UTC ("2006-01-02T15:04:05Z"), as the live collector
// writes it: the CLI prints ISO 8601 with an offset, the raw API may give epoch seconds.
func timestamp(v *syntax.Node) (string, error) {
	switch v.Kind {
	case syntax.String:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02 15:04:05.999999999-07:00"} {
			if t, err := time.Parse(layout, v.Value); err == nil {
				return t.UTC().Format(time.RFC3339), nil
			}
		}
	case syntax.Number:
		if f, err := strconv.ParseFloat(v.Value, 64); err == nil && f >= 0 && f < 1e11 {
			return time.Unix(int64(f), 0).UTC().Format(time.RFC3339), nil
		}
	}
	return "", syntax.Errorf(v, "LastUsedDate %q is not a date (ISO 8601 or epoch seconds)", v.Value)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// truncated reports the pages missing after a truncated export as skipped and needed: rules
// that judge by absence stay silent on the incomplete inventory, and the scan must not pass as
// if it were complete.
func truncated(d document, r *fileResult, at *syntax.Node, reason string) {
	r.skipped = append(r.skipped, snapshot.Skipped{File: d.file, Line: at.Line, Column: at.Column, Named: r.explicit, Needed: true, Reason: reason})
}
