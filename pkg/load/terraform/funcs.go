package terraform

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

var errorsAs = errors.As

// textual are the functions that treat strings as text: a symbol passes through them as it
// would through Terraform's own unknown-value handling, keeping the known parts around it.
// Every other function returns an unknown value when an argument holds a symbol, because its
// result would depend on what the symbol stands for (length, comparisons, upper, regex, ...).
var textual = map[string]bool{
	"chomp": true, "coalesce": true, "coalescelist": true, "compact": true, "concat": true,
	"distinct": true, "element": true, "flatten": true, "format": true, "formatlist": true,
	"join": true, "jsondecode": true, "jsonencode": true, "keys": true, "lookup": true,
	"merge": true, "one": true, "replace": true, "reverse": true, "setunion": true,
	"slice": true, "templatefile": true, "tolist": true, "tomap": true, "toset": true,
	"tostring": true, "trim": true, "trimprefix": true, "trimspace": true, "trimsuffix": true,
	"try": true, "can": true, "values": true, "zipmap": true, "nonsensitive": true,
	"sensitive": true, "split": true, "indent": true, "file": true, "fileexists": true,
	"dirname": true, "basename": true, "abspath": true, "pathexpand": true,
}

// baseFuncs are Terraform's functions, from go-cty's standard library where it has them with
// Terraform's semantics, written here where Terraform differs (replace with /regex/) or adds
// its own. Functions that read the clock, randomness, the network or files outside the
// working directory are unknown.
func (ev *evaluator) baseFuncs() map[string]function.Function {
	f := map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc, "log": stdlib.LogFunc,
		"max": stdlib.MaxFunc, "min": stdlib.MinFunc, "parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc,
		"signum": stdlib.SignumFunc,
		"chomp":  stdlib.ChompFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc,
		"regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc, "split": stdlib.SplitFunc,
		"strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc, "title": stdlib.TitleFunc,
		"trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc,
		"trimspace": stdlib.TrimSpaceFunc, "upper": stdlib.UpperFunc,
		"chunklist": stdlib.ChunklistFunc, "coalesce": stdlib.CoalesceFunc, "coalescelist": stdlib.CoalesceListFunc,
		"compact": stdlib.CompactFunc, "concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc,
		"distinct": stdlib.DistinctFunc, "element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc,
		"index": stdlib.IndexFunc, "keys": stdlib.KeysFunc, "length": stdlib.LengthFunc,
		"lookup": stdlib.LookupFunc, "merge": stdlib.MergeFunc, "range": stdlib.RangeFunc,
		"reverse": stdlib.ReverseListFunc, "setintersection": stdlib.SetIntersectionFunc,
		"setproduct": stdlib.SetProductFunc, "setsubtract": stdlib.SetSubtractFunc,
		"setunion": stdlib.SetUnionFunc, "slice": stdlib.SliceFunc, "sort": stdlib.SortFunc,
		"values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
		"csvdecode": stdlib.CSVDecodeFunc, "jsondecode": stdlib.JSONDecodeFunc, "jsonencode": stdlib.JSONEncodeFunc,
		"formatdate": stdlib.FormatDateFunc, "timeadd": stdlib.TimeAddFunc,
		"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)), "tonumber": stdlib.MakeToFunc(cty.Number),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tostring": stdlib.MakeToFunc(cty.String),
		"try": tryfunc.TryFunc, "can": tryfunc.CanFunc,
		"replace":      replaceFunc,
		"one":          oneFunc,
		"alltrue":      boolsFunc(true),
		"anytrue":      boolsFunc(false),
		"sum":          sumFunc,
		"startswith":   strPredFunc(strings.HasPrefix),
		"endswith":     strPredFunc(strings.HasSuffix),
		"strcontains":  strPredFunc(strings.Contains),
		"nonsensitive": identityFunc, "sensitive": identityFunc,
		"base64encode": strFunc(func(s string) (string, error) { return base64.StdEncoding.EncodeToString([]byte(s)), nil }),
		"base64decode": strFunc(func(s string) (string, error) {
			b, err := base64.StdEncoding.DecodeString(s)
			return string(b), err
		}),
		"urlencode":    strFunc(func(s string) (string, error) { return url.QueryEscape(s), nil }),
		"md5":          strFunc(func(s string) (string, error) { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]), nil }),
		"sha1":         strFunc(func(s string) (string, error) { h := sha1.Sum([]byte(s)); return hex.EncodeToString(h[:]), nil }),
		"sha256":       strFunc(func(s string) (string, error) { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]), nil }),
		"sha512":       strFunc(func(s string) (string, error) { h := sha512.Sum512([]byte(s)); return hex.EncodeToString(h[:]), nil }),
		"dirname":      strFunc(func(s string) (string, error) { return path.Dir(s), nil }),
		"basename":     strFunc(func(s string) (string, error) { return path.Base(s), nil }),
		"abspath":      strFunc(func(s string) (string, error) { return path.Clean(s), nil }),
		"pathexpand":   strFunc(func(s string) (string, error) { return s, nil }),
		"file":         ev.fileFunc(),
		"fileexists":   ev.fileExistsFunc(),
		"templatefile": ev.templateFileFunc(),
	}
	// Functions whose result is not a property of the configuration: always unknown.
	for _, name := range []string{"timestamp", "plantimestamp", "uuid", "uuidv5", "bcrypt", "filebase64",
		"filebase64sha256", "filebase64sha512", "filemd5", "filesha1", "filesha256", "filesha512", "fileset",
		"base64gzip", "base64sha256", "base64sha512", "cidrhost", "cidrnetmask", "cidrsubnet", "cidrsubnets",
		"rsadecrypt", "textdecodebase64", "textencodebase64", "yamldecode", "yamlencode", "transpose",
		"matchkeys", "type", "issensitive", "ephemeralasnull", "tfvars", "terraform::encode_tfvars"} {
		f[name] = unknownFunc(name)
	}
	for name, fn := range f {
		f[name] = symbolSafe(name, fn)
	}
	return f
}

