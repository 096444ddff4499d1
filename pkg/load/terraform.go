package load

import (
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/irsa-audit/irsa-audit/pkg/load/terraform"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// The Source.Format of Terraform configuration and variables files, and of plans
// (`terraform show -json`).
const (
	FormatTerraform     = "terraform"
	FormatTerraformPlan = "terraform-plan"
)

func loadTerraformPlan(d document, r *fileResult) error {
	res, err := terraform.LoadPlan(d.node, d.file)
	if err != nil {
		return err
	}
	it := &r.items
	it.Roles = append(it.Roles, res.Items.Roles...)
	r.roleAddrs = append(r.roleAddrs, res.RoleAddresses...)
	it.ManagedPolicies = append(it.ManagedPolicies, res.Items.ManagedPolicies...)
	it.Policies = append(it.Policies, res.Items.Policies...)
	it.OIDCProviders = append(it.OIDCProviders, res.Items.OIDCProviders...)
	it.Clusters = append(it.Clusters, res.Items.Clusters...)
	it.ServiceAccounts = append(it.ServiceAccounts, res.Items.ServiceAccounts...)
	it.PodIdentityAssociations = append(it.PodIdentityAssociations, res.Items.PodIdentityAssociations...)
	it.NotJudged = append(it.NotJudged, res.Items.NotJudged...)
	r.plan = true
	if len(res.Items.Roles)+len(res.Items.ManagedPolicies)+len(res.Items.OIDCProviders)+len(res.Items.Clusters)+len(res.Items.ServiceAccounts) == 0 {
		r.skipped = append(r.skipped, snapshot.Skipped{File: d.file, Reason: "Terraform plan with no IAM role, policy, OIDC provider, EKS cluster or ServiceAccount"})
	}
	return nil
}

// iacState is what the loader keeps for infrastructure-as-code inputs read as a whole: the
// Terraform module folders of the scan.
type iacState struct {
	once   sync.Once
	reader *terraform.Reader
	// tfSlots are the module folders in walk order, by folder ("/" path).
	tfSlots map[string]*slot
	tfOrder []string
	// cfnParams are the values of --cfn-parameters.
	cfnParams map[string]string
}

func (l *loader) tfReader() *terraform.Reader {
	l.iac.once.Do(func() {
		l.iac.reader = terraform.NewReader(tfFS{l.fs}, terraform.Options{MaxFileSize: l.opts.MaxFileSize, VarFiles: l.opts.TFVarFiles})
		l.iac.tfSlots = map[string]*slot{}
	})
	return l.iac.reader
}

// terraformFile takes a Terraform file met in a walk or named on the command line: a folder
// with .tf files is one module, read as one input when its first file is met. A variables
// file that Terraform does not load by itself is skipped with a hint.
func (l *loader) terraformFile(p, name string, explicit bool) bool {
	base := path.Base(name)
	switch {
	case terraform.IsConfigFile(base), terraform.IsAutoVarsFile(base):
	case terraform.IsVarsFile(base):
		if !explicit {
			l.pre(name, skipResult(name, "Terraform variables file: give it with --tf-vars to use its values"))
			return true
		}
		l.pre(name, errorResult(name, "a Terraform variables file is not scanned on its own: give it with --tf-vars"))
		return true
	default:
		return false
	}
	l.tfReader()
	dir := path.Clean(path.Dir(name))
	if terraform.IsAutoVarsFile(base) {
		// Read with its module; a folder with only variables files has no module.
		return true
	}
	if l.iac.tfSlots[dir] == nil {
		s := &slot{path: filepath.Dir(p), name: dir, explicit: explicit, size: -1, tfDir: dir}
		l.iac.tfSlots[dir] = s
		l.iac.tfOrder = append(l.iac.tfOrder, dir)
		l.slots = append(l.slots, s)
	}
	return true
}

func (l *loader) parseTerraform(s *slot) {
	l.tfReader().Calls(s.tfDir)
}

// terraform evaluates the root modules of the scan: the module folders that no other module
// folder of the scan calls (a folder in a cycle of calls with no root is evaluated as one too).
// A called folder is read through its callers, with their inputs.
func (l *loader) terraform() error {
	if len(l.iac.tfOrder) == 0 {
		return nil
	}
	r := l.tfReader()
	called := map[string][]string{}
	calledBy := map[string]bool{}
	for _, dir := range l.iac.tfOrder {
		called[dir] = r.Calls(dir)
		for _, c := range called[dir] {
			if c != dir && l.iac.tfSlots[c] != nil {
				calledBy[c] = true
			}
		}
	}
	reached := map[string]bool{}
	var reach func(string)
	reach = func(d string) {
		if reached[d] {
			return
		}
		reached[d] = true
		for _, c := range called[d] {
			reach(c)
		}
	}
	var roots []string
	for _, dir := range l.iac.tfOrder {
		if !calledBy[dir] {
			roots = append(roots, dir)
			reach(dir)
		}
	}
	for _, dir := range l.iac.tfOrder {
		if !reached[dir] {
			roots = append(roots, dir)
			reach(dir)
		}
	}
	for _, dir := range l.iac.tfOrder {
		l.iac.tfSlots[dir].result = &fileResult{dir: dir}
	}
	next := make(chan string)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(roots)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for dir := range next {
				l.iac.tfSlots[dir].result = terraformResult(dir, r.Root(dir))
			}
		}()
	}
	var err error
	for _, dir := range roots {
		if err = l.ctx.Err(); err != nil {
			break
		}
		next <- dir
	}
	close(next)
	wg.Wait()
	if err == nil {
		err = l.ctx.Err()
	}
	// A module folder called by several roots is read once per root, but is one input.
	seen := map[string]bool{}
	for _, dir := range l.iac.tfOrder {
		r := l.iac.tfSlots[dir].result
		srcs := r.sources[:0]
		for _, s := range r.sources {
			if !seen[s.Name] {
				seen[s.Name] = true
				srcs = append(srcs, s)
			}
		}
		r.sources = srcs
	}
	return err
}

