package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

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
	r.items = s
	r.items.Stats.Files = 0 // the snapshot file itself is what this scan read
	return nil
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
