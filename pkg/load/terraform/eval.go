package terraform

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Reasons given for symbols.
const (
	reasonAfterApply = "known only after apply"
	reasonDataSource = "read by the provider when Terraform plans"
	reasonNoValue    = "a variable with no default and no value in the scan's .tfvars files"
	reasonNoModule   = "the module is not on disk (run terraform init, or scan its source)"
	reasonUnknown    = "depends on a value known only after apply"
)

// maxInstances bounds the instances of one resource or module (count, for_each), and
// maxModuleDepth the nesting of modules, so that a hostile configuration cannot make the
// reader run away.
const (
	maxInstances   = 1000
	maxModuleDepth = 16
)

// evaluator evaluates one root module.
type evaluator struct {
	r    *Reader
	root *module
	// account is the AWS account of the root module's resources: the only one of the aws
	// provider's allowed_account_ids, else a symbol unique to the root module.
	account   string
	partition string
	region    string
	funcs     map[string]function.Function
	reasons   map[string]string
	// marks registers the documents and JSON texts that values carry marks of.
	docs  []*docValue
	jsons []*jsonValue
	files []*fileValue
	// notJudged collects what could not be built or judged.
	notJudged []snapshot.NotJudged
	errors    []snapshot.InputError
	instances []*instance
}

// instance is one instance of a module: the root, or a module call (one per count index or
// for_each key).
type instance struct {
	ev     *evaluator
	mod    *module
	addr   string // "" for the root, else "module.a" or `module.a["k"].module.b`
	parent *instance
	call   *call
	depth  int
	// at is the caller's module block, for embedded modules: every location inside them is
	// reported there.
	at *hcl.Range

	vars      map[string]cty.Value
	varObj    cty.Value
	locals    map[string]cty.Value
	resources map[string]cty.Value
	insts     map[string][]resInst
	modules   map[string]cty.Value
	children  map[string][]*instance
	// unknownModules are the calls whose source is not on disk and not understood.
	unknownModules map[string]bool
	busy           map[string]bool
	fns            map[string]function.Function
}

// resInst is one instance of a resource.
type resInst struct {
	addr  string // full address, e.g. module.irsa.aws_iam_role.this[0]
	scope *scope
	obj   cty.Value
}

// scope holds the names an expression sees besides the module's: count, each, and the
// iterators of dynamic blocks.
type scope struct {
	vars map[string]cty.Value
}

func (s *scope) with(name string, v cty.Value) *scope {
	out := &scope{vars: map[string]cty.Value{}}
	if s != nil {
		for k, x := range s.vars {
			out.vars[k] = x
		}
	}
	out.vars[name] = v
	return out
}

func (s *scope) get(name string) (cty.Value, bool) {
	if s == nil {
		return cty.NilVal, false
	}
	v, ok := s.vars[name]
	return v, ok
}

// symbol returns the symbol for name, recording why it is unknown.
func (ev *evaluator) symbol(name, reason string) string {
	s := snapshot.SymbolOpen + name + snapshot.SymbolClose
	if _, ok := ev.reasons[s]; !ok {
		ev.reasons[s] = reason
	}
	return s
}

func (ev *evaluator) newInstance(m *module, addr string, parent *instance, c *call, at *hcl.Range) *instance {
	in := &instance{
		ev: ev, mod: m, addr: addr, parent: parent, call: c, at: at,
		locals: map[string]cty.Value{}, resources: map[string]cty.Value{}, insts: map[string][]resInst{},
		modules: map[string]cty.Value{}, children: map[string][]*instance{}, unknownModules: map[string]bool{},
		busy: map[string]bool{},
	}
	if parent != nil {
		in.depth = parent.depth + 1
	}
	ev.instances = append(ev.instances, in)
	return in
}

// qualify prefixes a resource address with the instance's module path.
func (in *instance) qualify(a string) string {
	if in.addr == "" {
		return a
	}
	return in.addr + "." + a
}

// rng maps a range inside the instance's module to where it is reported: the caller's module
// block for embedded modules.
func (in *instance) rng(r hcl.Range) hcl.Range {
	for i := in; i != nil; i = i.parent {
		if i.at != nil {
			return *i.at
		}
	}
	return r
}

func (in *instance) errorAt(r hcl.Range, format string, args ...any) {
	r = in.rng(r)
	in.ev.errors = append(in.ev.errors, snapshot.InputError{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column, Message: fmt.Sprintf(format, args...)})
}

