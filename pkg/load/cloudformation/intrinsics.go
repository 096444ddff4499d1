package cloudformation

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// maxDepth bounds the nesting of intrinsic functions.
const maxDepth = 64

// bothTag marks an array holding both branches of an Fn::If outside a document: a list that
// contains it takes both.
const bothTag = "!irsa-audit:both"

// intrinsic returns the function name and argument of an intrinsic call: the JSON form
// {"Fn::Sub": ...} / {"Ref": ...}, or a YAML short-form tag (!Sub ...).
func intrinsic(n *syntax.Node) (string, *syntax.Node, bool) {
	if n.Tag != "" {
		name := strings.TrimPrefix(n.Tag, "!")
		arg := *n
		arg.Tag = ""
		switch name {
		case "Ref", "Condition":
			return name, &arg, true
		}
		return "Fn::" + name, &arg, true
	}
	if n.Kind == syntax.Object && len(n.Fields) == 1 {
		k := n.Fields[0].Key
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, n.Fields[0].Value, true
		}
	}
	return "", nil, false
}

// resolve returns n with every intrinsic function evaluated; nil for AWS::NoValue.
func (t *template) resolve(n *syntax.Node) (*syntax.Node, error) {
	t.depth++
	defer func() { t.depth-- }()
	if t.depth > maxDepth {
		return nil, syntax.Errorf(n, "intrinsic functions nested deeper than %d levels", maxDepth)
	}
	if name, arg, ok := intrinsic(n); ok {
		return t.call(name, arg, n)
	}
	switch n.Kind {
	case syntax.Array:
		out := &syntax.Node{Kind: syntax.Array, Line: n.Line, Column: n.Column, EndLine: n.EndLine, Items: make([]*syntax.Node, 0, len(n.Items))}
		for _, it := range n.Items {
			r, err := t.resolve(it)
			if err != nil {
				return nil, err
			}
			switch {
			case r == nil:
			case r.Tag == bothTag:
				out.Items = append(out.Items, r.Items...)
			default:
				out.Items = append(out.Items, r)
			}
		}
		return out, nil
	case syntax.Object:
		out := &syntax.Node{Kind: syntax.Object, Line: n.Line, Column: n.Column, EndLine: n.EndLine, Fields: make([]syntax.Field, 0, len(n.Fields))}
		for _, f := range n.Fields {
			r, err := t.resolve(f.Value)
			if err != nil {
				return nil, err
			}
			if r == nil {
				continue
			}
			if r.Tag == bothTag {
				r = r.Items[0]
			}
			out.Fields = append(out.Fields, syntax.Field{Key: f.Key, KeyNode: f.KeyNode, Value: r})
		}
		return out, nil
	}
	c := *n
	return &c, nil
}

