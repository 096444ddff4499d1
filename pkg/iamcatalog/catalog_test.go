package iamcatalog

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func mustCatalog(t testing.TB) *Catalog {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return c
}

// TestCatalogWellFormed checks the embedded catalog against the counts recorded at generation
// and the invariants the analysis relies on.
func TestCatalogWellFormed(t *testing.T) {
	c := mustCatalog(t)
	if got := len(c.Services()); got != generatedServices {
		t.Errorf("services = %d, generated %d", got, generatedServices)
	}
	if c.Len() != generatedActions {
		t.Errorf("actions = %d, generated %d", c.Len(), generatedActions)
	}
	if c.Len() < 15000 {
		t.Errorf("only %d actions: the catalog looks truncated", c.Len())
	}
	prev := ""
	for i := range c.Len() {
		a := c.At(i)
		if a.Service == "" || a.Name == "" || strings.ContainsAny(a.Name, ":*? \t") {
			t.Errorf("action %d: bad name %q", i, a)
		}
		switch a.Level {
		case List, Read, Write, PermissionsManagement, Tagging:
		default:
			t.Errorf("%s: unknown level %q", a, a.Level)
		}
		key := a.Service + "\x00" + a.Name
		if key <= prev {
			t.Errorf("%s: not in (service, name) order", a)
		}
		prev = key
		if j, ok := c.Lookup(strings.ToUpper(a.String())); !ok || j != i {
			t.Errorf("Lookup(%s) = %d, %v; want %d", strings.ToUpper(a.String()), j, ok, i)
		}
	}
	// Each service's [First, End) is exactly its actions: the ranges tile the catalog in order
	// and hold no action of another service. Expansion and the analysis scan these ranges, so a
	// range one short would silently drop an action.
	next := 0
	for _, key := range c.Services() {
		svc, ok := c.Service(key)
		if !ok {
			t.Errorf("Service(%q): not found", key)
			continue
		}
		if svc.First != next || svc.End <= svc.First {
			t.Errorf("service %s covers [%d, %d), want it to start at %d and hold an action", key, svc.First, svc.End, next)
		}
		for i := svc.First; i < svc.End && i < c.Len(); i++ {
			if got := c.At(i).Service; got != key {
				t.Errorf("action %d (%s) is in the range of service %s", i, c.At(i), key)
			}
		}
		next = svc.End
	}
	if next != c.Len() {
		t.Errorf("service ranges end at %d, want %d (the number of actions)", next, c.Len())
	}
}

// TestCatalogCoversS3 checks that S3 is complete: the actions this tool reasons about are there
// with the level and resource types of the Service Authorization Reference, and every resource
// type an S3 action names is declared with its ARN format.
func TestCatalogCoversS3(t *testing.T) {
	c := mustCatalog(t)
	s3, ok := c.Service("S3")
	if !ok {
		t.Fatal("no s3 service")
	}
	if n := s3.End - s3.First; n < 150 {
		t.Errorf("s3 has %d actions, want at least 150", n)
	}
	types := map[string]string{}
	for _, rt := range s3.ResourceTypes {
		types[rt.Name] = rt.ARN
	}
	for name, arn := range map[string]string{
		"bucket": "arn:${Partition}:s3:::${BucketName}",
		"object": "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
	} {
		if types[name] != arn {
			t.Errorf("s3 resource type %s = %q, want %q", name, types[name], arn)
		}
	}
	levels := map[AccessLevel]int{}
	for i := s3.First; i < s3.End; i++ {
		a := c.At(i)
		levels[a.Level]++
		for _, rt := range a.ResourceTypes {
			if _, ok := types[rt]; !ok {
				t.Errorf("%s: resource type %q is not declared by s3", a, rt)
			}
		}
	}
	for _, l := range []AccessLevel{List, Read, Write, PermissionsManagement, Tagging} {
		if levels[l] == 0 {
			t.Errorf("no s3 action with level %s", l)
		}
	}
	for _, tc := range []struct {
		action string
		want   Action
	}{
		{"s3:GetObject", Action{Service: "s3", Name: "GetObject", Level: Read, ResourceTypes: []string{"accesspointobject", "object"}}},
		{"s3:putobject", Action{Service: "s3", Name: "PutObject", Level: Write, ResourceTypes: []string{"accesspointobject", "object"}}},
		{"s3:ListBucket", Action{Service: "s3", Name: "ListBucket", Level: List, ResourceTypes: []string{"accesspoint", "bucket"}}},
		{"s3:PutBucketPolicy", Action{Service: "s3", Name: "PutBucketPolicy", Level: PermissionsManagement, ResourceTypes: []string{"bucket"}}},
		{"s3:PutObjectAcl", Action{Service: "s3", Name: "PutObjectAcl", Level: PermissionsManagement, ResourceTypes: []string{"accesspointobject", "object"}}},
		{"s3:PutBucketPublicAccessBlock", Action{Service: "s3", Name: "PutBucketPublicAccessBlock", Level: PermissionsManagement, ResourceTypes: []string{"bucket"}}},
		{"s3:ListAllMyBuckets", Action{Service: "s3", Name: "ListAllMyBuckets", Level: List}},
		{"s3:PutObjectTagging", Action{Service: "s3", Name: "PutObjectTagging", Level: Tagging, ResourceTypes: []string{"accesspointobject", "object"}}},
	} {
		i, ok := c.Lookup(tc.action)
		if !ok {
			t.Errorf("Lookup(%s): not found", tc.action)
			continue
		}
		if diff := cmp.Diff(tc.want, c.At(i)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.action, diff)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, value string
		want           bool
	}{
		{"*", "s3:GetObject", true},
		{"s3:*", "s3:GetObject", true},
		{"S3:get*", "s3:GetObject", true},
		{"s3:*Object*", "s3:PutObjectAcl", true},
		{"s3:*Object", "s3:PutObjectAcl", false},
		{"s3:Get?bject", "s3:GetObject", true},
		{"s3:Get?bject", "s3:GetObjectAcl", false},
		{"s3:Get??", "s3:GetObject", false},
		{"iam:*", "s3:GetObject", false},
		{"*:*", "s3:GetObject", true},
		{"", "", true},
		{"", "a", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbYcZ", false},
		{"**", "", true},
	} {
		if got := Match(tc.pattern, tc.value); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
		}
	}
}

