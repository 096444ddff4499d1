package eval

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// toValue converts a Go value of the snapshot and permissions models to the ast.Value of its
// JSON form without the locations: exactly what json.Marshal, a decode with numbers kept as
// json.Number and ast.InterfaceToValue give once every snapshot.Location field ("loc",
// "role_arn_loc") is dropped (TestToValueMatchesJSON holds it to that), without the text in
// between. For a large estate the round trip cost as much as the rules that read its result.
//
// Locations are left out because rules judge content, never positions (a message must not
// carry one; the evaluator locates findings in the snapshot itself, see locator), and because
// they were the biggest part of the input: one object per ServiceAccount, role, statement and
// condition, 90 MB of OPA objects for 100,000 ServiceAccounts.
//
// It supports what those models use: structs with json tags (omitempty), pointers, slices,
// maps with string keys, strings, booleans, integers and interface values holding them.
func toValue(v any) (ast.Value, error) {
	var c converter
	t, err := c.term(reflect.ValueOf(v))
	if err != nil {
		return nil, err
	}
	return t.Value, nil
}

// converter holds what one conversion reuses: a stack of object items (an object copies its
// items, so the slice serves every object of the document), and the terms of the map keys met so
// far, shared by every occurrence (terms are immutable once built; annotation and tag keys repeat
// in every object of their kind). Other strings are not shared: looking each one up costs more
// than building it.
type converter struct {
	items [][2]*ast.Term
	keys  map[string]*ast.Term
}

var locationType = reflect.TypeFor[snapshot.Location]()

func (c *converter) key(s string) *ast.Term {
	if t, ok := c.keys[s]; ok {
		return t
	}
	if c.keys == nil {
		c.keys = map[string]*ast.Term{}
	}
	t := ast.StringTerm(validString(s))
	c.keys[s] = t
	return t
}

func (c *converter) term(v reflect.Value) (*ast.Term, error) {
	switch v.Kind() {
	case reflect.Invalid:
		return ast.NullTerm(), nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.NullTerm(), nil
		}
		return c.term(v.Elem())
	case reflect.String:
		return ast.StringTerm(validString(v.String())), nil
	case reflect.Bool:
		return ast.InternedTerm(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ast.InternedTerm(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return ast.NumberTerm(json.Number(strconv.FormatUint(v.Uint(), 10))), nil
	case reflect.Float32, reflect.Float64:
		// Rare in these models: let encoding/json choose the text.
		b, err := json.Marshal(v.Interface())
		if err != nil {
			return nil, err
		}
		return ast.NumberTerm(json.Number(b)), nil
	case reflect.Slice:
		if v.IsNil() {
			return ast.NullTerm(), nil
		}
		fallthrough
	case reflect.Array:
		terms := make([]*ast.Term, v.Len())
		for i := range terms {
			x, err := c.term(v.Index(i))
			if err != nil {
				return nil, err
			}
			terms[i] = x
		}
		return ast.ArrayTerm(terms...), nil
	case reflect.Map:
		if v.IsNil() {
			return ast.NullTerm(), nil
		}
		if v.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("map key type %s", v.Type().Key())
		}
		keys := v.MapKeys()
		// The order does not change the object, but keeps the work deterministic.
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		start := len(c.items)
		for _, k := range keys {
			x, err := c.term(v.MapIndex(k))
			if err != nil {
				return nil, err
			}
			c.items = append(c.items, [2]*ast.Term{c.key(k.String()), x})
		}
		return c.object(start), nil
	case reflect.Struct:
		return c.structure(v)
	}
	return nil, fmt.Errorf("cannot convert %s", v.Type())
}

// structure converts a struct as encoding/json sees it.
func (c *converter) structure(v reflect.Value) (*ast.Term, error) {
	start := len(c.items)
	for _, f := range fieldsOf(v.Type()) {
		fv := v.Field(f.index)
		if f.location || f.omitEmpty && isEmpty(fv) {
			continue
		}
		x, err := c.term(fv)
		if err != nil {
			return nil, err
		}
		c.items = append(c.items, [2]*ast.Term{f.key, x})
	}
	return c.object(start), nil
}

// object builds the object of the items from start on and pops them.
func (c *converter) object(start int) *ast.Term {
	t := ast.ObjectTerm(c.items[start:]...)
	clear(c.items[start:])
	c.items = c.items[:start]
	return t
}

// validString replaces every invalid UTF-8 byte with U+FFFD, as encoding/json does.
func validString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s { // an invalid byte comes out as utf8.RuneError, one per byte
		b.WriteRune(r)
	}
	return b.String()
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// field is an exported struct field as encoding/json sees it.
type field struct {
	index     int
	name      string
	key       *ast.Term
	omitEmpty bool
	// location is set for the snapshot.Location fields, which toValue leaves out.
	location bool
}

var fieldCache sync.Map // reflect.Type -> []field

func fieldsOf(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	var fields []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Anonymous {
			// The models have neither unexported nor embedded fields that encoding/json would
			// show; refuse to guess if one appears (TestToValueMatchesJSON would fail).
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		fields = append(fields, field{
			index:     i,
			name:      name,
			location:  sf.Type == locationType || sf.Type == reflect.PointerTo(locationType),
			key:       ast.StringTerm(name),
			omitEmpty: slices.Contains(strings.Split(opts, ","), "omitempty"),
		})
	}
	fieldCache.Store(t, fields)
	return fields
}
