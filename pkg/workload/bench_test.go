package workload

import (
	"fmt"
	"testing"

	"github.com/irsa-audit/irsa-audit/internal/estate"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// BenchmarkAnalyze measures the facts of the generated estates (pkg/eval's scale sizes), with
// one Pod Identity association per 10 ServiceAccounts added, half of their roles trusting the
// agent: the step must stay linear and small beside the evaluation (docs/performance.md).
func BenchmarkAnalyze(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		est := estate.Generate(estate.Config{Seed: 1, Roles: n, ServiceAccounts: 10 * n, Clusters: 20, PolicyFiles: n / 10})
		snap := *est.Snapshot
		snap.Roles = append([]snapshot.Role(nil), snap.Roles...)
		agent := doc(b, agentTrust(`["sts:AssumeRole", "sts:TagSession"]`, `{"StringEquals": {"aws:SourceAccount": "111122223333"}}`))
		for i, sa := range snap.ServiceAccounts {
			if i%10 != 0 {
				continue
			}
			r := &snap.Roles[(i/10)%len(snap.Roles)]
			if i%20 == 0 {
				r.TrustPolicy = agent
			}
			snap.PodIdentityAssociations = append(snap.PodIdentityAssociations, snapshot.PodIdentityAssociation{
				ARN: fmt.Sprintf("arn:aws:eks:us-east-1:111122223333:podidentityassociation/c/a-%d", i), Cluster: sa.Cluster,
				Namespace: sa.Namespace, ServiceAccount: sa.Name, RoleARN: r.ARN,
			})
		}
		b.Run(fmt.Sprintf("roles=%d/SAs=%d/associations=%d", n, len(snap.ServiceAccounts), len(snap.PodIdentityAssociations)), func(b *testing.B) {
			for b.Loop() {
				Analyze(&snap)
			}
		})
	}
}

// BenchmarkAnalyzeNoPodIdentity is the estate of the scale benchmarks as it is: no association.
func BenchmarkAnalyzeNoPodIdentity(b *testing.B) {
	est := estate.Generate(estate.Config{Seed: 1, Roles: 10000, ServiceAccounts: 100000, Clusters: 20, PolicyFiles: 1000})
	for b.Loop() {
		Analyze(est.Snapshot)
	}
}
