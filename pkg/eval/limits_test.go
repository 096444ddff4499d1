package eval

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

func TestBound(t *testing.T) {
	mk := func(rule, file string, sev findings.Severity, line int, msg string) findings.Finding {
		res := findings.Resource{Kind: "policy", ID: file}
		return findings.Finding{RuleID: rule, Severity: sev, Message: msg, Resource: res,
			Location:    snapshot.Location{File: file, StartLine: line},
			Fingerprint: fingerprint(rule, res, []any{"statements", line}, msg)}
	}
	many := func(n int) []findings.Finding {
		var fs []findings.Finding
		for i := range n {
			// The most severe are listed first; the most severe of the rest sets the summary's.
			sev := findings.Medium
			if i < MaxSimilarFindings+5 {
				sev = findings.High
			}
			fs = append(fs, mk("IRSA-030", "big.json", sev, i+1, fmt.Sprintf("statement %d", i)))
		}
		fs = append(fs, mk("IRSA-031", "big.json", findings.Low, 1, "other rule"), mk("IRSA-030", "small.json", findings.Medium, 1, "other file"))
		findings.Sort(fs)
		return fs
	}
	got := bound(many(100))
	count := map[string]int{}
	var summary findings.Finding
	for _, f := range got {
		count[f.RuleID+" "+f.Location.File]++
		if strings.Contains(f.Message, "not listed") {
			summary = f
		}
	}
	if diff := cmp.Diff(map[string]int{"IRSA-030 big.json": MaxSimilarFindings + 1, "IRSA-031 big.json": 1, "IRSA-030 small.json": 1}, count); diff != "" {
		t.Errorf("findings per rule and file (-want +got):\n%s", diff)
	}
	if summary.Severity != findings.High || !strings.HasPrefix(summary.Message, "75 more IRSA-030 findings on policy big.json are not listed") {
		t.Errorf("summary = %+v", summary)
	}
	// The summary is the same alert whatever the count.
	for _, f := range bound(many(60)) {
		if strings.Contains(f.Message, "not listed") && f.Fingerprint != summary.Fingerprint {
			t.Errorf("summary fingerprint changed with the count: %s vs %s", f.Fingerprint, summary.Fingerprint)
		}
	}
	// Under the cap nothing changes.
	small := many(10)
	want := append([]findings.Finding(nil), small...)
	if diff := cmp.Diff(want, bound(small)); diff != "" {
		t.Errorf("under the cap (-want +got):\n%s", diff)
	}
	// Long messages are cut at a character boundary; the fingerprint stays that of the whole.
	long := mk("IRSA-002", "p.json", findings.High, 1, strings.Repeat("é", MaxMessageBytes))
	cut := bound([]findings.Finding{long})[0]
	if len(cut.Message) > MaxMessageBytes+60 || !strings.HasSuffix(cut.Message, fmt.Sprintf("... (%d more bytes not shown)", 2*MaxMessageBytes-MaxMessageBytes)) || cut.Fingerprint != long.Fingerprint {
		t.Errorf("cut message %q (%d bytes), fingerprint %s", cut.Message[len(cut.Message)-40:], len(cut.Message), cut.Fingerprint)
	}
}
