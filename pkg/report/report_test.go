package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sampleRoot is the scan root of the sample: absolute and fixed, so output does not depend on
// where the tests run.
const sampleRoot = "/src/repo"

var sampleOpts = Options{Root: sampleRoot, WorkDir: sampleRoot}

// sampleReport has a finding of every severity, related resources, a finding from a live API
// call, one in an absolute path outside the root, one from standard input, one whose rule is
// not in the rule list, input errors with and without a line, and a skipped input.
func sampleReport() *findings.Report {
	rules := []findings.Rule{
		{
			ID: "IRSA-002", Severity: findings.High, Title: "Trust policy allows any ServiceAccount",
			Description:       "The role's trust policy does not pin the sub claim to one ServiceAccount, so any pod in the cluster can assume it.",
			RecommendedAction: "Add a StringEquals condition on <issuer>:sub naming system:serviceaccount:<namespace>:<name>.",
			DocURL:            "https://irsa-audit.dev/rules/IRSA-002",
			BadExample:        `"Condition": {"StringLike": {"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "*"}}`,
			GoodExample:       "\"Condition\": {\"StringEquals\": {\n  \"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub\": \"system:serviceaccount:prod:app\"\n}}",
			Package:           "irsa_audit.rules.trust.any_service_account", Builtin: true,
		},
		{
			ID: "IRSA-001", Severity: findings.Critical, Title: "Trust policy allows any OIDC provider",
			Description: "The Federated principal is a wildcard.", RecommendedAction: "Name the cluster's OIDC provider ARN.",
			DocURL: "https://irsa-audit.dev/rules/IRSA-001", Package: "irsa_audit.rules.trust.any_provider", Builtin: true,
		},
		{
			ID: "IRSA-005", Severity: findings.Medium, Title: "Audience not pinned",
			Description: "No condition on the aud claim.", RecommendedAction: "Require aud = sts.amazonaws.com.",
			Package: "irsa_audit.rules.trust.audience", Builtin: true,
		},
		{
			ID: "IRSA-010", Severity: findings.Low, Title: "ServiceAccount's role is in another account",
			Description: "Cross-account IRSA is legitimate but worth a look.", RecommendedAction: "Confirm the account is yours.",
			Package: "irsa_audit.rules.k8s.cross_account", Builtin: true,
		},
		{
			ID: "ACME-1", Severity: findings.Info, Title: "Role without owner tag",
			Description: "Company rule: every role has an owner tag.", RecommendedAction: "Add an owner tag.",
			DocURL: "not a url", Package: "acme.owner", Builtin: false,
		},
	}
	role := findings.Resource{Kind: "role", ID: "arn:aws:iam::111122223333:role/app"}
	provider := findings.Resource{Kind: "oidc_provider", ID: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"}
	sa := findings.Resource{Kind: "service_account", ID: "prod/app"}
	fs := []findings.Finding{
		{
			RuleID: "IRSA-010", Severity: findings.Low, Title: "ServiceAccount's role is in another account",
			Message:  "ServiceAccount prod/app uses role arn:aws:iam::999988887777:role/x of account 999988887777.",
			Resource: sa, Related: []findings.Resource{{Kind: "role", ID: "arn:aws:iam::999988887777:role/x"}},
			Location:    snapshot.Location{File: "k8s/service-accounts.yaml", StartLine: 4, EndLine: 4, StartColumn: 5},
			Fingerprint: "fp-010-sa",
		},
		{
			RuleID: "IRSA-002", Severity: findings.Critical, Title: "Trust policy allows any ServiceAccount",
			Message:  "Statement \"EKS\" lets every ServiceAccount of every namespace assume the role.",
			Resource: role, Related: []findings.Resource{provider, sa},
			Location:    snapshot.Location{File: "iam/trust.json", StartLine: 12, EndLine: 18},
			Fingerprint: "fp-002-crit",
		},
		{
			RuleID: "IRSA-002", Severity: findings.High, Title: "Trust policy allows any ServiceAccount",
			Message:     "Statement 0 lets every ServiceAccount of namespace prod assume the role.",
			Resource:    findings.Resource{Kind: "policy", ID: "-"},
			Location:    snapshot.Location{File: "-", StartLine: 3, EndLine: 9},
			Fingerprint: "fp-002-stdin",
		},
		{
			RuleID: "IRSA-001", Severity: findings.Critical, Title: "Trust policy allows any OIDC provider",
			Message:     "Statement 1 trusts any federated principal.",
			Resource:    findings.Resource{Kind: "policy", ID: "/etc/irsa/shared policy.json"},
			Location:    snapshot.Location{File: "/etc/irsa/shared policy.json", StartLine: 2, EndLine: 2},
			Fingerprint: "fp-001-abs",
		},
		{
			RuleID: "IRSA-005", Severity: findings.Medium, Title: "Audience not pinned",
			Message:     "Statement \"EKS\" has no condition on the aud claim.",
			Resource:    role,
			Location:    snapshot.Location{File: "iam/trust.json", StartLine: 12, EndLine: 18},
			Fingerprint: "fp-005",
		},
		{
			RuleID: "ACME-1", Severity: findings.Info, Title: "Role without owner tag",
			Message:     "Role app has no owner tag.",
			Resource:    role,
			Location:    snapshot.Location{API: "iam:GetAccountAuthorizationDetails"},
			Fingerprint: "fp-acme",
		},
		{
			RuleID: "IRSA-099", Severity: findings.Medium, Title: "Rule missing from the rule list",
			Message:     "A finding of a rule the report does not describe.",
			Resource:    role,
			Location:    snapshot.Location{File: "/src/repo/iam/inside.json"},
			Fingerprint: "fp-099",
		},
	}
	snap := &snapshot.Snapshot{
		Errors: []snapshot.InputError{
			{API: "eks:ListClusters", Message: "AccessDeniedException: not authorized"},
			{File: "iam/broken.json", Line: 3, Column: 7, Message: "invalid character '}' looking for beginning of object key string"},
			{File: "k8s/unreadable.yaml", Message: "permission denied"},
		},
		Skipped: []snapshot.Skipped{{File: "charts/app/templates/sa.yaml", Reason: "Helm template"}},
		Clusters: []snapshot.Cluster{{ID: "arn:aws:eks:us-east-1:111122223333:cluster/prod", Inventory: snapshot.ClusterInventory{
			Notes: []string{"service accounts not inventoried: no all-namespaces export is tied to this cluster"},
		}}},
		Stats: snapshot.Stats{Files: 7, APICalls: map[string]int{"iam:GetAccountAuthorizationDetails": 1, "eks:ListClusters": 1}},
	}
	r := findings.NewReport(findings.Tool{
		Name: "irsa-audit", Version: "0.3.0", InformationURI: "https://github.com/irsa-audit/irsa-audit",
	}, rules, fs, snap)
	return &r
}

func emptyReport() *findings.Report {
	r := findings.NewReport(findings.Tool{Name: "irsa-audit", Version: "0.3.0"}, nil, nil,
		&snapshot.Snapshot{Stats: snapshot.Stats{Files: 1}})
	return &r
}

func render(t *testing.T, f Format, r *findings.Report, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, f, r, opts); err != nil {
		t.Fatalf("Write(%v): %v", f, err)
	}
	return buf.Bytes()
}

