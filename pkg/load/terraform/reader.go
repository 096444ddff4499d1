package terraform

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Options configure a Reader.
type Options struct {
	// MaxFileSize is the largest file read, in bytes (0: no limit).
	MaxFileSize int64
	// VarFiles are variable files given with --tf-vars, read for every root module after its
	// terraform.tfvars and *.auto.tfvars, in order (later files win), as -var-file does.
	VarFiles []string
}

// Reader reads the Terraform modules of one scan. It caches parsed modules, so a module folder
// called from several roots is parsed once. It is safe for concurrent use.
type Reader struct {
	fs   FS
	opts Options

	mu      sync.Mutex
	modules map[string]*moduleEntry
	sources map[string][]byte
	sites   int
}

type moduleEntry struct {
	once sync.Once
	m    *module
	err  error
}

// NewReader returns a Reader over fsys.
func NewReader(fsys FS, opts Options) *Reader {
	return &Reader{fs: fsys, opts: opts, modules: map[string]*moduleEntry{}, sources: map[string][]byte{}}
}

// Result is what one root module contributes.
type Result struct {
	// Files are the configuration files read (the root's and its local modules'), in order.
	Files []string
	// Items holds the roles, managed policies, standalone policies (inline policies of roles
	// defined elsewhere), OIDC providers, clusters, ServiceAccounts, Pod Identity associations
	// and not-judged values.
	Items snapshot.Snapshot
	// RoleAddresses are the Terraform addresses of Items.Roles, in order.
	RoleAddresses []string
	Errors        []snapshot.InputError
}

//go:embed modules
var embedded embed.FS

// embeddedFS serves the rewrites of registry modules; its paths start with "embedded:".
const embeddedPrefix = "embedded:"

func (r *Reader) readFile(p string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(p, embeddedPrefix); ok {
		return embedded.ReadFile(rest)
	}
	data, err := r.fs.ReadFile(p)
	if err != nil {
		return nil, err
	}
	if r.opts.MaxFileSize > 0 && int64(len(data)) > r.opts.MaxFileSize {
		return nil, fmt.Errorf("%s is %d bytes, over the %d-byte size limit", p, len(data), r.opts.MaxFileSize)
	}
	return data, nil
}

type embeddedDirFS struct{}

func (embeddedDirFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return embedded.ReadDir(strings.TrimPrefix(name, embeddedPrefix))
}
func (embeddedDirFS) ReadFile(name string) ([]byte, error) {
	return embedded.ReadFile(strings.TrimPrefix(name, embeddedPrefix))
}

// source returns the text of a file parsed by the reader (for symbols named after
// expressions).
func (r *Reader) source(name string) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sources[name]
}

// module parses a module folder once.
func (r *Reader) module(dir string) (*module, error) {
	r.mu.Lock()
	e := r.modules[dir]
	if e == nil {
		e = &moduleEntry{}
		r.modules[dir] = e
	}
	r.mu.Unlock()
	e.once.Do(func() {
		var fsys FS = readerFS{r}
		if strings.HasPrefix(dir, embeddedPrefix) {
			fsys = embeddedDirFS{}
		}
		e.m, e.err = parseModule(fsys, dir, dir, r.opts.MaxFileSize)
		if e.m == nil {
			return
		}
		e.m.embedded = strings.HasPrefix(dir, embeddedPrefix)
		r.prepare(e.m)
	})
	return e.m, e.err
}

type readerFS struct{ r *Reader }

func (f readerFS) ReadDir(name string) ([]fs.DirEntry, error) { return f.r.fs.ReadDir(name) }
func (f readerFS) ReadFile(name string) ([]byte, error) {
	data, err := f.r.fs.ReadFile(name)
	if err == nil {
		f.r.mu.Lock()
		f.r.sources[joinDisplay(path.Dir(name), path.Base(name))] = data
		f.r.mu.Unlock()
	}
	return data, err
}

// prepare rewrites a parsed module's expressions: jsonencode calls get a name per call site,
// and == and != become symbol-safe.
func (r *Reader) prepare(m *module) {
	m.sites = map[string]hclsyntax.Expression{}
	var nodes []hclsyntax.Node
	for _, v := range m.locals {
		nodes = append(nodes, exprNode(v.Expr)...)
	}
	for _, v := range m.outputs {
		nodes = append(nodes, exprNode(v.Expr)...)
	}
	for _, res := range m.resources {
		if b, ok := res.body.(*hclsyntax.Body); ok {
			nodes = append(nodes, b)
		}
	}
	for _, c := range m.calls {
		if b, ok := c.body.(*hclsyntax.Body); ok {
			nodes = append(nodes, b)
		}
	}
	for _, p := range m.providers {
		if b, ok := p.Body.(*hclsyntax.Body); ok {
			nodes = append(nodes, b)
		}
	}
	for _, n := range nodes {
		symbolSafeOps(n)
		hclsyntax.VisitAll(n, func(x hclsyntax.Node) hcl.Diagnostics {
			if fc, ok := x.(*hclsyntax.FunctionCallExpr); ok && fc.Name == "jsonencode" && len(fc.Args) == 1 && !fc.ExpandFinal {
				r.mu.Lock()
				r.sites++
				id := r.sites
				r.mu.Unlock()
				fc.Name = "jsonencode@" + strconv.Itoa(id)
				m.sites[fc.Name] = fc.Args[0]
			}
			return nil
		})
	}
}

