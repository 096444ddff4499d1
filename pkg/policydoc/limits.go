package policydoc

import (
	"fmt"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Bounds on one policy document. AWS limits documents by size: 2,048 characters for a role's
// trust policy by default (8,192 at most), 6,144 for a managed policy, 10,240 for a role's
// inline policies together, 20 KiB for an S3 bucket policy and 32 KiB for a KMS key policy, the
// largest. The smallest statement takes some 40 characters and the smallest value about 4, so
// no document AWS accepts comes near these bounds; a document past them is not a real policy
// (a generated file, an attack on the scanner: 100,000 statements took 2.4 GB and 55 s to judge
// and gave a 269 MB report) and is refused, located, instead of judged.
const (
	// MaxStatements is the most statements a document may have.
	MaxStatements = 1000
	// MaxValues is the most values (actions, resources, principals, condition keys and values)
	// a document may have, all statements together.
	MaxValues = 10000
)

// CheckSize returns an error when doc is past MaxStatements or MaxValues.
func CheckSize(doc *snapshot.Document) error {
	if n := len(doc.Statements); n > MaxStatements {
		return fmt.Errorf("policy document has %d statements, more than the %d any AWS policy can hold (the largest, a KMS key policy, is limited to 32 KiB): not judged", n, MaxStatements)
	}
	values := 0
	for i := range doc.Statements {
		s := &doc.Statements[i]
		values += len(s.Actions) + len(s.NotActions) + len(s.Resources) + len(s.NotResources)
		for _, p := range []*snapshot.Principal{s.Principal, s.NotPrincipal} {
			if p != nil {
				values += len(p.AWS) + len(p.Federated) + len(p.Service) + len(p.CanonicalUser)
			}
		}
		for _, c := range s.Conditions {
			values += 1 + len(c.Values)
		}
	}
	if values > MaxValues {
		return fmt.Errorf("policy document has %d values (actions, resources, principals, condition keys and values), more than the %d any AWS policy can hold (the largest, a KMS key policy, is limited to 32 KiB): not judged", values, MaxValues)
	}
	return nil
}