// checkGolden compares got with testdata/name, or rewrites it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestWriteGolden(t *testing.T) {
	colorOpts := sampleOpts
	colorOpts.Color = true
	for _, tc := range []struct {
		golden string
		format Format
		report *findings.Report
		opts   Options
	}{
		{"sample.txt", Text, sampleReport(), sampleOpts},
		{"sample-color.txt", Text, sampleReport(), colorOpts},
		{"sample.json", JSON, sampleReport(), sampleOpts},
		{"sample.sarif", SARIF, sampleReport(), sampleOpts},
		{"empty.txt", Text, emptyReport(), sampleOpts},
		{"empty.json", JSON, emptyReport(), sampleOpts},
		{"empty.sarif", SARIF, emptyReport(), sampleOpts},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			checkGolden(t, tc.golden, render(t, tc.format, tc.report, tc.opts))
		})
	}
}

func TestWriteDoesNotModifyReport(t *testing.T) {
	for _, f := range []Format{Text, JSON, SARIF} {
		t.Run(f.String(), func(t *testing.T) {
			r := sampleReport()
			render(t, f, r, sampleOpts)
			if diff := cmp.Diff(sampleReport(), r); diff != "" {
				t.Errorf("Write(%v) modified the report (-want +got):\n%s", f, diff)
			}
		})
	}
}

