package permissions

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/iamcatalog"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/trust"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func readSnapshot(t *testing.T, name string) *snapshot.Snapshot {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var snap snapshot.Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		t.Fatal(err)
	}
	return &snap
}

// TestAnalyzeGolden records the whole analysis of testdata/snapshot.json: the JSON the rules
// read as input.permissions. Refresh with -update.
func TestAnalyzeGolden(t *testing.T) {
	got, err := json.MarshalIndent(Analyze(readSnapshot(t, "snapshot.json"), Options{AllRoles: true}), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "analysis.golden.json")
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)+"\n"); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// view is the part of a holder the table test compares: its grants' facts, flattened.
type view struct {
	Path  []any
	Facts Facts
}

func holderByID(a Analysis, id string) (Holder, bool) {
	for _, h := range a.Holders {
		if h.Resource.ID == id {
			return h, true
		}
	}
	return Holder{}, false
}

func TestAnalyzeFacts(t *testing.T) {
	a := Analyze(readSnapshot(t, "snapshot.json"), Options{AllRoles: true})
	cat, err := iamcatalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	s3, _ := cat.Service("s3")
	// The S3 actions on buckets or objects: what "*" names every one of (account-level actions
	// such as s3:ListAllMyBuckets, and access point or job actions, are not on buckets).
	onBuckets := func(pattern string) int {
		n := 0
		for i := s3.First; i < s3.End; i++ {
			act := cat.At(i)
			if (pattern == "" || iamcatalog.Match(pattern, act.String())) &&
				(slices.Contains(act.ResourceTypes, "bucket") || slices.Contains(act.ResourceTypes, "object")) {
				n++
			}
		}
		return n
	}
	nS3 := onBuckets("")
	grant := func(h Holder, i int) view {
		return view{Path: h.Grants[i].Path, Facts: a.Facts[h.Grants[i].Facts]}
	}
	for _, tc := range []struct {
		name  string
		id    string
		check func(t *testing.T, h Holder)
	}{
		{"aws managed AmazonS3FullAccess resolves from the embedded map", "arn:aws:iam::111122223333:role/s3-full", func(t *testing.T, h Holder) {
			g := grant(h, 0)
			if diff := cmp.Diff([]any{"roles", 0, "attached_policies", 0}, g.Path); diff != "" {
				t.Errorf("path (-want +got):\n%s", diff)
			}
			if g.Facts.S3 == nil || g.Facts.S3.Count != nS3 || len(g.Facts.S3.Names) != MaxNames {
				t.Errorf("s3 = %+v, want all %d s3 actions", g.Facts.S3, nS3)
			}
			if diff := cmp.Diff([]string{"*"}, g.Facts.S3AllResources); diff != "" {
				t.Errorf("s3_all_resources (-want +got):\n%s", diff)
			}
			if len(g.Facts.S3Wildcards) == 0 || g.Facts.S3Wildcards[0].Pattern != "s3:*" {
				t.Errorf("s3_wildcards = %+v", g.Facts.S3Wildcards)
			}
			if diff := cmp.Diff([]string{"system:serviceaccount:default:app"}, h.ServiceAccounts); diff != "" {
				t.Errorf("service accounts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]Resource{{"policy", "arn:aws:iam::aws:policy/AmazonS3FullAccess"}}, h.Grants[0].Related); diff != "" {
				t.Errorf("related (-want +got):\n%s", diff)
			}
		}},
		{"AdministratorAccess is admin; an unknown attachment is unresolved", "arn:aws:iam::111122223333:role/admin", func(t *testing.T, h Holder) {
			if g := grant(h, 0); !g.Facts.Admin || g.Facts.Actions.Count != cat.Len() {
				t.Errorf("facts = %+v, want admin", g.Facts)
			}
			want := &Dangerous{Kinds: []string{"admin"}, Actions: ActionList{Names: []string{"*"}, Count: 1}}
			if diff := cmp.Diff(want, h.Dangerous); diff != "" {
				t.Errorf("dangerous (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"arn:aws:iam::111122223333:policy/missing"}, h.Unresolved); diff != "" {
				t.Errorf("unresolved (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"any ServiceAccount in cluster oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE"}, h.ServiceAccounts); diff != "" {
				t.Errorf("service accounts (-want +got):\n%s", diff)
			}
		}},
		{"an explicit Deny takes writes away from s3:*", "arn:aws:iam::111122223333:role/s3-denied", func(t *testing.T, h Holder) {
			if len(h.Grants) != 1 {
				t.Fatalf("grants = %+v", h.Grants)
			}
			f := grant(h, 0).Facts
			put := len(cat.ExpandIndex("s3:Put*"))
			del := len(cat.ExpandIndex("s3:Delete*"))
			want := nS3 - onBuckets("s3:Put*") - onBuckets("s3:Delete*")
			if f.Reduced != put+del || f.S3.Count != want {
				t.Errorf("reduced = %d, s3 = %d; want %d, %d", f.Reduced, f.S3.Count, put+del, want)
			}
			for _, n := range f.S3Wildcards[0].Actions.Names {
				if i, _ := cat.Lookup(n); cat.At(i).Name[:3] == "Put" || cat.At(i).Name[:6] == "Delete" {
					t.Errorf("denied action %s still granted", n)
				}
			}
		}},
		{"shared customer-managed policy: privilege escalation, combo, secrets", "arn:aws:iam::111122223333:role/escalation", func(t *testing.T, h Holder) {
			var got []string
			for _, g := range h.Grants {
				f := a.Facts[g.Facts]
				got = append(got, fmt.Sprintf("%v pe=%v sr=%v", g.Path, f.PrivilegeEscalation, f.SecretsRead))
			}
			want := []string{
				"[managed_policies 0 document statements 0] pe=&{[iam:PassRole] 1} sr=<nil>",
				"[managed_policies 0 document statements 2] pe=<nil> sr=&{[secretsmanager:GetSecretValue kms:Decrypt] 2}",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("grants (-want +got):\n%s", diff)
			}
			wantCombo := []Combo{{
				Kind: "pass_role",
				Path: []any{"managed_policies", 0, "document", "statements", 0}, Policy: "arn:aws:iam::111122223333:policy/shared-escalation",
				Related: []Resource{{"policy", "arn:aws:iam::111122223333:policy/shared-escalation"}}, With: []string{"lambda:CreateFunction"},
			}}
			if diff := cmp.Diff(wantCombo, h.EscalationCombos); diff != "" {
				t.Errorf("combos (-want +got):\n%s", diff)
			}
		}},
		{"NotAction in a standalone file", "policies/not-action.json", func(t *testing.T, h Holder) {
			f := grant(h, 0).Facts
			if !f.NotAction || f.Admin || !f.AllResources || f.PrivilegeEscalation == nil {
				t.Errorf("facts = %+v", f)
			}
		}},
		{"S3 actions on resources they cannot apply to", "policies/typos.json", func(t *testing.T, h Holder) {
			var got [][]Unmatched
			for _, g := range h.Grants {
				got = append(got, a.Facts[g.Facts].S3Unmatched)
			}
			want := [][]Unmatched{
				{{Action: "s3:GetObject", ResourceTypes: []string{"accesspointobject", "object"}, Resources: []string{"arn:aws:s3:::data"}}},
				{{Action: "s3:ListBucket", ResourceTypes: []string{"accesspoint", "bucket"}, Resources: []string{"arn:aws:s3:::logs/*"}}},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("s3_unmatched (-want +got):\n%s", diff)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, ok := holderByID(a, tc.id)
			if !ok {
				t.Fatalf("no holder %s", tc.id)
			}
			tc.check(t, h)
		})
	}
	// bounded: its inline s3:* and the shared escalation policy are cut down to S3 reads on
	// one bucket by the AmazonS3ReadOnlyAccess boundary, so nothing is left to report.
	for _, id := range []string{"arn:aws:iam::111122223333:role/harmless", "arn:aws:iam::111122223333:role/bounded", "trust.json"} {
		if h, ok := holderByID(a, id); ok {
			t.Errorf("holder %s reported: %+v", id, h)
		}
	}
}

func TestGlobs(t *testing.T) {
	object := formatTokens("arn:${Partition}:s3:::${BucketName}/${ObjectName}")
	bucket := formatTokens("arn:${Partition}:s3:::${BucketName}")
	role := formatTokens("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}")
	for _, tc := range []struct {
		name string
		got  bool
		want bool
	}{
		{"covers * anything", covers("*", "arn:aws:s3:::a/*"), true},
		{"covers prefix", covers("arn:aws:s3:::a*", "arn:aws:s3:::ab/*"), true},
		{"covers needs star for star", covers("arn:aws:s3:::a?", "arn:aws:s3:::a*"), false},
		{"covers literal", covers("arn:aws:s3:::a", "arn:aws:s3:::a"), true},
		{"covers different", covers("arn:aws:s3:::a", "arn:aws:s3:::b"), false},
		{"covers question", covers("arn:aws:s3:::?", "arn:aws:s3:::b"), true},
		{"object arn is an object", overlaps(object, "arn:aws:s3:::data/key"), true},
		{"bucket arn is no object", overlaps(object, "arn:aws:s3:::data"), false},
		{"bucket arn is a bucket", overlaps(bucket, "arn:aws:s3:::data"), true},
		{"object arn is no bucket", overlaps(bucket, "arn:aws:s3:::data/*"), false},
		{"bucket prefix may be either", overlaps(object, "arn:aws:s3:::data*"), true},
		{"star is anything", overlaps(bucket, "*"), true},
		{"other service", overlaps(bucket, "arn:aws:sqs:::data"), false},
		{"all objects", overlaps(object, "arn:aws:s3:::*/*"), true},
		{"role with a path", overlaps(role, "arn:aws:iam::111122223333:role/service-role/app"), true},
		{"role pattern with a path", overlaps(role, "arn:aws:iam::*:role/ci/*"), true},
		{"user is no role", overlaps(role, "arn:aws:iam::*:user/*"), false},
		{"account wildcard cannot hold the resource", overlaps(role, "arn:aws:iam::*:user/role/x"), false},
		{"globs overlap", globsOverlap("arn:aws:s3:::a*", "arn:aws:s3:::*b"), true},
		{"globs apart", globsOverlap("arn:aws:s3:::a*", "arn:aws:s3:::b*"), false},
		{"globs star meets question", globsOverlap("a?c", "*"), true},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

// TestResourceTypes holds the resource-type matching against the catalog's ARN formats: which
// patterns can name a resource of a type, and which name every resource of it.
func TestResourceTypes(t *testing.T) {
	cat, err := iamcatalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	a := newAnalyzer(cat, nil, &snapshot.Snapshot{})
	typ := func(service, name string) *rtype {
		rt := a.serviceTypes(service)[name]
		if rt == nil {
			t.Fatalf("no type %s/%s in the catalog", service, name)
		}
		return rt
	}
	for _, tc := range []struct {
		service, typ, pattern string
		canName, every        bool
	}{
		{"kms", "key", "arn:aws:kms:*:*:alias/*", false, false},
		{"kms", "key", "arn:aws:kms:*:*:key/*", true, true},
		{"kms", "key", "arn:aws:kms:*:*:key*", true, true},
		{"kms", "key", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", true, false},
		{"kms", "key", "arn:aws:kms:*", true, true},
		{"ssm", "parameter", "arn:aws:ssm:*:*:parameter*", true, true},
		{"ssm", "parameter", "arn:aws:ssm:us-east-1:111122223333:parameter/*", true, true},
		{"ssm", "parameter", "arn:aws:ssm:us-east-1:111122223333:parameter/app/db", true, false},
		{"ssm", "parameter", "arn:aws:ssm:us-east-1::parameter/aws/service/*", true, false},
		{"iam", "role", "arn:aws:iam::*:role*", true, true},
		{"iam", "role", "arn:aws:iam::111122223333:role/*", true, true},
		{"iam", "role", "arn:aws:iam::*:user/*", false, false},
		{"iam", "role", "arn:aws:iam::111122223333:role/service-role/*", true, false},
		{"secretsmanager", "secret", "arn:aws:secretsmanager:*:*:secret:*", true, true},
		{"secretsmanager", "secret", "arn:aws:secretsmanager:*:*:secret:prod/*", true, false},
		{"s3", "bucket", "arn:aws:s3:::*", true, true},
		{"s3", "object", "arn:aws:s3:::*", true, true},
		{"s3", "object", "arn:aws:s3:::*/*", true, true},
		{"s3", "bucket", "arn:aws:s3:::*/*", false, false},
		{"s3", "object", "arn:aws-cn:s3:::*/*", true, true},
		{"s3", "object", "arn:aws:s3:::data/*", true, false},
		{"s3", "bucket", "arn:aws:s3:::*-logs", true, false},
		{"s3", "bucket", "*", true, true},
	} {
		rt := typ(tc.service, tc.typ)
		if got := rt.canName(tc.pattern); got != tc.canName {
			t.Errorf("%s/%s can be named by %s: got %v, want %v", tc.service, tc.typ, tc.pattern, got, tc.canName)
		}
		if got := rt.coveredBy(tc.pattern); got != tc.every {
			t.Errorf("%s/%s all named by %s: got %v, want %v", tc.service, tc.typ, tc.pattern, got, tc.every)
		}
	}
}

// TestServiceAccounts checks the holders' ServiceAccounts: the trust model's subjects, never a
// condition value read as one.
func TestServiceAccounts(t *testing.T) {
	const provider = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE"
	const issuer = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE"
	cond := func(operator, key string, values ...string) snapshot.Condition {
		op := iam.ParseOperator(operator)
		return snapshot.Condition{Operator: operator, BaseOperator: op.Name, Qualifier: op.Qualifier, IfExists: op.IfExists,
			Negated: op.Negated, Known: op.Known, Key: key, Values: values}
	}
	stmt := func(conds ...snapshot.Condition) snapshot.Statement {
		return snapshot.Statement{Effect: "Allow", Principal: &snapshot.Principal{Federated: []string{provider}},
			Actions: []string{"sts:AssumeRoleWithWebIdentity"}, Conditions: conds}
	}
	const github = "token.actions.githubusercontent.com"
	ghStmt := func(conds ...snapshot.Condition) snapshot.Statement {
		s := stmt(conds...)
		s.Principal = &snapshot.Principal{Federated: []string{"arn:aws:iam::111122223333:oidc-provider/" + github}}
		return s
	}
	notAction := stmt()
	notAction.Actions, notAction.NotActions = nil, []string{"sts:AssumeRole"}
	doc := func(sts ...snapshot.Statement) *snapshot.Document { return &snapshot.Document{Statements: sts} }
	for _, tc := range []struct {
		name string
		doc  *snapshot.Document
		want []string
	}{
		{"no trust policy", nil, nil},
		{"exact subject", doc(stmt(
			cond("StringEquals", issuer+":sub", "system:serviceaccount:a:b"),
			cond("StringEquals", issuer+":aud", "sts.amazonaws.com"),
		)), []string{"system:serviceaccount:a:b"}},
		{"no sub", doc(stmt()), []string{"any ServiceAccount in cluster " + issuer}},
		{"NotAction and no sub", doc(notAction), []string{"any ServiceAccount in cluster " + issuer}},
		{"negated sub", doc(stmt(cond("StringNotEquals", issuer+":SUB", "system:serviceaccount:a:b"))),
			[]string{"any ServiceAccount in cluster " + issuer + " except system:serviceaccount:a:b"}},
		{"Null sub false is no subject", doc(stmt(cond("Null", issuer+":sub", "false"))), []string{"any ServiceAccount in cluster " + issuer}},
		{"namespace", doc(stmt(cond("StringLike", issuer+":sub", "system:serviceaccount:ops:*"))), []string{"system:serviceaccount:ops:*"}},
		{"StringLike ANDed with StringEquals", doc(stmt(cond("StringEquals", issuer+":sub", "system:serviceaccount:a:b"),
			cond("StringLike", issuer+":sub", "system:serviceaccount:*"))), []string{"system:serviceaccount:a:b"}},
		{"required amr", doc(stmt(cond("StringEquals", issuer+":amr", "x"))), nil},
		{"CI subject pattern", doc(ghStmt(cond("StringLike", github+":sub", "repo:example-org/*"))), []string{github + " subject repo:example-org/*"}},
		{"CI exact subject", doc(ghStmt(cond("StringEquals", github+":sub", "repo:example-org/app:environment:prod"))),
			[]string{github + " subject repo:example-org/app:environment:prod"}},
		{"CI any subject", doc(ghStmt(cond("StringEquals", github+":aud", "sts.amazonaws.com"))), []string{"any token of OIDC issuer " + github}},
		{"not web identity", &snapshot.Document{Statements: []snapshot.Statement{{Effect: "Allow",
			Principal: &snapshot.Principal{Service: []string{"ec2.amazonaws.com"}}, Actions: []string{"sts:AssumeRole"}}}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, serviceAccounts(trust.WhoCanAssume(tc.doc))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
