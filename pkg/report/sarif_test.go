package report

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// schemaPath is the official SARIF 2.1.0 JSON schema (OASIS, Errata 01), copied from the
// go-sarif v3.3.1 module; see docs/report-format.md.
var schemaPath = filepath.Join("..", "..", "testdata", "sarif-schema-2.1.0.json")

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("read %s: %v", schemaPath, err)
	}
	c := jsonschema.NewCompiler()
	const url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	// Draft 4 asserts formats (uri, uri-reference, date-time) by default; say so anyway, since
	// the URI checks are much of the point.
	c.AssertFormat()
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile SARIF schema: %v", err)
	}
	return sch
}

func validateSARIF(t *testing.T, sch *jsonschema.Schema, out []byte) error {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	return sch.Validate(doc)
}

func errorsOnlyReport() *findings.Report {
	r := findings.NewReport(findings.Tool{Name: "irsa-audit", Version: "0.3.0"}, nil, nil, &snapshot.Snapshot{
		Errors: []snapshot.InputError{
			{File: "-", Line: 1, Message: "unexpected end of JSON input"},
			{File: "x.json", Message: "is a directory"},
			{Message: "no inputs"},
		},
	})
	return &r
}

func apiOnlyReport() *findings.Report {
	r := findings.NewReport(findings.Tool{Name: "irsa-audit"},
		[]findings.Rule{{ID: "IRSA-001", Severity: findings.Critical, Title: "Trust policy allows any OIDC provider"}},
		[]findings.Finding{{
			RuleID: "IRSA-001", Severity: findings.Critical, Message: "m",
			Resource: findings.Resource{Kind: "role", ID: "arn:aws:iam::1:role/r"},
			Location: snapshot.Location{API: "iam:GetRole"},
		}, {
			// No resource, no location, no message: still a valid result.
			RuleID: "IRSA-001", Severity: findings.Critical,
		}}, nil)
	return &r
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	sch := compileSARIFSchema(t)
	for _, tc := range []struct {
		name string
		r    *findings.Report
		opts Options
	}{
		{"sample", sampleReport(), sampleOpts},
		{"empty", emptyReport(), sampleOpts},
		{"errors only", errorsOnlyReport(), sampleOpts},
		{"api only", apiOnlyReport(), Options{Root: "/"}},
		{"root is filesystem root", sampleReport(), Options{Root: "/", WorkDir: "/src/repo"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := render(t, SARIF, tc.r, tc.opts)
			if err := validateSARIF(t, sch, out); err != nil {
				t.Errorf("output does not match the SARIF 2.1.0 schema: %v\n%s", err, out)
			}
			log, err := buildSARIF(tc.r, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := log.Validate(); err != nil {
				t.Errorf("go-sarif Validate(): %v", err)
			}
		})
	}
}

// TestSARIFSchemaRejects shows that the schema check can fail: the validator must reject logs
// with the mistakes this renderer avoids.
func TestSARIFSchemaRejects(t *testing.T) {
	sch := compileSARIFSchema(t)
	good := render(t, SARIF, sampleReport(), sampleOpts)
	for _, tc := range []struct {
		name   string
		mutate func(log map[string]any)
	}{
		{"start line 0", func(log map[string]any) {
			region(log)["startLine"] = 0
		}},
		{"level named after a severity", func(log map[string]any) {
			results(log)[0].(map[string]any)["level"] = "high"
		}},
		{"message without text", func(log map[string]any) {
			delete(results(log)[0].(map[string]any)["message"].(map[string]any), "text")
		}},
		{"ruleIndex below -1", func(log map[string]any) {
			results(log)[0].(map[string]any)["ruleIndex"] = -2
		}},
		{"invocation without executionSuccessful", func(log map[string]any) {
			delete(firstRun(log)["invocations"].([]any)[0].(map[string]any), "executionSuccessful")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log map[string]any
			if err := json.Unmarshal(good, &log); err != nil {
				t.Fatal(err)
			}
			tc.mutate(log)
			bad, err := json.Marshal(log)
			if err != nil {
				t.Fatal(err)
			}
			if err := validateSARIF(t, sch, bad); err == nil {
				t.Error("schema accepted a broken log")
			}
		})
	}
}

func firstRun(log map[string]any) map[string]any { return log["runs"].([]any)[0].(map[string]any) }
func results(log map[string]any) []any           { return firstRun(log)["results"].([]any) }
func region(log map[string]any) map[string]any {
	for _, r := range results(log) {
		loc := r.(map[string]any)["locations"].([]any)[0].(map[string]any)
		if pl, ok := loc["physicalLocation"].(map[string]any); ok {
			if reg, ok := pl["region"].(map[string]any); ok {
				return reg
			}
		}
	}
	return map[string]any{} // the mutation then changes nothing and the test fails
}

// sarifLog is the part of a SARIF log the tests look at.
type sarifLog struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name           string `json:"name"`
				Version        string `json:"version"`
				InformationURI string `json:"informationUri"`
				Rules          []struct {
					ID            string `json:"id"`
					Name          string `json:"name"`
					HelpURI       string `json:"helpUri"`
					DefaultConfig struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
					Properties map[string]any `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		OriginalURIBaseIDs map[string]struct {
			URI string `json:"uri"`
		} `json:"originalUriBaseIds"`
		Results []struct {
			RuleID              string `json:"ruleId"`
			RuleIndex           int    `json:"ruleIndex"`
			Level               string `json:"level"`
			Message             struct{ Text string }
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Locations           []sarifLocation   `json:"locations"`
			RelatedLocations    []struct {
				Message struct{ Text string } `json:"message"`
			} `json:"relatedLocations"`
		} `json:"results"`
		Invocations []struct {
			ExecutionSuccessful bool `json:"executionSuccessful"`
			Notifications       []struct {
				Level     string `json:"level"`
				Message   struct{ Text string }
				Locations []sarifLocation `json:"locations"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
	} `json:"runs"`
}

