package workload

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/policydoc"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/trust"
)

func doc(t testing.TB, s string) *snapshot.Document {
	t.Helper()
	d, err := policydoc.Parse([]byte(s), snapshot.Location{})
	if err != nil {
		t.Fatalf("parse %s: %v", s, err)
	}
	return &d
}

const (
	clusterARN = "arn:aws:eks:us-east-1:111122223333:cluster/prod"
	roleARN    = "arn:aws:iam::111122223333:role/app"
	targetARN  = "arn:aws:iam::444455556666:role/data"
)

func agentTrust(actions, condition string) string {
	c := ""
	if condition != "" {
		c = `, "Condition": ` + condition
	}
	return `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ` + actions + c + `}]}`
}

func TestEvaluateAgent(t *testing.T) {
	p := &snapshot.PodIdentityAssociation{Cluster: clusterARN, Namespace: "shop", ServiceAccount: "api"}
	for _, tc := range []struct {
		name   string
		trust  string
		noTags bool
		want   [2]trust.Verdict // AssumeRole, TagSession
	}{
		{"both actions", agentTrust(`["sts:AssumeRole", "sts:TagSession"]`, ""), false, [2]trust.Verdict{trust.Admitted, trust.Admitted}},
		{"no TagSession", agentTrust(`"sts:AssumeRole"`, ""), false, [2]trust.Verdict{trust.Admitted, trust.Refused}},
		{"sts wildcard", agentTrust(`"sts:*"`, ""), false, [2]trust.Verdict{trust.Admitted, trust.Admitted}},
		{"NotAction", `{"Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "NotAction": "sts:TagSession"}]}`, false, [2]trust.Verdict{trust.Admitted, trust.Refused}},
		{"other service", `{"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}`, false, [2]trust.Verdict{trust.Refused, trust.Refused}},
		{"source account unknown", agentTrust(`["sts:AssumeRole", "sts:TagSession"]`, `{"StringEquals": {"aws:SourceAccount": "111122223333"}}`), false, [2]trust.Verdict{trust.Unknown, trust.Unknown}},
		{"namespace tag matches", agentTrust(`["sts:AssumeRole", "sts:TagSession"]`, `{"StringEquals": {"aws:RequestTag/kubernetes-namespace": ["other", "shop"]}}`), false, [2]trust.Verdict{trust.Admitted, trust.Admitted}},
		{"namespace tag refuses", agentTrust(`["sts:AssumeRole", "sts:TagSession"]`, `{"StringEquals": {"aws:RequestTag/kubernetes-namespace": "other"}}`), false, [2]trust.Verdict{trust.Refused, trust.Refused}},
		{"tag like", agentTrust(`["sts:AssumeRole", "sts:TagSession"]`, `{"StringLike": {"aws:RequestTag/kubernetes-service-account": "a*"}}`), false, [2]trust.Verdict{trust.Admitted, trust.Admitted}},
		{"tags disabled: tag condition fails", agentTrust(`["sts:AssumeRole", "sts:TagSession"]`, `{"StringEquals": {"aws:RequestTag/kubernetes-namespace": "shop"}}`), true, [2]trust.Verdict{trust.Refused, trust.Refused}},
		{"pod name unknown", agentTrust(`["sts:AssumeRole", "sts:TagSession"]`, `{"StringLike": {"aws:RequestTag/kubernetes-pod-name": "api-*"}}`), false, [2]trust.Verdict{trust.Unknown, trust.Unknown}},
		{"deny wins", `{"Statement": [` +
			`{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]},` +
			`{"Effect": "Deny", "Principal": "*", "Action": "sts:TagSession"}]}`, false, [2]trust.Verdict{trust.Admitted, trust.Refused}},
		{"possible deny", `{"Statement": [` +
			`{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]},` +
			`{"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": {"StringNotEquals": {"aws:SourceAccount": "111122223333"}}}]}`, false, [2]trust.Verdict{trust.Unknown, trust.Admitted}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := doc(t, tc.trust)
			var got [2]trust.Verdict
			for i, a := range []string{ActionAssumeRole, ActionTagSession} {
				got[i] = trust.Evaluate(d, agentRequest(p, a, tc.noTags)).Verdict
			}
			if got != tc.want {
				t.Errorf("verdicts = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAnyCluster(t *testing.T) {
	both := `["sts:AssumeRole", "sts:TagSession"]`
	for _, tc := range []struct {
		name, trust string
		want        bool
	}{
		{"no condition", agentTrust(both, ""), true},
		{"source account", agentTrust(both, `{"StringEquals": {"aws:SourceAccount": "111122223333"}}`), false},
		{"source arn like own account", agentTrust(both, `{"ArnLike": {"aws:SourceArn": "arn:aws:eks:*:111122223333:cluster/*"}}`), false},
		{"source arn wildcard", agentTrust(both, `{"ArnLike": {"aws:SourceArn": "arn:aws:eks:*:*:cluster/*"}}`), true},
		{"cluster tag", agentTrust(both, `{"StringEquals": {"aws:RequestTag/eks-cluster-arn": "`+clusterARN+`"}}`), false},
		{"namespace tag IfExists", agentTrust(both, `{"StringEqualsIfExists": {"aws:RequestTag/kubernetes-namespace": "shop"}}`), true},
		{"negated source account", agentTrust(both, `{"StringNotEquals": {"aws:SourceAccount": "999999999999"}}`), true},
		{"unmodelled key", agentTrust(both, `{"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}`), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := &snapshot.Snapshot{Roles: []snapshot.Role{{ARN: roleARN, TrustPolicy: doc(t, tc.trust)}}}
			f := Analyze(snap)
			if len(f.PodIdentityRoles) != 1 {
				t.Fatalf("pod identity roles = %+v", f.PodIdentityRoles)
			}
			if got := f.PodIdentityRoles[0].AnyCluster; got != tc.want {
				t.Errorf("any cluster = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAnalyze(t *testing.T) {
	good := doc(t, agentTrust(`["sts:AssumeRole", "sts:TagSession"]`, `{"StringEquals": {"aws:SourceAccount": "111122223333"}}`))
	noTag := doc(t, agentTrust(`"sts:AssumeRole"`, ""))
	chain := doc(t, `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/other"}, "Action": "sts:AssumeRole"}]}`)
	tagPolicy := doc(t, `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:PrincipalTag/kubernetes-namespace}/*"},
		{"Effect": "Allow", "Action": "sqs:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/eks-cluster-name": "prod"}}}]}`)
	snap := &snapshot.Snapshot{
		Accounts: []snapshot.Account{{ID: "111122223333", Inventory: snapshot.AccountInventory{Roles: true}}},
		Clusters: []snapshot.Cluster{{ID: clusterARN, Inventory: snapshot.ClusterInventory{ServiceAccounts: true}}},
		Roles: []snapshot.Role{
			{ARN: roleARN, TrustPolicy: good, InlinePolicies: []snapshot.InlinePolicy{{Name: "abac", Document: *tagPolicy}}},
			{ARN: "arn:aws:iam::111122223333:role/notag", TrustPolicy: noTag},
			{ARN: targetARN, TrustPolicy: chain},
		},
		ServiceAccounts: []snapshot.ServiceAccount{
			{Cluster: clusterARN, Namespace: "shop", Name: "api", RoleARN: "arn:aws:iam::111122223333:role/irsa"},
			{Cluster: clusterARN, Namespace: "shop", Name: "default"},
		},
		PodIdentityAssociations: []snapshot.PodIdentityAssociation{
			{Cluster: clusterARN, Namespace: "shop", ServiceAccount: "api", RoleARN: roleARN, DisableSessionTags: true},
			{Cluster: clusterARN, Namespace: "shop", ServiceAccount: "worker", RoleARN: "arn:aws:iam::111122223333:role/notag"},
			{Cluster: clusterARN, Namespace: "gone", ServiceAccount: "api", RoleARN: "arn:aws:iam::111122223333:role/deleted"},
			{Cluster: clusterARN, Namespace: "shop", ServiceAccount: "default", RoleARN: roleARN, TargetRoleARN: targetARN},
			{Cluster: "other", Namespace: "x", ServiceAccount: "y", RoleARN: "arn:aws:iam::777777777777:role/r"},
		},
	}
	got := Analyze(snap)
	want := &Facts{
		Version: 1,
		PodIdentity: []Association{
			{Association: 0, ServiceAccount: StatusFound, Namespace: StatusFound, IRSAServiceAccount: 0,
				Role: RoleFacts{ARN: roleARN, Status: StatusFound, Index: 0, Caller: PodIdentityService,
					Required: []string{ActionAssumeRole}, Verdicts: map[string]string{ActionAssumeRole: "unknown"}},
				PrincipalTags: []TagUse{
					{Path: []any{"roles", 0, "inline_policies", 0, "document", "statements", 0}, Tag: "kubernetes-namespace"},
					{Path: []any{"roles", 0, "inline_policies", 0, "document", "statements", 1, "conditions", 0}, Tag: "eks-cluster-name"},
				}},
			{Association: 1, ServiceAccount: StatusMissing, Namespace: StatusFound, IRSAServiceAccount: -1,
				Role: RoleFacts{ARN: "arn:aws:iam::111122223333:role/notag", Status: StatusFound, Index: 1, Caller: PodIdentityService,
					Required: []string{ActionAssumeRole, ActionTagSession},
					Verdicts: map[string]string{ActionAssumeRole: "admitted", ActionTagSession: "refused"}, Refused: []string{ActionTagSession}}},
			{Association: 2, ServiceAccount: StatusMissing, Namespace: StatusMissing, IRSAServiceAccount: -1,
				Role: RoleFacts{ARN: "arn:aws:iam::111122223333:role/deleted", Status: StatusMissing, Index: -1, Caller: PodIdentityService,
					Required: []string{ActionAssumeRole, ActionTagSession}}},
			{Association: 3, ServiceAccount: StatusFound, Namespace: StatusFound, IRSAServiceAccount: -1,
				Role: RoleFacts{ARN: roleARN, Status: StatusFound, Index: 0, Caller: PodIdentityService,
					Required: []string{ActionAssumeRole, ActionTagSession}, Verdicts: map[string]string{ActionAssumeRole: "unknown", ActionTagSession: "unknown"}},
				Target: &RoleFacts{ARN: targetARN, Status: StatusFound, Index: 2, Caller: roleARN,
					Required: []string{ActionAssumeRole}, Verdicts: map[string]string{ActionAssumeRole: "refused"}, Refused: []string{ActionAssumeRole}}},
			{Association: 4, ServiceAccount: StatusUnknown, Namespace: StatusUnknown, IRSAServiceAccount: -1,
				Role: RoleFacts{ARN: "arn:aws:iam::777777777777:role/r", Status: StatusUnknown, Index: -1, Caller: PodIdentityService,
					Required: []string{ActionAssumeRole, ActionTagSession}}},
		},
		PodIdentityRoles: []AgentRole{
			{Role: 0, AnyCluster: false, Statements: []int{0}},
			{Role: 1, AnyCluster: true, Statements: []int{0}},
		},
		CI:        []CITrust{},
		OtherOIDC: []OtherOIDCTrust{},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
	// The facts are the Rego input: verdicts and statuses are strings there.
	b, err := json.Marshal(got.PodIdentity[1].Role)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"arn":"arn:aws:iam::111122223333:role/notag","status":"found","index":1,"required":["sts:AssumeRole","sts:TagSession"],"verdicts":{"sts:AssumeRole":"admitted","sts:TagSession":"refused"},"refused":["sts:TagSession"],"caller":"pods.eks.amazonaws.com"}`; string(b) != want {
		t.Errorf("json = %s\nwant   %s", b, want)
	}
}

// TestSymbolRole: an association naming a role a template creates refers to it by the same
// symbol; the role's trust is judged.
func TestSymbolRole(t *testing.T) {
	const arn = "arn:aws:iam::«account»:role/«eksctl-prod-podidentityrole-shop-api-Role»"
	snap := &snapshot.Snapshot{
		Roles: []snapshot.Role{{ARN: arn, TrustPolicy: doc(t, agentTrust(`"sts:AssumeRole"`, ""))}},
		PodIdentityAssociations: []snapshot.PodIdentityAssociation{{
			ARN: "«eksctl.prod.podidentity.shop.api»", Cluster: "«cluster»", Namespace: "shop", ServiceAccount: "api",
			RoleARN: arn, Unknown: []string{"arn", "cluster", "role_arn"},
		}},
	}
	got := Analyze(snap).PodIdentity[0].Role
	want := RoleFacts{ARN: arn, Status: StatusFound, Index: 0, Caller: PodIdentityService,
		Required: []string{ActionAssumeRole, ActionTagSession},
		Verdicts: map[string]string{ActionAssumeRole: "admitted", ActionTagSession: "refused"}, Refused: []string{ActionTagSession}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("role facts (-want +got):\n%s", diff)
	}
}