func exprNode(e hcl.Expression) []hclsyntax.Node {
	if n, ok := e.(hclsyntax.Node); ok {
		return []hclsyntax.Node{n}
	}
	return nil
}

// Calls returns the folders of the local modules that the module in dir calls.
func (r *Reader) Calls(dir string) []string {
	m, err := r.module(dir)
	if err != nil || m == nil {
		return nil
	}
	var out []string
	for _, c := range m.calls {
		if localSource(c.source) {
			out = append(out, path.Clean(path.Join(dir, c.source)))
		}
	}
	return out
}

// Root evaluates the root module in dir.
func (r *Reader) Root(dir string) *Result {
	res := &Result{}
	m, err := r.module(dir)
	if err != nil {
		res.Errors = append(res.Errors, snapshot.InputError{File: dir, Message: err.Error()})
		return res
	}
	ev := &evaluator{r: r, root: m, reasons: map[string]string{}}
	ev.funcs = ev.baseFuncs()
	root := ev.newInstance(m, "", nil, nil, nil)
	given, givenAt, varFiles := r.varFiles(ev, m)
	root.setVariables(given, givenAt)
	ev.provider(root)
	root.evaluateModules()
	c := ev.collect()
	c.link()
	res.Items.Roles, res.RoleAddresses = c.roles, c.roleAddrs
	res.Items.ManagedPolicies = c.policies
	res.Items.Policies = c.standalone
	res.Items.OIDCProviders = c.providers
	res.Items.Clusters = c.clusters
	res.Items.ServiceAccounts = c.sas
	res.Items.PodIdentityAssociations = c.pias
	res.Items.NotJudged = ev.notJudged
	for _, in := range ev.instances {
		for _, f := range in.mod.files {
			if !in.mod.embedded && !slices.Contains(res.Files, f) {
				res.Files = append(res.Files, f)
			}
		}
		if in.mod.embedded {
			continue
		}
		for _, d := range in.mod.diags {
			if d.Severity == hcl.DiagError {
				ie := snapshot.InputError{Message: d.Summary}
				if d.Detail != "" {
					ie.Message += ": " + d.Detail
				}
				if d.Subject != nil {
					ie.File, ie.Line, ie.Column = d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column
				}
				res.Errors = append(res.Errors, ie)
			}
		}
	}
	for _, f := range varFiles {
		if !slices.Contains(res.Files, f) {
			res.Files = append(res.Files, f)
		}
	}
	res.Errors = append(res.Errors, dedupErrors(ev.errors)...)
	return res
}

