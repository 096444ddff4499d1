package cloudformation

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func parseFile(t *testing.T, file string) *syntax.Node {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := syntax.ParseYAML(data)
	if err != nil || len(docs) != 1 {
		t.Fatalf("parse %s: %v (%d documents)", file, err, len(docs))
	}
	return docs[0]
}

// TestGolden reads templates and compares what they contribute with testdata/<name>.golden.json.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		params     map[string]string
	}{
		{"intrinsics", "testdata/intrinsics.yaml", nil},
		{"intrinsics-params", "testdata/intrinsics.yaml", map[string]string{"Team": "platform", "Namespaces": "ops"}},
		{"github-oidc-role", "../../../examples/cloudformation/github-oidc-role.yaml", nil},
		{"irsa-stack", "../../../examples/cloudformation/irsa-stack.yaml", nil},
		{"cdk", "../../../examples/cdk/IrsaStack.template.json", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := parseFile(t, tc.file)
			if !Is(n) {
				t.Fatal("Is = false")
			}
			res, err := Load(n, filepath.Base(tc.file), tc.params)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(res.Items, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// TestErrors checks that bad templates give one located error, never a panic.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      string
	}{
		{"unknown intrinsic", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Frobnicate x\n", "5:17: unknown intrinsic function Fn::Frobnicate"},
		{"getatt of nothing", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !GetAtt Missing.Arn\n", `5:17: Fn::GetAtt names "Missing", which is not a resource of the template`},
		{"ref of nothing", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Ref Nope\n", `5:17: Ref names "Nope", which is neither a parameter nor a resource of the template`},
		{"select out of range", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Select [3, [a, b]]\n", "5:17: Fn::Select index 3 is out of range (the list has 2 elements)"},
		{"bad document", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Maybe\n            Action: sts:AssumeRole\n", `7:21: Effect must be "Allow" or "Deny", not "Maybe"`},
		{"document string not JSON", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: !Sub '{\"Statement\": ['\n", "5:33: policy document string is not JSON: 1:16: unexpected end of input (truncated JSON?)"},
		{"self reference", "Resources:\n  J:\n    Type: Custom::AWSCDKCfnJson\n    Properties:\n      Value: !GetAtt J.Value\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !GetAtt J.Value\n", "5:14: Fn::GetAtt J.Value refers to itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := syntax.ParseYAML([]byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Load(docs[0], "t.yaml", nil)
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzLoad feeds arbitrary YAML and JSON to the template reader: it may refuse the input, but
// with an error, never a panic or a runaway.
func FuzzLoad(f *testing.F) {
	for _, file := range []string{"testdata/intrinsics.yaml", "../../../examples/cloudformation/github-oidc-role.yaml",
		"../../../examples/cloudformation/irsa-stack.yaml", "../../../examples/cdk/IrsaStack.template.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("Resources: {R: {Type: AWS::IAM::Role, Properties: {RoleName: !Sub '${R}'}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := syntax.ParseYAML(data)
		if err != nil {
			return
		}
		for _, d := range docs {
			if Is(d) {
				_, _ = Load(d, "fuzz.yaml", map[string]string{"P": "v"})
			}
		}
	})
}