type sarifLocation struct {
	PhysicalLocation *struct {
		ArtifactLocation struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId"`
		} `json:"artifactLocation"`
		Region *struct {
			StartLine   int `json:"startLine"`
			EndLine     int `json:"endLine"`
			StartColumn int `json:"startColumn"`
		} `json:"region"`
	} `json:"physicalLocation"`
	LogicalLocations []struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	} `json:"logicalLocations"`
}

func decodeSARIF(t *testing.T, out []byte) sarifLog {
	t.Helper()
	var log sarifLog
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("got %d runs, want 1", len(log.Runs))
	}
	return log
}

// place renders a location as uriBaseId|uri:start-end, "" when it has no physical location.
func place(l sarifLocation) string {
	if l.PhysicalLocation == nil {
		return ""
	}
	s := l.PhysicalLocation.ArtifactLocation.URIBaseID + "|" + l.PhysicalLocation.ArtifactLocation.URI
	if reg := l.PhysicalLocation.Region; reg != nil {
		s += ":" + strings.Join([]string{itoa(reg.StartLine), itoa(reg.EndLine), itoa(reg.StartColumn)}, "-")
	}
	return s
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestSARIFResults(t *testing.T) {
	log := decodeSARIF(t, render(t, SARIF, sampleReport(), sampleOpts))
	run := log.Runs[0]
	driver := run.Tool.Driver
	if driver.Name != "irsa-audit" || driver.Version != "0.3.0" || driver.InformationURI != "https://github.com/irsa-audit/irsa-audit" {
		t.Errorf("driver = %q %q %q", driver.Name, driver.Version, driver.InformationURI)
	}

	type rule struct{ ID, Name, HelpURI, Level, SecuritySeverity string }
	var gotRules []rule
	for _, r := range driver.Rules {
		ss, _ := r.Properties["security-severity"].(string)
		gotRules = append(gotRules, rule{r.ID, r.Name, r.HelpURI, r.DefaultConfig.Level, ss})
	}
	wantRules := []rule{
		{"ACME-1", "RoleWithoutOwnerTag", "", "note", ""}, // "not a url" is no helpUri
		{"IRSA-001", "TrustPolicyAllowsAnyOIDCProvider", "https://irsa-audit.dev/rules/IRSA-001", "error", "9.5"},
		{"IRSA-002", "TrustPolicyAllowsAnyServiceAccount", "https://irsa-audit.dev/rules/IRSA-002", "error", "8.0"},
		{"IRSA-005", "AudienceNotPinned", "", "warning", "5.5"},
		{"IRSA-010", "ServiceAccountsRoleIsInAnotherAccount", "", "note", "3.0"},
		// Not in the report's rules: described from its finding.
		{"IRSA-099", "RuleMissingFromTheRuleList", "", "warning", "5.5"},
	}
	if diff := cmp.Diff(wantRules, gotRules); diff != "" {
		t.Errorf("rules mismatch (-want +got):\n%s", diff)
	}

	type result struct{ RuleID, Level, Place, Fingerprint string }
	var gotResults []result
	for _, r := range run.Results {
		if r.RuleIndex < 0 || r.RuleIndex >= len(driver.Rules) || driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s has ruleIndex %d, which is not its rule", r.RuleID, r.RuleIndex)
		}
		p := ""
		if len(r.Locations) > 0 {
			p = place(r.Locations[0])
		}
		gotResults = append(gotResults, result{r.RuleID, r.Level, p, r.PartialFingerprints["irsaAuditFingerprint/v1"]})
	}
	wantResults := []result{
		{"IRSA-001", "error", "|file:///etc/irsa/shared%20policy.json:2-2-0", "fp-001-abs"},
		{"IRSA-002", "error", "%SRCROOT%|iam/trust.json:12-18-0", "fp-002-crit"},
		{"IRSA-002", "error", "|stdin:3-9-0", "fp-002-stdin"},
		{"IRSA-005", "warning", "%SRCROOT%|iam/trust.json:12-18-0", "fp-005"},
		{"IRSA-099", "warning", "%SRCROOT%|iam/inside.json", "fp-099"}, // no line: no region
		{"IRSA-010", "note", "%SRCROOT%|k8s/service-accounts.yaml:4-4-5", "fp-010-sa"},
		{"ACME-1", "note", "", "fp-acme"}, // live API finding: logical location only
	}
	if diff := cmp.Diff(wantResults, gotResults); diff != "" {
		t.Errorf("results mismatch (-want +got):\n%s", diff)
	}
	if got := run.Results[6].Locations; len(got) != 1 || len(got[0].LogicalLocations) != 1 ||
		got[0].LogicalLocations[0].Name != "arn:aws:iam::111122223333:role/app" || got[0].LogicalLocations[0].Kind != "resource" {
		t.Errorf("API finding locations = %+v, want one logical location naming the role", got)
	}
	var related []string
	for _, rl := range run.Results[1].RelatedLocations {
		related = append(related, rl.Message.Text)
	}
	if diff := cmp.Diff([]string{
		"oidc_provider arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
		"service_account prod/app",
	}, related); diff != "" {
		t.Errorf("related locations mismatch (-want +got):\n%s", diff)
	}

	if got := run.OriginalURIBaseIDs["%SRCROOT%"].URI; got != "file:///src/repo/" {
		t.Errorf("originalUriBaseIds[%%SRCROOT%%] = %q, want file:///src/repo/", got)
	}

	if len(run.Invocations) != 1 {
		t.Fatalf("got %d invocations, want 1", len(run.Invocations))
	}
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful {
		t.Error("executionSuccessful = true with input errors, want false")
	}
	type note struct{ Level, Text, Place string }
	var gotNotes []note
	for _, n := range inv.Notifications {
		p := ""
		if len(n.Locations) > 0 {
			p = place(n.Locations[0])
		}
		gotNotes = append(gotNotes, note{n.Level, n.Message.Text, p})
	}
	wantNotes := []note{
		{"error", "invalid character '}' looking for beginning of object key string", "%SRCROOT%|iam/broken.json:3-3-7"},
		{"error", "permission denied", "%SRCROOT%|k8s/unreadable.yaml"},
		{"error", "eks:ListClusters: AccessDeniedException: not authorized", ""},
		{"note", "skipped: Helm template", "%SRCROOT%|charts/app/templates/sa.yaml"},
		{"note", "not checked: cluster arn:aws:eks:us-east-1:111122223333:cluster/prod: service accounts not inventoried: no all-namespaces export is tied to this cluster", ""},
	}
	if diff := cmp.Diff(wantNotes, gotNotes); diff != "" {
		t.Errorf("notifications mismatch (-want +got):\n%s", diff)
	}
}