func TestWriteNilReport(t *testing.T) {
	if err := Write(&bytes.Buffer{}, Text, nil, Options{}); err == nil {
		t.Error("Write(nil report) = nil error, want an error")
	}
	if err := Write(&bytes.Buffer{}, Format(42), emptyReport(), Options{}); err == nil {
		t.Error("Write(format 42) = nil error, want an error")
	}
}

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Format
		wantErr string
	}{
		{in: "text", want: Text},
		{in: "json", want: JSON},
		{in: "sarif", want: SARIF},
		// Documented as text|json|sarif|markdown|junit: another spelling is a usage error, not a guess.
		{in: "SARIF", wantErr: `unknown format "SARIF" (want one of text, json, sarif, markdown, junit)`},
		{in: "markdown", want: Markdown},
		{in: "junit", want: JUnit},
		{in: "yaml", wantErr: `unknown format "yaml" (want one of text, json, sarif, markdown, junit)`},
		{in: "", wantErr: `unknown format "" (want one of text, json, sarif, markdown, junit)`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFormat(tc.in)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("ParseFormat(%q) error = %v, want %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseFormat(%q) = %v, %v; want %v, nil", tc.in, got, err, tc.want)
			}
			if got.String() != strings.ToLower(tc.in) {
				t.Errorf("%v.String() = %q, want %q", got, got.String(), strings.ToLower(tc.in))
			}
		})
	}
}

// TestJSONRoundTrip checks that the JSON output is the report itself: decoding it gives back
// what was rendered.
func TestJSONRoundTrip(t *testing.T) {
	for _, r := range []*findings.Report{sampleReport(), emptyReport(), triageReport()} {
		out := render(t, JSON, r, Options{})
		if !bytes.HasSuffix(out, []byte("}\n")) {
			t.Errorf("JSON output does not end in a newline: %q", out[max(0, len(out)-10):])
		}
		var got findings.Report
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		want := *r
		// Empty lists are written as [] and read back as empty slices.
		for _, p := range []*findings.Report{&want, &got} {
			if len(p.Rules) == 0 {
				p.Rules = nil
			}
			if len(p.Findings) == 0 {
				p.Findings = nil
			}
			if len(p.Errors) == 0 {
				p.Errors = nil
			}
			if len(p.Skipped) == 0 {
				p.Skipped = nil
			}
			if len(p.NotChecked) == 0 {
				p.NotChecked = nil
			}
			if len(p.Suppressed) == 0 {
				p.Suppressed = nil
			}
			if len(p.ExpiredSuppressions) == 0 {
				p.ExpiredSuppressions = nil
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("JSON round trip mismatch (-want +got):\n%s", diff)
		}
	}
}

// TestDocsCoverJSONFields checks that docs/report-format.md documents every field of the JSON
// report, so a field added to findings.Report cannot go undocumented.
func TestDocsCoverJSONFields(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "report-format.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{
		findings.Report{}, findings.Tool{}, findings.Rule{}, findings.Finding{}, findings.Resource{},
		findings.Stats{}, snapshot.Location{}, snapshot.InputError{}, snapshot.Skipped{},
		findings.Suppression{}, findings.BaselineSummary{}, findings.Diff{}, findings.DiffSide{},
		findings.DiffStats{}, findings.SeverityChange{},
	} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if !bytes.Contains(doc, []byte("`"+name+"`")) {
				t.Errorf("docs/report-format.md does not document %s.%s (`%s`)", typ, typ.Field(i).Name, name)
			}
		}
	}
}