// dedupErrors drops repeats: an expression evaluated for several references reports once.
func dedupErrors(errs []snapshot.InputError) []snapshot.InputError {
	seen := map[snapshot.InputError]bool{}
	var out []snapshot.InputError
	for _, e := range errs {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// varFiles reads the root's terraform.tfvars and *.auto.tfvars (in name order) and then the
// --tf-vars files.
func (r *Reader) varFiles(ev *evaluator, m *module) (map[string]cty.Value, map[string]hcl.Range, []string) {
	given, at := map[string]cty.Value{}, map[string]hcl.Range{}
	var files []string
	if !m.embedded {
		if entries, err := r.fs.ReadDir(m.dir); err == nil {
			var auto []string
			for _, e := range entries {
				if !e.IsDir() && IsAutoVarsFile(e.Name()) {
					auto = append(auto, e.Name())
				}
			}
			// terraform.tfvars first, then the auto files in lexical order.
			slices.SortFunc(auto, func(a, b string) int {
				ta, tb := strings.HasPrefix(a, "terraform.tfvars"), strings.HasPrefix(b, "terraform.tfvars")
				switch {
				case ta && !tb:
					return -1
				case tb && !ta:
					return 1
				}
				return strings.Compare(a, b)
			})
			for _, a := range auto {
				files = append(files, joinDisplay(m.dir, a))
			}
		}
	}
	files = append(files, r.opts.VarFiles...)
	for _, f := range files {
		data, err := r.fs.ReadFile(f)
		if err != nil {
			ev.errors = append(ev.errors, snapshot.InputError{File: f, Message: fmt.Sprintf("cannot read variables file: %v", err)})
			continue
		}
		var file *hcl.File
		var diags hcl.Diagnostics
		if strings.HasSuffix(f, ".json") {
			file, diags = hcljson.Parse(data, f)
		} else {
			file, diags = hclsyntax.ParseConfig(data, f, hcl.InitialPos)
		}
		for _, d := range diags {
			if d.Severity == hcl.DiagError {
				ie := snapshot.InputError{File: f, Message: d.Summary}
				if d.Subject != nil {
					ie.Line, ie.Column = d.Subject.Start.Line, d.Subject.Start.Column
				}
				ev.errors = append(ev.errors, ie)
			}
		}
		if file == nil || diags.HasErrors() {
			continue
		}
		attrs, _ := file.Body.JustAttributes()
		for name, a := range attrs {
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				ev.errors = append(ev.errors, snapshot.InputError{File: f, Line: a.Expr.Range().Start.Line, Column: a.Expr.Range().Start.Column, Message: "variable values must be literal: " + diags[0].Summary})
				continue
			}
			given[name], at[name] = v, a.Expr.Range()
		}
	}
	return given, at, files
}

// provider reads the root module's aws provider block: the region, and the account when
// allowed_account_ids names exactly one. Without them the account is a symbol unique to the
// root module and the partition is aws (aws-cn, aws-us-gov for their regions).
func (ev *evaluator) provider(root *instance) {
	acct := strings.NewReplacer("/", ".", ":", ".").Replace(root.mod.dir)
	ev.account = ev.symbol("account of "+acct, "the AWS account Terraform runs with")
	ev.region = ev.symbol("region of "+acct, "the region Terraform runs with")
	ev.partition = "aws"
	for _, p := range root.mod.providers {
		if a := attr(p.Body, "alias"); a != nil {
			continue
		}
		if a := attr(p.Body, "region"); a != nil {
			if v, d := root.eval(a.Expr, nil); !d.HasErrors() {
				if v, _ = v.UnmarkDeep(); v.IsKnown() && !v.IsNull() && v.Type() == cty.String && !snapshot.HasSymbol(v.AsString()) {
					ev.region = v.AsString()
				}
			}
		}
		if a := attr(p.Body, "allowed_account_ids"); a != nil {
			if v, d := root.eval(a.Expr, nil); !d.HasErrors() {
				if v, _ = v.UnmarkDeep(); v.IsWhollyKnown() && v.CanIterateElements() && v.LengthInt() == 1 {
					it := v.ElementIterator()
					it.Next()
					_, e := it.Element()
					if e.Type() == cty.String && !snapshot.HasSymbol(e.AsString()) {
						ev.account = e.AsString()
					}
				}
			}
		}
	}
	switch {
	case strings.HasPrefix(ev.region, "cn-"):
		ev.partition = "aws-cn"
	case strings.HasPrefix(ev.region, "us-gov-"):
		ev.partition = "aws-us-gov"
	}
}

// funcsFor returns the functions an instance's expressions see: Terraform's, and jsonencode
// per call site of its module.
func (in *instance) funcs() map[string]function.Function {
	if in.fns != nil {
		return in.fns
	}
	if len(in.mod.sites) == 0 {
		in.fns = in.ev.funcs
		return in.fns
	}
	f := make(map[string]function.Function, len(in.ev.funcs)+len(in.mod.sites))
	for k, v := range in.ev.funcs {
		f[k] = v
	}
	for name, arg := range in.mod.sites {
		f[name] = in.jsonencodeAt(arg)
	}
	in.fns = f
	return f
}

// evaluateModules instantiates the module calls of an instance, depth first.
func (in *instance) evaluateModules() {
	for _, c := range in.mod.calls {
		in.module(c.name)
	}
}

// module returns the value of a module call: the outputs of its instances.
func (in *instance) module(name string) cty.Value {
	if v, ok := in.modules[name]; ok {
		return v
	}
	var c *call
	for _, x := range in.mod.calls {
		if x.name == name {
			c = x
		}
	}
	if c == nil {
		return cty.DynamicVal
	}
	key := "module." + name
	if in.busy[key] {
		return cty.DynamicVal
	}
	in.busy[key] = true
	defer delete(in.busy, key)
	in.modules[name] = cty.DynamicVal
	child, at, why := in.resolveSource(c)
	if child == nil {
		in.unknownModules[name] = true
		in.notJudged("resource", in.qualify(key), "module "+c.source, c.block.DefRange, nil, why)
		v := cty.EmptyObjectVal
		in.modules[name] = v
		return v
	}
	if in.depth >= maxModuleDepth {
		in.errorAt(c.block.DefRange, "modules nested deeper than %d levels", maxModuleDepth)
		return cty.DynamicVal
	}
	exps, why := in.expand(c.count, c.forEach, nil)
	if why != "" {
		in.notJudged("resource", in.qualify(key), "module "+c.source, c.block.DefRange, nil, why)
		return cty.DynamicVal
	}
	var outs []cty.Value
	keys := map[string]cty.Value{}
	for _, x := range exps {
		addr := in.qualify(key + x.suffix)
		ci := in.ev.newInstance(child, addr, in, c, at)
		given, givenAt := map[string]cty.Value{}, map[string]hcl.Range{}
		for n, a := range c.inputs {
			v, diags := in.eval(a.Expr, x.scope)
			if diags.HasErrors() {
				in.diagnostics(diags)
				continue
			}
			given[n], givenAt[n] = v, a.Expr.Range()
		}
		for n, a := range c.inputs {
			if !slices.ContainsFunc(child.variables, func(v *variable) bool { return v.name == n }) && !child.embedded {
				in.errorAt(a.NameRange, "module %q has no variable %q", name, n)
			}
		}
		ci.setVariables(given, givenAt)
		ci.evaluateModules()
		out := map[string]cty.Value{}
		for n, a := range child.outputs {
			v, diags := ci.eval(a.Expr, nil)
			if diags.HasErrors() {
				ci.diagnostics(diags)
				v = cty.DynamicVal
			}
			out[n] = v
		}
		ov := cty.ObjectVal(out)
		outs = append(outs, ov)
		if e, ok := x.scope.get("each"); ok {
			keys[e.GetAttr("key").AsString()] = ov
		}
	}
	var v cty.Value
	switch {
	case c.count != nil:
		v = cty.TupleVal(outs)
		if len(outs) == 0 {
			v = cty.EmptyTupleVal
		}
	case c.forEach != nil:
		v = cty.ObjectVal(keys)
	default:
		v = outs[0]
	}
	in.modules[name] = v
	return v
}

// resolveSource finds a module call's source: a local folder, the .terraform/modules cache of
// the root module (what terraform init downloaded), or a registry module the reader knows.
func (in *instance) resolveSource(c *call) (*module, *hcl.Range, string) {
	r := in.ev.r
	if localSource(c.source) {
		if in.mod.embedded {
			return nil, nil, "a local module of an embedded module"
		}
		dir := path.Clean(path.Join(in.mod.dir, c.source))
		m, err := r.module(dir)
		if err != nil || m == nil || len(m.files) == 0 {
			return nil, nil, fmt.Sprintf("the module folder %s has no Terraform files", dir)
		}
		return m, nil, ""
	}
	if dir := in.cachedModule(c); dir != "" {
		if m, err := r.module(dir); err == nil && m != nil && len(m.files) > 0 {
			return m, nil, ""
		}
	}
	if name := knownRegistryModule(c.source); name != "" {
		m, err := r.module(embeddedPrefix + "modules/" + name)
		if err == nil && m != nil {
			at := blockRange(c.block)
			at = in.rng(at)
			return m, &at, ""
		}
	}
	return nil, nil, reasonNoModule
}

// cachedModule looks a call up in .terraform/modules/modules.json of the root module.
func (in *instance) cachedModule(c *call) string {
	root := in.ev.root
	if root.embedded {
		return ""
	}
	data, err := in.ev.r.fs.ReadFile(joinDisplay(root.dir, ".terraform/modules/modules.json"))
	if err != nil {
		return ""
	}
	var manifest struct {
		Modules []struct{ Key, Source, Dir string }
	}
	if json.Unmarshal(data, &manifest) != nil {
		return ""
	}
	var keys []string
	for i := in; i != nil && i.call != nil; i = i.parent {
		keys = append([]string{i.call.name}, keys...)
	}
	keys = append(keys, c.name)
	key := strings.Join(keys, ".")
	for _, m := range manifest.Modules {
		if m.Key == key && m.Dir != "" && !path.IsAbs(m.Dir) {
			d := path.Clean(path.Join(root.dir, m.Dir))
			if d == ".." || strings.HasPrefix(d, "../") && !strings.HasPrefix(root.dir, "..") {
				return ""
			}
			return d
		}
	}
	return ""
}

// knownRegistryModule maps a registry source to the folder of its rewrite under modules/.
func knownRegistryModule(src string) string {
	s := strings.TrimPrefix(src, "registry.terraform.io/")
	s = strings.TrimPrefix(s, "app.terraform.io/")
	if i := strings.Index(s, "?"); i >= 0 {
		s = s[:i]
	}
	switch s {
	case "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks":
		return "iam-role-for-service-accounts-eks"
	case "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc":
		return "iam-assumable-role-with-oidc"
	case "terraform-aws-modules/eks/aws":
		return "eks"
	}
	return ""
}
