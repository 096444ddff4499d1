// Package estate generates synthetic IRSA estates for benchmarks and scale tests: a seeded,
// deterministic snapshot of N IAM roles, M ServiceAccounts, K EKS clusters and P standalone
// policy files, and the same estate written out as a folder of policy files and Kubernetes
// manifests (the pull-request case).
//
// The mix is meant to look like a large organisation: most roles are correct IRSA roles (a
// web-identity trust pinning the exact ServiceAccount subject and the sts.amazonaws.com
// audience, an inline policy scoped to the role's own bucket and queue, and two customer-managed
// policies shared with many other roles), most ServiceAccounts name no role at all, and every
// namespace has its unannotated "default" ServiceAccount. A few percent of the roles and
// ServiceAccounts carry one seeded misconfiguration each (see Kinds); Estate.Expected says how
// many findings of each rule id the seeded misconfigurations produce, so that tests can check
// that the scanner finds exactly them.
//
// The same Config and seed always give byte-identical output. Generate it with
// `go run ./internal/estate/cmd/genestate`.
package estate

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Config sizes an estate.
type Config struct {
	// Seed makes the estate reproducible: the same Config gives the same estate.
	Seed uint64
	// Roles, ServiceAccounts, Clusters and PolicyFiles are N, M, K and P. ServiceAccounts
	// below what the roles need (one or two per role, a default per namespace) is raised.
	Roles, ServiceAccounts, Clusters, PolicyFiles int
	// Rate is the share of roles that get each misconfiguration kind (at least one of each
	// kind when there are enough roles); 0 means DefaultRate.
	Rate float64
}

// DefaultRate is the share of roles seeded with each misconfiguration kind: with the 20 kinds
// of Kinds, about 80% of the roles are correct.
const DefaultRate = 0.01

// GeneratedAt is the fixed time stamp of every generated snapshot.
const GeneratedAt = "2025-06-01T00:00:00Z"

// Estate is a generated estate.
type Estate struct {
	Config   Config
	Snapshot *snapshot.Snapshot
	// Expected counts the findings, by rule id, that the seeded misconfigurations produce.
	Expected map[string]int
	// Seeded counts the roles, ServiceAccounts and providers given each misconfiguration kind.
	Seeded map[string]int
}

// Kind is one seeded misconfiguration and the findings it produces, by rule id.
type Kind struct {
	Name     string
	Findings map[string]int
}

// Kinds are the misconfigurations seeded into roles and their ServiceAccounts, each on its own
// roles, with the findings each one produces in a complete inventory. Besides them, an estate
// with ten clusters or more has a stale OIDC provider per ten clusters (IRSA-008).
var Kinds = []Kind{
	{"no-sub", map[string]int{"IRSA-001": 1}},
	{"wildcard-sub", map[string]int{"IRSA-002": 1}},
	{"no-aud", map[string]int{"IRSA-003": 1}},
	{"if-exists-sub", map[string]int{"IRSA-004": 1}},
	{"foreign-issuer-keys", map[string]int{"IRSA-005": 3, "IRSA-022": 1}},
	{"literal-wildcard", map[string]int{"IRSA-006": 1, "IRSA-022": 1}},
	{"unregistered-provider", map[string]int{"IRSA-007": 1, "IRSA-022": 1}},
	{"public-principal", map[string]int{"IRSA-009": 1}},
	{"extra-actions", map[string]int{"IRSA-010": 1}},
	{"extra-audience", map[string]int{"IRSA-011": 1}},
	{"orphan-role", map[string]int{"IRSA-020": 1}},
	{"dangling-annotation", map[string]int{"IRSA-021": 1}},
	{"wrong-role", map[string]int{"IRSA-022": 1}},
	{"default-service-account", map[string]int{"IRSA-023": 1}},
	{"shared-across-namespaces", map[string]int{"IRSA-025": 1}},
	{"invalid-annotation", map[string]int{"IRSA-026": 1}},
	{"admin", map[string]int{"IRSA-032": 1}},
	{"s3-all-buckets", map[string]int{"IRSA-031": 1}},
	{"secrets-read-all", map[string]int{"IRSA-037": 1}},
	{"wildcard-sub-admin", map[string]int{"IRSA-002": 1, "IRSA-032": 1, "IRSA-040": 1}},
}

