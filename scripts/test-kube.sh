#!/usr/bin/env bash
# Runs the Kubernetes integration tests of pkg/collect and cmd/irsa-audit (build tag kubeintegration) against a real
# kube-apiserver + etcd on 127.0.0.1, started by scripts/real-apiserver.sh (built from the Go
# module proxy on first use: 5-8 min cold, then cached) and always stopped again.
#
#   scripts/test-kube.sh                      all integration tests of ./pkg/collect/...
#   scripts/test-kube.sh -run Limited -v      extra `go test` flags are passed on
#
# Environment given to the tests:
#   IRSA_AUDIT_KUBECONFIG          admin kubeconfig (system:masters)
#   IRSA_AUDIT_LIMITED_KUBECONFIG  kubeconfig of user "limited", which has no rights until a test binds some
#   IRSA_AUDIT_APISERVER_SCRIPT    this project's real-apiserver.sh, to mint more users: "$S user NAME [GROUP...]"
set -euo pipefail
cd "$(dirname "$0")/.."
S="$PWD/scripts/real-apiserver.sh"
# A state folder of our own, so other users of real-apiserver.sh on this machine are not disturbed.
export REAL_APISERVER_STATE="${REAL_APISERVER_STATE:-/tmp/irsa-audit-collect-apiserver}"

trap 'bash "$S" stop' EXIT
IRSA_AUDIT_KUBECONFIG=$(bash "$S" start | tail -n 1)
IRSA_AUDIT_LIMITED_KUBECONFIG=$(bash "$S" user limited | tail -n 1)
export IRSA_AUDIT_KUBECONFIG IRSA_AUDIT_LIMITED_KUBECONFIG
export IRSA_AUDIT_APISERVER_SCRIPT="$S"

go test -tags kubeintegration -count=1 "$@" ./pkg/collect/... ./cmd/irsa-audit/...
