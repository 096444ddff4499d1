package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// authDetailsExport is a get-account-authorization-details export of n roles, as the AWS CLI
// prints it (four-space indents).
func authDetailsExport(n int) []byte {
	var roles []any
	for i := range n {
		roles = append(roles, map[string]any{
			"Path": "/", "RoleName": fmt.Sprintf("role-%d", i), "RoleId": fmt.Sprintf("AROA%016d", i),
			"Arn":        fmt.Sprintf("arn:aws:iam::111122223333:role/role-%d", i),
			"CreateDate": "2024-01-01T00:00:00+00:00",
			"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
				"Principal": map[string]any{"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAA"},
				"Condition": map[string]any{"StringEquals": map[string]any{
					"oidc.eks.us-east-1.amazonaws.com/id/AAA:sub": fmt.Sprintf("system:serviceaccount:ns-%d:sa-%d", i%100, i),
					"oidc.eks.us-east-1.amazonaws.com/id/AAA:aud": "sts.amazonaws.com",
				}},
			}}},
			"InstanceProfileList": []any{}, "RolePolicyList": []any{}, "Tags": []any{}, "RoleLastUsed": map[string]any{},
			"AttachedManagedPolicies": []any{map[string]any{"PolicyName": "AmazonS3ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}},
		})
	}
	b, _ := json.MarshalIndent(map[string]any{"RoleDetailList": roles, "UserDetailList": []any{}, "GroupDetailList": []any{}, "Policies": []any{}}, "", "    ")
	return b
}

// serviceAccountExport is `kubectl get serviceaccounts -A -o json` of n ServiceAccounts in
// namespaces of 1,000, each with its default ServiceAccount.
func serviceAccountExport(n int) []byte {
	var items []any
	sa := func(ns, name string, i int) map[string]any {
		return map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{
			"name": name, "namespace": ns, "creationTimestamp": "2025-01-01T00:00:00Z",
			"resourceVersion": fmt.Sprint(1000 + i), "uid": fmt.Sprintf("6f1c%04x-0000-4000-8000-%012x", i%0xffff, i),
		}}
	}
	items = append(items, sa("default", "default", 0), sa("kube-system", "default", 1))
	for i := range n - 2 {
		ns := fmt.Sprintf("ns-%d", i/1000)
		name := fmt.Sprintf("sa-%d", i)
		if i%1000 == 0 {
			name = "default"
		}
		items = append(items, sa(ns, name, i+2))
	}
	b, _ := json.MarshalIndent(map[string]any{"apiVersion": "v1", "kind": "List", "items": items, "metadata": map[string]any{"resourceVersion": ""}}, "", "    ")
	return b
}