// symbolSafe wraps a function so that one that is not textual returns an unknown value when an
// argument holds a symbol.
func symbolSafe(name string, fn function.Function) function.Function {
	if textual[name] {
		return fn
	}
	spec := &function.Spec{
		Params:   fn.Params(),
		VarParam: fn.VarParam(),
		Type: func(args []cty.Value) (cty.Type, error) {
			return fn.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
			for _, a := range args {
				if hasUnknown(a) {
					if retType == cty.String {
						// A string stays a string: a symbol named after the call, so a
						// document built with it keeps its structure.
						return cty.StringVal(callSymbol(name, args)), nil
					}
					return cty.UnknownVal(retType), nil
				}
			}
			return fn.Call(args)
		},
	}
	return function.New(spec)
}

// callSymbol is the symbol of a call whose result depends on a symbol: upper(var.subject).
func callSymbol(name string, args []cty.Value) string {
	parts := make([]string, len(args))
	for i, a := range args {
		a, _ = a.UnmarkDeep()
		switch {
		case !a.IsKnown():
			parts[i] = "?"
		case a.IsNull():
			parts[i] = "null"
		case a.Type() == cty.String:
			s := a.AsString()
			if snapshot.HasSymbol(s) {
				parts[i] = strings.NewReplacer(snapshot.SymbolOpen, "", snapshot.SymbolClose, "").Replace(s)
			} else {
				parts[i] = strconv.Quote(s)
			}
		default:
			parts[i] = a.Type().FriendlyName()
		}
	}
	s := name + "(" + strings.Join(parts, ", ") + ")"
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return snapshot.SymbolOpen + strings.ReplaceAll(s, ":", ".") + snapshot.SymbolClose
}

func unknownFunc(name string) function.Function {
	return function.New(&function.Spec{
		VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true},
		Type:     function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
			return cty.DynamicVal, nil
		},
	})
}

var identityFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true}},
	Type:   func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl:   func(args []cty.Value, _ cty.Type) (cty.Value, error) { return args[0], nil },
})

func strFunc(f func(string) (string, error)) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			s, err := f(args[0].AsString())
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			return cty.StringVal(s), nil
		},
	})
}

func strPredFunc(f func(s, x string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "x", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(f(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

// replaceFunc is Terraform's replace: a substring, or a regular expression when the pattern
// is written /.../ (with $1 for groups, as Go writes ${1}).
var replaceFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "substr", Type: cty.String}, {Name: "replace", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		s, sub, rep := args[0].AsString(), args[1].AsString(), args[2].AsString()
		if len(sub) > 1 && sub[0] == '/' && sub[len(sub)-1] == '/' {
			re, err := regexp.Compile(sub[1 : len(sub)-1])
			if err != nil {
				return cty.UnknownVal(cty.String), fmt.Errorf("invalid regular expression %s: %w", sub, err)
			}
			return cty.StringVal(re.ReplaceAllString(s, rep)), nil
		}
		return cty.StringVal(strings.ReplaceAll(s, sub, rep)), nil
	},
})

var oneFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty.IsListType() || ty.IsSetType():
			return ty.ElementType(), nil
		case ty.IsTupleType():
			if n := len(ty.TupleElementTypes()); n == 1 {
				return ty.TupleElementTypes()[0], nil
			}
			return cty.DynamicPseudoType, nil
		}
		return cty.NilType, errors.New("one() needs a list, set or tuple")
	},
	Impl: func(args []cty.Value, ret cty.Type) (cty.Value, error) {
		v := args[0]
		switch n := v.LengthInt(); n {
		case 0:
			return cty.NullVal(ret), nil
		case 1:
			it := v.ElementIterator()
			it.Next()
			_, e := it.Element()
			return e, nil
		default:
			return cty.NilVal, fmt.Errorf("one() needs at most one element, not %d", n)
		}
	},
})

func boolsFunc(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			for it := args[0].ElementIterator(); it.Next(); {
				_, e := it.Element()
				if e.IsNull() {
					continue
				}
				if e.True() != all {
					return cty.BoolVal(!all), nil
				}
			}
			return cty.BoolVal(all), nil
		},
	})
}

var sumFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Number)}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		total := cty.NumberIntVal(0)
		for it := args[0].ElementIterator(); it.Next(); {
			_, e := it.Element()
			total = total.Add(e)
		}
		return total, nil
	},
})

// readRepoFile reads a file named relative to the root module, refusing absolute paths and
// paths outside the working directory: a configuration must not make the scanner read the
// machine's files.
func (ev *evaluator) readRepoFile(name string) (string, string, error) {
	if path.IsAbs(name) || strings.HasPrefix(name, "~") {
		return "", "", fmt.Errorf("%s: only files under the working directory are read", name)
	}
	p := path.Clean(path.Join(ev.root.dir, name))
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", "", fmt.Errorf("%s: only files under the working directory are read", name)
	}
	data, err := ev.r.readFile(p)
	if err != nil {
		return "", "", err
	}
	return string(data), p, nil
}

func (ev *evaluator) fileFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			text, p, err := ev.readRepoFile(args[0].AsString())
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			ev.files = append(ev.files, &fileValue{text: text, file: p})
			return cty.StringVal(text).Mark(fileMark{id: len(ev.files) - 1}), nil
		},
	})
}

func (ev *evaluator) fileExistsFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			_, _, err := ev.readRepoFile(args[0].AsString())
			return cty.BoolVal(err == nil), nil
		},
	})
}

// templateFileFunc is templatefile: the template is a file under the working directory,
// rendered with the given variables and the same functions (templatefile itself excepted, as
// in Terraform).
func (ev *evaluator) templateFileFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "vars", Type: cty.DynamicPseudoType}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			text, p, err := ev.readRepoFile(args[0].AsString())
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			expr, diags := hclsyntax.ParseTemplate([]byte(text), p, hcl.InitialPos)
			if diags.HasErrors() {
				return cty.UnknownVal(cty.String), diags
			}
			vars := args[1]
			if !vars.IsWhollyKnown() && !vars.IsKnown() {
				return cty.UnknownVal(cty.String), nil
			}
			ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: map[string]function.Function{}}
			if !vars.IsNull() && (vars.Type().IsObjectType() || vars.Type().IsMapType()) {
				for it := vars.ElementIterator(); it.Next(); {
					k, v := it.Element()
					ctx.Variables[k.AsString()] = v
				}
			}
			for name, fn := range ev.funcs {
				if name != "templatefile" && !strings.HasPrefix(name, "jsonencode@") {
					ctx.Functions[name] = fn
				}
			}
			out, diags := expr.Value(ctx)
			if diags.HasErrors() {
				return cty.UnknownVal(cty.String), diags
			}
			out, _ = out.UnmarkDeep()
			if !out.IsKnown() || out.Type() != cty.String {
				return cty.UnknownVal(cty.String), nil
			}
			ev.files = append(ev.files, &fileValue{text: out.AsString(), file: p, rendered: true, lines: strings.Count(text, "\n") + 1})
			return out.Mark(fileMark{id: len(ev.files) - 1}), nil
		},
	})
}

// jsonencodeAt is jsonencode at one call site: the result carries a mark naming the site's
// argument, so the document parsed from it is located in the configuration.
func (in *instance) jsonencodeAt(arg hclsyntax.Expression) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "val", Type: cty.DynamicPseudoType, AllowNull: true, AllowDynamicType: true}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			// Values known only after apply become symbols, so that the document keeps its
			// shape and what is known in it is judged.
			line := arg.Range().Start.Line
			v, err := cty.Transform(args[0], func(_ cty.Path, x cty.Value) (cty.Value, error) {
				if x.IsKnown() {
					return x, nil
				}
				return cty.StringVal(in.ev.symbol(fmt.Sprintf("value known after apply in jsonencode at line %d", line), reasonUnknown)), nil
			})
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			out, err := stdlib.JSONEncodeFunc.Call([]cty.Value{v})
			if err != nil || !out.IsKnown() {
				return out, err
			}
			ev := in.ev
			ev.jsons = append(ev.jsons, &jsonValue{text: out.AsString(), arg: arg, in: in})
			return out.Mark(jsonMark{id: len(ev.jsons) - 1}), nil
		},
	})
}

// symbolSafeOps replaces the == and != operators of a parsed file with ones that give an
// unknown result when an operand holds a symbol: a symbol is not equal to any real value, but
// whether the value it stands for is, nobody knows before apply.
func symbolSafeOps(body hclsyntax.Node) {
	eq := &hclsyntax.Operation{Impl: symbolSafe("==", stdlib.EqualFunc), Type: cty.Bool}
	ne := &hclsyntax.Operation{Impl: symbolSafe("!=", stdlib.NotEqualFunc), Type: cty.Bool}
	hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		if b, ok := n.(*hclsyntax.BinaryOpExpr); ok {
			switch b.Op {
			case hclsyntax.OpEqual:
				b.Op = eq
			case hclsyntax.OpNotEqual:
				b.Op = ne
			}
		}
		return nil
	})
}
