// Package workload judges the workload identities into AWS other than IRSA's web-identity
// trusts: EKS Pod Identity associations, and the roles the Pod Identity agent can assume. It
// computes, in Go and with pkg/trust's evaluator, the facts the rules of policies/workload read
// at input.workload_identity (pkg/eval puts them there): a Go data step like pkg/trust and
// pkg/permissions. It reads a snapshot and imports neither OPA nor any SDK.
package workload

import (
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/trust"
)

// Version is the version of the Facts format.
const Version = 1

// PodIdentityService is the service principal of the EKS Pod Identity agent (the EKS Auth
// service), which calls sts:AssumeRole and sts:TagSession on a pod's behalf.
const PodIdentityService = "pods.eks.amazonaws.com"

// The actions the agent needs on an association's role: AssumeRole always, TagSession unless
// the association disables session tags. A cross-account target role is assumed by the
// association's role with AssumeRole.
const (
	ActionAssumeRole = "sts:AssumeRole"
	ActionTagSession = "sts:TagSession"
)

// sessionTags are the session tags the agent sets (EKS user guide, "Enable or disable session
// tags"), lower case. The pod's name and uid are known only at run time.
var sessionTags = []string{"eks-cluster-arn", "eks-cluster-name", "kubernetes-namespace", "kubernetes-pod-name", "kubernetes-pod-uid", "kubernetes-service-account"}

// Facts is input.workload_identity.
type Facts struct {
	Version int `json:"version"`
	// PodIdentity has one entry per input.pod_identity_associations entry, in that order.
	PodIdentity []Association `json:"pod_identity"`
	// PodIdentityRoles has one entry per role (input.roles order) whose trust names the
	// Pod Identity agent.
	PodIdentityRoles []AgentRole `json:"pod_identity_roles"`
	// CI has one entry per trust policy (roles, then input.policies) and CI platform provider
	// it trusts (CITrusts).
	CI []CITrust `json:"ci"`
	// OtherOIDC has one entry per trust policy and OIDC provider of another issuer (neither
	// Kubernetes nor a known CI platform) that admits tokens of any subject (OtherOIDCTrusts).
	OtherOIDC []OtherOIDCTrust `json:"other_oidc"`
}

// Status says whether something an association names exists.
type Status string

// The statuses. Missing is said only where the inventory that would hold it is complete.
const (
	StatusFound   Status = "found"
	StatusMissing Status = "missing"
	StatusUnknown Status = "unknown"
	// StatusInvalid is a role reference that is no IAM role ARN.
	StatusInvalid Status = "invalid"
)

// Association is what the facts say about one association.
type Association struct {
	// Association is the index in input.pod_identity_associations.
	Association int `json:"association"`
	// Role is the association's role, assumed by the Pod Identity agent.
	Role RoleFacts `json:"role"`
	// Target is the cross-account target role, assumed by Role; nil without one.
	Target *RoleFacts `json:"target,omitempty"`
	// ServiceAccount and Namespace say whether the association's ServiceAccount and namespace
	// exist in its cluster: Unknown unless the cluster's ServiceAccount inventory is complete
	// (a namespace exists when it has a ServiceAccount: Kubernetes gives each one "default").
	ServiceAccount Status `json:"service_account"`
	Namespace      Status `json:"namespace"`
	// IRSAServiceAccount is the index in input.service_accounts of the association's
	// ServiceAccount when it also has an IRSA role annotation; -1 otherwise.
	IRSAServiceAccount int `json:"irsa_service_account"`
	// PrincipalTags are the places in the role's permission policies that read a session tag
	// of the agent (aws:PrincipalTag/kubernetes-*, aws:PrincipalTag/eks-cluster-*), listed
	// only when the association disables session tags.
	PrincipalTags []TagUse `json:"principal_tags,omitempty"`
}

