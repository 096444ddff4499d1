package terraform

import (
	"encoding/json"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// renderJSON writes a document as IAM policy JSON, the json attribute of
// aws_iam_policy_document: what a configuration interpolates or passes on is this text.
func renderJSON(d snapshot.Document) string {
	var b strings.Builder
	b.WriteString("{")
	if d.Version != "" {
		b.WriteString(`"Version":`)
		writeJSON(&b, d.Version)
		b.WriteString(",")
	}
	if d.ID != "" {
		b.WriteString(`"Id":`)
		writeJSON(&b, d.ID)
		b.WriteString(",")
	}
	b.WriteString(`"Statement":[`)
	for i, s := range d.Statements {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("{")
		fields := 0
		field := func(name string, v any) {
			if fields > 0 {
				b.WriteString(",")
			}
			fields++
			writeJSON(&b, name)
			b.WriteString(":")
			writeJSON(&b, v)
		}
		if s.Sid != "" {
			field("Sid", s.Sid)
		}
		field("Effect", s.Effect)
		for _, f := range []struct {
			name string
			vals []string
		}{{"Action", s.Actions}, {"NotAction", s.NotActions}, {"Resource", s.Resources}, {"NotResource", s.NotResources}} {
			if f.vals != nil {
				field(f.name, f.vals)
			}
		}
		if s.Principal != nil {
			field("Principal", principalJSON(s.Principal))
		}
		if s.NotPrincipal != nil {
			field("NotPrincipal", principalJSON(s.NotPrincipal))
		}
		if len(s.Conditions) > 0 {
			if fields > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"Condition":{`)
			var ops []string
			byOp := map[string][]snapshot.Condition{}
			for _, c := range s.Conditions {
				if _, ok := byOp[c.Operator]; !ok {
					ops = append(ops, c.Operator)
				}
				byOp[c.Operator] = append(byOp[c.Operator], c)
			}
			for k, op := range ops {
				if k > 0 {
					b.WriteString(",")
				}
				writeJSON(&b, op)
				b.WriteString(":{")
				for l, c := range byOp[op] {
					if l > 0 {
						b.WriteString(",")
					}
					writeJSON(&b, c.Key)
					b.WriteString(":")
					writeJSON(&b, c.Values)
				}
				b.WriteString("}")
			}
			b.WriteString("}")
		}
		b.WriteString("}")
	}
	b.WriteString("]}")
	return b.String()
}

func principalJSON(p *snapshot.Principal) any {
	if p.Wildcard {
		return "*"
	}
	m := map[string][]string{}
	for k, v := range map[string][]string{"AWS": p.AWS, "Federated": p.Federated, "Service": p.Service, "CanonicalUser": p.CanonicalUser} {
		if len(v) > 0 {
			m[k] = v
		}
	}
	return m
}

func writeJSON(b *strings.Builder, v any) {
	// Strings, string lists and maps of them always marshal.
	data, _ := json.Marshal(v)
	b.Write(data)
}
