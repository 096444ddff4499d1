package terraform

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/irsa-audit/irsa-audit/pkg/policydoc"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// Marks on string values say where a policy's JSON text came from, so that the document built
// from it keeps the locations of its statements and conditions.
type (
	// docMark: the json of an aws_iam_policy_document (ev.docs).
	docMark struct{ id int }
	// jsonMark: the result of a jsonencode call (ev.jsons).
	jsonMark struct{ id int }
	// fileMark: the content of file() or the result of templatefile() (ev.files).
	fileMark struct{ id int }
)

type docValue struct {
	json string
	doc  snapshot.Document
}

type jsonValue struct {
	text string
	arg  hclsyntax.Expression
	in   *instance
}

type fileValue struct {
	text     string
	file     string // reported name
	rendered bool   // templatefile: lines are kept only when the line count is
	lines    int    // of the template source
}

func loc(r hcl.Range) snapshot.Location {
	return snapshot.Location{File: r.Filename, StartLine: r.Start.Line, StartColumn: r.Start.Column, EndLine: r.End.Line}
}

// docResult is a document read from an attribute, or why it could not be.
type docResult struct {
	doc *snapshot.Document
	// unknown is set when the whole document is not known: its symbols or expression.
	unknown []string
	reason  string
}

// document reads a policy document from an attribute whose value is JSON text (assume_role_policy,
// policy, ...), with the best locations the value's origin allows. A nil result with no
// unknown means there is no document (null).
func (in *instance) document(expr hcl.Expression, sc *scope) docResult {
	v, diags := in.eval(expr, sc)
	if diags.HasErrors() {
		in.diagnostics(diags)
		return docResult{}
	}
	return in.documentOf(v, expr, sc)
}

func (in *instance) documentOf(v cty.Value, expr hcl.Expression, sc *scope) docResult {
	v, marks := v.UnmarkDeep()
	at := in.rng(expr.Range())
	if !v.IsKnown() {
		return docResult{unknown: []string{in.ev.symbol(in.qualify(exprText(in.ev.r, expr)), reasonUnknown)}, reason: reasonUnknown}
	}
	if v.IsNull() {
		return docResult{}
	}
	if v.Type() != cty.String {
		in.errorAt(expr.Range(), "policy must be a JSON string, not %s", v.Type().FriendlyName())
		return docResult{}
	}
	text := v.AsString()
	if syms := snapshot.Symbols(text); len(syms) > 0 && strings.TrimSpace(text) == strings.Join(syms, "") {
		return docResult{unknown: syms, reason: in.ev.reasonOf(syms)}
	}
	for m := range marks {
		switch m := m.(type) {
		case docMark:
			if d := in.ev.docs[m.id]; d.json == text {
				doc := cloneDoc(d.doc)
				return docResult{doc: &doc}
			}
		}
	}
	for m := range marks {
		switch m := m.(type) {
		case jsonMark:
			if j := in.ev.jsons[m.id]; j.text == text {
				return in.ev.parseLocated(text, at, func(p []any) hcl.Range { return j.in.rng(j.in.locate(j.arg, p, 0)) }, in)
			}
		case fileMark:
			if f := in.ev.files[m.id]; f.text == text {
				return in.ev.parseFile(f, in)
			}
		}
	}
	// Heredoc or quoted JSON written in place, or through a local value.
	if t := in.template(expr, 0); t != nil {
		if tv, d := in.eval(t, sc); !d.HasErrors() {
			if tv, _ = tv.UnmarkDeep(); tv.IsKnown() && tv.Type() == cty.String && tv.AsString() == text {
				return in.ev.parseTemplate(text, t, in)
			}
		}
	}
	return in.ev.parseLocated(text, at, func([]any) hcl.Range { return at }, in)
}

// template returns the template expression an attribute's value is written with, following
// local values.
func (in *instance) template(expr hcl.Expression, depth int) hclsyntax.Expression {
	if depth > 8 {
		return nil
	}
	switch e := expr.(type) {
	case *hclsyntax.TemplateExpr:
		return e
	case *hclsyntax.ParenthesesExpr:
		return in.template(e.Expression, depth+1)
	case *hclsyntax.ScopeTraversalExpr:
		if e.Traversal.RootName() == "local" {
			if name, ok := attrAt(e.Traversal, 1); ok && len(e.Traversal) == 2 {
				if a := in.mod.locals[name]; a != nil {
					return in.template(a.Expr, depth+1)
				}
			}
		}
	}
	return nil
}

