package eval

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// findingFields are the fields a deny element may have. Anything else is refused, so that a typo
// such as "severty" in a user rule is an error instead of a silently ignored field.
const findingFields = "msg, resource, path, severity, related, key"

func knownField(k string) bool {
	switch k {
	case "msg", "resource", "path", "severity", "related", "key":
		return true
	}
	return false
}

// decodeFinding checks one deny element of rule r and turns it into a finding.
func decodeFinding(r findings.Rule, elem any, loc *locator) (findings.Finding, error) {
	obj, ok := elem.(map[string]any)
	if !ok {
		return findings.Finding{}, fmt.Errorf("finding %s: want an object with msg, resource and path", brief(elem))
	}
	bad := func(format string, args ...any) (findings.Finding, error) {
		return findings.Finding{}, fmt.Errorf("finding %s: %s", brief(elem), fmt.Sprintf(format, args...))
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !knownField(k) {
			return bad("unknown field %q (want %s)", k, findingFields)
		}
	}
	msg, ok := obj["msg"].(string)
	if !ok || strings.TrimSpace(msg) == "" {
		return bad("msg must be a non-empty string")
	}
	res, err := decodeResource(obj["resource"])
	if err != nil {
		return bad("resource: %v", err)
	}
	rawPath, ok := obj["path"].([]any)
	if !ok {
		return bad("path must be an array of strings and integers")
	}
	path := make([]any, len(rawPath))
	for i, p := range rawPath {
		switch p := p.(type) {
		case string:
			path[i] = p
		case json.Number:
			n, err := strconv.Atoi(p.String())
			if err != nil || n < 0 {
				return bad("path[%d]: %s is not an array index", i, p)
			}
			path[i] = n
		default:
			return bad("path[%d] must be a string or an integer, not %s", i, brief(p))
		}
	}
	f := findings.Finding{
		RuleID:   r.ID,
		Severity: r.Severity,
		Title:    r.Title,
		Message:  msg,
		Resource: res,
	}
	if s, ok := obj["severity"]; ok {
		name, ok := s.(string)
		if !ok {
			return bad("severity must be a string")
		}
		if f.Severity, err = findings.ParseSeverity(name); err != nil {
			return bad("%v", err)
		}
	}
	if rel, ok := obj["related"]; ok {
		list, ok := rel.([]any)
		if !ok {
			return bad("related must be an array of resources")
		}
		for i, x := range list {
			rr, err := decodeResource(x)
			if err != nil {
				return bad("related[%d]: %v", i, err)
			}
			f.Related = append(f.Related, rr)
		}
		slices.SortFunc(f.Related, compareResource)
		f.Related = slices.Compact(f.Related)
	}
	id := msg
	if k, ok := obj["key"]; ok {
		key, ok := k.(string)
		if !ok || key == "" {
			return bad("key must be a non-empty string")
		}
		id = "key:" + key
	}
	f.Location = loc.find(path, res)
	f.Fingerprint = fingerprint(r.ID, res, path, id)
	return f, nil
}

func decodeResource(x any) (findings.Resource, error) {
	obj, ok := x.(map[string]any)
	if !ok {
		return findings.Resource{}, fmt.Errorf("want an object {kind, id}, not %s", brief(x))
	}
	kind, _ := obj["kind"].(string)
	id, _ := obj["id"].(string)
	if kind == "" || id == "" {
		return findings.Resource{}, fmt.Errorf("kind and id must be non-empty strings in %s", brief(x))
	}
	return findings.Resource{Kind: kind, ID: id}, nil
}

func compareResource(a, b findings.Resource) int {
	return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.ID, b.ID))
}

