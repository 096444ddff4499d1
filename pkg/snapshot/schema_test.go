package snapshot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/irsa-audit/irsa-audit/pkg/load"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

const schemaPath = "../../docs/snapshot.schema.json"

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatalf("compile %s: %v", schemaPath, err)
	}
	return s
}

// defs maps each model type to its definition in the schema ("" is the root).
var defs = map[reflect.Type]string{
	reflect.TypeFor[snapshot.Snapshot]():               "",
	reflect.TypeFor[snapshot.Location]():               "location",
	reflect.TypeFor[snapshot.Source]():                 "source",
	reflect.TypeFor[snapshot.InputError]():             "input_error",
	reflect.TypeFor[snapshot.Skipped]():                "skipped",
	reflect.TypeFor[snapshot.NotJudged]():              "not_judged",
	reflect.TypeFor[snapshot.Stats]():                  "stats",
	reflect.TypeFor[snapshot.Document]():               "document",
	reflect.TypeFor[snapshot.Statement]():              "statement",
	reflect.TypeFor[snapshot.Principal]():              "principal",
	reflect.TypeFor[snapshot.Condition]():              "condition",
	reflect.TypeFor[snapshot.PolicyFile]():             "policy_file",
	reflect.TypeFor[snapshot.Account]():                "account",
	reflect.TypeFor[snapshot.AccountInventory]():       "account_inventory",
	reflect.TypeFor[snapshot.OIDCProvider]():           "oidc_provider",
	reflect.TypeFor[snapshot.Cluster]():                "cluster",
	reflect.TypeFor[snapshot.ClusterInventory]():       "cluster_inventory",
	reflect.TypeFor[snapshot.Role]():                   "role",
	reflect.TypeFor[snapshot.InlinePolicy]():           "inline_policy",
	reflect.TypeFor[snapshot.AttachedPolicy]():         "attached_policy",
	reflect.TypeFor[snapshot.ManagedPolicy]():          "managed_policy",
	reflect.TypeFor[snapshot.ServiceAccount]():         "service_account",
	reflect.TypeFor[snapshot.Workload]():               "workload",
	reflect.TypeFor[snapshot.PodIdentityAssociation](): "pod_identity_association",
}

// TestSchemaCoversModel checks that the schema and the Go model name the same fields, that
// fields without omitempty are required, and that every struct type reachable from Snapshot has
// a definition.
func TestSchemaCoversModel(t *testing.T) {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	type def struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Required   []string                   `json:"required"`
	}
	var root struct {
		def
		Defs map[string]def `json:"$defs"`
	}
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var visit func(reflect.Type)
	visit = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct {
			return
		}
		name, ok := defs[typ]
		if !ok {
			t.Errorf("type %s has no schema definition (add it to defs and the schema)", typ)
			return
		}
		if seen[name] {
			return
		}
		seen[name] = true
		d := root.def
		if name != "" {
			if d, ok = root.Defs[name]; !ok {
				t.Errorf("schema has no $defs/%s", name)
				return
			}
		}
		var fields, required []string
		for f := range typ.Fields() {
			tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			fields = append(fields, tag)
			if !strings.Contains(opts, "omitempty") && name != "" {
				required = append(required, tag)
			}
			visit(f.Type)
		}
		var props []string
		for p := range d.Properties {
			props = append(props, p)
		}
		sort.Strings(fields)
		sort.Strings(props)
		if diff := cmp.Diff(fields, props); diff != "" {
			t.Errorf("$defs/%s properties (-go +schema):\n%s", name, diff)
		}
		for _, r := range required {
			if !slices.Contains(d.Required, r) {
				t.Errorf("$defs/%s: field %q is always written (no omitempty) but not required", name, r)
			}
		}
	}
	visit(reflect.TypeFor[snapshot.Snapshot]())
	for name := range root.Defs {
		if !seen[name] {
			t.Errorf("$defs/%s is not used by the model", name)
		}
	}
}