// parseLocated parses JSON text whose positions mean nothing in the source (it was produced
// by jsonencode or evaluated), placing each element with locate, given its path in the JSON
// ([]: the document, ["Statement", 0], ["Statement", 0, "Condition", op, key]).
func (ev *evaluator) parseLocated(text string, at hcl.Range, locate func([]any) hcl.Range, in *instance) docResult {
	n, err := syntax.ParseJSON([]byte(text))
	if err != nil {
		in.errorAt(at, "policy is not valid JSON: %v", err)
		return docResult{}
	}
	doc, err := policydoc.FromNode(n, snapshot.Location{File: at.Filename})
	if err != nil {
		in.errorAt(at, "policy: %v", err)
		return docResult{}
	}
	doc.Loc = loc(locate(nil))
	stmts := n.Get("Statement")
	for j := range doc.Statements {
		s := &doc.Statements[j]
		p := []any{"Statement"}
		if stmts != nil && stmts.Kind == syntax.Array {
			p = append(p, j)
		}
		s.Loc = loc(locate(p))
		for k := range s.Conditions {
			c := &s.Conditions[k]
			c.Loc = loc(locate(append(slices.Clone(p), "Condition", c.Operator, c.Key)))
		}
	}
	doc.MarkUnknown()
	return docResult{doc: &doc}
}

// parseFile parses the content of file() (positions are the file's) or of templatefile()
// (lines are the template's when rendering kept the line count, else the whole file).
func (ev *evaluator) parseFile(f *fileValue, in *instance) docResult {
	whole := hcl.Range{Filename: f.file, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: max(f.lines, 1)}}
	if f.rendered && strings.Count(f.text, "\n")+1 != f.lines {
		return ev.parseLocated(f.text, whole, func([]any) hcl.Range { return whole }, in)
	}
	doc, err := policydoc.Parse([]byte(f.text), snapshot.Location{File: f.file})
	if err != nil {
		var se *syntax.Error
		line, col := 1, 1
		if errorsAs(err, &se) {
			line, col = se.Line, se.Column
			err = fmt.Errorf("%s", se.Msg)
		}
		ev.errors = append(ev.errors, snapshot.InputError{File: f.file, Line: line, Column: col, Message: fmt.Sprintf("policy: %v", err)})
		return docResult{}
	}
	doc.MarkUnknown()
	return docResult{doc: &doc}
}

// parseTemplate parses JSON written as a heredoc or a quoted string in the configuration: a
// line of the text is the line of the source it was written on, as long as no interpolation
// added or removed lines.
func (ev *evaluator) parseTemplate(text string, t hclsyntax.Expression, in *instance) docResult {
	r := t.Range()
	first := r.Start.Line
	if te, ok := t.(*hclsyntax.TemplateExpr); ok && len(te.Parts) > 0 {
		first = te.Parts[0].Range().Start.Line
	}
	lines := r.End.Line - first + 1
	if strings.Count(strings.TrimRight(text, "\n"), "\n")+1 > lines || first != r.Start.Line && strings.Count(text, "\n") != r.End.Line-first {
		return ev.parseLocated(text, in.rng(r), func([]any) hcl.Range { return in.rng(r) }, in)
	}
	doc, err := policydoc.Parse([]byte(text), snapshot.Location{File: r.Filename})
	if err != nil {
		var se *syntax.Error
		at := r
		if errorsAs(err, &se) && se.Line > 0 {
			at.Start = hcl.Pos{Line: first + se.Line - 1, Column: se.Column}
			if first == r.Start.Line && se.Line == 1 {
				at.Start.Column += r.Start.Column // a quoted string: after its opening quote
			}
			err = fmt.Errorf("%s", se.Msg)
		}
		in.errorAt(at, "policy: %v", err)
		return docResult{}
	}
	shift := func(l *snapshot.Location) {
		if l.StartLine > 0 {
			if first == r.Start.Line && l.StartLine == 1 {
				l.StartColumn += r.Start.Column // a quoted string: after its opening quote
			}
			l.StartLine += first - 1
			l.EndLine += first - 1
		}
		if in.rng(r) != r {
			*l = loc(in.rng(r))
		}
	}
	shift(&doc.Loc)
	for j := range doc.Statements {
		shift(&doc.Statements[j].Loc)
		for k := range doc.Statements[j].Conditions {
			shift(&doc.Statements[j].Conditions[k].Loc)
		}
	}
	doc.MarkUnknown()
	return docResult{doc: &doc}
}