const (
	region       = "us-east-1"
	audience     = "sts.amazonaws.com"
	webIdentity  = "sts:AssumeRoleWithWebIdentity"
	gaad         = "iam:GetAccountAuthorizationDetails"
	listSAs      = "kube:list serviceaccounts"
	listWorkload = "kube:list deployments"
)

// cluster is what the generator knows about one cluster.
type cluster struct {
	id, name, account, issuer, provider string
	namespaces                          int
}

// gen holds the state of one generation.
type gen struct {
	cfg      Config
	rng      *rand.Rand
	snap     *snapshot.Snapshot
	clusters []cluster
	accounts []string
	managed  map[string][]string // account -> customer-managed policy ARNs
	expected map[string]int
	seeded   map[string]int
}

// Generate builds the estate of cfg.
func Generate(cfg Config) *Estate {
	if cfg.Clusters < 1 {
		cfg.Clusters = 1
	}
	if cfg.Rate == 0 {
		cfg.Rate = DefaultRate
	}
	g := &gen{
		cfg:      cfg,
		rng:      rand.New(rand.NewPCG(cfg.Seed, 0x1c5a)),
		snap:     &snapshot.Snapshot{Version: snapshot.Version, GeneratedAt: GeneratedAt},
		expected: map[string]int{},
		seeded:   map[string]int{},
	}
	g.infrastructure()
	g.managedPolicies()
	g.roles()
	g.policyFiles()
	g.snap.Stats.Files = 0
	return &Estate{Config: cfg, Snapshot: g.snap, Expected: g.expected, Seeded: g.seeded}
}

// infrastructure creates the accounts (one per five clusters), clusters with their registered
// OIDC providers, and the stale providers.
func (g *gen) infrastructure() {
	k := g.cfg.Clusters
	nAccounts := (k + 4) / 5
	for a := range nAccounts {
		id := fmt.Sprintf("%012d", 111100000000+a*1111)
		g.accounts = append(g.accounts, id)
		g.snap.Accounts = append(g.snap.Accounts, snapshot.Account{ID: id, Inventory: snapshot.AccountInventory{
			Roles: true, OIDCProviders: true, ClusterRegions: []string{region}, AllRegions: true,
		}})
	}
	// About 50 ServiceAccounts per namespace.
	perCluster := max(1, g.cfg.ServiceAccounts/k)
	namespaces := max(1, perCluster/50)
	for c := range k {
		account := g.accounts[c%nAccounts]
		issuer := fmt.Sprintf("oidc.eks.%s.amazonaws.com/id/%s", region, g.hexID())
		cl := cluster{
			name:       fmt.Sprintf("cluster-%02d", c),
			account:    account,
			issuer:     issuer,
			provider:   providerARN(account, issuer),
			namespaces: namespaces,
		}
		cl.id = fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", region, account, cl.name)
		g.clusters = append(g.clusters, cl)
		g.snap.Clusters = append(g.snap.Clusters, snapshot.Cluster{
			ID: cl.id, Name: cl.name, ARN: cl.id, AccountID: account, Region: region, Issuer: issuer,
			Inventory: snapshot.ClusterInventory{ServiceAccounts: true, Workloads: true},
			Loc:       snapshot.Location{API: "eks:DescribeCluster"},
		})
		g.snap.OIDCProviders = append(g.snap.OIDCProviders, snapshot.OIDCProvider{
			ARN: cl.provider, AccountID: account, Issuer: issuer, ClientIDs: []string{audience},
			Thumbprints: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"},
			Loc:         snapshot.Location{API: "iam:ListOpenIDConnectProviders"},
		})
	}
	// A provider left behind by a deleted cluster, per ten clusters.
	for s := range k / 10 {
		account := g.accounts[s%nAccounts]
		issuer := fmt.Sprintf("oidc.eks.%s.amazonaws.com/id/%s", region, g.hexID())
		g.snap.OIDCProviders = append(g.snap.OIDCProviders, snapshot.OIDCProvider{
			ARN: providerARN(account, issuer), AccountID: account, Issuer: issuer, ClientIDs: []string{audience},
			Loc: snapshot.Location{API: "iam:ListOpenIDConnectProviders"},
		})
		g.expected["IRSA-008"]++
		g.seeded["stale-provider"]++
	}
}

// hexID is a random EKS issuer id: 32 upper-case hex digits.
func (g *gen) hexID() string {
	return fmt.Sprintf("%016X%016X", g.rng.Uint64(), g.rng.Uint64())
}

func providerARN(account, issuer string) string {
	return fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", account, issuer)
}