func terraformResult(dir string, res *terraform.Result) *fileResult {
	r := &fileResult{dir: dir, items: res.Items, roleAddrs: res.RoleAddresses, errors: res.Errors}
	for _, f := range res.Files {
		r.sources = append(r.sources, snapshot.Source{Kind: "file", Name: f, Format: FormatTerraform})
	}
	return r
}

// tfFS gives the Terraform reader the loader's file system, with "/" paths.
type tfFS struct{ fs fileSystem }

func (t tfFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return t.fs.ReadDir(filepath.FromSlash(name))
}

func (t tfFS) ReadFile(name string) ([]byte, error) {
	f, err := t.fs.Open(filepath.FromSlash(name))
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	return io.ReadAll(f)
}

// linkPlans ties the roles of Terraform plans to their configuration when it is in the scan:
// a role of a plan and a role of a configuration with the same address are the same resource;
// the plan's values are kept (Terraform computed them), with the locations of the
// configuration wherever the two documents have the same shape, and the configuration's role
// is dropped.
func linkPlans(results []*fileResult) {
	type ref struct {
		r *fileResult
		i int
	}
	config := map[string][]ref{}
	for _, r := range results {
		if r == nil || r.plan {
			continue
		}
		for i, a := range r.roleAddrs {
			config[a] = append(config[a], ref{r, i})
		}
	}
	if len(config) == 0 {
		return
	}
	drop := map[*fileResult]map[int]bool{}
	for _, p := range results {
		if p == nil || !p.plan {
			continue
		}
		dropDuplicates(p, results)
		for i, a := range p.roleAddrs {
			refs := config[a]
			if len(refs) != 1 {
				continue // no configuration, or several roots define this address
			}
			c := refs[0]
			cr := c.r.items.Roles[c.i]
			pr := &p.items.Roles[i]
			pr.Loc = cr.Loc
			switch {
			case cr.TrustPolicy != nil && (pr.TrustPolicy == nil || hasUnknown(pr.TrustPolicy)):
				// The plan does not know the trust (it depends on what apply creates): the
				// configuration's, with its symbols, is judged instead.
				pr.TrustPolicy = cr.TrustPolicy
				p.items.NotJudged = moveNotJudged(p.items.NotJudged, pr.ARN, cr.ARN, "trust policy", c.r.items.NotJudged)
			case pr.TrustPolicy != nil && cr.TrustPolicy != nil:
				relocateLike(pr.TrustPolicy, cr.TrustPolicy)
			}
			for k := range pr.InlinePolicies {
				for _, ci := range cr.InlinePolicies {
					if ci.Name == pr.InlinePolicies[k].Name {
						relocateLike(&pr.InlinePolicies[k].Document, &ci.Document)
					}
				}
			}
			if drop[c.r] == nil {
				drop[c.r] = map[int]bool{}
			}
			drop[c.r][c.i] = true
		}
	}
	for r, idx := range drop {
		var roles []snapshot.Role
		var addrs []string
		for i := range r.items.Roles {
			if !idx[i] {
				roles = append(roles, r.items.Roles[i])
				addrs = append(addrs, r.roleAddrs[i])
			}
		}
		dropped := map[string]bool{}
		for i := range idx {
			dropped[r.items.Roles[i].ARN] = true
		}
		var nj []snapshot.NotJudged
		for _, n := range r.items.NotJudged {
			if !(n.Kind == "role" && dropped[n.ID]) {
				nj = append(nj, n)
			}
		}
		r.items.Roles, r.roleAddrs, r.items.NotJudged = roles, addrs, nj
	}
}