// RoleFacts is what the facts say about a role an association names.
type RoleFacts struct {
	ARN    string `json:"arn"`
	Status Status `json:"status"`
	// Index is the index in input.roles; -1 when the role is not in the snapshot.
	Index int `json:"index"`
	// Required are the actions the role's trust must allow; Verdicts has the trust's verdict
	// for each, when the role and its trust policy are known.
	Required []string `json:"required"`
	// (trust.Verdict: "admitted", "refused" or "unknown").
	Verdicts map[string]string `json:"verdicts,omitempty"`
	// Refused are the required actions the trust refuses.
	Refused []string `json:"refused,omitempty"`
	// Caller is who assumes the role: "pods.eks.amazonaws.com" or the source role's ARN.
	Caller string `json:"caller"`
}

// AgentRole is a role whose trust admits the Pod Identity agent.
type AgentRole struct {
	// Role is the index in input.roles.
	Role int `json:"role"`
	// AnyCluster is true when the trust admits the agent's AssumeRole for an association in a
	// cluster of another account, in any namespace, with session tags or without: nothing
	// ties the role to a source account, cluster, namespace or ServiceAccount.
	AnyCluster bool `json:"any_cluster"`
	// Statements are the indexes of the Allow statements that admit the agent.
	Statements []int `json:"statements"`
}

// TagUse is a reference to a principal tag in a permission policy.
type TagUse struct {
	// Path is the path into the input of the condition entry or statement.
	Path []any `json:"path"`
	// Tag is the tag key as written, e.g. "kubernetes-namespace".
	Tag string `json:"tag"`
}

// Analyze computes the facts of snap.
func Analyze(snap *snapshot.Snapshot) *Facts {
	ix := newIndex(snap)
	f := &Facts{Version: Version, PodIdentity: []Association{}, PodIdentityRoles: []AgentRole{}}
	for i := range snap.PodIdentityAssociations {
		f.PodIdentity = append(f.PodIdentity, ix.association(i))
	}
	for i := range snap.Roles {
		if r, ok := ix.agentRole(i); ok {
			f.PodIdentityRoles = append(f.PodIdentityRoles, r)
		}
	}
	f.CI = CITrusts(snap)
	f.OtherOIDC = OtherOIDCTrusts(snap)
	return f
}

type index struct {
	snap        *snapshot.Snapshot
	roles       map[string]int  // role key -> index
	byARN       map[string]int  // role ARN as written -> index
	rolesDone   map[string]bool // accounts whose role inventory is complete
	clusters    map[string]int
	sas         map[string]int  // cluster \x00 namespace \x00 name -> index
	namespaces  map[string]bool // cluster \x00 namespace
	managedDocs map[string]int  // managed policy ARN -> index
}

func newIndex(snap *snapshot.Snapshot) *index {
	ix := &index{snap: snap, roles: map[string]int{}, byARN: make(map[string]int, len(snap.Roles)), rolesDone: map[string]bool{}, clusters: map[string]int{},
		sas: map[string]int{}, namespaces: map[string]bool{}, managedDocs: map[string]int{}}
	for i, r := range snap.Roles {
		if _, dup := ix.byARN[r.ARN]; !dup {
			ix.byARN[r.ARN] = i
		}
		if k, ok := iam.RoleKey(r.ARN); ok {
			if _, dup := ix.roles[k]; !dup {
				ix.roles[k] = i
			}
		}
	}
	for _, a := range snap.Accounts {
		if a.Inventory.Roles {
			ix.rolesDone[a.ID] = true
		}
	}
	for i, c := range snap.Clusters {
		if _, dup := ix.clusters[c.ID]; !dup {
			ix.clusters[c.ID] = i
		}
	}
	// Only the ServiceAccounts of clusters with associations are looked up: a large estate
	// without Pod Identity pays one pass over them and no map.
	withAssociations := map[string]bool{}
	for _, p := range snap.PodIdentityAssociations {
		withAssociations[p.Cluster] = true
	}
	for i, sa := range snap.ServiceAccounts {
		if !withAssociations[sa.Cluster] {
			continue
		}
		k := sa.Cluster + "\x00" + sa.Namespace + "\x00" + sa.Name
		if _, dup := ix.sas[k]; !dup {
			ix.sas[k] = i
		}
		ix.namespaces[sa.Cluster+"\x00"+sa.Namespace] = true
	}
	for i, m := range snap.ManagedPolicies {
		if _, dup := ix.managedDocs[m.ARN]; !dup {
			ix.managedDocs[m.ARN] = i
		}
	}
	return ix
}