// managedPolicies creates the customer-managed policies every role attaches two of: one per 50
// roles (at least five) in each account, all scoped to named resources.
func (g *gen) managedPolicies() {
	g.managed = map[string][]string{}
	per := max(5, g.cfg.Roles/50/len(g.accounts))
	for _, account := range g.accounts {
		for m := range per {
			name := fmt.Sprintf("shared-%03d", m)
			var st snapshot.Statement
			switch m % 4 {
			case 0:
				st = allow([]string{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"},
					fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/shared-%d", region, account, m))
			case 1:
				st = allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"},
					fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/apps/shared-%d:*", region, account, m))
			case 2:
				st = allow([]string{"kms:Decrypt"}, fmt.Sprintf("arn:aws:kms:%s:%s:key/%08x-0000-4000-8000-%012x", region, account, m, m))
			case 3:
				st = allow([]string{"sqs:ReceiveMessage", "sqs:DeleteMessage"},
					fmt.Sprintf("arn:aws:sqs:%s:%s:shared-%d", region, account, m))
			}
			arn := fmt.Sprintf("arn:aws:iam::%s:policy/%s", account, name)
			g.managed[account] = append(g.managed[account], arn)
			g.snap.ManagedPolicies = append(g.snap.ManagedPolicies, snapshot.ManagedPolicy{
				ARN: arn, Name: name, DefaultVersionID: "v1",
				Document: &snapshot.Document{Version: "2012-10-17", Statements: []snapshot.Statement{st}},
				Loc:      snapshot.Location{API: gaad},
			})
		}
	}
}

func allow(actions []string, resources ...string) snapshot.Statement {
	return snapshot.Statement{Effect: "Allow", Actions: actions, Resources: resources}
}

// assignKinds gives misconfiguration kinds to distinct roles: kind[i] is -1 for a correct role.
func (g *gen) assignKinds(n int) []int {
	kinds := make([]int, n)
	for i := range kinds {
		kinds[i] = -1
	}
	per := int(float64(n)*g.cfg.Rate + 0.5)
	if per == 0 && n >= 2*len(Kinds) {
		per = 1
	}
	order := g.rng.Perm(n)
	next := 0
	for k := range Kinds {
		for range per {
			if next == len(order) {
				return kinds
			}
			kinds[order[next]] = k
			next++
		}
	}
	return kinds
}

// binding is a ServiceAccount to create for a role.
type binding struct {
	namespace, name, roleARN string
	cluster                  int
}

// roles creates the roles, the ServiceAccounts that name them, their workloads, and the rest of
// the ServiceAccounts.
func (g *gen) roles() {
	n := g.cfg.Roles
	kinds := g.assignKinds(n)
	var bindings []binding
	for i := range n {
		c := i % len(g.clusters)
		cl := g.clusters[c]
		ns := (i / len(g.clusters)) % cl.namespaces
		namespace := fmt.Sprintf("team-%03d", ns)
		name := fmt.Sprintf("app-%05d", i)
		roleName := fmt.Sprintf("irsa-%05d", i)
		arn := fmt.Sprintf("arn:aws:iam::%s:role/%s", cl.account, roleName)
		subject := "system:serviceaccount:" + namespace + ":" + name

		stmt := snapshot.Statement{
			Effect:    "Allow",
			Principal: &snapshot.Principal{Federated: []string{cl.provider}},
			Actions:   []string{webIdentity},
			Conditions: []snapshot.Condition{
				cond("StringEquals", cl.issuer+":sub", subject),
				cond("StringEquals", cl.issuer+":aud", audience),
			},
		}
		inline := []snapshot.Statement{
			allow([]string{"s3:GetObject", "s3:PutObject"}, fmt.Sprintf("arn:aws:s3:::bucket-%05d/*", i)),
			allow([]string{"s3:ListBucket"}, fmt.Sprintf("arn:aws:s3:::bucket-%05d", i)),
			allow([]string{"sqs:SendMessage"}, fmt.Sprintf("arn:aws:sqs:%s:%s:queue-%05d", region, cl.account, i)),
		}
		bind := []binding{{namespace: namespace, name: name, roleARN: arn, cluster: c}}
		extra := []snapshot.Statement(nil)

		kind := ""
		if kinds[i] >= 0 {
			kind = Kinds[kinds[i]].Name
			g.seeded[kind]++
			for id, count := range Kinds[kinds[i]].Findings {
				g.expected[id] += count
			}
		}
		switch kind {
		case "no-sub":
			stmt.Conditions = stmt.Conditions[1:]
		case "wildcard-sub", "wildcard-sub-admin":
			stmt.Conditions[0] = cond("StringLike", cl.issuer+":sub", "system:serviceaccount:"+namespace+":*")
			if kind == "wildcard-sub-admin" {
				inline = append(inline, allow([]string{"*"}, "*"))
			}
		case "no-aud":
			stmt.Conditions = stmt.Conditions[:1]
		case "if-exists-sub":
			stmt.Conditions[0] = cond("StringEqualsIfExists", cl.issuer+":sub", subject)
		case "foreign-issuer-keys":
			other := g.clusters[(c+1)%len(g.clusters)]
			if len(g.clusters) == 1 {
				other.issuer = fmt.Sprintf("oidc.eks.%s.amazonaws.com/id/%s", region, g.hexID())
			}
			stmt.Conditions = []snapshot.Condition{
				cond("StringEquals", other.issuer+":sub", subject),
				cond("StringEquals", other.issuer+":aud", audience),
			}
		case "literal-wildcard":
			stmt.Conditions[0] = cond("StringEquals", cl.issuer+":sub", "system:serviceaccount:"+namespace+":app-*")
		case "unregistered-provider":
			// The provider of a cluster that was rebuilt: its new issuer is registered, the old
			// one, which the trust still names, is not.
			old := fmt.Sprintf("oidc.eks.%s.amazonaws.com/id/%s", region, g.hexID())
			stmt.Principal.Federated = []string{providerARN(cl.account, old)}
			stmt.Conditions = []snapshot.Condition{
				cond("StringEquals", old+":sub", subject),
				cond("StringEquals", old+":aud", audience),
			}
		case "public-principal":
			extra = append(extra, snapshot.Statement{
				Effect: "Allow", Principal: &snapshot.Principal{AWS: []string{"*"}}, Actions: []string{"sts:AssumeRole"},
			})
		case "extra-actions":
			stmt.Actions = append(stmt.Actions, "sts:AssumeRole")
		case "extra-audience":
			stmt.Conditions[1].Values = append(stmt.Conditions[1].Values, "https://vault.example.com")
		case "orphan-role":
			stmt.Conditions[0].Values = []string{"system:serviceaccount:" + namespace + ":retired-" + name}
			bind = nil
		case "dangling-annotation":
			bind[0].roleARN = fmt.Sprintf("arn:aws:iam::%s:role/deleted-%05d", cl.account, i)
		case "wrong-role":
			// The role was re-pointed at a renamed ServiceAccount; the old one still names it.
			renamed := fmt.Sprintf("app-%05d-v2", i)
			stmt.Conditions[0].Values = []string{"system:serviceaccount:" + namespace + ":" + renamed}
			bind = append(bind, binding{namespace: namespace, name: renamed, cluster: c})
		case "default-service-account":
			// A namespace of its own whose default ServiceAccount got the annotation.
			own := fmt.Sprintf("app-%05d", i)
			stmt.Conditions[0].Values = []string{"system:serviceaccount:" + own + ":default"}
			bind = []binding{{namespace: own, name: "default", roleARN: arn, cluster: c}}
		case "shared-across-namespaces":
			ns2 := fmt.Sprintf("team-%03d-b", ns)
			stmt.Conditions[0].Values = append(stmt.Conditions[0].Values, "system:serviceaccount:"+ns2+":"+name)
			bind = append(bind, binding{namespace: ns2, name: name, roleARN: arn, cluster: c})
		case "invalid-annotation":
			bind[0].roleARN = "arn:aws:iam::" + cl.account[:6] + ":role/" + roleName
		case "admin":
			inline = append(inline, allow([]string{"*"}, "*"))
		case "s3-all-buckets":
			inline = append(inline, allow([]string{"s3:GetObject"}, "*"))
		case "secrets-read-all":
			inline = append(inline, allow([]string{"secretsmanager:GetSecretValue"}, "*"))
		}

		shared := g.managed[cl.account]
		attached := []snapshot.AttachedPolicy{{ARN: shared[g.rng.IntN(len(shared))]}, {ARN: shared[g.rng.IntN(len(shared))]}}
		slices.SortFunc(attached, func(a, b snapshot.AttachedPolicy) int { return strings.Compare(a.ARN, b.ARN) })
		attached = slices.Compact(attached)
		for a := range attached {
			attached[a].Name = attached[a].ARN[strings.LastIndex(attached[a].ARN, "/")+1:]
		}
		g.snap.Roles = append(g.snap.Roles, snapshot.Role{
			ARN: arn, Name: roleName, AccountID: cl.account, Path: "/",
			TrustPolicy: &snapshot.Document{Version: "2012-10-17", Statements: append([]snapshot.Statement{stmt}, extra...)},
			InlinePolicies: []snapshot.InlinePolicy{{Name: "app", Document: snapshot.Document{
				Version: "2012-10-17", Statements: inline,
			}}},
			AttachedPolicies: attached,
			Tags:             map[string]string{"team": namespace, "cluster": cl.name},
			Loc:              snapshot.Location{API: gaad},
		})
		bindings = append(bindings, bind...)
	}
	g.serviceAccounts(bindings)
}

func cond(op, key string, values ...string) snapshot.Condition {
	c := snapshot.Condition{Operator: op, BaseOperator: op, Known: true, Key: key, Values: values}
	if base, ok := strings.CutSuffix(op, "IfExists"); ok {
		c.BaseOperator, c.IfExists = base, true
	}
	return c
}

// serviceAccounts creates the bound ServiceAccounts with a Deployment each, then a default
// ServiceAccount per namespace, then unannotated ones up to Config.ServiceAccounts.
func (g *gen) serviceAccounts(bindings []binding) {
	sa := func(c int, namespace, name, roleARN string) {
		s := snapshot.ServiceAccount{
			Cluster: g.clusters[c].id, Namespace: namespace, Name: name,
			Loc: snapshot.Location{API: listSAs},
		}
		if roleARN != "" {
			s.Annotations = map[string]string{"eks.amazonaws.com/role-arn": roleARN}
			s.RoleARN = roleARN
		}
		g.snap.ServiceAccounts = append(g.snap.ServiceAccounts, s)
	}
	for _, b := range bindings {
		sa(b.cluster, b.namespace, b.name, b.roleARN)
		g.snap.Workloads = append(g.snap.Workloads, snapshot.Workload{
			Kind: "Deployment", Cluster: g.clusters[b.cluster].id, Namespace: b.namespace, Name: b.name,
			ServiceAccount: b.name, Loc: snapshot.Location{API: listWorkload},
		})
	}
	for c, cl := range g.clusters {
		for ns := range cl.namespaces {
			sa(c, fmt.Sprintf("team-%03d", ns), "default", "")
		}
	}
	for j := 0; len(g.snap.ServiceAccounts) < g.cfg.ServiceAccounts; j++ {
		c := j % len(g.clusters)
		ns := (j / len(g.clusters)) % g.clusters[c].namespaces
		sa(c, fmt.Sprintf("team-%03d", ns), fmt.Sprintf("svc-%06d", j), "")
	}
}

// policyFiles creates the standalone policy files: trust policies and permission policies in
// turn, all correct (the pull-request case; the folder writer adds the roles' own files).
func (g *gen) policyFiles() {
	for p := range g.cfg.PolicyFiles {
		cl := g.clusters[p%len(g.clusters)]
		id := fmt.Sprintf("policies/policy-%05d.json", p)
		var doc snapshot.Document
		if p%2 == 0 {
			subject := fmt.Sprintf("system:serviceaccount:team-%03d:job-%05d", p%cl.namespaces, p)
			doc = snapshot.Document{Version: "2012-10-17", Statements: []snapshot.Statement{{
				Effect:    "Allow",
				Principal: &snapshot.Principal{Federated: []string{cl.provider}},
				Actions:   []string{webIdentity},
				Conditions: []snapshot.Condition{
					cond("StringEquals", cl.issuer+":sub", subject),
					cond("StringEquals", cl.issuer+":aud", audience),
				},
			}}}
		} else {
			doc = snapshot.Document{Version: "2012-10-17", Statements: []snapshot.Statement{
				allow([]string{"s3:GetObject"}, fmt.Sprintf("arn:aws:s3:::artifacts-%05d/*", p)),
				allow([]string{"ssm:GetParameter"}, fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/jobs/%05d", region, cl.account, p)),
			}}
		}
		doc.Loc = snapshot.Location{File: id, StartLine: 1}
		g.snap.Policies = append(g.snap.Policies, snapshot.PolicyFile{ID: id, Document: doc, Loc: snapshot.Location{File: id, StartLine: 1}})
	}
}