func (in *instance) diagnostics(diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		r := hcl.Range{}
		if d.Subject != nil {
			r = *d.Subject
		}
		in.errorAt(r, "%s", msg)
	}
}

// setVariables gives the module's variables their values: given (the caller's inputs, or the
// root's .tfvars), else the default, else a symbol.
func (in *instance) setVariables(given map[string]cty.Value, givenAt map[string]hcl.Range) {
	in.vars = map[string]cty.Value{}
	for _, v := range in.mod.variables {
		ty := cty.DynamicPseudoType
		var defaults *typeexpr.Defaults
		if v.typ != nil {
			t, d, diags := typeexpr.TypeConstraintWithDefaults(v.typ)
			if diags.HasErrors() {
				in.diagnostics(diags)
			} else {
				ty, defaults = t, d
			}
		}
		val, ok := given[v.name]
		if !ok && v.def != nil {
			d, diags := v.def.Value(nil)
			if diags.HasErrors() {
				in.diagnostics(diags)
				d = cty.DynamicVal
			}
			val, ok = d, true
		}
		if !ok {
			name := in.qualify("var." + v.name)
			if ty == cty.String || ty == cty.DynamicPseudoType {
				val = cty.StringVal(in.ev.symbol(name, reasonNoValue))
			} else {
				val = cty.UnknownVal(ty)
			}
			in.vars[v.name] = val
			continue
		}
		if defaults != nil && val.IsWhollyKnown() {
			val = defaults.Apply(val)
		}
		if conv, err := convert.Convert(val, ty); err == nil {
			val = conv
		} else if !hasUnknown(val) {
			r := v.block.DefRange
			if at, ok := givenAt[v.name]; ok {
				r = at
			}
			in.errorAt(r, "invalid value for variable %q: %v", v.name, err)
		}
		in.vars[v.name] = val
	}
	in.varObj = cty.ObjectVal(in.vars)
	if len(in.vars) == 0 {
		in.varObj = cty.EmptyObjectVal
	}
}

// eval evaluates an expression of the instance's module.
func (in *instance) eval(expr hcl.Expression, sc *scope) (cty.Value, hcl.Diagnostics) {
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: in.funcs()}
	traversals := expr.Variables()
	in.bind(ctx, traversals, sc)
	v, diags := expr.Value(ctx)
	if diags.HasErrors() && in.involvesUnknown(ctx, traversals) {
		// A decision on a value known only after apply: the result is unknown, not an error.
		return cty.DynamicVal, nil
	}
	return v, diags
}

func (in *instance) involvesUnknown(ctx *hcl.EvalContext, traversals []hcl.Traversal) bool {
	for _, t := range traversals {
		v, diags := t.TraverseAbs(ctx)
		if diags.HasErrors() || hasUnknown(v) {
			return true
		}
	}
	return false
}

// hasUnknown reports whether v is or holds an unknown value or a symbol.
func hasUnknown(v cty.Value) bool {
	found := false
	_ = cty.Walk(v, func(_ cty.Path, x cty.Value) (bool, error) {
		if found {
			return false, nil
		}
		x, _ = x.Unmark()
		if !x.IsKnown() {
			found = true
			return false, nil
		}
		if !x.IsNull() && x.Type() == cty.String && snapshot.HasSymbol(x.AsString()) {
			found = true
		}
		return !found, nil
	})
	return found
}

