package estate

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// ExportStats describes what WriteExports wrote.
type ExportStats struct {
	// Files is the number of files written.
	Files int
	// AuthDetailsBytes and ServiceAccountBytes are the total sizes of the
	// get-account-authorization-details exports and of the ServiceAccount lists.
	AuthDetailsBytes, ServiceAccountBytes int64
}

// WriteExports writes the estate as the AWS CLI and kubectl exports a user would save, in the
// layout the loader ties together by folder: per account
// <account>/get-account-authorization-details.json (roles with their trust, inline and attached
// policies; the customer-managed policies with their default version) and
// <account>/list-open-id-connect-providers.json, and per cluster of that account
// <account>/<cluster>/describe-cluster.json and <account>/<cluster>/serviceaccounts.json
// (kubectl get serviceaccounts -A -o json, with the default ServiceAccounts of default and
// kube-system, which the estate does not have). The JSON is indented as the AWS CLI and kubectl
// print it (four spaces). Standalone policy files and workloads are not written.
func WriteExports(dir string, est *Estate) (ExportStats, error) {
	var st ExportStats
	snap := est.Snapshot
	write := func(path string, v any) (int64, error) {
		data, err := json.Marshal(v)
		if err != nil {
			return 0, fmt.Errorf("encode %s: %w", path, err)
		}
		data = append(data, '\n')
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return 0, err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return 0, err
		}
		st.Files++
		return int64(len(data)), nil
	}
	for _, acct := range snap.Accounts {
		adir := filepath.Join(dir, acct.ID)
		n, err := write(filepath.Join(adir, "get-account-authorization-details.json"), authDetails(snap, acct.ID))
		if err != nil {
			return st, err
		}
		st.AuthDetailsBytes += n
		var providers []map[string]string
		for _, p := range snap.OIDCProviders {
			if p.AccountID == acct.ID {
				providers = append(providers, map[string]string{"Arn": p.ARN})
			}
		}
		if _, err := write(filepath.Join(adir, "list-open-id-connect-providers.json"), map[string]any{"OpenIDConnectProviderList": providers}); err != nil {
			return st, err
		}
		for _, c := range snap.Clusters {
			if c.AccountID != acct.ID {
				continue
			}
			cdir := filepath.Join(adir, c.Name)
			describe := map[string]any{"cluster": map[string]any{
				"name":     c.Name,
				"arn":      c.ARN,
				"version":  "1.31",
				"status":   "ACTIVE",
				"identity": map[string]any{"oidc": map[string]string{"issuer": "https://" + c.Issuer}},
			}}
			if _, err := write(filepath.Join(cdir, "describe-cluster.json"), describe); err != nil {
				return st, err
			}
			n, err := write(filepath.Join(cdir, "serviceaccounts.json"), serviceAccountList(snap, c.ID))
			if err != nil {
				return st, err
			}
			st.ServiceAccountBytes += n
		}
	}
	return st, nil
}

// policyDoc is a document as the AWS CLI prints it: a JSON object, not a string.
func policyDoc(d snapshot.Document) json.RawMessage { return json.RawMessage(PolicyJSON(d)) }

func authDetails(snap *snapshot.Snapshot, account string) map[string]any {
	roles := []map[string]any{}
	for i, r := range snap.Roles {
		if r.AccountID != account {
			continue
		}
		inline := []map[string]any{}
		for _, p := range r.InlinePolicies {
			inline = append(inline, map[string]any{"PolicyName": p.Name, "PolicyDocument": policyDoc(p.Document)})
		}
		attached := []map[string]string{}
		for _, p := range r.AttachedPolicies {
			attached = append(attached, map[string]string{"PolicyName": p.Name, "PolicyArn": p.ARN})
		}
		tags := []map[string]string{}
		for _, k := range slices.Sorted(maps.Keys(r.Tags)) {
			tags = append(tags, map[string]string{"Key": k, "Value": r.Tags[k]})
		}
		role := map[string]any{
			"Path":                    pathOr(r.Path),
			"RoleName":                r.Name,
			"RoleId":                  fmt.Sprintf("AROA%017d", i),
			"Arn":                     r.ARN,
			"CreateDate":              "2025-02-11T09:30:12+00:00",
			"InstanceProfileList":     []any{},
			"RolePolicyList":          inline,
			"AttachedManagedPolicies": attached,
			"Tags":                    tags,
			"RoleLastUsed":            map[string]any{},
		}
		if r.TrustPolicy != nil {
			role["AssumeRolePolicyDocument"] = policyDoc(*r.TrustPolicy)
		}
		if r.PermissionsBoundary != "" {
			role["PermissionsBoundary"] = map[string]string{"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": r.PermissionsBoundary}
		}
		if r.LastUsed != "" {
			role["RoleLastUsed"] = map[string]string{"LastUsedDate": r.LastUsed, "Region": r.LastUsedRegion}
		}
		roles = append(roles, role)
	}
	policies := []map[string]any{}
	for i, p := range snap.ManagedPolicies {
		if !strings.Contains(p.ARN, ":"+account+":") || p.Document == nil {
			continue
		}
		version := cmp.Or(p.DefaultVersionID, "v1")
		policies = append(policies, map[string]any{
			"PolicyName":       p.Name,
			"PolicyId":         fmt.Sprintf("ANPA%017d", i),
			"Arn":              p.ARN,
			"Path":             "/",
			"DefaultVersionId": version,
			"AttachmentCount":  1,
			"IsAttachable":     true,
			"CreateDate":       "2025-02-11T09:30:12+00:00",
			"UpdateDate":       "2025-02-11T09:30:12+00:00",
			"PolicyVersionList": []map[string]any{{
				"Document":         policyDoc(*p.Document),
				"VersionId":        version,
				"IsDefaultVersion": true,
				"CreateDate":       "2025-02-11T09:30:12+00:00",
			}},
		})
	}
	return map[string]any{
		"RoleDetailList":  roles,
		"GroupDetailList": []any{},
		"UserDetailList":  []any{},
		"Policies":        policies,
	}
}

// serviceAccountList is kubectl get serviceaccounts -A -o json of a cluster: its ServiceAccounts
// and, first, the default ServiceAccounts of default and kube-system that every cluster has
// (the loader counts a list without them as one namespace's, not the whole cluster's).
func serviceAccountList(snap *snapshot.Snapshot, cluster string) map[string]any {
	items := []map[string]any{}
	for _, ns := range []string{"default", "kube-system"} {
		items = append(items, map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{
			"name": "default", "namespace": ns, "uid": "00000000-0000-4000-8000-" + fmt.Sprintf("%012d", len(ns)),
			"resourceVersion": "1", "creationTimestamp": "2025-02-11T09:52:30Z",
		}})
	}
	for i, sa := range snap.ServiceAccounts {
		if sa.Cluster != cluster {
			continue
		}
		meta := map[string]any{
			"name":              sa.Name,
			"namespace":         sa.Namespace,
			"uid":               fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i),
			"resourceVersion":   fmt.Sprint(1000 + i),
			"creationTimestamp": "2025-02-11T09:52:30Z",
		}
		if len(sa.Annotations) > 0 {
			meta["annotations"] = sa.Annotations
		}
		items = append(items, map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta})
	}
	return map[string]any{"apiVersion": "v1", "items": items, "kind": "List", "metadata": map[string]string{"resourceVersion": ""}}
}

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}
