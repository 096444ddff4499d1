// Command irsa-audit audits how Kubernetes workloads get AWS permissions through IRSA (IAM Roles
// for Service Accounts): it reads IAM policy files, Kubernetes manifests and exports, or live
// AWS and Kubernetes APIs, judges them with Rego rules and reports in text, JSON or SARIF.
package main

import (
	"context"
	"os"
)

func main() {
	ctx, stop := notifyContext(context.Background())
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