func (t *template) call(name string, arg, at *syntax.Node) (*syntax.Node, error) {
	str := func(s string) *syntax.Node { return leaf(at, s) }
	switch name {
	case "Ref":
		if arg.Kind != syntax.String {
			return nil, syntax.Errorf(arg, "Ref takes a name, not %s", arg.Kind)
		}
		return t.refValue(arg.Value, at)
	case "Fn::GetAtt":
		logical, attr, err := getAttArgs(arg)
		if err != nil {
			return nil, err
		}
		return t.getAtt(logical, attr, at)
	case "Fn::Sub":
		return t.sub(arg, at)
	case "Fn::Join":
		a, err := t.args(arg, 2, name)
		if err != nil {
			return nil, err
		}
		list := a[1]
		if list.Kind != syntax.Array {
			if list.Kind == syntax.String && snapshot.HasSymbol(list.Value) {
				return str(list.Value), nil
			}
			return nil, syntax.Errorf(arg, "Fn::Join takes a delimiter and a list")
		}
		parts := make([]string, 0, len(list.Items))
		for _, it := range list.Items {
			if it.Kind == syntax.Object || it.Kind == syntax.Array {
				return nil, syntax.Errorf(it, "Fn::Join can only join strings, not %s", it.Kind)
			}
			parts = append(parts, it.Value)
		}
		return str(strings.Join(parts, a[0].Value)), nil
	case "Fn::Split":
		a, err := t.args(arg, 2, name)
		if err != nil {
			return nil, err
		}
		out := &syntax.Node{Kind: syntax.Array, Line: at.Line, Column: at.Column, EndLine: at.EndLine}
		if a[0].Value == "" {
			return nil, syntax.Errorf(arg, "Fn::Split needs a delimiter")
		}
		for _, p := range strings.Split(a[1].Value, a[0].Value) {
			out.Items = append(out.Items, str(p))
		}
		return out, nil
	case "Fn::Select":
		a, err := t.args(arg, 2, name)
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(a[0].Value)
		if err != nil {
			if snapshot.HasSymbol(a[0].Value) {
				return str(t.symbol("Fn::Select at line "+strconv.Itoa(at.Line), "the index is known only when the stack is deployed")), nil
			}
			return nil, syntax.Errorf(arg, "Fn::Select index must be a number, not %q", a[0].Value)
		}
		list := a[1]
		if list.Kind != syntax.Array {
			if list.Kind == syntax.String && snapshot.HasSymbol(list.Value) {
				return str(t.symbol(strings.Trim(list.Value, "«»")+"["+a[0].Value+"]", t.reasonOf(snapshot.Symbols(list.Value)))), nil
			}
			return nil, syntax.Errorf(arg, "Fn::Select takes an index and a list")
		}
		if i < 0 || i >= len(list.Items) {
			return nil, syntax.Errorf(arg, "Fn::Select index %d is out of range (the list has %d elements)", i, len(list.Items))
		}
		return list.Items[i], nil
	case "Fn::FindInMap":
		a, err := t.args(arg, 3, name)
		if err != nil {
			return nil, err
		}
		for _, k := range a {
			if snapshot.HasSymbol(k.Value) {
				return str(t.symbol("Fn::FindInMap "+k.Value, t.reasonOf(snapshot.Symbols(k.Value)))), nil
			}
		}
		v := t.mappings.Get(a[0].Value).Get(a[1].Value).Get(a[2].Value)
		if v == nil {
			return nil, syntax.Errorf(arg, "Fn::FindInMap: Mappings has no %s.%s.%s", a[0].Value, a[1].Value, a[2].Value)
		}
		return t.resolve(v)
	case "Fn::If":
		if arg.Kind != syntax.Array || len(arg.Items) != 3 || arg.Items[0].Kind != syntax.String {
			return nil, syntax.Errorf(arg, "Fn::If takes a condition name and two values")
		}
		cond := arg.Items[0].Value
		if t.scenario != nil {
			v, ok := t.scenario[cond]
			if !ok {
				t.used = append(t.used, cond)
				v = true
			}
			if v {
				return t.resolve(arg.Items[1])
			}
			return t.resolve(arg.Items[2])
		}
		both := &syntax.Node{Kind: syntax.Array, Tag: bothTag, Line: at.Line, Column: at.Column, EndLine: at.EndLine}
		for _, b := range arg.Items[1:] {
			r, err := t.resolve(b)
			if err != nil {
				return nil, err
			}
			if r != nil {
				both.Items = append(both.Items, r)
			}
		}
		if len(both.Items) == 0 {
			return nil, nil
		}
		return both, nil
	case "Fn::ImportValue":
		v, err := t.resolve(arg)
		if err != nil {
			return nil, err
		}
		return str(t.symbol("import "+t.text(v), "exported by another stack (Fn::ImportValue)")), nil
	case "Fn::GetAZs", "Fn::Cidr", "Fn::Transform":
		return str(t.symbol(name+" at line "+strconv.Itoa(at.Line), "known only when the stack is deployed")), nil
	case "Fn::Base64":
		v, err := t.resolve(arg)
		if err != nil {
			return nil, err
		}
		return str(t.text(v)), nil
	case "Fn::ToJsonString":
		v, err := t.resolve(arg)
		if err != nil {
			return nil, err
		}
		data, _ := json.Marshal(toAny(v))
		return str(string(data)), nil
	case "Fn::Length":
		v, err := t.resolve(arg)
		if err != nil {
			return nil, err
		}
		if v.Kind != syntax.Array {
			return nil, syntax.Errorf(arg, "Fn::Length takes a list")
		}
		return &syntax.Node{Kind: syntax.Number, Value: strconv.Itoa(len(v.Items)), Line: at.Line, Column: at.Column, EndLine: at.EndLine}, nil
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition":
		// Condition functions belong in the Conditions section, which is not evaluated: both
		// branches of every Fn::If are judged.
		return str(t.symbol(name+" at line "+strconv.Itoa(at.Line), "a condition")), nil
	}
	return nil, syntax.Errorf(at, "unknown intrinsic function %s", name)
}

