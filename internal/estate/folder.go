package estate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// FolderStats counts what WriteFolder wrote.
type FolderStats struct {
	PolicyFiles, ManifestFiles int
}

// Files is the number of files written.
func (s FolderStats) Files() int { return s.PolicyFiles + s.ManifestFiles }

// WriteFolder writes the estate as the files of a repository, the way a monorepo keeps them:
//
//	iam/<account>/roles/<role>/trust-policy.json      one per role
//	iam/<account>/roles/<role>/<inline policy>.json   one per inline policy
//	iam/<account>/managed/<policy>.json               one per customer-managed policy
//	policies/policy-<n>.json                          the standalone policy files
//	k8s/<cluster>/<namespace>/<name>.yaml             a ServiceAccount that names a role, with its Deployment
//	k8s/<cluster>/<namespace>/serviceaccounts.yaml    the namespace's other ServiceAccounts
//
// dir must not exist or be empty. Files hold IAM JSON and Kubernetes YAML, so a scan of the
// folder sees documents and manifests, not the inventories (the pull-request case).
func WriteFolder(dir string, est *Estate) (FolderStats, error) {
	var st FolderStats
	snap := est.Snapshot
	write := func(rel string, data []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	}
	for _, r := range snap.Roles {
		base := fmt.Sprintf("iam/%s/roles/%s/", r.AccountID, r.Name)
		if r.TrustPolicy != nil {
			if err := write(base+"trust-policy.json", PolicyJSON(*r.TrustPolicy)); err != nil {
				return st, err
			}
			st.PolicyFiles++
		}
		for _, p := range r.InlinePolicies {
			if err := write(base+p.Name+".json", PolicyJSON(p.Document)); err != nil {
				return st, err
			}
			st.PolicyFiles++
		}
	}
	for _, m := range snap.ManagedPolicies {
		if m.Document == nil {
			continue
		}
		account := strings.Split(m.ARN, ":")[4]
		if err := write(fmt.Sprintf("iam/%s/managed/%s.json", account, m.Name), PolicyJSON(*m.Document)); err != nil {
			return st, err
		}
		st.PolicyFiles++
	}
	for _, p := range snap.Policies {
		if err := write(p.ID, PolicyJSON(p.Document)); err != nil {
			return st, err
		}
		st.PolicyFiles++
	}

	clusterName := map[string]string{}
	for _, c := range snap.Clusters {
		clusterName[c.ID] = c.Name
	}
	workload := map[string]snapshot.Workload{}
	for _, w := range snap.Workloads {
		workload[w.Cluster+"/"+w.Namespace+"/"+w.ServiceAccount] = w
	}
	rest := map[string]*bytes.Buffer{}
	var order []string
	for _, sa := range snap.ServiceAccounts {
		folder := fmt.Sprintf("k8s/%s/%s/", clusterName[sa.Cluster], sa.Namespace)
		w, bound := workload[sa.Cluster+"/"+sa.Namespace+"/"+sa.Name]
		if sa.RoleARN != "" || bound {
			var b bytes.Buffer
			serviceAccountYAML(&b, sa)
			if bound {
				b.WriteString("---\n")
				deploymentYAML(&b, w)
			}
			if err := write(folder+sa.Name+".yaml", b.Bytes()); err != nil {
				return st, err
			}
			st.ManifestFiles++
			continue
		}
		b := rest[folder]
		if b == nil {
			b = &bytes.Buffer{}
			rest[folder] = b
			order = append(order, folder)
		} else {
			b.WriteString("---\n")
		}
		serviceAccountYAML(b, sa)
	}
	for _, folder := range order {
		if err := write(folder+"serviceaccounts.yaml", rest[folder].Bytes()); err != nil {
			return st, err
		}
		st.ManifestFiles++
	}
	return st, nil
}

func serviceAccountYAML(b *bytes.Buffer, sa snapshot.ServiceAccount) {
	fmt.Fprintf(b, "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: %s\n  namespace: %s\n", sa.Name, sa.Namespace)
	if sa.RoleARN != "" {
		fmt.Fprintf(b, "  annotations:\n    eks.amazonaws.com/role-arn: %q\n", sa.RoleARN)
	}
}

