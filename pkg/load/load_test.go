package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestLoadTreeGolden loads testdata/tree (every policy shape, manifests, templates, broken and
// unrelated files) and compares the whole snapshot with testdata/tree.golden.json.
func TestLoadTreeGolden(t *testing.T) {
	checkLoadGolden(t, "testdata/tree", "testdata/tree.golden.json")
}

// checkLoadGolden loads dir and compares the whole snapshot, as indented JSON, with the golden
// file (rewritten with -update).
func checkLoadGolden(t *testing.T, dir, golden string) {
	t.Helper()
	snap, err := Load(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s: snapshot (-want +got):\n%s", golden, diff)
	}
}

// outcome is what a test compares: everything but the loaded items.
type outcome struct {
	Sources []snapshot.Source
	Errors  []snapshot.InputError
	Skipped []snapshot.Skipped
	Files   int
}

func outcomeOf(s *snapshot.Snapshot) outcome {
	return outcome{Sources: s.Sources, Errors: s.Errors, Skipped: s.Skipped, Files: s.Stats.Files}
}

// TestNamedVersusWalked checks how one file is treated when named on the command line and when
// met during a directory walk.
func TestNamedVersusWalked(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		// named and walked: the Source.Format, then an error ("line:col: msg") or a skip reason
		named, walked [2]string
	}{
		{"policy", `{"Statement": {"Effect": "Allow", "Action": "a"}}`, [2]string{"iam-policy", ""}, [2]string{"iam-policy", ""}},
		{"unrelated json", `{"name": "x"}`, [2]string{"unrelated", "skip: " + ReasonUnrelated}, [2]string{"unrelated", "skip: " + ReasonUnrelated}},
		{"unrelated yaml", "replicas: 3\n", [2]string{"unrelated", "skip: " + ReasonUnrelated}, [2]string{"unrelated", "skip: " + ReasonUnrelated}},
		{"json array of policies", `[{"Statement": []}]`, [2]string{"unrelated", "skip: " + ReasonUnrelated}, [2]string{"unrelated", "skip: " + ReasonUnrelated}},
		// Unrecognised data is skipped with the reason, named or not; only recognised inputs
		// that are malformed are errors.
		{"broken unrelated json", `{"name": `, [2]string{"invalid", "skip: not valid JSON or YAML (1:10: unexpected end of input (truncated JSON?))"}, [2]string{"invalid", "skip: not valid JSON or YAML (1:10: unexpected end of input (truncated JSON?))"}},
		{"broken policy json", "{\"Statement\": [\n", [2]string{"invalid", "error 2:1: unexpected end of input (truncated JSON?)"}, [2]string{"invalid", "error 2:1: unexpected end of input (truncated JSON?)"}},
		{"broken manifest yaml", "kind: Pod\n a: b\nc", [2]string{"invalid", "error 1:7: mapping value is not allowed in this context"}, [2]string{"invalid", "error 1:7: mapping value is not allowed in this context"}},
		{"binary", "\x00\x01\x02", [2]string{"binary", "skip: binary file (NUL byte at line 1, column 1)"}, [2]string{"binary", "skip: binary file (NUL byte at line 1, column 1)"}},
		{"invalid utf8", "a: \xff\n", [2]string{"binary", "skip: binary file (invalid UTF-8 byte 0xff at line 1, column 4)"}, [2]string{"binary", "skip: binary file (invalid UTF-8 byte 0xff at line 1, column 4)"}},
		{"policy with invalid utf8", "{\"Statement\": {\n  \"Sid\": \"\xe9t\xe9\"}}", [2]string{"invalid", "error 2:11: invalid UTF-8 byte 0xe9 (policies, manifests and exports are UTF-8 text)"}, [2]string{"invalid", "error 2:11: invalid UTF-8 byte 0xe9 (policies, manifests and exports are UTF-8 text)"}},
		{"manifest with a NUL byte", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: \"a\x00\"}\n", [2]string{"invalid", "error 3:20: NUL byte (policies, manifests and exports are UTF-8 text)"}, [2]string{"invalid", "error 3:20: NUL byte (policies, manifests and exports are UTF-8 text)"}},
		{"empty", " \n", [2]string{"empty", "skip: empty file"}, [2]string{"empty", "skip: empty file"}},
		{"template", "kind: ServiceAccount\nmetadata:\n  name: {{ .Values.name }}\n", [2]string{"template", "needed: " + ReasonTemplate}, [2]string{"template", "needed: " + ReasonTemplate}},
		{"template of no IRSA kind", "kind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n", [2]string{"template", "skip: " + ReasonTemplate}, [2]string{"template", "skip: " + ReasonTemplate}},
		{"trailing comma policy is not YAML-rescued", `{"Statement": {"Effect": "Allow", "Action": "a",}}`, [2]string{"invalid", "error 1:49: unexpected character '}', expected a string key"}, [2]string{"invalid", "error 1:49: unexpected character '}', expected a string key"}},
		{"yaml flow manifest", `{apiVersion: v1, kind: ServiceAccount, metadata: {name: a}}`, [2]string{"kubernetes-manifest", ""}, [2]string{"kubernetes-manifest", ""}},
		{"utf16 policy", string(utf16LE(`{"Statement": {"Effect": "Deny", "Action": "a"}}`)), [2]string{"iam-policy", ""}, [2]string{"iam-policy", ""}},
		{"kinds IRSA does not involve", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n", [2]string{"kubernetes-manifest", "skip: no ServiceAccount or workload: Kubernetes objects of kinds IRSA does not involve (ConfigMap, Service)"}, [2]string{"kubernetes-manifest", "skip: no ServiceAccount or workload: Kubernetes objects of kinds IRSA does not involve (ConfigMap, Service)"}},
		{"eksctl", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: prod}\niam:\n  withOIDC: true\n  serviceAccounts:\n  - metadata: {name: s3-reader, namespace: app}\n    attachPolicyARNs: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]\n", [2]string{FormatEksctl, ""}, [2]string{FormatEksctl, ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "input")
			if err := os.WriteFile(file, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			// A file both met in a walk and named is treated as named, whatever the order.
			for _, run := range []struct {
				paths []string
				want  [2]string
			}{{[]string{file}, tc.named}, {[]string{dir}, tc.walked}, {[]string{dir, file}, tc.named}, {[]string{file, dir}, tc.named}} {
				snap, err := Load(context.Background(), run.paths, Options{})
				if err != nil {
					t.Fatal(err)
				}
				name := filepath.ToSlash(file)
				want := outcome{Sources: []snapshot.Source{{Kind: "file", Name: name, Format: run.want[0]}}, Files: 1}
				named := len(run.paths) > 1 || run.paths[0] == file
				switch msg := run.want[1]; {
				case strings.HasPrefix(msg, "skip: "):
					want.Skipped = []snapshot.Skipped{{File: name, Reason: strings.TrimPrefix(msg, "skip: "), Named: named}}
				case strings.HasPrefix(msg, "needed: "):
					want.Skipped = []snapshot.Skipped{{File: name, Reason: strings.TrimPrefix(msg, "needed: "), Named: named, Needed: true}}
				case strings.HasPrefix(msg, "needed "):
					var line, col int
					if _, err := fmt.Sscanf(msg, "needed %d:%d:", &line, &col); err != nil {
						t.Fatalf("bad expectation %q", msg)
					}
					_, text, _ := strings.Cut(msg, ": ")
					want.Skipped = []snapshot.Skipped{{File: name, Line: line, Column: col, Reason: text, Named: named, Needed: true}}
				case strings.HasPrefix(msg, "error "):
					var line, col int
					var text string
					if _, err := fmt.Sscanf(msg, "error %d:%d:", &line, &col); err != nil {
						t.Fatalf("bad expectation %q", msg)
					}
					_, text, _ = strings.Cut(msg, ": ")
					want.Errors = []snapshot.InputError{{File: name, Line: line, Column: col, Message: text}}
				}
				if diff := cmp.Diff(want, outcomeOf(snap)); diff != "" {
					t.Errorf("Load(%q) (-want +got):\n%s", run.paths, diff)
				}
			}
		})
	}
}

