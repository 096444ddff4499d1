package snapshot

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMerge(t *testing.T) {
	a := &Snapshot{
		Version:     Version,
		GeneratedAt: "2026-01-01T00:00:00Z",
		Roles:       []Role{{ARN: "arn:aws:iam::111111111111:role/a"}},
		Errors:      []InputError{{File: "a.json", Line: 3, Message: "bad"}},
		Stats:       Stats{Files: 2, APICalls: map[string]int{"iam:GetAccountAuthorizationDetails": 2}},
	}
	b := &Snapshot{
		Version:         Version,
		GeneratedAt:     "2026-02-01T00:00:00Z",
		Roles:           []Role{{ARN: "arn:aws:iam::111111111111:role/a"}},
		ServiceAccounts: []ServiceAccount{{Namespace: "ns", Name: "sa"}},
		Stats:           Stats{Files: 1, APICalls: map[string]int{"iam:GetAccountAuthorizationDetails": 1, "sts:GetCallerIdentity": 1}},
	}
	want := &Snapshot{
		Version:         Version,
		GeneratedAt:     "2026-02-01T00:00:00Z",
		Roles:           []Role{{ARN: "arn:aws:iam::111111111111:role/a"}, {ARN: "arn:aws:iam::111111111111:role/a"}},
		ServiceAccounts: []ServiceAccount{{Namespace: "ns", Name: "sa"}},
		Errors:          []InputError{{File: "a.json", Line: 3, Message: "bad"}},
		Stats:           Stats{Files: 3, APICalls: map[string]int{"iam:GetAccountAuthorizationDetails": 3, "sts:GetCallerIdentity": 1}},
	}
	if diff := cmp.Diff(want, Merge(a, nil, b)); diff != "" {
		t.Errorf("Merge (-want +got):\n%s", diff)
	}
}