// role looks a role ARN up.
func (ix *index) role(arn string, unknown bool) RoleFacts {
	rf := RoleFacts{ARN: arn, Status: StatusUnknown, Index: -1}
	// A role that eksctl, Terraform or CloudFormation creates has a symbol for an ARN, the same
	// one the association refers to it by.
	if i, ok := ix.byARN[arn]; ok && arn != "" {
		rf.Status, rf.Index = StatusFound, i
		return rf
	}
	if unknown || snapshot.HasSymbol(arn) {
		return rf
	}
	r, ok := iam.ParseRoleARN(arn)
	if !ok {
		rf.Status = StatusInvalid
		return rf
	}
	if i, ok := ix.roles[r.Key()]; ok {
		rf.Status, rf.Index = StatusFound, i
	} else if ix.rolesDone[r.Account] {
		rf.Status = StatusMissing
	}
	return rf
}

// judge fills the verdicts of rf's trust for req and each action of rf.Required.
func (ix *index) judge(rf *RoleFacts, req trust.Request) {
	if rf.Index < 0 || ix.snap.Roles[rf.Index].TrustPolicy == nil {
		return
	}
	doc := ix.snap.Roles[rf.Index].TrustPolicy
	rf.Verdicts = map[string]string{}
	for _, a := range rf.Required {
		req.Action = a
		v := trust.Evaluate(doc, req).Verdict
		rf.Verdicts[a] = string(v)
		if v == trust.Refused {
			rf.Refused = append(rf.Refused, a)
		}
	}
}

func (ix *index) association(i int) Association {
	p := &ix.snap.PodIdentityAssociations[i]
	out := Association{Association: i, ServiceAccount: StatusUnknown, Namespace: StatusUnknown, IRSAServiceAccount: -1}

	out.Role = ix.role(p.RoleARN, slices.Contains(p.Unknown, "role_arn") || p.RoleARN == "")
	out.Role.Caller = PodIdentityService
	out.Role.Required = []string{ActionAssumeRole}
	if !p.DisableSessionTags {
		out.Role.Required = append(out.Role.Required, ActionTagSession)
	}
	ix.judge(&out.Role, agentRequest(p, ActionAssumeRole, p.DisableSessionTags))

	if p.TargetRoleARN != "" {
		t := ix.role(p.TargetRoleARN, slices.Contains(p.Unknown, "target_role_arn"))
		t.Caller = p.RoleARN
		t.Required = []string{ActionAssumeRole}
		ix.judge(&t, chainRequest(p.RoleARN))
		out.Target = &t
	}

	k := p.Cluster + "\x00" + p.Namespace + "\x00" + p.ServiceAccount
	sa, saFound := ix.sas[k]
	if c, ok := ix.clusters[p.Cluster]; ok && ix.snap.Clusters[c].Inventory.ServiceAccounts {
		out.ServiceAccount, out.Namespace = StatusMissing, StatusMissing
		if ix.namespaces[p.Cluster+"\x00"+p.Namespace] {
			out.Namespace = StatusFound
		}
	}
	if saFound {
		out.ServiceAccount, out.Namespace = StatusFound, StatusFound
		if ix.snap.ServiceAccounts[sa].RoleARN != "" {
			out.IRSAServiceAccount = sa
		}
	}

	if p.DisableSessionTags && out.Role.Status == StatusFound {
		out.PrincipalTags = ix.tagUses(out.Role.Index)
	}
	return out
}

