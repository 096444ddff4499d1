package eval

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/workload"
)

// workloadKey is the input member that holds pkg/workload's facts: the EKS Pod Identity
// associations and the roles the Pod Identity agent can assume (policies/workload reads them).
const workloadKey = "workload_identity"

// insertWorkloadFacts adds pkg/workload's facts about snap to the input at
// input.workload_identity. They are linear in the associations and roles, so they are computed
// after the other analyses rather than on a goroutine of their own.
func insertWorkloadFacts(obj ast.Object, snap *snapshot.Snapshot) error {
	v, err := toValue(workload.Analyze(snap))
	if err != nil {
		return fmt.Errorf("convert workload identity facts: %w", err)
	}
	obj.Insert(ast.StringTerm(workloadKey), ast.NewTerm(v))
	return nil
}