func TestExpandCounts(t *testing.T) {
	c := mustCatalog(t)
	// Count each service's actions by name, not through Service's [First, End): expansion scans
	// that range, so a count taken from it would agree with a wrong range.
	actionsOf := func(service string) int {
		n := 0
		for i := range c.Len() {
			if c.At(i).Service == service {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		pattern string
		want    int
	}{
		{"*", generatedActions},
		{"*:*", generatedActions},
		{"s3:*", actionsOf("s3")},
		{"S3:*", actionsOf("s3")},
		{"iam:*", actionsOf("iam")},
		{"s3:GetObject", 1},
		{"s3:getobject", 1},
		{"s3:NoSuchAction", 0},
		{"nosuchservice:*", 0},
		{"GetObject", 0},
		{"s3", 0},
		{"*:", 0},
		{"**:**", c.Len()},
	} {
		if got := len(c.ExpandIndex(tc.pattern)); got != tc.want {
			t.Errorf("len(Expand(%q)) = %d, want %d", tc.pattern, got, tc.want)
		}
	}
}

// TestExpandGolden shows what "s3:Put*", "s3:*Object*" and "s3:Delete*" expand to against the
// real catalog: every action with its access level, and the count. Refresh with -update when
// the catalog is regenerated.
func TestExpandGolden(t *testing.T) {
	c := mustCatalog(t)
	var b strings.Builder
	fmt.Fprintf(&b, "# Expansions against %s\n", CatalogSource)
	for _, pattern := range []string{"s3:Put*", "s3:*Object*", "s3:Delete*"} {
		actions := c.Expand(pattern)
		levels := map[AccessLevel]int{}
		for _, a := range actions {
			levels[a.Level]++
		}
		fmt.Fprintf(&b, "\n%s: %d actions (Write %d, Permissions management %d, Tagging %d, Read %d, List %d)\n",
			pattern, len(actions), levels[Write], levels[PermissionsManagement], levels[Tagging], levels[Read], levels[List])
		for _, a := range actions {
			fmt.Fprintf(&b, "  %-50s %s\n", a, a.Level)
		}
	}
	golden(t, "expand.golden", b.String())
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func TestManagedPolicies(t *testing.T) {
	m, err := AWSManaged()
	if err != nil {
		t.Fatalf("AWSManaged: %v", err)
	}
	if m.Len() != generatedManagedPolicies || m.Len() < 1000 {
		t.Errorf("Len = %d, generated %d", m.Len(), generatedManagedPolicies)
	}
	type statement struct {
		Effect   string
		Action   any
		Resource any
	}
	for _, tc := range []struct {
		arn  string
		want []statement
	}{
		{"arn:aws:iam::aws:policy/AdministratorAccess", []statement{{"Allow", "*", "*"}}},
		{"arn:aws:iam::aws:policy/AmazonS3FullAccess", []statement{{"Allow", []any{"s3:*", "s3-object-lambda:*"}, "*"}}},
		{"arn:aws-us-gov:iam::aws:policy/AdministratorAccess", []statement{{"Allow", "*", "*"}}},
	} {
		p, ok := m.Lookup(tc.arn)
		if !ok {
			t.Errorf("Lookup(%s): not found", tc.arn)
			continue
		}
		var doc struct {
			Version   string
			Statement []statement
		}
		if err := json.Unmarshal(p.Document, &doc); err != nil {
			t.Errorf("%s: %v", tc.arn, err)
			continue
		}
		if doc.Version != "2012-10-17" || p.VersionID == "" {
			t.Errorf("%s: version %q, default version %q", tc.arn, doc.Version, p.VersionID)
		}
		if diff := cmp.Diff(tc.want, doc.Statement); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.arn, diff)
		}
	}
	for _, arn := range []string{"arn:aws:iam::aws:policy/NoSuchPolicy", "arn:aws:iam::111122223333:policy/AdministratorAccess", ""} {
		if _, ok := m.Lookup(arn); ok {
			t.Errorf("Lookup(%q) found a policy", arn)
		}
	}
	for _, arn := range m.ARNs() {
		p, _ := m.Lookup(arn)
		if !json.Valid(p.Document) {
			t.Errorf("%s: invalid JSON", arn)
		}
	}
	for arn, want := range map[string]bool{
		"arn:aws:iam::aws:policy/ReadOnlyAccess":              true,
		"arn:aws-cn:iam::aws:policy/service-role/AWSGlueRole": true,
		"arn:aws:iam::111122223333:policy/mine":               false,
		"AdministratorAccess":                                 false,
	} {
		if got := IsAWSManagedARN(arn); got != want {
			t.Errorf("IsAWSManagedARN(%q) = %v", arn, got)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	for b.Loop() {
		if _, err := decodeCatalog(actionsGz); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExpandWildcardService(b *testing.B) {
	c := mustCatalog(b)
	for b.Loop() {
		c.ExpandIndex("*:*Object*")
	}
}
