package eval

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// TestUserPackageUnderIrsaAudit (issue 10): a --policy module whose package is under
// irsa_audit but is not one of the built-in packages could add entries to the virtual documents
// of built-in rules and libraries through a dotted rule head: here it forges an IRSA-002
// finding (critical) on an empty snapshot. Such packages are refused, naming file and line.
func TestUserPackageUnderIrsaAudit(t *testing.T) {
	forge := `deny contains {"msg": "forged", "resource": {"kind": "role", "id": "arn:aws:iam::111122223333:role/x"}, "path": []}`
	for _, tc := range []struct {
		name, src, line string
	}{
		{"rules prefix", "package irsa_audit.rules.trust\n\nwildcard_subject." + forge + "\n", "a.rego:1"},
		{"root", "package irsa_audit\n\nrules.trust.wildcard_subject." + forge + "\n", "a.rego:1"},
		{"lib", "# a comment\npackage irsa_audit.lib.extra\n\nx := 1\n", "a.rego:2"},
		{"quoted", "package irsa_audit[\"rules\"].trust\n\nwildcard_subject." + forge + "\n", "a.rego:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeRules(t, map[string]string{"a.rego": tc.src})
			e, err := New(context.Background(), Options{Now: fixedNow, PolicyDirs: []string{dir}})
			if err == nil {
				fs, _ := e.Evaluate(context.Background(), &snapshot.Snapshot{})
				t.Fatalf("New accepted the module; findings on an empty snapshot: %+v", fs)
			}
			for _, w := range []string{tc.line, "the irsa_audit namespace is reserved"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestUserRuleInputIndependentOfPackage (issue 10): rule groups used to be chosen by package
// prefix alone, so a --policy rule in a package starting irsa_audit.rules.inventory. joined the
// early group, whose input has no input.permissions, and the same rule gave a finding in one
// package and none in another. User rules now always get the whole input.
func TestUserRuleInputIndependentOfPackage(t *testing.T) {
	for _, tc := range []struct {
		pkg     string
		builtin bool
		want    int
	}{
		{"acme.rules.x", false, groupWhole},
		{"irsa_audit.rules.inventory.x", false, groupWhole},
		{"irsa_audit.rules.serviceaccount.x", false, groupWhole},
		{"irsa_audit.rules.inventory.x", true, groupEarly},
		{"irsa_audit.rules.serviceaccount.x", true, groupEarly},
		{"irsa_audit.rules.trust.x", true, groupTrust},
		{"irsa_audit.rules.trust.x", false, groupWhole},
		{"irsa_audit.rules.permissions.x", true, groupWhole},
	} {
		if got := ruleGroup(tc.pkg, tc.builtin); got != tc.want {
			t.Errorf("ruleGroup(%q, builtin %v) = %d, want %d", tc.pkg, tc.builtin, got, tc.want)
		}
	}
}

// TestSchemaRefRefused: a JSON schema in a user rule's METADATA may $ref a file
// ("file:///etc/passwd") or a URL, which OPA's schema loader would read when type-checking with
// annotations (irsa-audit test, opa check); user rules must be hermetic, so it is refused.
func TestSchemaRefRefused(t *testing.T) {
	for _, ref := range []string{"file:///etc/passwd", "https://example.com/schema.json"} {
		src := "# METADATA\n# title: T\n# custom:\n#   id: ACME-1\n#   severity: low\n# schemas:\n#   - input:\n#       type: object\n#       properties:\n#         x:\n#           $ref: " + ref + "\npackage acme.rules.a\n\ndeny contains 1 if false\n"
		dir := writeRules(t, map[string]string{"a.rego": src})
		_, err := New(context.Background(), Options{Now: fixedNow, PolicyDirs: []string{dir}})
		if err == nil || !strings.Contains(err.Error(), "a.rego:1") || !strings.Contains(err.Error(), "$ref") {
			t.Errorf("%s: New error = %v, want one naming a.rego:1 and $ref", ref, err)
		}
	}
}

// TestSchemaBuiltinsWithheld: json.match_schema and json.verify_schema load the $ref of a schema
// from the file system (file:// refs are not subject to the allow_net capability), so a rule
// could read local files; they are not in the capabilities.
func TestSchemaBuiltinsWithheld(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret.json")
	if err := os.WriteFile(secret, []byte(`{"type": "string"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, call := range []string{
		`json.verify_schema({"$ref": "file://` + secret + `"})`,
		`json.match_schema({}, {"$ref": "file://` + secret + `"})`,
	} {
		body := "deny contains {\"msg\": sprintf(\"%v\", [r]), \"resource\": {\"kind\": \"role\", \"id\": \"x\"}, \"path\": []} if {\n\tr := " + call + "\n}"
		dir := writeRules(t, map[string]string{"a.rego": userRule("acme.rules.a", "ACME-1", body)})
		e, err := New(context.Background(), Options{Now: fixedNow, builtin: testBuiltin(), PolicyDirs: []string{dir}})
		if err == nil {
			fs, _ := e.Evaluate(context.Background(), &snapshot.Snapshot{})
			t.Errorf("%s compiled; findings %+v", call, fs)
			continue
		}
		if !strings.Contains(err.Error(), "a.rego:9") || !strings.Contains(err.Error(), "undefined function json.") {
			t.Errorf("%s: error %v, want undefined function at a.rego:9", call, err)
		}
	}
}