// bind puts into ctx what the traversals refer to.
func (in *instance) bind(ctx *hcl.EvalContext, traversals []hcl.Traversal, sc *scope) {
	objs := map[string]map[string]cty.Value{} // root -> name -> value (local, module, resource types)
	data := map[string]map[string]cty.Value{} // data type -> name -> value
	var patches []hcl.Traversal
	put := func(root, name string, v cty.Value) {
		if objs[root] == nil {
			objs[root] = map[string]cty.Value{}
		}
		objs[root][name] = v
	}
	for _, t := range traversals {
		root := t.RootName()
		if v, ok := sc.get(root); ok {
			ctx.Variables[root] = v
			continue
		}
		switch root {
		case "var":
			ctx.Variables["var"] = in.varObj
			continue
		case "path":
			ctx.Variables["path"] = cty.ObjectVal(map[string]cty.Value{
				"module": cty.StringVal(in.pathModule()),
				"root":   cty.StringVal("."),
				"cwd":    cty.StringVal("."),
			})
			continue
		case "terraform":
			ctx.Variables["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")})
			continue
		}
		name, ok := attrAt(t, 1)
		if !ok {
			continue
		}
		switch root {
		case "local":
			put("local", name, in.local(name))
		case "module":
			put("module", name, in.module(name))
			if in.unknownModules[name] {
				patches = append(patches, t)
			}
		case "data":
			n2, ok := attrAt(t, 2)
			if !ok {
				continue
			}
			if r := in.findResource("data." + name + "." + n2); r != nil {
				if data[name] == nil {
					data[name] = map[string]cty.Value{}
				}
				data[name][n2] = in.resource(r)
				patches = append(patches, t)
			}
		default:
			if r := in.findResource(root + "." + name); r != nil {
				put(root, name, in.resource(r))
				patches = append(patches, t)
			}
		}
	}
	for root, m := range objs {
		ctx.Variables[root] = cty.ObjectVal(m)
	}
	if len(data) > 0 {
		m := map[string]cty.Value{}
		for typ, names := range data {
			m[typ] = cty.ObjectVal(names)
		}
		ctx.Variables["data"] = cty.ObjectVal(m)
	}
	// Attributes that the model does not know are known only after apply: they become symbols
	// named by the reference.
	for _, t := range patches {
		if _, diags := t.TraverseAbs(ctx); !diags.HasErrors() {
			continue
		}
		root := t.RootName()
		v := ctx.Variables[root]
		sym, reason := in.qualify(traversalText(t)), reasonAfterApply
		switch root {
		case "data":
			reason = reasonDataSource
		case "module":
			reason = reasonNoModule
		}
		leaf := cty.StringVal(in.ev.symbol(sym, reason))
		ctx.Variables[root] = patch(v, []hcl.Traverser(t[1:]), leaf)
	}
}

func (in *instance) pathModule() string {
	if in.mod.embedded {
		return "."
	}
	rel := relPath(in.ev.root.dir, in.mod.dir)
	return rel
}

// relPath returns target relative to base ("/" paths, both cleaned).
func relPath(base, target string) string {
	base, target = path.Clean(base), path.Clean(target)
	if base == target {
		return "."
	}
	bs, ts := strings.Split(base, "/"), strings.Split(target, "/")
	if base == "." {
		bs = nil
	}
	if target == "." {
		ts = nil
	}
	i := 0
	for i < len(bs) && i < len(ts) && bs[i] == ts[i] {
		i++
	}
	var parts []string
	for range bs[i:] {
		parts = append(parts, "..")
	}
	parts = append(parts, ts[i:]...)
	if len(parts) == 0 {
		return "."
	}
	return strings.Join(parts, "/")
}

func attrAt(t hcl.Traversal, i int) (string, bool) {
	if len(t) <= i {
		return "", false
	}
	switch s := t[i].(type) {
	case hcl.TraverseAttr:
		return s.Name, true
	case hcl.TraverseIndex:
		if s.Key.Type() == cty.String && s.Key.IsKnown() {
			return s.Key.AsString(), true
		}
	}
	return "", false
}

// traversalText writes a traversal as Terraform does: a.b[0]["k"].c
func traversalText(t hcl.Traversal) string {
	var b strings.Builder
	for i, s := range t {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
		case hcl.TraverseIndex:
			b.WriteString(indexText(s.Key))
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		}
	}
	return b.String()
}

func indexText(k cty.Value) string {
	k, _ = k.Unmark()
	if !k.IsKnown() || k.IsNull() {
		return "[?]"
	}
	switch k.Type() {
	case cty.String:
		return "[" + strconv.Quote(k.AsString()) + "]"
	case cty.Number:
		return "[" + k.AsBigFloat().Text('f', -1) + "]"
	}
	return "[?]"
}