func utf16LE(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

func TestStdin(t *testing.T) {
	in := "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: s\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::1:role/r\n"
	for _, tc := range []struct {
		name      string
		stdinName string
		wantName  string
	}{
		{"default name", "", "-"},
		{"given name", "rendered.yaml", "rendered.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap, err := Load(context.Background(), []string{"-", "-"}, Options{Stdin: strings.NewReader(in), StdinName: tc.stdinName})
			if err != nil {
				t.Fatal(err)
			}
			want := []snapshot.ServiceAccount{{
				Namespace: "default", Name: "s",
				Annotations: map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/r"},
				RoleARN:     "arn:aws:iam::1:role/r",
				RoleARNLoc:  &snapshot.Location{File: tc.wantName, StartLine: 6, StartColumn: 33, EndLine: 6},
				Loc:         snapshot.Location{File: tc.wantName, StartLine: 1, StartColumn: 1, EndLine: 6},
			}}
			if diff := cmp.Diff(want, snap.ServiceAccounts); diff != "" {
				t.Errorf("service accounts (-want +got):\n%s", diff)
			}
			wantOut := outcome{Sources: []snapshot.Source{{Kind: "stdin", Name: tc.wantName, Format: "kubernetes-manifest"}}, Files: 1}
			if diff := cmp.Diff(wantOut, outcomeOf(snap)); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
		})
	}
	snap, err := Load(context.Background(), []string{"-"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := outcome{Errors: []snapshot.InputError{{File: "-", Message: "standard input is not available"}}}
	if diff := cmp.Diff(want, outcomeOf(snap)); diff != "" {
		t.Errorf("no stdin (-want +got):\n%s", diff)
	}
}

const policy = `{"Statement": {"Effect": "Allow", "Action": "a"}}`

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func policyIDs(s *snapshot.Snapshot) []string {
	var ids []string
	for _, p := range s.Policies {
		ids = append(ids, p.ID)
	}
	return ids
}

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"b/p.json", "a/p.json", "a/c/p.json", ".git/p.json", "node_modules/m/p.json", "vendor/v/p.json", "z/vendor/p.json"} {
		write(t, filepath.Join(dir, p), policy)
	}
	// A loop back to the root, a second way into a/, a link to a file, and a dangling link.
	for _, l := range []struct{ target, link string }{
		{dir, "a/c/loop"},
		{filepath.Join(dir, "a"), "b/again"},
		{filepath.Join(dir, "a/p.json"), "b/link.json"},
		{filepath.Join(dir, "missing"), "b/dangling.json"},
	} {
		if err := os.Symlink(l.target, filepath.Join(dir, l.link)); err != nil {
			t.Fatal(err)
		}
	}
	// A fifo found by the walk is skipped, not opened (opening it would block).
	if err := syscall.Mkfifo(filepath.Join(dir, "b/fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	snap, err := Load(context.Background(), []string{dir, filepath.Join(dir, "a/p.json")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := filepath.ToSlash(dir)
	wantIDs := []string{d + "/a/c/p.json", d + "/a/p.json", d + "/b/link.json", d + "/b/p.json"}
	if diff := cmp.Diff(wantIDs, policyIDs(snap)); diff != "" {
		t.Errorf("policy ids (-want +got):\n%s", diff)
	}
	want := outcome{
		Errors: []snapshot.InputError{{File: d + "/b/dangling.json", Message: "dangling symlink: no such file or directory"}},
		Skipped: []snapshot.Skipped{
			{File: d + "/a/c/loop", Reason: "symlink to a directory that was already walked (a loop or a duplicate)"},
			{File: d + "/b/again", Reason: "symlink to a directory that was already walked (a loop or a duplicate)"},
			{File: d + "/b/fifo", Reason: "not a regular file (p---------)"},
		},
		Files: 4,
	}
	for _, id := range wantIDs {
		want.Sources = append(want.Sources, snapshot.Source{Kind: "file", Name: id, Format: "iam-policy"})
	}
	got := outcomeOf(snap)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcome (-want +got):\n%s", diff)
	}
}

func TestRelativePaths(t *testing.T) {
	snap, err := Load(context.Background(), []string{"./testdata/tree/policies/", "testdata/tree/policies/bom.json"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"testdata/tree/policies/all_shapes.json",
		"testdata/tree/policies/bom.json",
		"testdata/tree/policies/get_role_output.txt",
		"testdata/tree/policies/irsa_trust.json",
		"testdata/tree/policies/statement_object.json",
		"testdata/tree/policies/two_policies.yaml#1",
		"testdata/tree/policies/two_policies.yaml#2",
	}
	if diff := cmp.Diff(want, policyIDs(snap)); diff != "" {
		t.Errorf("policy ids (-want +got):\n%s", diff)
	}
}

func TestMissingPath(t *testing.T) {
	snap, err := Load(context.Background(), []string{"testdata/does-not-exist.json"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := outcome{Errors: []snapshot.InputError{{File: "testdata/does-not-exist.json", Message: "no such file or directory"}}}
	if diff := cmp.Diff(want, outcomeOf(snap)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// failingFS fails to open or list the paths in fail, as permission errors would (tests run as
// root, so chmod cannot produce them).
type failingFS struct {
	osFS
	fail map[string]bool
}

func (f failingFS) Open(name string) (io.ReadCloser, error) {
	if f.fail[filepath.Base(name)] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return f.osFS.Open(name)
}

func (f failingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if f.fail[filepath.Base(name)] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return f.osFS.ReadDir(name)
}

func TestUnreadable(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "locked.json"), policy)
	write(t, filepath.Join(dir, "ok.json"), policy)
	write(t, filepath.Join(dir, "private/p.json"), policy)
	snap, err := load(context.Background(), []string{dir}, Options{}, failingFS{fail: map[string]bool{"locked.json": true, "private": true}})
	if err != nil {
		t.Fatal(err)
	}
	d := filepath.ToSlash(dir)
	want := outcome{
		Sources: []snapshot.Source{{Kind: "file", Name: d + "/ok.json", Format: "iam-policy"}},
		Errors: []snapshot.InputError{
			{File: d + "/locked.json", Message: "cannot read: permission denied"},
			{File: d + "/private", Message: "cannot read directory: permission denied"},
		},
		Files: 1,
	}
	if diff := cmp.Diff(want, outcomeOf(snap)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	snap, err := Load(ctx, []string{"testdata/tree"}, Options{})
	if !errors.Is(err, context.Canceled) || snap != nil {
		t.Errorf("Load with a cancelled context = %v, %v; want nil, context.Canceled", snap, err)
	}
}

func TestWorkloadsAndServiceAccounts(t *testing.T) {
	snap, err := Load(context.Background(), []string{"testdata/tree/manifests/workloads.yaml", "testdata/tree/manifests/list.yaml"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	type w struct{ Kind, Namespace, Name, SA, Automount string }
	var got []w
	for _, x := range snap.Workloads {
		a := "unset"
		if x.AutomountToken != nil {
			a = fmt.Sprint(*x.AutomountToken)
		}
		got = append(got, w{x.Kind, x.Namespace, x.Name, x.ServiceAccount, a})
	}
	want := []w{
		{"Pod", "ns", "pod", "default", "unset"},
		{"StatefulSet", "ns", "sts", "sts-sa", "unset"},
		{"DaemonSet", "ns", "ds", "ds-sa", "unset"},
		{"ReplicaSet", "ns", "rs", "rs-sa", "unset"},
		{"Job", "ns", "job", "job-sa", "unset"},
		{"CronJob", "ns", "cron", "cron-sa", "false"},
		{"Pod", "ci", "runner", "deprecated-field", "true"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("workloads (-want +got):\n%s", diff)
	}
	var sas []string
	for _, sa := range snap.ServiceAccounts {
		sas = append(sas, sa.Namespace+"/"+sa.Name)
	}
	if diff := cmp.Diff([]string{"default/listed", "ci/gen-"}, sas); diff != "" {
		t.Errorf("service accounts (-want +got):\n%s", diff)
	}
	wantErrs := []snapshot.InputError{{File: "testdata/tree/manifests/list.yaml", Line: 19, Column: 13, Message: "name must be a string, not number"}}
	if diff := cmp.Diff(wantErrs, snap.Errors); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// FuzzLoad feeds bytes through the recogniser path, named and walked: it must not panic,
// every input must end up somewhere (loaded, an error, or skipped with a reason), and the
// parser's taker (take.go) changes nothing.
func FuzzLoad(f *testing.F) {
	for _, root := range []string{"testdata/tree", "testdata/exports"} {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if data, err := os.ReadFile(path); err == nil {
					f.Add(data)
				}
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if with, without := recogniseBoth(t, "f", data); !cmp.Equal(with, without) {
			t.Fatalf("the taker changes the reading of %q:\n%s", data, cmp.Diff(without, with))
		}
		for _, explicit := range []bool{true, false} {
			r := recognise("f", "file", bytes.Clone(data), explicit)
			if r.source == nil || r.source.Format == "" {
				t.Fatalf("no source format for %q", data)
			}
			// Nothing the user gave is lost: what is not loaded is an error or skipped, with
			// the reason (a file of ConfigMaps included).
			if r.empty() && len(r.errors) == 0 && len(r.skipped) == 0 && len(r.claims) == 0 {
				t.Fatalf("input %q vanished: format %s, nothing loaded, no error, not skipped", data, r.source.Format)
			}
			for _, e := range r.errors {
				if e.File != "f" || e.Message == "" {
					t.Fatalf("bad error %+v", e)
				}
			}
			for _, s := range r.skipped {
				if s.File != "f" || s.Reason == "" || s.Named != explicit {
					t.Fatalf("bad skipped entry %+v (named %v)", s, explicit)
				}
			}
		}
	})
}

// BenchmarkLoadTree loads a tree of 10,000 small files: policies, manifests and unrelated data.
func BenchmarkLoadTree(b *testing.B) {
	dir := b.TempDir()
	manifest := "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa%d\n  namespace: ns\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/r%d\n" +
		"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d%d\nspec:\n  template:\n    spec:\n      serviceAccountName: sa%d\n"
	trust, err := os.ReadFile("testdata/tree/policies/irsa_trust.json")
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10000 {
		sub := filepath.Join(dir, fmt.Sprintf("d%02d", i%100))
		var name, content string
		switch i % 3 {
		case 0:
			name, content = fmt.Sprintf("p%d.json", i), string(trust)
		case 1:
			name, content = fmt.Sprintf("m%d.yaml", i), fmt.Sprintf(manifest, i, i, i, i)
		default:
			name, content = fmt.Sprintf("u%d.json", i), fmt.Sprintf(`{"name": "pkg%d", "version": "1.0.%d"}`, i, i)
		}
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		snap, err := Load(context.Background(), []string{dir}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if snap.Stats.Files != 10000 || len(snap.Errors) != 0 {
			b.Fatalf("files %d, errors %v", snap.Stats.Files, snap.Errors)
		}
	}
}

func TestMixedAndPartialFiles(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		want          outcome
		policies      []string
		sas           int
	}{
		{
			name:    "policy and manifest in one YAML stream",
			content: "Statement: {Effect: Allow, Action: a}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s}\n",
			want: outcome{
				Sources: []snapshot.Source{{Kind: "file", Name: "F", Format: "iam-policy+kubernetes-manifest"}},
				Files:   1,
			},
			policies: []string{"F#1"},
			sas:      1,
		},
		{
			name:    "documents before a YAML syntax error still load",
			content: "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s}\n---\napiVersion: v1\nkind: [\n",
			want: outcome{
				Sources: []snapshot.Source{{Kind: "file", Name: "F", Format: "kubernetes-manifest"}},
				Errors:  []snapshot.InputError{{File: "F", Line: 6, Column: 7, Message: "sequence end token ']' not found"}},
				Files:   1,
			},
			sas: 1,
		},
		{
			// The bad document is reported; the ones after it are judged.
			name:    "documents after a YAML syntax error still load",
			content: "apiVersion: v1\nkind: [\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: t, annotations: *x}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: u}\n",
			want: outcome{
				Sources: []snapshot.Source{{Kind: "file", Name: "F", Format: "kubernetes-manifest"}},
				Errors: []snapshot.InputError{
					{File: "F", Line: 2, Column: 7, Message: "sequence end token ']' not found"},
					{File: "F", Line: 10, Column: 34, Message: "unknown alias *x (no anchor &x before it)"},
				},
				Files: 1,
			},
			sas: 2,
		},
		{
			name:    "wrong automount type",
			content: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {automountServiceAccountToken: \"no\"}\n",
			want: outcome{
				Sources: []snapshot.Source{{Kind: "file", Name: "F", Format: "kubernetes-manifest"}},
				Errors:  []snapshot.InputError{{File: "F", Line: 4, Column: 38, Message: "automountServiceAccountToken must be a boolean, not string"}},
				Files:   1,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "F")
			write(t, file, tc.content)
			// Load from inside dir so that names are short and stable.
			t.Chdir(dir)
			snap, err := Load(context.Background(), []string{"F"}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, outcomeOf(snap)); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.policies, policyIDs(snap)); diff != "" {
				t.Errorf("policy ids (-want +got):\n%s", diff)
			}
			if len(snap.ServiceAccounts) != tc.sas {
				t.Errorf("got %d service accounts, want %d", len(snap.ServiceAccounts), tc.sas)
			}
		})
	}
}
