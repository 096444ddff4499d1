package load

import "testing"

func TestPlaceholder(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind valueKind
		want string
	}{
		{"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAA", plainValue, ""},
		{"arn:aws:iam::$account_id:oidc-provider/$oidc_provider", plainValue, "$account_id"},
		{"arn:aws:iam::${AWS::AccountId}:role/x", plainValue, "${AWS::AccountId}"},
		{"arn:${AWS::Partition}:s3:::b/*", resourceValue, "${AWS::Partition}"},
		{"${var.oidc}:sub", plainValue, "${var.oidc}"},
		{"arn:{arn-aws}:iam::111122223333:role/x", plainValue, "{arn-aws}"},
		{"arn:aws:iam::111122223333:oidc-provider/<OIDC_PROVIDER>", plainValue, "<OIDC_PROVIDER>"},
		{"system:serviceaccount:{{ .Release.Namespace }}:api", conditionValue, "{{ .Release.Namespace }}"},
		{"{{.Values.role}}", plainValue, "{{.Values.role}}"},
		// IAM policy variables, where IAM substitutes them.
		{"arn:aws:s3:::bucket/${aws:username}/*", resourceValue, ""},
		{"arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*", resourceValue, ""},
		{"${oidc.eks.us-east-1.amazonaws.com/id/AAA:sub}", conditionValue, ""},
		{"${*}", conditionValue, ""},
		{"home/${www.amazon.com:user_id}/${?}", conditionValue, ""},
		// ... but not in principals and condition keys.
		{"${aws:username}", plainValue, "${aws:username}"},
		// S3 object keys may hold braces and dollars of their own.
		{"arn:aws:s3:::bucket/{id}/$x", resourceValue, ""},
		{"arn:aws:s3:::bucket/<KEY>", resourceValue, "<KEY>"},
		{"price $5", conditionValue, ""},
		{"a{b}", plainValue, "{b}"},
	} {
		if got := placeholder(tc.in, tc.kind); got != tc.want {
			t.Errorf("placeholder(%q, %d) = %q, want %q", tc.in, tc.kind, got, tc.want)
		}
	}
}