// TestSchemaValidatesLoaderOutput validates what the loader builds from the shipped examples and
// from the AWS CLI / kubectl export fixtures.
func TestSchemaValidatesLoaderOutput(t *testing.T) {
	sch := compileSchema(t)
	for _, paths := range [][]string{
		{"../../examples"},
		{"../load/testdata/exports"},
		{"../load/testdata/tree"},
	} {
		t.Run(paths[0], func(t *testing.T) {
			snap, err := load.Load(context.Background(), paths, load.Options{})
			if err != nil {
				t.Fatal(err)
			}
			data, err := json.Marshal(snap)
			if err != nil {
				t.Fatal(err)
			}
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(v); err != nil {
				t.Errorf("snapshot of %s does not validate: %v", paths, err)
			}
		})
	}
}

// TestSchemaRejects checks that the schema refuses what is not a snapshot. Each case pairs the
// bad document with the same document put right, which must validate: otherwise a schema that
// rejected everything (a new required field, a typo in a $ref) would pass every case.
func TestSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	const minimal = `{"version": "1", "stats": {"files": 0}}`
	for _, tc := range []struct{ name, bad, good string }{
		{"no version", `{"stats": {"files": 0}}`, minimal},
		{"other version", `{"version": "2", "stats": {"files": 0}}`, minimal},
		{"unknown top-level field", `{"version": "1", "stats": {"files": 0}, "users": []}`, minimal},
		{"account without inventory",
			`{"version": "1", "stats": {"files": 0}, "accounts": [{"id": "111122223333"}]}`,
			`{"version": "1", "stats": {"files": 0}, "accounts": [{"id": "111122223333", "inventory": {"roles": false, "oidc_providers": false, "cluster_regions": [], "all_regions": false}}]}`},
		{"line as a string",
			`{"version": "1", "stats": {"files": 0}, "policies": [{"id": "p", "loc": {"start_line": "3"}, "document": {"statements": [], "loc": {}}}]}`,
			`{"version": "1", "stats": {"files": 0}, "policies": [{"id": "p", "loc": {"start_line": 3}, "document": {"statements": [], "loc": {}}}]}`},
		{"effect spelled in lower case",
			`{"version": "1", "stats": {"files": 0}, "policies": [{"id": "p", "loc": {}, "document": {"statements": [{"effect": "allow", "loc": {}}], "loc": {}}}]}`,
			`{"version": "1", "stats": {"files": 0}, "policies": [{"id": "p", "loc": {}, "document": {"statements": [{"effect": "Allow", "loc": {}}], "loc": {}}}]}`},
		{"statements null",
			`{"version": "1", "stats": {"files": 0}, "policies": [{"id": "p", "loc": {}, "document": {"statements": null, "loc": {}}}]}`,
			`{"version": "1", "stats": {"files": 0}, "policies": [{"id": "p", "loc": {}, "document": {"statements": [], "loc": {}}}]}`},
		{"workload of an unknown kind",
			`{"version": "1", "stats": {"files": 0}, "workloads": [{"kind": "Service", "namespace": "a", "name": "b", "service_account": "c", "loc": {}}]}`,
			`{"version": "1", "stats": {"files": 0}, "workloads": [{"kind": "Pod", "namespace": "a", "name": "b", "service_account": "c", "loc": {}}]}`},
		{"generated_at not a date",
			`{"version": "1", "generated_at": "yesterday", "stats": {"files": 0}}`,
			`{"version": "1", "generated_at": "2026-01-01T00:00:00Z", "stats": {"files": 0}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			validate := func(doc string) error {
				v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
				if err != nil {
					t.Fatal(err)
				}
				return sch.Validate(v)
			}
			if err := validate(tc.good); err != nil {
				t.Fatalf("the corrected document does not validate, so the rejection proves nothing: %v\n%s", err, tc.good)
			}
			if err := validate(tc.bad); err == nil {
				t.Errorf("%s validates; want an error", tc.bad)
			}
		})
	}
}
