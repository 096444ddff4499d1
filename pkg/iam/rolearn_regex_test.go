package iam

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// roleARNRE is the grammar of an IAM role ARN as a regular expression (the form the Rego rules
// parsed role ARNs with before iam.parse_role_arn): ParseRoleARN must accept the same strings.
var roleARNRE = regexp.MustCompile(`^arn:(aws[a-z-]*):iam::([0-9]{12}):role(/(?:[^/]+/)*)([^/]+)$`)

func regexRoleARN(arn string) (RoleARN, bool) {
	m := roleARNRE.FindStringSubmatch(arn)
	if m == nil {
		return RoleARN{}, false
	}
	return RoleARN{Partition: m[1], Account: m[2], Path: m[3], Name: m[4]}, true
}

// TestParseRoleARNMatchesRegex holds ParseRoleARN equal to the regular expression on
// hand-picked ARNs and on 200,000 strings built from ARN fragments.
func TestParseRoleARNMatchesRegex(t *testing.T) {
	cases := []string{
		"arn:aws:iam::111122223333:role/app",
		"arn:aws:iam::111122223333:role/path/to/App",
		"arn:aws-us-gov:iam::111122223333:role/a",
		"arn:aws-cn:iam::111122223333:role/a/",
		"arn:aws:iam::111122223333:role//a",
		"arn:aws:iam::111122223333:role/a//b",
		"arn:aws:iam::111122223333:role/",
		"arn:aws:iam::111122223333:role",
		"arn:aws:iam::11112222333:role/a",
		"arn:aws:iam::1111222233334:role/a",
		"arn:aws:iam::11112222333x:role/a",
		"arn:AWS:iam::111122223333:role/a",
		"arn:aws1:iam::111122223333:role/a",
		"arn:awsé:iam::111122223333:role/a",
		"arn:aws:iam::111122223333:role/a\nb",
		"arn:aws:iam::111122223333:role/\n/b",
		"arn:aws:iam::111122223333:user/a",
		"arn:aws:iam::111122223333:roles/a",
		"arn:aws:sts::111122223333:assumed-role/a/b",
		"xarn:aws:iam::111122223333:role/a",
		"arn:aws:iam:::role/a",
		"",
	}
	frags := []string{"arn:", "aws", "-cn", "x", ":iam::", "111122223333", "1", ":role", "/", "a", "B", "é", "\n", ":", "-"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		var b strings.Builder
		if rng.IntN(2) == 0 {
			b.WriteString("arn:aws:iam::111122223333:role")
		}
		for range rng.IntN(8) {
			b.WriteString(frags[rng.IntN(len(frags))])
		}
		cases = append(cases, b.String())
	}
	matched := 0
	for _, arn := range cases {
		want, wantOK := regexRoleARN(arn)
		got, ok := ParseRoleARN(arn)
		if ok != wantOK || got != want {
			t.Fatalf("ParseRoleARN(%q) = %+v, %v; the regex gives %+v, %v", arn, got, ok, want, wantOK)
		}
		if ok {
			matched++
		}
	}
	if matched < 1000 {
		t.Errorf("only %d of the strings are role ARNs: the comparison proves little", matched)
	}
}