// patch returns v with leaf placed at the end of steps wherever v lacks them.
func patch(v cty.Value, steps []hcl.Traverser, leaf cty.Value) cty.Value {
	if len(steps) == 0 {
		return v
	}
	v, marks := v.Unmark()
	var out cty.Value
	switch s := steps[0].(type) {
	case hcl.TraverseAttr:
		out = patchAttr(v, s.Name, steps[1:], leaf)
	case hcl.TraverseIndex:
		k, _ := s.Key.Unmark()
		switch {
		case !k.IsKnown() || k.IsNull():
			return v.WithMarks(marks)
		case k.Type() == cty.String:
			out = patchAttr(v, k.AsString(), steps[1:], leaf)
		case k.Type() == cty.Number:
			bf := k.AsBigFloat()
			i, acc := bf.Int64()
			if acc != 0 || i < 0 || i > maxInstances {
				return v.WithMarks(marks)
			}
			out = patchIndex(v, int(i), steps[1:], leaf)
		default:
			return v.WithMarks(marks)
		}
	default:
		return v.WithMarks(marks)
	}
	return out.WithMarks(marks)
}

func build(steps []hcl.Traverser, leaf cty.Value) cty.Value {
	if len(steps) == 0 {
		return leaf
	}
	return patch(cty.NullVal(cty.DynamicPseudoType), steps, leaf)
}

func patchAttr(v cty.Value, name string, rest []hcl.Traverser, leaf cty.Value) cty.Value {
	m := map[string]cty.Value{}
	if v.IsKnown() && !v.IsNull() && (v.Type().IsObjectType() || v.Type().IsMapType()) {
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			m[k.AsString()] = e
		}
	} else if v.IsKnown() && !v.IsNull() {
		// Not an object: the reference is an error Terraform would report too.
		return v
	}
	if e, ok := m[name]; ok {
		m[name] = patch(e, rest, leaf)
	} else {
		m[name] = build(rest, leaf)
	}
	return cty.ObjectVal(m)
}

func patchIndex(v cty.Value, i int, rest []hcl.Traverser, leaf cty.Value) cty.Value {
	var elems []cty.Value
	if v.IsKnown() && !v.IsNull() && (v.Type().IsTupleType() || v.Type().IsListType()) {
		elems = v.AsValueSlice()
		if i >= len(elems) {
			// An index past the instances there are: Terraform's error, not an unknown.
			return v
		}
		elems = slices.Clone(elems)
		elems[i] = patch(elems[i], rest, leaf)
		return cty.TupleVal(elems)
	}
	if v.IsKnown() && !v.IsNull() {
		return v
	}
	for range i + 1 {
		elems = append(elems, build(rest, leaf))
	}
	return cty.TupleVal(elems)
}

func (in *instance) local(name string) cty.Value {
	if v, ok := in.locals[name]; ok {
		return v
	}
	a := in.mod.locals[name]
	if a == nil {
		return cty.DynamicVal
	}
	key := "local." + name
	if in.busy[key] {
		in.errorAt(a.Expr.Range(), "local.%s refers to itself", name)
		return cty.DynamicVal
	}
	in.busy[key] = true
	v, diags := in.eval(a.Expr, nil)
	delete(in.busy, key)
	if diags.HasErrors() {
		in.diagnostics(diags)
		v = cty.DynamicVal
	}
	in.locals[name] = v
	return v
}

func (in *instance) findResource(key string) *resource {
	for _, r := range in.mod.resources {
		if r.key == key {
			return r
		}
	}
	return nil
}

// expansion is one instance of a counted or for_each'd block.
type expansion struct {
	suffix string // "", "[0]", `["k"]`
	scope  *scope
}