func deploymentYAML(b *bytes.Buffer, w snapshot.Workload) {
	fmt.Fprintf(b, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  replicas: 2
  selector:
    matchLabels:
      app: %[1]s
  template:
    metadata:
      labels:
        app: %[1]s
    spec:
      serviceAccountName: %[3]s
      containers:
        - name: app
          image: registry.example.com/%[1]s:1.0.0
`, w.Name, w.Namespace, w.ServiceAccount)
}

// PolicyJSON renders a document as IAM policy JSON (Version, Statement, Effect, Principal,
// Action, Resource, Condition), indented, with conditions grouped by operator in the order of
// their first entry.
func PolicyJSON(doc snapshot.Document) []byte {
	type kv struct {
		k string
		v any
	}
	var obj func(b *bytes.Buffer, fields []kv, indent string)
	value := func(b *bytes.Buffer, v any, indent string) {
		switch v := v.(type) {
		case []kv:
			obj(b, v, indent)
			return
		case json.RawMessage: // already rendered
			b.Write(v)
			return
		}
		data, _ := json.Marshal(v)
		b.Write(data)
	}
	obj = func(b *bytes.Buffer, fields []kv, indent string) {
		b.WriteString("{\n")
		for i, f := range fields {
			key, _ := json.Marshal(f.k)
			fmt.Fprintf(b, "%s  %s: ", indent, key)
			value(b, f.v, indent+"  ")
			if i < len(fields)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	}
	var stmts []any
	for _, s := range doc.Statements {
		f := []kv{}
		if s.Sid != "" {
			f = append(f, kv{"Sid", s.Sid})
		}
		f = append(f, kv{"Effect", s.Effect})
		if p := s.Principal; p != nil {
			if p.Wildcard {
				f = append(f, kv{"Principal", "*"})
			} else {
				var pf []kv
				for _, x := range []struct {
					k string
					v []string
				}{{"AWS", p.AWS}, {"Federated", p.Federated}, {"Service", p.Service}, {"CanonicalUser", p.CanonicalUser}} {
					if len(x.v) == 1 {
						pf = append(pf, kv{x.k, x.v[0]})
					} else if len(x.v) > 1 {
						pf = append(pf, kv{x.k, x.v})
					}
				}
				f = append(f, kv{"Principal", pf})
			}
		}
		for _, x := range []struct {
			k string
			v []string
		}{{"Action", s.Actions}, {"NotAction", s.NotActions}, {"Resource", s.Resources}, {"NotResource", s.NotResources}} {
			if len(x.v) == 1 {
				f = append(f, kv{x.k, x.v[0]})
			} else if len(x.v) > 1 {
				f = append(f, kv{x.k, x.v})
			}
		}
		if len(s.Conditions) > 0 {
			var ops []kv
			at := map[string]int{}
			for _, c := range s.Conditions {
				i, ok := at[c.Operator]
				if !ok {
					i = len(ops)
					at[c.Operator] = i
					ops = append(ops, kv{c.Operator, []kv{}})
				}
				var v any = c.Values
				if len(c.Values) == 1 {
					v = c.Values[0]
				}
				ops[i].v = append(ops[i].v.([]kv), kv{c.Key, v})
			}
			f = append(f, kv{"Condition", ops})
		}
		stmts = append(stmts, f)
	}
	var b bytes.Buffer
	top := []kv{{"Version", "2012-10-17"}}
	var list bytes.Buffer
	list.WriteString("[\n")
	for i, s := range stmts {
		list.WriteString("    ")
		obj(&list, s.([]kv), "    ")
		if i < len(stmts)-1 {
			list.WriteByte(',')
		}
		list.WriteByte('\n')
	}
	list.WriteString("  ]")
	obj(&b, append(top, kv{"Statement", json.RawMessage(list.Bytes())}), "")
	b.WriteByte('\n')
	return b.Bytes()
}