func TestSARIFExecutionSuccessful(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    *findings.Report
		want bool
	}{
		{"no errors", emptyReport(), true},
		{"findings but no errors", apiOnlyReport(), true},
		{"errors", errorsOnlyReport(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := decodeSARIF(t, render(t, SARIF, tc.r, sampleOpts))
			if got := log.Runs[0].Invocations[0].ExecutionSuccessful; got != tc.want {
				t.Errorf("executionSuccessful = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSARIFNoZeroLines walks the whole sample log: SARIF lines and columns are 1-based, so a 0
// anywhere means an unknown value leaked through.
func TestSARIFNoZeroLines(t *testing.T) {
	var log any
	if err := json.Unmarshal(render(t, SARIF, sampleReport(), sampleOpts), &log); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				switch k {
				case "startLine", "endLine", "startColumn", "endColumn":
					if n, ok := x.(float64); !ok || n < 1 {
						t.Errorf("%s.%s = %v, want a positive line or column", path, k, x)
					}
				}
				walk(path+"."+k, x)
			}
		case []any:
			for i, x := range v {
				walk(path+"["+itoa(i)+"]", x)
			}
		}
	}
	walk("$", log)
}

func TestArtifactLocation(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     Options
		file     string
		wantURI  string
		wantBase string
	}{
		{"relative under root", Options{Root: "/src/repo", WorkDir: "/src/repo"}, "iam/trust.json", "iam/trust.json", srcRoot},
		{"relative with dot segments", Options{Root: "/src/repo", WorkDir: "/src/repo"}, "./k8s/../iam/x.json", "iam/x.json", srcRoot},
		{"absolute under root", Options{Root: "/src/repo"}, "/src/repo/a/b.json", "a/b.json", srcRoot},
		{"relative outside root", Options{Root: "/src/repo", WorkDir: "/src/repo"}, "../other/x.json", "file:///src/other/x.json", ""},
		{"sibling with the root as prefix", Options{Root: "/src/repo"}, "/src/repository/x.json", "file:///src/repository/x.json", ""},
		{"absolute outside root", Options{Root: "/src/repo"}, "/etc/irsa/p.json", "file:///etc/irsa/p.json", ""},
		{"the root itself", Options{Root: "/src/repo/p.json"}, "/src/repo/p.json", "file:///src/repo/p.json", ""},
		{"space and hash escaped", Options{Root: "/src/repo"}, "/src/repo/a b#1.json", "a%20b%231.json", srcRoot},
		{"colon in first segment", Options{Root: "/src/repo"}, "/src/repo/a:b.json", "./a:b.json", srcRoot},
		{"non-ASCII", Options{Root: "/src/repo"}, "/src/repo/política.json", "pol%C3%ADtica.json", srcRoot},
		{"relative root", Options{Root: "repo", WorkDir: "/src"}, "repo/iam/x.json", "iam/x.json", srcRoot},
		{"root defaults to the work dir", Options{WorkDir: "/src/repo"}, "iam/x.json", "iam/x.json", srcRoot},
		{"process working directory", Options{}, "iam/x.json", "iam/x.json", srcRoot},
		{"root is /", Options{Root: "/"}, "/etc/p.json", "etc/p.json", srcRoot},
		{"stdin", Options{Root: "/src/repo"}, "-", "stdin", ""},
		{"stdin with --stdin-name", Options{Root: "/src/repo", WorkDir: "/src/repo"}, "iam/from-stdin.json", "iam/from-stdin.json", srcRoot},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := newURIMapper(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			al, err := m.artifactLocation(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			var gotBase string
			if al.URIBaseID != nil {
				gotBase = *al.URIBaseID
			}
			if *al.URI != tc.wantURI || gotBase != tc.wantBase {
				t.Errorf("artifactLocation(%q) = %q base %q, want %q base %q", tc.file, *al.URI, gotBase, tc.wantURI, tc.wantBase)
			}
			if m.usedRoot != (tc.wantBase != "") {
				t.Errorf("usedRoot = %v, want %v", m.usedRoot, tc.wantBase != "")
			}
		})
	}
}

// TestSARIFMultitool runs scripts/sarif-validate.sh (Microsoft's SARIF Multitool with GitHub's
// ingestion rules) on the golden SARIF files. It needs npm and the network on first use, so it
// runs only when SARIF_MULTITOOL=1.
func TestSARIFMultitool(t *testing.T) {
	if os.Getenv("SARIF_MULTITOOL") != "1" {
		t.Skip("set SARIF_MULTITOOL=1 to run the SARIF Multitool")
	}
	for _, name := range []string{"sample.sarif", "empty.sarif"} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(filepath.Join("..", "..", "scripts", "sarif-validate.sh"), filepath.Join("testdata", name))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("sarif-validate.sh %s: %v\n%s", name, err, out)
			}
		})
	}
}