// agentRole judges the trust of role i for the agent; ok is false when it does not name the
// agent in an Allow statement.
func (ix *index) agentRole(i int) (AgentRole, bool) {
	doc := ix.snap.Roles[i].TrustPolicy
	if doc == nil {
		return AgentRole{}, false
	}
	named := slices.ContainsFunc(doc.Statements, func(st snapshot.Statement) bool {
		return st.Effect == "Allow" && st.Principal != nil && slices.ContainsFunc(st.Principal.Service, func(s string) bool {
			return strings.EqualFold(s, PodIdentityService)
		})
	})
	if !named {
		return AgentRole{}, false
	}
	r := AgentRole{Role: i, Statements: []int{}}
	// Any call of the agent: no session tag or aws: key fixed.
	anyCall := trust.Request{Service: PodIdentityService, Action: ActionAssumeRole}
	r.Statements = append(r.Statements, trust.Matching(doc, anyCall)...)
	for _, noTags := range []bool{false, true} {
		if admitted(doc, witnessRequest(noTags)) {
			r.AnyCluster = true
		}
	}
	return r, true
}

// tagUses finds the agent's session tags read as principal tags in role r's permission
// policies: condition keys aws:PrincipalTag/<tag> and ${aws:PrincipalTag/<tag>} variables in
// resources and condition values.
func (ix *index) tagUses(r int) []TagUse {
	role := &ix.snap.Roles[r]
	var out []TagUse
	scan := func(doc *snapshot.Document, base []any) {
		for s := range doc.Statements {
			st := &doc.Statements[s]
			sp := append(slices.Clone(base), "statements", s)
			for c := range st.Conditions {
				cond := &st.Conditions[c]
				cp := append(slices.Clone(sp), "conditions", c)
				if tag, ok := agentTag(strings.TrimPrefix(strings.ToLower(cond.Key), "aws:principaltag/"), cond.Key); ok {
					out = append(out, TagUse{Path: cp, Tag: tag})
					continue
				}
				for _, v := range cond.Values {
					if tag, ok := variableTag(v); ok {
						out = append(out, TagUse{Path: cp, Tag: tag})
						break
					}
				}
			}
			for _, res := range slices.Concat(st.Resources, st.NotResources) {
				if tag, ok := variableTag(res); ok {
					out = append(out, TagUse{Path: sp, Tag: tag})
					break
				}
			}
		}
	}
	for k := range role.InlinePolicies {
		scan(&role.InlinePolicies[k].Document, []any{"roles", r, "inline_policies", k, "document"})
	}
	for _, a := range role.AttachedPolicies {
		if m, ok := ix.managedDocs[a.ARN]; ok && ix.snap.ManagedPolicies[m].Document != nil {
			scan(ix.snap.ManagedPolicies[m].Document, []any{"managed_policies", m, "document"})
		}
	}
	return out
}

// agentTag reports whether a condition key is aws:PrincipalTag/<one of the agent's tags>
// (lowered is the key without the prefix, in lower case) and returns the tag as written.
func agentTag(lowered, key string) (string, bool) {
	if len(lowered) == len(key) || !slices.Contains(sessionTags, lowered) {
		return "", false
	}
	return key[len(key)-len(lowered):], true
}

// variableTag finds a ${aws:PrincipalTag/<agent tag>} policy variable in s and returns the tag
// (lower case).
func variableTag(s string) (string, bool) {
	const prefix = "${aws:principaltag/"
	rest := strings.ToLower(s)
	for {
		i := strings.Index(rest, prefix)
		if i < 0 {
			return "", false
		}
		rest = rest[i+len(prefix):]
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return "", false
		}
		if slices.Contains(sessionTags, rest[:end]) {
			return rest[:end], true
		}
		rest = rest[end:]
	}
}