// savedSnapshot is a snapshot as `irsa-audit collect` writes it, with n ServiceAccounts.
func savedSnapshot(n int) []byte {
	s := snapshot.Snapshot{Version: snapshot.Version, GeneratedAt: "2026-11-27T00:00:00Z",
		Sources: []snapshot.Source{{Kind: "api", Name: "kubernetes:prod", Format: "kubernetes"}}}
	s.Clusters = []snapshot.Cluster{{ID: "prod", Name: "prod", Issuer: "oidc.example/id/A", Inventory: snapshot.ClusterInventory{ServiceAccounts: true}, Loc: snapshot.Location{API: "kubernetes:prod"}}}
	for i := range n {
		s.ServiceAccounts = append(s.ServiceAccounts, snapshot.ServiceAccount{Cluster: "prod", Namespace: fmt.Sprintf("ns-%d", i/1000), Name: fmt.Sprintf("sa-%d", i),
			RoleARN: fmt.Sprintf("arn:aws:iam::111122223333:role/r-%d", i), Annotations: map[string]string{RoleARNAnnotation: fmt.Sprintf("arn:aws:iam::111122223333:role/r-%d", i)},
			Loc: snapshot.Location{API: "kubernetes:prod"}})
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.Encode(s)
	return b.Bytes()
}

// counts is what the size tests compare: how many items were read, and what was skipped.
type counts struct {
	Roles, ServiceAccounts int
	Errors                 []snapshot.InputError
	Skipped                []snapshot.Skipped
}

func countsOf(s *snapshot.Snapshot) counts {
	return counts{Roles: len(s.Roles), ServiceAccounts: len(s.ServiceAccounts), Errors: s.Errors, Skipped: s.Skipped}
}

// TestSizeLimit checks that the size limit applies only to inputs that are not exports,
// snapshots or manifests, for files named or walked and for standard input. Before, every input
// over the limit was skipped (named: an error), so an account export a little larger than the
// limit made a compliance gate judge nothing and pass.
func TestSizeLimit(t *testing.T) {
	const limit = 4 << 10
	pad := func(b string) string { return b + strings.Repeat(" ", limit) }
	bigPolicy := pad(policy)
	bigUnrelated := pad(`{"name": "x"}`)
	var manifests string
	for i := range 200 {
		manifests += fmt.Sprintf("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s%d, namespace: app}\n---\n", i)
	}
	yamlExport := "RoleDetailList:\n" + strings.Repeat("- RoleName: r\n  Arn: arn:aws:iam::111122223333:role/r\n", 1) + strings.Repeat("# padding\n", limit/10+1)
	for _, tc := range []struct {
		name, content string
		want          func(name string, named bool) counts
	}{
		{"policy over the limit", bigPolicy, func(name string, named bool) counts {
			reason := fmt.Sprintf("file is %d bytes, over the %d-byte size limit (--max-file-size), and not an AWS CLI or kubectl export, a Kubernetes manifest or a snapshot", len(bigPolicy), limit)
			if name == "-" {
				reason = fmt.Sprintf("larger than the %d-byte size limit (--max-file-size), and not an AWS CLI or kubectl export, a Kubernetes manifest or a snapshot", limit)
			}
			return counts{Skipped: []snapshot.Skipped{{File: name, Reason: reason, Named: named}}}
		}},
		{"unrelated data over the limit", bigUnrelated, func(name string, named bool) counts {
			reason := fmt.Sprintf("file is %d bytes, over the %d-byte size limit (--max-file-size), and not an AWS CLI or kubectl export, a Kubernetes manifest or a snapshot", len(bigUnrelated), limit)
			if name == "-" {
				reason = fmt.Sprintf("larger than the %d-byte size limit (--max-file-size), and not an AWS CLI or kubectl export, a Kubernetes manifest or a snapshot", limit)
			}
			return counts{Skipped: []snapshot.Skipped{{File: name, Reason: reason, Named: named}}}
		}},
		{"account export", string(authDetailsExport(20)), func(string, bool) counts { return counts{Roles: 20} }},
		{"account export in YAML", yamlExport, func(string, bool) counts { return counts{Roles: 1} }},
		{"kubectl export", string(serviceAccountExport(50)), func(string, bool) counts { return counts{ServiceAccounts: 50} }},
		{"manifest stream", manifests, func(string, bool) counts { return counts{ServiceAccounts: 200} }},
		{"saved snapshot", string(savedSnapshot(50)), func(string, bool) counts { return counts{ServiceAccounts: 50} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.content) <= limit {
				t.Fatalf("test input is %d bytes, not over the %d-byte limit", len(tc.content), limit)
			}
			dir := t.TempDir()
			file := filepath.Join(dir, "input.json")
			write(t, file, tc.content)
			name := filepath.ToSlash(file)
			for _, run := range []struct {
				how   string
				paths []string
				stdin io.Reader
				want  counts
			}{
				{"named", []string{file}, nil, tc.want(name, true)},
				{"walked", []string{dir}, nil, tc.want(name, false)},
				{"stdin", []string{"-"}, strings.NewReader(tc.content), tc.want("-", true)},
			} {
				snap, err := Load(context.Background(), run.paths, Options{MaxFileSize: limit, Stdin: run.stdin})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(run.want, countsOf(snap)); diff != "" {
					t.Errorf("%s (-want +got):\n%s", run.how, diff)
				}
			}
		})
	}
}