// locate finds the part of a jsonencode argument that produced the element at path p of the
// JSON text: object keys (evaluated when they are expressions), list items, local values and
// for expressions are followed; elsewhere the innermost expression found is the answer.
func (in *instance) locate(e hclsyntax.Expression, p []any, depth int) hcl.Range {
	if len(p) == 0 || depth > 16 {
		return e.Range()
	}
	switch x := e.(type) {
	case *hclsyntax.ObjectConsExpr:
		key, ok := p[0].(string)
		if !ok {
			break
		}
		for _, item := range x.Items {
			if in.keyString(item.KeyExpr) == key {
				if len(p) == 1 {
					// The element is the whole "key = value" item.
					return hcl.RangeBetween(item.KeyExpr.Range(), item.ValueExpr.Range())
				}
				return in.locate(item.ValueExpr, p[1:], depth+1)
			}
		}
	case *hclsyntax.TupleConsExpr:
		i, ok := p[0].(int)
		if !ok || i >= len(x.Exprs) {
			break
		}
		return in.locate(x.Exprs[i], p[1:], depth+1)
	case *hclsyntax.ForExpr:
		return in.locate(x.ValExpr, p[1:], depth+1)
	case *hclsyntax.ParenthesesExpr:
		return in.locate(x.Expression, p, depth+1)
	case *hclsyntax.TemplateWrapExpr:
		return in.locate(x.Wrapped, p, depth+1)
	case *hclsyntax.ScopeTraversalExpr:
		if x.Traversal.RootName() == "local" && len(x.Traversal) == 2 {
			if name, ok := attrAt(x.Traversal, 1); ok {
				if a := in.mod.locals[name]; a != nil {
					if se, ok := a.Expr.(hclsyntax.Expression); ok {
						return in.locate(se, p, depth+1)
					}
				}
			}
		}
	}
	return e.Range()
}