// expand evaluates count and for_each. ok is false when they are not known: the block is then
// reported as not judged by the caller.
func (in *instance) expand(count, forEach hcl.Expression, sc *scope) (exps []expansion, why string) {
	switch {
	case count != nil:
		v, diags := in.eval(count, sc)
		if diags.HasErrors() {
			in.diagnostics(diags)
			return nil, "count could not be evaluated"
		}
		v, _ = v.UnmarkDeep()
		if v.IsNull() || !v.IsKnown() {
			return nil, "count is known only after apply"
		}
		n, err := convert.Convert(v, cty.Number)
		if err != nil {
			in.errorAt(count.Range(), "count must be a number: %v", err)
			return nil, "count is not a number"
		}
		i, acc := n.AsBigFloat().Int64()
		if acc != 0 || i < 0 || i > maxInstances {
			in.errorAt(count.Range(), "count must be a whole number from 0 to %d", maxInstances)
			return nil, "count is out of range"
		}
		for k := range int(i) {
			exps = append(exps, expansion{suffix: "[" + strconv.Itoa(k) + "]", scope: sc.with("count", cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(int64(k))}))})
		}
		return exps, ""
	case forEach != nil:
		v, diags := in.eval(forEach, sc)
		if diags.HasErrors() {
			in.diagnostics(diags)
			return nil, "for_each could not be evaluated"
		}
		v, marks := v.Unmark()
		if v.IsNull() || !v.IsKnown() {
			return nil, "for_each is known only after apply"
		}
		ty := v.Type()
		switch {
		case ty.IsSetType():
			if !v.IsWhollyKnown() {
				return nil, "for_each holds values known only after apply"
			}
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				e, _ = e.Unmark()
				if e.Type() != cty.String {
					in.errorAt(forEach.Range(), "for_each set must hold strings")
					return nil, "for_each is not a set of strings"
				}
				if snapshot.HasSymbol(e.AsString()) {
					return nil, "for_each holds values known only after apply"
				}
				exps = append(exps, eachExpansion(sc, e.AsString(), e.WithMarks(marks)))
			}
		case ty.IsMapType() || ty.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				k, e := it.Element()
				exps = append(exps, eachExpansion(sc, k.AsString(), e.WithMarks(marks)))
			}
		default:
			in.errorAt(forEach.Range(), "for_each must be a map or a set of strings, not %s", ty.FriendlyName())
			return nil, "for_each is not a map or set"
		}
		if len(exps) > maxInstances {
			in.errorAt(forEach.Range(), "for_each has more than %d elements", maxInstances)
			return nil, "for_each is too large"
		}
		return exps, ""
	}
	return []expansion{{scope: sc}}, ""
}

func eachExpansion(sc *scope, key string, value cty.Value) expansion {
	return expansion{
		suffix: "[" + strconv.Quote(key) + "]",
		scope:  sc.with("each", cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": value})),
	}
}

// resource returns the value of a resource or data block: an object, a tuple (count) or an
// object by key (for_each) of instance objects.
func (in *instance) resource(r *resource) cty.Value {
	if v, ok := in.resources[r.key]; ok {
		return v
	}
	if in.busy[r.key] {
		// A cycle: Terraform refuses it; here the reference is unknown.
		return cty.DynamicVal
	}
	in.busy[r.key] = true
	defer delete(in.busy, r.key)
	exps, why := in.expand(r.count, r.forEach, nil)
	if why != "" {
		in.notJudged("resource", in.qualify(r.key), "the whole "+r.mode, r.block.DefRange, nil, why)
	}
	var insts []resInst
	for _, x := range exps {
		ri := resInst{addr: in.qualify(r.key + x.suffix), scope: x.scope}
		ri.obj = in.resourceObject(r, ri)
		insts = append(insts, ri)
	}
	in.insts[r.key] = insts
	var v cty.Value
	switch {
	case why != "":
		v = cty.DynamicVal
	case r.count != nil:
		objs := make([]cty.Value, len(insts))
		for i, ri := range insts {
			objs[i] = ri.obj
		}
		v = cty.TupleVal(objs)
		if len(objs) == 0 {
			v = cty.EmptyTupleVal
		}
	case r.forEach != nil:
		m := map[string]cty.Value{}
		for i, ri := range insts {
			k := exps[i].scope.vars["each"].GetAttr("key").AsString()
			m[k] = ri.obj
		}
		v = cty.ObjectVal(m)
	default:
		v = insts[0].obj
	}
	in.resources[r.key] = v
	return v
}

func (in *instance) notJudged(kind, id, element string, r hcl.Range, symbols []string, reason string) {
	r = in.rng(r)
	in.ev.notJudged = append(in.ev.notJudged, snapshot.NotJudged{
		Kind: kind, ID: id, Element: element, Symbols: symbols, Reason: reason,
		Loc: snapshot.Location{File: r.Filename, StartLine: r.Start.Line, StartColumn: r.Start.Column, EndLine: r.End.Line},
	})
}

// bodyObject evaluates every attribute of a body, and its nested blocks as lists of objects,
// leaving out what does not evaluate (it is then unknown where referenced).
func (in *instance) bodyObject(body hcl.Body, sc *scope) map[string]cty.Value {
	m := map[string]cty.Value{}
	if sb, ok := body.(*hclsyntax.Body); ok {
		for name, a := range sb.Attributes {
			switch name {
			case "count", "for_each", "depends_on", "provider", "lifecycle":
				continue
			}
			if v, diags := in.eval(a.Expr, sc); !diags.HasErrors() {
				m[name] = v
			}
		}
		blocks := map[string][]cty.Value{}
		var order []string
		for _, b := range sb.Blocks {
			switch b.Type {
			case "lifecycle", "provisioner", "connection", "dynamic":
				continue
			}
			if _, ok := blocks[b.Type]; !ok {
				order = append(order, b.Type)
			}
			blocks[b.Type] = append(blocks[b.Type], cty.ObjectVal(in.bodyObject(b.Body, sc)))
		}
		for _, t := range order {
			if _, ok := m[t]; !ok {
				m[t] = cty.TupleVal(blocks[t])
			}
		}
		return m
	}
	attrs, _ := body.JustAttributes()
	for name, a := range attrs {
		switch name {
		case "count", "for_each", "depends_on", "provider", "lifecycle":
			continue
		}
		if v, diags := in.eval(a.Expr, sc); !diags.HasErrors() {
			m[name] = v
		}
	}
	return m
}

// attr returns a body's attribute by name (nil when absent).
func attr(body hcl.Body, name string) *hcl.Attribute {
	if sb, ok := body.(*hclsyntax.Body); ok {
		if a := sb.Attributes[name]; a != nil {
			return a.AsHCLAttribute()
		}
		return nil
	}
	content, _, _ := body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: name}}})
	return content.Attributes[name]
}

