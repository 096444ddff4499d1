package policydoc

import (
	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// ParseOperator splits a condition operator as written (e.g. "ForAnyValue:StringLikeIfExists")
// into the fields of snapshot.Condition: Operator, Qualifier, BaseOperator, IfExists, Negated and
// Known, as iam.ParseOperator reads it. Key, Values and Loc are left empty.
func ParseOperator(op string) snapshot.Condition {
	o := iam.ParseOperator(op)
	return snapshot.Condition{Operator: op, Qualifier: o.Qualifier, BaseOperator: o.Name, IfExists: o.IfExists, Negated: o.Negated, Known: o.Known}
}