func (in *instance) keyString(k hclsyntax.Expression) string {
	if ke, ok := k.(*hclsyntax.ObjectConsKeyExpr); ok {
		if kw := hcl.ExprAsKeyword(ke.Wrapped); kw != "" && !ke.ForceNonLiteral {
			return kw
		}
		k = ke.Wrapped
	}
	v, diags := in.eval(k, nil)
	if diags.HasErrors() {
		return ""
	}
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

func cloneDoc(d snapshot.Document) snapshot.Document {
	out := d
	out.Statements = make([]snapshot.Statement, len(d.Statements))
	for i, s := range d.Statements {
		c := s
		c.Principal = clonePrincipal(s.Principal)
		c.NotPrincipal = clonePrincipal(s.NotPrincipal)
		c.Actions = slices.Clone(s.Actions)
		c.NotActions = slices.Clone(s.NotActions)
		c.Resources = slices.Clone(s.Resources)
		c.NotResources = slices.Clone(s.NotResources)
		c.Unknown = slices.Clone(s.Unknown)
		c.Conditions = make([]snapshot.Condition, len(s.Conditions))
		for k, cond := range s.Conditions {
			cond.Values = slices.Clone(cond.Values)
			cond.Unknown = slices.Clone(cond.Unknown)
			c.Conditions[k] = cond
		}
		if len(s.Conditions) == 0 {
			c.Conditions = nil
		}
		out.Statements[i] = c
	}
	return out
}

func clonePrincipal(p *snapshot.Principal) *snapshot.Principal {
	if p == nil {
		return nil
	}
	c := *p
	c.AWS, c.Federated, c.Service, c.CanonicalUser = slices.Clone(p.AWS), slices.Clone(p.Federated), slices.Clone(p.Service), slices.Clone(p.CanonicalUser)
	return &c
}

// policyDocument renders a data "aws_iam_policy_document" instance the way the AWS provider
// does: the statements of source_policy_documents, then its own statements (replacing those
// with the same non-empty sid), then those of override_policy_documents (replacing by sid,
// else appended). Statements and conditions are located at their blocks.
func (in *instance) policyDocument(r *resource, ri resInst) snapshot.Document {
	body, sc := r.body, ri.scope
	doc := snapshot.Document{Version: "2012-10-17", Loc: loc(in.rng(blockRange(r.block)))}
	if a := attr(body, "version"); a != nil {
		doc.Version = in.str(a.Expr, sc)
	}
	if a := attr(body, "policy_id"); a != nil {
		doc.ID = in.str(a.Expr, sc)
	}
	var stmts []snapshot.Statement
	// merge puts statements over those with the same non-empty sid, else after them.
	merge := func(list []snapshot.Statement) {
		for _, s := range list {
			if s.Sid != "" {
				if i := slices.IndexFunc(stmts, func(x snapshot.Statement) bool { return x.Sid == s.Sid }); i >= 0 {
					stmts[i] = s
					continue
				}
			}
			stmts = append(stmts, s)
		}
	}
	for _, name := range []string{"source_json", "source_policy_documents"} {
		for _, d := range in.documentList(body, name, sc) {
			stmts = append(stmts, d.Statements...)
		}
	}
	var own []snapshot.Statement
	for _, b := range in.blocks(body, "statement", sc) {
		if b.unknown != "" {
			in.notJudged("policy", in.qualify(ri.addr), "statement", b.rng, nil, b.unknown)
			continue
		}
		if s, ok := in.statement(b, ri.addr); ok {
			own = append(own, s)
		}
	}
	merge(own)
	for _, name := range []string{"override_json", "override_policy_documents"} {
		for _, d := range in.documentList(body, name, sc) {
			merge(d.Statements)
		}
	}
	doc.Statements = stmts
	if doc.Statements == nil {
		doc.Statements = []snapshot.Statement{}
	}
	doc.MarkUnknown()
	return doc
}

// documentList reads an attribute holding one policy JSON text or a list of them.
func (in *instance) documentList(body hcl.Body, name string, sc *scope) []snapshot.Document {
	a := attr(body, name)
	if a == nil {
		return nil
	}
	v, diags := in.eval(a.Expr, sc)
	if diags.HasErrors() {
		in.diagnostics(diags)
		return nil
	}
	var vals []cty.Value
	if uv, _ := v.Unmark(); uv.IsKnown() && !uv.IsNull() && uv.CanIterateElements() && uv.Type() != cty.String {
		_, marks := v.Unmark()
		for it := uv.ElementIterator(); it.Next(); {
			_, e := it.Element()
			vals = append(vals, e.WithMarks(marks))
		}
	} else {
		vals = []cty.Value{v}
	}
	var out []snapshot.Document
	for _, e := range vals {
		res := in.documentOf(e, a.Expr, sc)
		if res.doc != nil {
			out = append(out, *res.doc)
		} else if len(res.unknown) > 0 {
			in.notJudged("policy", name, name, a.Expr.Range(), res.unknown, res.reason)
		}
	}
	return out
}

// statement reads a statement block of aws_iam_policy_document.
func (in *instance) statement(b scopedBlock, addr string) (snapshot.Statement, bool) {
	sc := b.scope
	s := snapshot.Statement{Effect: "Allow", Loc: loc(in.rng(b.rng))}
	if a := attr(b.body, "sid"); a != nil {
		s.Sid = in.str(a.Expr, sc)
	}
	if a := attr(b.body, "effect"); a != nil {
		s.Effect = in.str(a.Expr, sc)
		if s.Effect != "Allow" && s.Effect != "Deny" {
			if snapshot.HasSymbol(s.Effect) {
				in.notJudged("policy", addr, "statement effect", a.Expr.Range(), snapshot.Symbols(s.Effect), in.ev.reasonOf(snapshot.Symbols(s.Effect)))
			} else {
				in.errorAt(a.Expr.Range(), "effect must be \"Allow\" or \"Deny\", not %q", s.Effect)
			}
			return s, false
		}
	}
	for _, f := range []struct {
		name string
		dst  *[]string
	}{{"actions", &s.Actions}, {"not_actions", &s.NotActions}, {"resources", &s.Resources}, {"not_resources", &s.NotResources}} {
		if a := attr(b.body, f.name); a != nil {
			*f.dst = in.strList(a.Expr, sc)
		}
	}
	s.Principal = in.principals(b, "principals")
	s.NotPrincipal = in.principals(b, "not_principals")
	for _, cb := range in.blocks(b.body, "condition", sc) {
		if cb.unknown != "" {
			in.notJudged("policy", addr, "condition", cb.rng, nil, cb.unknown)
			continue
		}
		var test, variable string
		var values []string
		if a := attr(cb.body, "test"); a != nil {
			test = in.str(a.Expr, cb.scope)
		}
		if a := attr(cb.body, "variable"); a != nil {
			variable = in.str(a.Expr, cb.scope)
		}
		if a := attr(cb.body, "values"); a != nil {
			values = in.strList(a.Expr, cb.scope)
		}
		if i := slices.IndexFunc(s.Conditions, func(c snapshot.Condition) bool { return c.Operator == test && c.Key == variable }); i >= 0 {
			s.Conditions[i].Values = append(s.Conditions[i].Values, values...)
			continue
		}
		c := policydoc.ParseOperator(test)
		c.Key, c.Values, c.Loc = variable, values, loc(in.rng(cb.rng))
		if c.Values == nil {
			c.Values = []string{}
		}
		s.Conditions = append(s.Conditions, c)
	}
	return s, true
}

func (in *instance) principals(b scopedBlock, typ string) *snapshot.Principal {
	list := in.blocks(b.body, typ, b.scope)
	if len(list) == 0 {
		return nil
	}
	p := &snapshot.Principal{}
	for _, pb := range list {
		if pb.unknown != "" {
			continue
		}
		var t string
		var ids []string
		if a := attr(pb.body, "type"); a != nil {
			t = in.str(a.Expr, pb.scope)
		}
		if a := attr(pb.body, "identifiers"); a != nil {
			ids = in.strList(a.Expr, pb.scope)
		}
		switch t {
		case "*":
			p.Wildcard = true
		case "AWS":
			p.AWS = append(p.AWS, ids...)
		case "Federated":
			p.Federated = append(p.Federated, ids...)
		case "Service":
			p.Service = append(p.Service, ids...)
		case "CanonicalUser":
			p.CanonicalUser = append(p.CanonicalUser, ids...)
		default:
			in.errorAt(pb.rng, "%s type must be AWS, Federated, Service, CanonicalUser or *, not %q", typ, t)
		}
	}
	return p
}

// str evaluates an expression to a string; what is not known becomes a symbol.
func (in *instance) str(expr hcl.Expression, sc *scope) string {
	v, diags := in.eval(expr, sc)
	if diags.HasErrors() {
		in.diagnostics(diags)
		return ""
	}
	return in.asString(v, expr)
}

func (in *instance) asString(v cty.Value, expr hcl.Expression) string {
	v, _ = v.UnmarkDeep()
	if v.IsNull() {
		return ""
	}
	if !v.IsKnown() {
		return in.ev.symbol(in.qualify(exprText(in.ev.r, expr)), reasonUnknown)
	}
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Number:
		return v.AsBigFloat().Text('f', -1)
	case cty.Bool:
		return strconv.FormatBool(v.True())
	}
	in.errorAt(expr.Range(), "want a string, not %s", v.Type().FriendlyName())
	return ""
}

