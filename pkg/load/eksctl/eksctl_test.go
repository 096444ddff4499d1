package eksctl

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden reads the example ClusterConfig and compares what it contributes with
// testdata/cluster.golden.json.
func TestGolden(t *testing.T) {
	data, err := os.ReadFile("../../../examples/eksctl/cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := syntax.ParseYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	if !Is(docs[0]) {
		t.Fatal("Is = false")
	}
	s, err := Load(docs[0], "cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "cluster.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", golden, diff)
	}
}

// TestTrust checks the trust documents eksctl writes: sub and aud for a ServiceAccount and the
// add-ons whose ServiceAccount it knows, aud only for the others, pods.eks.amazonaws.com for
// Pod Identity.
func TestTrust(t *testing.T) {
	src := `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: c, region: us-east-1}
iam:
  withOIDC: true
  serviceAccounts:
    - metadata: {name: app, namespace: team}
  podIdentityAssociations:
    - {namespace: team, serviceAccountName: worker, roleARN: "arn:aws:iam::111122223333:role/existing"}
addons:
  - {name: vpc-cni, attachPolicyARNs: [arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy]}
  - {name: some-addon, attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]}
`
	docs, err := syntax.ParseYAML([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(docs[0], "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type cond struct{ Key, Value string }
	var got [][]cond
	for _, r := range s.Roles {
		var cs []cond
		for _, c := range r.TrustPolicy.Statements[0].Conditions {
			cs = append(cs, cond{c.Key, c.Values[0]})
		}
		got = append(got, cs)
	}
	iss := "«eksctl.c.oidc_issuer»"
	want := [][]cond{
		{{iss + ":sub", "system:serviceaccount:team:app"}, {iss + ":aud", "sts.amazonaws.com"}},
		{{iss + ":sub", "system:serviceaccount:kube-system:aws-node"}, {iss + ":aud", "sts.amazonaws.com"}},
		{{iss + ":aud", "sts.amazonaws.com"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trust conditions (-want +got):\n%s", diff)
	}
	if len(s.PodIdentityAssociations) != 1 || s.PodIdentityAssociations[0].RoleARN != "arn:aws:iam::111122223333:role/existing" {
		t.Errorf("pod identity associations: %+v", s.PodIdentityAssociations)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"no name", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  region: x\n", "4:3: name is required"},
		{"bad service accounts", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c}\niam:\n  serviceAccounts: nope\n", "5:20: serviceAccounts must be a list, not string"},
		{"unknown well-known policy", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c}\niam:\n  withOIDC: true\n  serviceAccounts:\n    - metadata: {name: a}\n      wellKnownPolicies: {teleport: true}\n", `8:27: unknown well-known policy "teleport"`},
		{"add-on role without OIDC", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c}\naddons:\n  - name: vpc-cni\n    attachPolicyARNs: [x]\n", "5:5: add-on vpc-cni asks for an IAM role, which needs iam.withOIDC: true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := syntax.ParseYAML([]byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Load(docs[0], "c.yaml")
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