// TestLargeExportsAtDefaultLimit reads, with the default options, the exports of the sizes that
// used to be skipped by the 10 MiB default: get-account-authorization-details of 10,000 roles
// (~11 MB), kubectl's export of 100,000 ServiceAccounts (~30 MB) and a snapshot of 100,000
// ServiceAccounts (~40 MB), and checks the snapshot is decoded without the position tree (it
// used to take 7 s and 750 MB for 33 MiB).
func TestLargeExportsAtDefaultLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads 80 MB")
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		file    string
		content []byte
		want    counts
	}{
		{"gaad.json", authDetailsExport(10000), counts{Roles: 10000}},
		{"serviceaccounts.json", serviceAccountExport(100000), counts{ServiceAccounts: 100000}},
		{"snapshot.json", savedSnapshot(100000), counts{ServiceAccounts: 100000}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			if len(tc.content) <= DefaultMaxFileSize {
				t.Fatalf("%s is %d bytes, not over the default limit", tc.file, len(tc.content))
			}
			path := filepath.Join(dir, tc.file)
			if err := os.WriteFile(path, tc.content, 0o644); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			snap, err := Load(context.Background(), []string{path}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, countsOf(snap)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			t.Logf("%s: %d bytes in %v", tc.file, len(tc.content), time.Since(start))
		})
	}
}

// TestSnapshotStreamMatchesTree holds the straight decoding of a saved snapshot equal to its
// reading through the position tree (which YAML snapshots still take).
func TestSnapshotStreamMatchesTree(t *testing.T) {
	data, err := os.ReadFile("testdata/exports/saved/snapshot.json")
	if err != nil {
		t.Fatal(err)
	}
	if !isSnapshotStream(data) {
		t.Fatal("the saved snapshot is not recognised for straight decoding")
	}
	for _, content := range [][]byte{data, savedSnapshot(30)} {
		tree := recognise("s.json", "file", content, true)
		stream := decodeSnapshot("s.json", "file", bytes.NewReader(content), true)
		if diff := cmp.Diff(tree.items, stream.items); diff != "" {
			t.Errorf("items (-tree +stream):\n%s", diff)
		}
		if diff := cmp.Diff(tree.errors, stream.errors); diff != "" {
			t.Errorf("errors (-tree +stream):\n%s", diff)
		}
		if diff := cmp.Diff(*tree.source, *stream.source); diff != "" {
			t.Errorf("source (-tree +stream):\n%s", diff)
		}
	}
}