// args resolves a list of n scalar arguments (the last may be a list).
func (t *template) args(arg *syntax.Node, n int, name string) ([]*syntax.Node, error) {
	if arg.Kind != syntax.Array || len(arg.Items) != n {
		return nil, syntax.Errorf(arg, "%s takes %d arguments", name, n)
	}
	out := make([]*syntax.Node, n)
	for i, it := range arg.Items {
		r, err := t.resolve(it)
		if err != nil {
			return nil, err
		}
		if r == nil {
			return nil, syntax.Errorf(it, "%s argument %d is AWS::NoValue", name, i+1)
		}
		if r.Tag == bothTag {
			r = r.Items[0]
		}
		if i < n-1 && (r.Kind == syntax.Object || r.Kind == syntax.Array) {
			return nil, syntax.Errorf(it, "%s argument %d must be a string, not %s", name, i+1, r.Kind)
		}
		out[i] = r
	}
	return out, nil
}

func getAttArgs(arg *syntax.Node) (string, string, error) {
	switch arg.Kind {
	case syntax.String:
		logical, attr, ok := strings.Cut(arg.Value, ".")
		if !ok {
			return "", "", syntax.Errorf(arg, "Fn::GetAtt takes Resource.Attribute, not %q", arg.Value)
		}
		return logical, attr, nil
	case syntax.Array:
		if len(arg.Items) == 2 && arg.Items[0].Kind == syntax.String && arg.Items[1].Kind == syntax.String {
			return arg.Items[0].Value, arg.Items[1].Value, nil
		}
	}
	return "", "", syntax.Errorf(arg, "Fn::GetAtt takes [Resource, Attribute]")
}

// pseudo are the pseudo-parameters: known (the partition and URL suffix of the aws
// partition), or symbols.
func (t *template) pseudo(name string) (string, bool) {
	switch name {
	case "AWS::Partition":
		return "aws", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	case "AWS::AccountId":
		return t.account(), true
	case "AWS::Region":
		return t.symbol("AWS.Region", "the region the stack is deployed in"), true
	case "AWS::StackName", "AWS::StackId", "AWS::NotificationARNs":
		return t.symbol(strings.ReplaceAll(name, "::", "."), "known only when the stack is deployed"), true
	}
	return "", false
}

func (t *template) refValue(name string, at *syntax.Node) (*syntax.Node, error) {
	if name == "AWS::NoValue" {
		return nil, nil
	}
	if v, ok := t.pseudo(name); ok {
		return leaf(at, v), nil
	}
	if p, ok := t.params[name]; ok {
		return t.param(name, p, at), nil
	}
	if t.resources[name] != nil {
		key := "ref:" + name
		if t.busy[key] {
			return nil, syntax.Errorf(at, "Ref %s refers to itself", name)
		}
		t.busy[key] = true
		defer delete(t.busy, key)
		s, err := t.ref(name, at)
		if err != nil {
			return nil, err
		}
		return leaf(at, s), nil
	}
	return nil, syntax.Errorf(at, "Ref names %q, which is neither a parameter nor a resource of the template", name)
}

