#!/usr/bin/env bash
# Runs the performance benchmarks of docs/performance.md and prints their figures as a table.
# `make bench` runs this script.
#
#   scripts/bench.sh            scale benchmarks (evaluation, decoding, scan), then the micro benchmarks
#   BENCH_MICRO=0 scripts/bench.sh   scale benchmarks only
#   BENCH_LIVE=0 scripts/bench.sh    without the live-collection benchmark (which starts a real
#                                    kube-apiserver + etcd on 127.0.0.1: scripts/real-apiserver.sh)
#
# The large benchmarks run once each (-benchtime 1x): at 10,000 roles one evaluation takes
# seconds, and the child-process peak RSS is measured once anyway. Figures vary by some 10-20%
# from run to run on a shared 2-core machine; see docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

$GO test -run '^$' -bench '^BenchmarkEstate$' -benchtime 1x -timeout 60m ./pkg/eval | tee -a "$out"
$GO test -run '^$' -bench '^BenchmarkScanFolder$' -benchtime 1x -timeout 30m ./cmd/irsa-audit | tee -a "$out"
if [ "${BENCH_MICRO:-1}" != 0 ]; then
  $GO test -run '^$' -bench . -skip '^BenchmarkEstate$' -benchmem ./pkg/eval ./pkg/permissions ./pkg/load ./pkg/iamcatalog | tee -a "$out"
fi

# Live collection (benchmark 5): BenchmarkCollectLive in pkg/collect (build tag kubeintegration)
# against the loopback AWS and a real kube-apiserver of its own, always stopped again. Creating
# its 52,000 objects takes 2-3 minutes; the timed collection a few seconds.
if [ "${BENCH_LIVE:-1}" != 0 ]; then
  (
    S="$PWD/scripts/real-apiserver.sh"
    export REAL_APISERVER_STATE=/tmp/irsa-audit-bench-apiserver
    trap 'bash "$S" stop' EXIT
    IRSA_AUDIT_KUBECONFIG=$(bash "$S" start | tail -n 1)
    export IRSA_AUDIT_KUBECONFIG
    $GO test -tags kubeintegration -run '^$' -bench '^BenchmarkCollectLive$' -benchtime 1x -timeout 30m ./pkg/collect
  ) | tee -a "$out"
fi

echo
echo "| benchmark | time (s) | peak RSS (MiB) | in child: decode / evaluate (s) | findings |"
echo "|---|---:|---:|---:|---:|"
awk '/^Benchmark(Estate|ScanFolder)/ {
  name = $1; sub(/-[0-9]+$/, "", name)
  t = ""; rss = ""; dec = ""; ev = ""; fs = ""
  for (i = 3; i < NF; i += 2) {
    v = $i; u = $(i + 1)
    if (u == "ns/op") t = sprintf("%.3f", v / 1e9)
    if (u == "peak-RSS-MiB") rss = sprintf("%.0f", v)
    if (u == "child-decode-s") dec = sprintf("%.3f", v)
    if (u == "child-evaluate-s") ev = sprintf("%.3f", v)
    if (u == "findings") fs = v
  }
  child = dec; if (ev != "") child = dec " / " ev
  printf "| %s | %s | %s | %s | %s |\n", name, t, rss, child, fs
}' "$out"

if grep -q '^BenchmarkCollectLive' "$out"; then
  echo
  echo "| live collection | wall time (s) | IAM calls (budget) | EKS calls | all AWS calls | Kubernetes lists (budget) | lists: ServiceAccounts / Pods / 6 other kinds | roles / policies | ServiceAccounts / workloads |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk '/^BenchmarkCollectLive/ {
    name = $1; sub(/-[0-9]+$/, "", name)
    split("", m)
    for (i = 3; i < NF; i += 2) m[$(i + 1)] = $i
    other = m["kube-lists"] - m["lists-serviceaccounts"] - m["lists-pods"]
    printf "| %s | %.2f | %d (%d) | %d | %d | %d (%d) | %d / %d / %d | %d / %d | %d / %d |\n", name, m["wall-s"],
      m["iam-calls"], m["iam-budget"], m["eks-calls"], m["aws-calls"], m["kube-lists"], m["kube-list-budget"],
      m["lists-serviceaccounts"], m["lists-pods"], other, m["roles"], m["policies"], m["serviceaccounts"], m["workloads"]
  }' "$out"
fi
