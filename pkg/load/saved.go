package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/irsa-audit/irsa-audit/pkg/policydoc"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// snapshotKeys are top-level keys of a snapshot; one of them besides "version" identifies one.
var snapshotKeys = []string{"stats", "sources", "generated_at", "accounts", "oidc_providers", "clusters", "roles",
	"managed_policies", "policies", "service_accounts", "workloads", "pod_identity_associations"}

func isSnapshot(n *syntax.Node) bool {
	if n == nil || n.Kind != syntax.Object || n.Field("version") == nil || n.Field("apiVersion") != nil {
		return false
	}
	// An irsa-audit JSON report (a baseline, say) also has "version" and "stats".
	if n.Field("tool") != nil && n.Field("findings") != nil {
		return false
	}
	for _, k := range snapshotKeys {
		if n.Field(k) != nil {
			return true
		}
	}
	return false
}

// loadSnapshot reads a saved snapshot (the JSON `irsa-audit collect` writes). Its items keep
// their own locations (the files or API calls they were collected from), its accounts and
// clusters their inventories; its sources, errors and skipped inputs are carried over, so a
// snapshot collected with errors still says so. Fields this version does not know are ignored
// (adding a field does not change the format version); another version is an error.
func loadSnapshot(d document, r *fileResult) error {
	v := d.node.Get("version")
	if v.Kind != syntax.String || v.Value != snapshot.Version {
		return syntax.Errorf(v, "snapshot version %s is not supported: this irsa-audit reads version %q", v.Value, snapshot.Version)
	}
	var buf bytes.Buffer
	writeJSON(&buf, d.node)
	var s snapshot.Snapshot
	if err := json.Unmarshal(buf.Bytes(), &s); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			at := nodeAt(d.node, te.Field)
			return syntax.Errorf(at, "%s must be %s, not %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
		}
		return syntax.Errorf(d.node, "snapshot: %v", err)
	}
	finishSnapshot(r, s, func(key string) (int, int) {
		if f := d.node.Field(key); f != nil {
			return f.KeyNode.Line, f.KeyNode.Column
		}
		return d.node.Line, d.node.Column
	})
	return nil
}

// finishSnapshot takes a decoded snapshot's items into r. A generated_at that is not an RFC 3339
// time is an error located by at (the line and column of a top-level key); the items are still
// judged, at the time of the scan.
func finishSnapshot(r *fileResult, s snapshot.Snapshot, at func(key string) (line, col int)) {
	file := r.source.Name
	if s.GeneratedAt != "" {
		t, err := time.Parse(time.RFC3339, s.GeneratedAt)
		if err != nil {
			line, col := at("generated_at")
			r.addError(file, &syntax.Error{Line: line, Column: col, Msg: fmt.Sprintf(
				"generated_at %q is not an RFC 3339 time (e.g. 2026-01-02T15:04:05Z); the snapshot is judged as of the time of this scan", s.GeneratedAt)})
			s.GeneratedAt = ""
		} else {
			s.GeneratedAt = t.UTC().Format(time.RFC3339)
		}
	}
	boundDocuments(r, &s)
	r.items = s
	r.items.Stats.Files = 0 // the snapshot file itself is what this scan read
}

// boundDocuments refuses the documents of a snapshot that are past policydoc's bounds, as the
// parser refuses them in files: each is an error naming its item, and is not judged.
func boundDocuments(r *fileResult, s *snapshot.Snapshot) {
	file := r.source.Name
	fail := func(what string, err error) {
		r.addError(file, fmt.Errorf("%s: %w", what, err))
	}
	kept := s.Policies[:0]
	for _, p := range s.Policies {
		if err := policydoc.CheckSize(&p.Document); err != nil {
			fail("policy "+p.ID, err)
			continue
		}
		kept = append(kept, p)
	}
	s.Policies = kept
	for i := range s.Roles {
		role := &s.Roles[i]
		if role.TrustPolicy != nil {
			if err := policydoc.CheckSize(role.TrustPolicy); err != nil {
				fail("role "+role.ARN+": trust policy", err)
				role.TrustPolicy = nil
			}
		}
		for j := range role.InlinePolicies {
			ip := &role.InlinePolicies[j]
			if err := policydoc.CheckSize(&ip.Document); err != nil {
				fail(fmt.Sprintf("role %s: inline policy %q", role.ARN, ip.Name), err)
				ip.Document.Statements = []snapshot.Statement{}
			}
		}
	}
	for i := range s.ManagedPolicies {
		mp := &s.ManagedPolicies[i]
		if mp.Document != nil {
			if err := policydoc.CheckSize(mp.Document); err != nil {
				fail("policy "+mp.ARN, err)
				mp.Document = nil
			}
		}
	}
}

// writeJSON writes n as JSON text (YAML scalars as their JSON equivalents).
func writeJSON(b *bytes.Buffer, n *syntax.Node) {
	if n == nil {
		b.WriteString("null")
		return
	}
	switch n.Kind {
	case syntax.Null:
		b.WriteString("null")
	case syntax.Bool:
		b.WriteString(strings.ToLower(n.Value))
	case syntax.Number:
		if json.Valid([]byte(n.Value)) {
			b.WriteString(n.Value)
		} else {
			b.WriteString(strconv.Quote(n.Value))
		}
	case syntax.String:
		q, _ := json.Marshal(n.Value)
		b.Write(q)
	case syntax.Array:
		b.WriteByte('[')
		for i, it := range n.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, it)
		}
		b.WriteByte(']')
	case syntax.Object:
		b.WriteByte('{')
		for i, f := range n.Fields {
			if i > 0 {
				b.WriteByte(',')
			}
			q, _ := json.Marshal(f.Key)
			b.Write(q)
			b.WriteByte(':')
			writeJSON(b, f.Value)
		}
		b.WriteByte('}')
	default:
		b.WriteString("null")
	}
}

// nodeAt follows a dotted encoding/json field path ("roles.0.trust_policy" or, without indexes,
// "roles.trust_policy") as far as it can and returns the deepest node reached.
func nodeAt(n *syntax.Node, path string) *syntax.Node {
	if path == "" {
		return n
	}
	for _, key := range strings.Split(path, ".") {
		switch n.Kind {
		case syntax.Object:
			next := n.Get(key)
			if next == nil {
				return n
			}
			n = next
		case syntax.Array:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(n.Items) {
				return n
			}
			n = n.Items[i]
		default:
			return n
		}
	}
	return n
}

// jsonKind names a Go kind as a JSON type.
func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "a list"
	case "struct", "map":
		return "an object"
	case "int", "int64", "float64":
		return "a number"
	}
	return k
}