func hasUnknown(d *snapshot.Document) bool {
	for _, s := range d.Statements {
		if len(s.Unknown) > 0 {
			return true
		}
		for _, c := range s.Conditions {
			if len(c.Unknown) > 0 {
				return true
			}
		}
	}
	return false
}

// moveNotJudged replaces the plan's not-judged entries about an element of a role with the
// configuration's, renamed to the plan's role.
func moveNotJudged(plan []snapshot.NotJudged, planID, configID, element string, config []snapshot.NotJudged) []snapshot.NotJudged {
	var out []snapshot.NotJudged
	for _, n := range plan {
		if !(n.Kind == "role" && n.ID == planID && strings.HasPrefix(n.Element, element)) {
			out = append(out, n)
		}
	}
	for _, n := range config {
		if n.Kind == "role" && n.ID == configID && strings.HasPrefix(n.Element, element) {
			n.ID = planID
			out = append(out, n)
		}
	}
	return out
}

// dropDuplicates drops from a plan the clusters and OIDC providers that a configuration of
// the same folder defines too (same cluster name, same issuer): the configuration's are
// located in its HCL.
func dropDuplicates(p *fileResult, results []*fileResult) {
	names, issuers := map[string]bool{}, map[string]bool{}
	for _, r := range results {
		if r == nil || r.plan || r.dir != p.dir {
			continue
		}
		for _, c := range r.items.Clusters {
			names[c.Name] = true
		}
		for _, o := range r.items.OIDCProviders {
			issuers[o.Issuer] = true
		}
	}
	if len(names)+len(issuers) == 0 {
		return
	}
	var cl []snapshot.Cluster
	for _, c := range p.items.Clusters {
		if !names[c.Name] {
			cl = append(cl, c)
		}
	}
	var pr []snapshot.OIDCProvider
	for _, o := range p.items.OIDCProviders {
		if !issuers[o.Issuer] {
			pr = append(pr, o)
		}
	}
	p.items.Clusters, p.items.OIDCProviders = cl, pr
}

// relocateLike gives the statements and conditions of dst the locations of src where the two
// documents have the same statements (count, sids and effects) and the same condition entries
// (operator and claim).
func relocateLike(dst, src *snapshot.Document) {
	if len(dst.Statements) != len(src.Statements) {
		return
	}
	for i := range dst.Statements {
		d, s := &dst.Statements[i], &src.Statements[i]
		if d.Sid != s.Sid || d.Effect != s.Effect {
			return
		}
	}
	dst.Loc = src.Loc
	for i := range dst.Statements {
		d, s := &dst.Statements[i], &src.Statements[i]
		d.Loc = s.Loc
		for j := range d.Conditions {
			for _, sc := range s.Conditions {
				if strings.EqualFold(sc.Operator, d.Conditions[j].Operator) && claimOf(sc.Key) == claimOf(d.Conditions[j].Key) {
					d.Conditions[j].Loc = sc.Loc
					break
				}
			}
		}
	}
}

// claimOf is what follows the last ":" of a condition key, lower-cased.
func claimOf(key string) string {
	return strings.ToLower(key[strings.LastIndex(key, ":")+1:])
}
