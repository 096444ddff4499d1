// Command genestate writes a synthetic IRSA estate (see package estate): a snapshot JSON, a
// folder of policy files and manifests, or both.
//
//	go run ./internal/estate/cmd/genestate -roles 10000 -sas 100000 -clusters 20 -policies 1000 \
//	    -snapshot /tmp/estate.json -dir /tmp/estate
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/irsa-audit/irsa-audit/internal/estate"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("genestate", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var cfg estate.Config
	fl.Uint64Var(&cfg.Seed, "seed", 1, "random seed (the same flags give the same estate)")
	fl.IntVar(&cfg.Roles, "roles", 1000, "IAM roles (N)")
	fl.IntVar(&cfg.ServiceAccounts, "sas", 10000, "Kubernetes ServiceAccounts (M)")
	fl.IntVar(&cfg.Clusters, "clusters", 5, "EKS clusters (K)")
	fl.IntVar(&cfg.PolicyFiles, "policies", 100, "standalone policy files (P)")
	fl.Float64Var(&cfg.Rate, "rate", estate.DefaultRate, "share of roles seeded with each misconfiguration kind")
	snapPath := fl.String("snapshot", "", "write the snapshot JSON to `FILE` (- for standard output)")
	dir := fl.String("dir", "", "write the estate as a folder of policy files and manifests under `DIR`")
	exports := fl.String("exports", "", "write the estate as AWS CLI and kubectl exports under `DIR` (get-account-authorization-details, list-open-id-connect-providers, describe-cluster, kubectl get serviceaccounts -A -o json)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *snapPath == "" && *dir == "" && *exports == "" {
		fmt.Fprintln(stderr, "genestate: give -snapshot FILE, -dir DIR, -exports DIR or several")
		return 2
	}
	est := estate.Generate(cfg)
	if *snapPath != "" {
		data, err := json.Marshal(est.Snapshot)
		if err != nil {
			fmt.Fprintln(stderr, "genestate:", err)
			return 1
		}
		if *snapPath == "-" {
			_, err = stdout.Write(data)
		} else {
			err = os.WriteFile(*snapPath, data, 0o644)
		}
		if err != nil {
			fmt.Fprintln(stderr, "genestate:", err)
			return 1
		}
	}
	if *dir != "" {
		st, err := estate.WriteFolder(*dir, est)
		if err != nil {
			fmt.Fprintln(stderr, "genestate:", err)
			return 1
		}
		fmt.Fprintf(stderr, "genestate: %d policy files and %d manifest files under %s\n", st.PolicyFiles, st.ManifestFiles, *dir)
	}
	if *exports != "" {
		if _, err := estate.WriteExports(*exports, est); err != nil {
			fmt.Fprintln(stderr, "genestate:", err)
			return 1
		}
		fmt.Fprintf(stderr, "genestate: AWS CLI and kubectl exports under %s\n", *exports)
	}
	for _, id := range slices.Sorted(maps.Keys(est.Expected)) {
		fmt.Fprintf(stderr, "expected %s: %d\n", id, est.Expected[id])
	}
	return 0
}
