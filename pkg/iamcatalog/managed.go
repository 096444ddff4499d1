package iamcatalog

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// ManagedPolicy is the default version of an AWS managed policy.
type ManagedPolicy struct {
	// ARN is the policy ARN in the aws partition, e.g. "arn:aws:iam::aws:policy/ReadOnlyAccess".
	ARN string
	// VersionID is the default version, e.g. "v3".
	VersionID string
	// Document is the policy document as compact JSON, as AWS publishes it.
	Document []byte
}

// ManagedPolicies is the decoded map of AWS managed policies. It is read-only and safe for
// concurrent use.
type ManagedPolicies struct {
	byARN map[string]managedEntry
	arns  []string
}

type managedEntry struct {
	version  string
	document string
}

// AWSManaged returns the embedded AWS managed policies, decoding them on first use.
func AWSManaged() (*ManagedPolicies, error) { return awsManaged() }

var awsManaged = sync.OnceValues(func() (*ManagedPolicies, error) {
	return decodeManaged(managedPoliciesGz)
})

// decodeManaged reads the line format written by scripts/gen-catalog: a "#" comment line, then
// "<ARN>\t<version id>\t<document JSON>" per policy, sorted by ARN.
func decodeManaged(gz string) (*ManagedPolicies, error) {
	zr, err := gzip.NewReader(strings.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("decode managed policies: %w", err)
	}
	m := &ManagedPolicies{byARN: map[string]managedEntry{}}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 256*1024), 4<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || text[0] == '#' {
			continue
		}
		f := strings.SplitN(text, "\t", 3)
		if len(f) != 3 || !strings.HasPrefix(f[0], "arn:aws:iam::aws:policy/") || !strings.HasPrefix(f[2], "{") {
			return nil, fmt.Errorf("decode managed policies: line %d: bad line", line)
		}
		if _, dup := m.byARN[f[0]]; dup {
			return nil, fmt.Errorf("decode managed policies: line %d: duplicate %s", line, f[0])
		}
		m.byARN[f[0]] = managedEntry{version: f[1], document: f[2]}
		m.arns = append(m.arns, f[0])
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("decode managed policies: %w", err)
	}
	slices.Sort(m.arns)
	return m, nil
}

// Len returns the number of policies.
func (m *ManagedPolicies) Len() int { return len(m.arns) }

// ARNs returns the policy ARNs, sorted.
func (m *ManagedPolicies) ARNs() []string { return slices.Clone(m.arns) }

// Lookup returns the AWS managed policy with the given ARN. ARNs of the other partitions
// ("arn:aws-cn:iam::aws:policy/...", "arn:aws-us-gov:...") resolve to the aws partition's
// policy of the same path and name.
func (m *ManagedPolicies) Lookup(arn string) (ManagedPolicy, bool) {
	key := arn
	if rest, ok := strings.CutPrefix(arn, "arn:"); ok {
		if _, tail, ok := strings.Cut(rest, ":"); ok {
			key = "arn:aws:" + tail
		}
	}
	e, ok := m.byARN[key]
	if !ok {
		return ManagedPolicy{}, false
	}
	return ManagedPolicy{ARN: key, VersionID: e.version, Document: []byte(e.document)}, true
}

// IsAWSManagedARN reports whether arn names an AWS managed policy (account "aws").
func IsAWSManagedARN(arn string) bool {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return false
	}
	_, tail, _ := strings.Cut(rest, ":")
	return strings.HasPrefix(tail, "iam::aws:policy/")
}