// strList evaluates an expression to a list of strings (a single string is a list of one).
func (in *instance) strList(expr hcl.Expression, sc *scope) []string {
	v, diags := in.eval(expr, sc)
	if diags.HasErrors() {
		in.diagnostics(diags)
		return nil
	}
	return in.asStrings(v, expr)
}

func (in *instance) asStrings(v cty.Value, expr hcl.Expression) []string {
	v, _ = v.UnmarkDeep()
	if v.IsNull() {
		return nil
	}
	if !v.IsKnown() || v.Type() == cty.String || v.Type().IsPrimitiveType() {
		return []string{in.asString(v, expr)}
	}
	if !v.CanIterateElements() {
		in.errorAt(expr.Range(), "want a list of strings, not %s", v.Type().FriendlyName())
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if s, err := convert.Convert(e, cty.String); err == nil || !e.IsKnown() {
			if err == nil {
				e = s
			}
			out = append(out, in.asString(e, expr))
			continue
		}
		in.errorAt(expr.Range(), "want a list of strings; found %s", e.Type().FriendlyName())
	}
	return out
}

// exprText is an expression's source text on one line, for the symbol of an unknown value.
func exprText(r *Reader, expr hcl.Expression) string {
	rng := expr.Range()
	src := r.source(rng.Filename)
	if src == nil || rng.End.Byte > len(src) || rng.Start.Byte >= rng.End.Byte {
		return "value at " + rng.String()
	}
	s := strings.Join(strings.Fields(string(src[rng.Start.Byte:rng.End.Byte])), " ")
	s = strings.NewReplacer(snapshot.SymbolOpen, "", snapshot.SymbolClose, "").Replace(s)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

func (ev *evaluator) reasonOf(syms []string) string {
	var rs []string
	for _, s := range syms {
		r := ev.reasons[s]
		if r == "" {
			r = reasonUnknown
		}
		if !slices.Contains(rs, r) {
			rs = append(rs, r)
		}
	}
	return strings.Join(rs, "; ")
}
