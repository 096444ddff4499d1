package load

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// recogniseBoth reads data with and without the parser's taker and returns both snapshots.
func recogniseBoth(t testing.TB, name string, data []byte) (with, without *snapshot.Snapshot) {
	t.Helper()
	with = resolve([]*fileResult{recognise(name, "file", bytes.Clone(data), true)})
	noTaking = true
	defer func() { noTaking = false }()
	without = resolve([]*fileResult{recognise(name, "file", bytes.Clone(data), true)})
	return with, without
}

// takenCount returns how many items the taker read from data, and whether its reading was used.
func takenCount(name string, data []byte) (int, bool) {
	tk := newTaker(name)
	recogniseOnce(name, "file", bytes.Clone(data), true, nil, tk)
	n := 0
	for _, k := range tk.taken {
		n += k
	}
	return n, !tk.unused()
}

// TestTakerChangesNothing holds the reading of every test input, and of exports with broken
// items, equal with and without the parser's taker (take.go), and checks the taker does read
// the canonical exports.
func TestTakerChangesNothing(t *testing.T) {
	inputs := map[string][]byte{}
	for _, root := range []string{"testdata/tree", "testdata/exports", "../../examples"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			data, err := os.ReadFile(p)
			if err == nil {
				inputs[filepath.ToSlash(p)] = data
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sa := func(ns, name, extra string) string {
		return fmt.Sprintf(`{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":%q,"namespace":%q%s}}`, name, ns, extra)
	}
	role := func(name, extra string) string {
		return fmt.Sprintf(`{"Arn":"arn:aws:iam::111122223333:role/%s","RoleName":%q,"Path":"/","AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}%s}`, name, name, extra)
	}
	list := func(items ...string) string {
		return `{"apiVersion":"v1","items":[` + strings.Join(items, ",\n") + `],"kind":"List","metadata":{"resourceVersion":""}}`
	}
	crafted := map[string]struct {
		data  string
		taken int // items the taker reads and the recogniser uses
	}{
		"list.json": {list(sa("default", "default", ""), sa("kube-system", "default", ""),
			sa("app", "web", `,"annotations":{"eks.amazonaws.com/role-arn":"arn:aws:iam::111122223333:role/web"}`)), 3},
		"list-broken-item.json": {list(sa("default", "default", ""), sa("app", "bad", `,"annotations":{"a":1}`), sa("app", "after", "")), 1},
		"list-other-kinds.json": {list(sa("default", "default", ""), `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}`, sa("app", "x", "")), 1},
		"list-not-object.json":  {list(sa("default", "default", ""), `42`, sa("app", "x", "")), 1},
		"list-nested.json":      {list(sa("default", "default", ""), list(sa("app", "in", "")), sa("app", "x", "")), 3},
		"list-workloads.json": {list(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"app"},"spec":{"template":{"spec":{"serviceAccountName":"web"}}}}`,
			`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"kube-system"},"spec":{}}`), 2},
		// not a List: the items read while parsing are dropped and the file read again
		"not-a-list.json":         {`{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"a"},"items":[` + sa("app", "x", "") + `]}`, 0},
		"no-kind.json":            {`{"items":[` + sa("app", "x", "") + `]}`, 0},
		"list-syntax-error.json":  {list(sa("default", "default", ""), sa("app", "x", "")) + `,}`, 0},
		"list-truncated.json":     {`{"apiVersion":"v1","items":[` + sa("default", "default", "") + `,` + sa("app", "x", ""), 0},
		"list-duplicate-key.json": {`{"apiVersion":"v1","items":[` + sa("default", "default", "") + `],"kind":"List","items":[]}`, 0},
		"list-yaml-flow.json":     {`{"apiVersion": "v1", "items": [` + sa("app", "x", "") + `], kind: List}`, 0},
		"authdetails.json": {`{"RoleDetailList":[` + role("a", "") + `,` + role("b", `,"RolePolicyList":[{"PolicyName":"p","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}}]`) +
			`],"Policies":[{"PolicyName":"m","Arn":"arn:aws:iam::111122223333:policy/m","DefaultVersionId":"v1","PolicyVersionList":[{"VersionId":"v1","IsDefaultVersion":true,"Document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}}]}],"UserDetailList":[],"GroupDetailList":[]}`, 3},
		"authdetails-broken-role.json": {`{"RoleDetailList":[` + role("a", "") + `,` + role("b", `,"RolePolicyList":[{"PolicyName":"p"}]`) + `,` + role("c", "") +
			`],"Policies":[{"PolicyName":"m","Arn":"arn:aws:iam::111122223333:policy/m","DefaultVersionId":"v9","PolicyVersionList":[]},{"PolicyName":"n","Arn":"arn:aws:iam::111122223333:policy/n"}]}`, 1},
		"authdetails-bad-trust.json":      {`{"RoleDetailList":[` + role("a", "") + `,{"Arn":"arn:aws:iam::111122223333:role/x","AssumeRolePolicyDocument":{"Statement":[{"Effect":"Maybe"}]}}]}`, 1},
		"authdetails-truncated-flag.json": {`{"RoleDetailList":[` + role("a", "") + `],"IsTruncated":true,"Marker":"m"}`, 1},
		"policies-not-authdetails.json":   {`{"Policies":[{"PolicyName":"m","Arn":"arn:aws:iam::111122223333:policy/m"}]}`, 0},
	}
	for name, c := range crafted {
		inputs[name] = []byte(c.data)
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			with, without := recogniseBoth(t, name, data)
			if diff := cmp.Diff(without, with); diff != "" {
				t.Errorf("with the taker (-without +with):\n%s", diff)
			}
			if c, ok := crafted[name]; ok {
				n, used := takenCount(name, data)
				if !used {
					n = 0
				}
				if n != c.taken {
					t.Errorf("the taker read %d items that were used, want %d", n, c.taken)
				}
			}
		})
	}
}

// TestTakerReadsExports checks the taker reads every item of a kubectl export and of a
// 10,000-ServiceAccount list (its items parsed into reused memory, across slab boundaries, and
// kept in chunks).
func TestTakerReadsExports(t *testing.T) {
	pods, err := os.ReadFile("testdata/exports/estate/prod/pods.json")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`{"apiVersion":"v1","items":[`)
	for i := range 10000 {
		if i > 0 {
			b.WriteString(",\n")
		}
		ann := ""
		if i%10 == 0 {
			ann = fmt.Sprintf(`"annotations":{"eks.amazonaws.com/role-arn":"arn:aws:iam::111100000000:role/app-%06d","x":"y"},`, i)
		}
		name := fmt.Sprintf("svc-%06d", i)
		if i < 50 {
			name = "default" // one per namespace
		}
		fmt.Fprintf(&b, `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{%s"creationTimestamp":"2025-02-11T09:52:30Z","name":%q,"namespace":"team-%03d","resourceVersion":"%d","uid":"%08x"}}`, ann, name, i%50, 1000+i, i)
	}
	b.WriteString(`],"kind":"List","metadata":{"resourceVersion":""}}`)
	var ad strings.Builder
	ad.WriteString(`{"RoleDetailList":[`)
	for i := range 5000 {
		if i > 0 {
			ad.WriteString(",\n")
		}
		fmt.Fprintf(&ad, `{"Path":"/","RoleName":"r%d","Arn":"arn:aws:iam::111100000000:role/r%d","AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111100000000:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:ns:sa%d"}}}]},"RolePolicyList":[],"AttachedManagedPolicies":[]}`, i, i, i)
	}
	ad.WriteString(`],"Policies":[]}`)
	for name, data := range map[string][]byte{"pods.json": pods, "serviceaccounts.json": []byte(b.String()), "authdetails.json": []byte(ad.String())} {
		with, without := recogniseBoth(t, name, data)
		if diff := cmp.Diff(without, with); diff != "" {
			t.Errorf("%s with the taker (-without +with):\n%s", name, diff)
		}
		n, used := takenCount(name, data)
		if items := len(with.ServiceAccounts) + len(with.Workloads) + len(with.Roles); !used || n != items || n == 0 {
			t.Errorf("%s: the taker read %d items (used: %v), the file has %d", name, n, used, items)
		}
	}
}

// TestLoadIsFolded: a snapshot Load returns is folded, so that scan need not merge it alone
// (Merge would fold it again: 0.07 s for 100,000 ServiceAccounts).
func TestLoadIsFolded(t *testing.T) {
	for _, paths := range [][]string{{"testdata/tree"}, {"testdata/exports"}, {"../../examples"}, {"testdata/exports", "testdata/tree", "../../examples"}} {
		snap, err := Load(context.Background(), paths, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Roles)+len(snap.ServiceAccounts) == 0 {
			t.Fatalf("%v: nothing loaded", paths)
		}
		if diff := cmp.Diff(snap, snapshot.Merge(snap), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%v: merging the loaded snapshot alone changes it (-loaded +merged):\n%s", paths, diff)
		}
	}
}
