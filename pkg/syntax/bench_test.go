package syntax

import (
	"bytes"
	"fmt"
	"testing"
)

// kubectlList is a `kubectl get serviceaccounts -A -o json` of n ServiceAccounts, compact, one
// in ten annotated with a role, as the exports of BenchmarkScanExports.
func kubectlList(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"apiVersion":"v1","items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		ann := ""
		if i%10 == 0 {
			ann = fmt.Sprintf(`"annotations":{"eks.amazonaws.com/role-arn":"arn:aws:iam::111100000000:role/team-%03d/app-%06d"},`, i%100, i)
		}
		fmt.Fprintf(&b, `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{%s"creationTimestamp":"2025-02-11T09:52:30Z","name":"svc-%06d","namespace":"team-%03d","resourceVersion":"%d","uid":"%08x-0000-4000-8000-%012x"}}`, ann, i, i%100, 1000+i, i, i)
	}
	b.WriteString(`],"kind":"List","metadata":{"resourceVersion":""}}`)
	return b.Bytes()
}

// BenchmarkParseJSON parses a 10,000-ServiceAccount kubectl list into the position tree.
func BenchmarkParseJSON(b *testing.B) {
	data := kubectlList(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseJSONTaking parses the same list with every item taken as it is parsed, as
// pkg/load reads a kubectl export: one item's nodes at a time.
func BenchmarkParseJSONTaking(b *testing.B) {
	data := kubectlList(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseJSONTaking(data, func(string, *Node) bool { return true }); err != nil {
			b.Fatal(err)
		}
	}
}