// param is a parameter's value: given with --cfn-parameters, else its Default, else a symbol.
// A CommaDelimitedList (or List<...>) parameter is a list.
func (t *template) param(name string, p, at *syntax.Node) *syntax.Node {
	var val string
	var ok bool
	if v, given := t.given[name]; given {
		val, ok = v, true
	} else if d := p.Get("Default"); d != nil && d.Kind != syntax.Object && d.Kind != syntax.Array {
		val, ok = d.Value, true
	}
	if !ok {
		val = t.symbol(name, "a parameter without a Default or a value in --cfn-parameters")
	}
	typ := ""
	if ty := p.Get("Type"); ty != nil {
		typ = ty.Value
	}
	if ok && (typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<")) {
		out := &syntax.Node{Kind: syntax.Array, Line: at.Line, Column: at.Column, EndLine: at.EndLine}
		for _, s := range strings.Split(val, ",") {
			out.Items = append(out.Items, leaf(at, strings.TrimSpace(s)))
		}
		return out
	}
	return leaf(at, val)
}

var subVarRE = regexp.MustCompile(`\$\{([^}]*)\}`)

// sub is Fn::Sub: ${Param}, ${AWS::Pseudo}, ${Resource} (Ref), ${Resource.Attr} (GetAtt),
// variables of the second argument, and ${!Literal}.
func (t *template) sub(arg, at *syntax.Node) (*syntax.Node, error) {
	tmpl := arg
	vars := map[string]*syntax.Node{}
	if arg.Kind == syntax.Array {
		if len(arg.Items) != 2 || arg.Items[0].Kind != syntax.String || arg.Items[1].Kind != syntax.Object {
			return nil, syntax.Errorf(arg, "Fn::Sub takes a string, or a string and an object of variables")
		}
		tmpl = arg.Items[0]
		for _, f := range arg.Items[1].Fields {
			r, err := t.resolve(f.Value)
			if err != nil {
				return nil, err
			}
			if r != nil {
				vars[f.Key] = r
			}
		}
	}
	if tmpl.Kind != syntax.String {
		return nil, syntax.Errorf(tmpl, "Fn::Sub takes a string, not %s", tmpl.Kind)
	}
	var ferr error
	out := subVarRE.ReplaceAllStringFunc(tmpl.Value, func(m string) string {
		name := strings.TrimSpace(m[2 : len(m)-1])
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		var r *syntax.Node
		var err error
		switch v, ok := vars[name]; {
		case ok:
			r = v
		case strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::"):
			logical, attr, _ := strings.Cut(name, ".")
			r, err = t.getAtt(logical, attr, at)
		default:
			r, err = t.refValue(name, at)
		}
		if err != nil {
			if ferr == nil {
				ferr = err
			}
			return m
		}
		if r == nil {
			return ""
		}
		if r.Tag == bothTag {
			r = r.Items[0]
		}
		if r.Kind == syntax.Array {
			var parts []string
			for _, it := range r.Items {
				parts = append(parts, it.Value)
			}
			return strings.Join(parts, ",")
		}
		return r.Value
	})
	if ferr != nil {
		return nil, ferr
	}
	return &syntax.Node{Kind: syntax.String, Value: out, Line: tmpl.Line, Column: tmpl.Column, EndLine: tmpl.EndLine}, nil
}

// toAny converts a resolved node to Go values for JSON.
func toAny(n *syntax.Node) any {
	switch n.Kind {
	case syntax.Object:
		m := map[string]any{}
		for _, f := range n.Fields {
			m[f.Key] = toAny(f.Value)
		}
		return m
	case syntax.Array:
		out := make([]any, 0, len(n.Items))
		for _, it := range n.Items {
			out = append(out, toAny(it))
		}
		return out
	case syntax.Null:
		return nil
	case syntax.Bool:
		return strings.EqualFold(n.Value, "true")
	case syntax.Number:
		return json.Number(n.Value)
	}
	return n.Value
}