func TestRootURI(t *testing.T) {
	for _, tc := range []struct{ root, want string }{
		{"/src/repo", "file:///src/repo/"},
		{"/src/repo/", "file:///src/repo/"},
		{"/", "file:///"},
		{"/src/my repo", "file:///src/my%20repo/"},
	} {
		m, err := newURIMapper(Options{Root: tc.root})
		if err != nil {
			t.Fatal(err)
		}
		if got := m.rootURI(); got != tc.want {
			t.Errorf("rootURI(%q) = %q, want %q", tc.root, got, tc.want)
		}
	}
}

func TestWorkDirMustBeAbsolute(t *testing.T) {
	if err := Write(&bytes.Buffer{}, SARIF, sampleReport(), Options{Root: "repo", WorkDir: "relative"}); err == nil {
		t.Error("Write with a relative WorkDir = nil error, want an error")
	}
}

func TestCamelCase(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Trust policy allows any ServiceAccount", "TrustPolicyAllowsAnyServiceAccount"},
		{"ServiceAccount's role is in another account", "ServiceAccountsRoleIsInAnotherAccount"},
		{"aud claim not pinned (sts.amazonaws.com)", "AudClaimNotPinnedStsAmazonawsCom"},
		{"IRSA-002", "IRSA002"},
		{"", ""},
	} {
		if got := camelCase(tc.in); got != tc.want {
			t.Errorf("camelCase(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCodeFence(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"a": 1}`, "```"},
		{"use ```json fences", "````"},
	} {
		if got := codeFence(tc.in); got != tc.want {
			t.Errorf("codeFence(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