// brief renders a value for an error message, cut short.
func brief(x any) string {
	b, err := json.Marshal(x)
	if err != nil {
		return fmt.Sprintf("%v", x)
	}
	const max = 200
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// fingerprint identifies a finding across runs. It hashes the rule id, the resource, the path
// into the input and the message, or the finding's key when the rule gives one: all of which
// survive edits that only move lines, and none of which holds a line number (rules must not put
// locations in messages; the rule contract says so). The message (key) is included so that two
// findings of one rule on the same element (say, two bad values of one condition) stay
// distinct; a key keeps the fingerprint when the message carries figures that change from run
// to run, such as the permission rules' action counts, which follow the IAM action catalog.
func fingerprint(ruleID string, res findings.Resource, path []any, msg string) string {
	p, _ := json.Marshal(path) // strings and ints only
	h := sha256.New()
	for _, part := range []string{"irsa-audit/v1", ruleID, res.Kind, res.ID, string(p), msg} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// dedupe drops findings with the same fingerprint (same rule, resource, path and message),
// keeping the most severe, and sorts the rest with findings.Sort.
func dedupe(fs []findings.Finding) []findings.Finding {
	slices.SortFunc(fs, func(a, b findings.Finding) int {
		return cmp.Or(
			strings.Compare(a.Fingerprint, b.Fingerprint),
			cmp.Compare(b.Severity, a.Severity),
			slices.CompareFunc(a.Related, b.Related, compareResource),
		)
	})
	fs = slices.CompactFunc(fs, func(a, b findings.Finding) bool { return a.Fingerprint == b.Fingerprint })
	findings.Sort(fs)
	return fs
}

// locator maps a finding's path to a source location.
type locator struct {
	snap *snapshot.Snapshot
	// byResource maps kind+"\x00"+id to the resource's own location; built on first use.
	byResource map[string]snapshot.Location
}

func newLocator(snap *snapshot.Snapshot) *locator {
	return &locator{snap: snap}
}

// find walks path through the snapshot, as the input shows it (JSON keys and array indexes),
// and returns the loc of the deepest item on the way that has one. A value next to a
// "<key>_loc" (a ServiceAccount's role_arn and role_arn_loc) counts as having that location.
// When nothing on the path has a location (a path into input.trust or input.permissions, which
// are not the snapshot's), it falls back to the resource's own location, and else to an empty
// one. A path that leaves the snapshot (a bad index or key, a null) stops the walk where it
// leaves. The locations are read from the snapshot, not the input, which leaves them out
// (toValue).
func (l *locator) find(path []any, res findings.Resource) snapshot.Location {
	var best snapshot.Location
	found := false
	take := func(v reflect.Value) {
		if loc, ok := locationOf(v); ok {
			best, found = loc, true
		}
	}
	cur := reflect.ValueOf(l.snap)
	for _, step := range path {
		cur = indirect(cur)
		var next reflect.Value
		switch cur.Kind() {
		case reflect.Struct:
			key, ok := step.(string)
			if !ok {
				break
			}
			if f, ok := fieldNamed(cur.Type(), key); ok {
				next = cur.Field(f.index)
			}
			if f, ok := fieldNamed(cur.Type(), key+"_loc"); ok && f.location && next.IsValid() {
				take(cur.Field(f.index))
			}
		case reflect.Slice, reflect.Array:
			if i, ok := step.(int); ok && i >= 0 && i < cur.Len() {
				next = cur.Index(i)
			}
		case reflect.Map:
			if key, ok := step.(string); ok && cur.Type().Key().Kind() == reflect.String {
				next = cur.MapIndex(reflect.ValueOf(key).Convert(cur.Type().Key()))
			}
		}
		next = indirect(next)
		if !next.IsValid() {
			break
		}
		if next.Kind() == reflect.Struct {
			if f, ok := fieldNamed(next.Type(), "loc"); ok && f.location {
				take(next.Field(f.index))
			}
		}
		cur = next
	}
	if found {
		return best
	}
	return l.resourceLoc(res)
}

// indirect follows pointers and interfaces; the zero Value for a nil one (a null).
func indirect(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// fieldNamed returns the field of struct type t whose JSON key is name.
func fieldNamed(t reflect.Type, name string) (field, bool) {
	for _, f := range fieldsOf(t) {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

// locationOf reads a snapshot.Location or *snapshot.Location field; an empty one does not count.
func locationOf(v reflect.Value) (snapshot.Location, bool) {
	v = indirect(v)
	if !v.IsValid() {
		return snapshot.Location{}, false
	}
	loc, ok := v.Interface().(snapshot.Location)
	return loc, ok && loc != snapshot.Location{}
}

func (l *locator) resourceLoc(res findings.Resource) snapshot.Location {
	if l.byResource == nil {
		l.byResource = resourceLocs(l.snap)
	}
	return l.byResource[res.Kind+"\x00"+res.ID]
}

// resourceLocs indexes the top-level location of every resource by the kinds and ids rules use.
// Workloads and ServiceAccounts are indexed as [cluster/]namespace/name; workloads also as
// [cluster/]namespace/kind/name. The first resource wins when two share a key.
func resourceLocs(s *snapshot.Snapshot) map[string]snapshot.Location {
	m := map[string]snapshot.Location{}
	add := func(kind, id string, loc snapshot.Location) {
		k := kind + "\x00" + id
		if _, ok := m[k]; !ok && id != "" {
			m[k] = loc
		}
	}
	scoped := func(cluster string, parts ...string) []string {
		id := strings.Join(parts, "/")
		if cluster == "" {
			return []string{id}
		}
		return []string{cluster + "/" + id}
	}
	for _, p := range s.Policies {
		add("policy", p.ID, p.Loc)
	}
	for _, p := range s.ManagedPolicies {
		add("managed_policy", p.ARN, p.Loc)
		add("policy", p.ARN, p.Loc)
	}
	for _, r := range s.Roles {
		add("role", r.ARN, r.Loc)
	}
	for _, p := range s.OIDCProviders {
		add("oidc_provider", p.ARN, p.Loc)
	}
	for _, c := range s.Clusters {
		add("cluster", c.ID, c.Loc)
	}
	for _, sa := range s.ServiceAccounts {
		for _, id := range scoped(sa.Cluster, sa.Namespace, sa.Name) {
			add("service_account", id, sa.Loc)
		}
	}
	for _, w := range s.Workloads {
		for _, id := range scoped(w.Cluster, w.Namespace, w.Name) {
			add("workload", id, w.Loc)
		}
		for _, id := range scoped(w.Cluster, w.Namespace, w.Kind, w.Name) {
			add("workload", id, w.Loc)
		}
	}
	return m
}