// TestSnapshotErrors checks the located errors of a snapshot decoded straight, and that a bad
// generated_at is one of them instead of aborting the whole run later (the evaluator could not
// parse it, and the scan ended without a report).
func TestSnapshotErrors(t *testing.T) {
	head := "{\n  \"version\": \"1\",\n  \"generated_at\": \"2026-11-27T00:00:00Z\",\n"
	sa := `{"cluster": "c", "namespace": "a", "name": "b", "loc": {"api": "kubernetes:c"}}`
	for _, tc := range []struct {
		name, content string
		errors        []snapshot.InputError
		sas           int
		generatedAt   string
	}{
		{"good", head + `  "service_accounts": [` + sa + "]\n}\n", nil, 1, "2026-11-27T00:00:00Z"},
		{"offset time is normalised", "{\n  \"version\": \"1\",\n  \"generated_at\": \"2026-11-27T02:00:00+02:00\",\n  \"service_accounts\": [" + sa + "]\n}\n", nil, 1, "2026-11-27T00:00:00Z"},
		{"generated_at not a time", "{\n  \"version\": \"1\",\n  \"generated_at\": \"last tuesday\",\n  \"service_accounts\": [" + sa + "]\n}\n",
			[]snapshot.InputError{{File: "s.json", Line: 3, Column: 3, Message: `generated_at "last tuesday" is not an RFC 3339 time (e.g. 2026-01-02T15:04:05Z); the snapshot is judged as of the time of this scan`}}, 1, ""},
		{"other version", "{\n  \"version\": \"2\",\n  \"stats\": {}\n}\n",
			[]snapshot.InputError{{File: "s.json", Line: 2, Column: 3, Message: `snapshot version 2 is not supported: this irsa-audit reads version "1"`}}, 0, ""},
		{"truncated", head + `  "service_accounts": [` + sa,
			[]snapshot.InputError{{File: "s.json", Line: 4, Column: 103, Message: "unexpected end of input (truncated JSON?)"}}, 0, ""},
		{"wrong type", head + "  \"service_accounts\": [\n    {\"name\": 5}\n  ]\n}\n",
			[]snapshot.InputError{{File: "s.json", Line: 5, Column: 15, Message: "service_accounts.name must be a string, not number"}}, 0, ""},
		{"trailing data", head + "  \"stats\": {}\n}\n{}\n",
			[]snapshot.InputError{{File: "s.json", Line: 6, Column: 2, Message: "unexpected data after the snapshot"}}, 0, ""},
		{"invalid UTF-8", head + "  \"service_accounts\": [{\"name\": \"\xff\"}]\n}\n",
			[]snapshot.InputError{{File: "s.json", Line: 4, Column: 34, Message: "invalid UTF-8 byte 0xff (a snapshot is UTF-8 JSON text)"}}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// One byte at a time: positions and UTF-8 checks must not depend on read sizes.
			r := decodeSnapshot("s.json", "file", iotestOneByte(tc.content), true)
			if diff := cmp.Diff(tc.errors, r.errors); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if len(r.items.ServiceAccounts) != tc.sas || r.items.GeneratedAt != tc.generatedAt {
				t.Errorf("got %d ServiceAccounts, generated_at %q; want %d, %q", len(r.items.ServiceAccounts), r.items.GeneratedAt, tc.sas, tc.generatedAt)
			}
		})
	}
}

// iotestOneByte reads s one byte at a time.
func iotestOneByte(s string) io.Reader { return &oneByte{s: s} }

type oneByte struct{ s string }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(o.s) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = o.s[0]
	o.s = o.s[1:]
	return 1, nil
}

// FuzzDecodeSnapshot holds the straight decoding of a snapshot to what the position tree reads
// from the same text whenever both accept it, and checks that its errors are located.
func FuzzDecodeSnapshot(f *testing.F) {
	if data, err := os.ReadFile("testdata/exports/saved/snapshot.json"); err == nil {
		f.Add(data)
	}
	f.Add(savedSnapshot(3))
	f.Add([]byte(`{"version": "1", "generated_at": "2026-11-27T00:00:00+01:00", "policies": [{"id": "p", "document": {"statements": []}}]}`))
	f.Add([]byte("{\"version\": \"1\", \"roles\": [{\"arn\": \"\xff\"}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		stream := decodeSnapshot("s.json", "file", bytes.NewReader(data), true)
		for _, e := range stream.errors {
			if e.Line <= 0 && !strings.HasPrefix(e.Message, "cannot read") {
				t.Fatalf("unlocated error %+v", e)
			}
		}
		if len(stream.errors) > 0 || !isSnapshotStream(data) {
			return
		}
		tree := recognise("s.json", "file", bytes.Clone(data), true)
		if len(tree.errors) > 0 || tree.source.Format != FormatSnapshot {
			return // duplicate keys, for one, are refused by the tree only
		}
		if diff := cmp.Diff(tree.items, stream.items); diff != "" {
			t.Fatalf("items (-tree +stream):\n%s", diff)
		}
	})
}
