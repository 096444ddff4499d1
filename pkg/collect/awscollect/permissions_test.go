package awscollect

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/policydoc"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

const permissionsDir = "../../../docs/permissions/"

// TestScannerPolicyMatchesOperations: the documented IAM policy grants exactly what the collector
// calls (sts:GetCallerIdentity needs no permission), so the docs cannot drift from the code.
func TestScannerPolicyMatchesOperations(t *testing.T) {
	data, err := os.ReadFile(permissionsDir + "irsa-audit-scanner-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Effect string
			Action []string
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var granted []string
	for _, s := range doc.Statement {
		if s.Effect != "Allow" {
			t.Errorf("statement with effect %q", s.Effect)
		}
		for _, a := range s.Action {
			if strings.Contains(a, "*") {
				t.Errorf("action %q is a wildcard", a)
			}
			granted = append(granted, a)
		}
	}
	slices.Sort(granted)
	want := slices.DeleteFunc(Operations(), func(op string) bool { return op == "sts:GetCallerIdentity" })
	if diff := cmp.Diff(want, granted); diff != "" {
		t.Errorf("policy actions (-operations +policy):\n%s", diff)
	}
}

// TestIRSATrustPolicyPinned: the trust policy for running irsa-audit through IRSA pins both the
// subject and the audience with exact matches.
func TestIRSATrustPolicyPinned(t *testing.T) {
	data, err := os.ReadFile(permissionsDir + "irsa-audit-trust-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := policydoc.Parse(data, snapshot.Location{File: "irsa-audit-trust-policy.json"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range doc.Statements {
		for _, c := range s.Conditions {
			key := c.Key[strings.LastIndex(c.Key, ":")+1:]
			got = append(got, c.Operator+" "+key+"="+strings.Join(c.Values, ","))
		}
	}
	if diff := cmp.Diff([]string{
		"StringEquals sub=system:serviceaccount:irsa-audit:irsa-audit",
		"StringEquals aud=sts.amazonaws.com",
	}, got); diff != "" {
		t.Errorf("conditions (-want +got):\n%s", diff)
	}
}