// blocks returns a body's nested blocks of one type, with dynamic blocks of that type expanded:
// each with the scope its content sees.
func (in *instance) blocks(body hcl.Body, typ string, sc *scope) []scopedBlock {
	var out []scopedBlock
	content, _, _ := body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: typ}, {Type: "dynamic", LabelNames: []string{"type"}},
	}})
	for _, b := range content.Blocks {
		if b.Type == typ {
			out = append(out, scopedBlock{body: b.Body, rng: blockRange(b), scope: sc})
			continue
		}
		if b.Labels[0] != typ {
			continue
		}
		dc, _, diags := b.Body.PartialContent(&hcl.BodySchema{
			Attributes: []hcl.AttributeSchema{{Name: "for_each", Required: true}, {Name: "iterator"}, {Name: "labels"}},
			Blocks:     []hcl.BlockHeaderSchema{{Type: "content"}},
		})
		if diags.HasErrors() {
			in.diagnostics(diags)
			continue
		}
		iter := typ
		if a := dc.Attributes["iterator"]; a != nil {
			if name := hcl.ExprAsKeyword(a.Expr); name != "" {
				iter = name
			}
		}
		var contentBlock *hcl.Block
		for _, cb := range dc.Blocks {
			contentBlock = cb
		}
		if contentBlock == nil {
			in.errorAt(b.DefRange, "dynamic %q block has no content block", typ)
			continue
		}
		fe, diags := in.eval(dc.Attributes["for_each"].Expr, sc)
		if diags.HasErrors() {
			in.diagnostics(diags)
			continue
		}
		fe, marks := fe.Unmark()
		if !fe.IsKnown() || fe.IsNull() {
			out = append(out, scopedBlock{rng: blockRange(b), unknown: "its for_each is known only after apply"})
			continue
		}
		if !fe.CanIterateElements() {
			in.errorAt(dc.Attributes["for_each"].Expr.Range(), "dynamic %q for_each must be a collection, not %s", typ, fe.Type().FriendlyName())
			continue
		}
		for it := fe.ElementIterator(); it.Next(); {
			k, v := it.Element()
			if fe.Type().IsSetType() {
				k = v
			}
			obj := cty.ObjectVal(map[string]cty.Value{"key": k.WithMarks(marks), "value": v.WithMarks(marks)})
			out = append(out, scopedBlock{body: contentBlock.Body, rng: blockRange(contentBlock), scope: sc.with(iter, obj)})
		}
	}
	return out
}

type scopedBlock struct {
	body  hcl.Body
	rng   hcl.Range
	scope *scope
	// unknown says why a dynamic block could not be expanded.
	unknown string
}

// blockRange is the whole of a block: from its type to its closing brace.
func blockRange(b *hcl.Block) hcl.Range {
	if sb, ok := b.Body.(*hclsyntax.Body); ok {
		return hcl.RangeBetween(b.DefRange, sb.SrcRange)
	}
	return b.DefRange
}
