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
)

// toValue converts a Go value of the snapshot and permissions models to the ast.Value of its
// JSON form: exactly what json.Marshal, a decode with numbers kept as json.Number and
// ast.InterfaceToValue give (TestToValueMatchesJSON holds it to that), without the text in
// between. For a large estate the round trip cost as much as the rules that read its result.
//
// It supports what those models use: structs with json tags (omitempty), pointers, slices,
// maps with string keys, strings, booleans, integers and interface values holding them.
func toValue(v any) (ast.Value, error) {
	return valueOf(reflect.ValueOf(v))
}

func valueOf(v reflect.Value) (ast.Value, error) {
	switch v.Kind() {
	case reflect.Invalid:
		return ast.NullValue, nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.NullValue, nil
		}
		return valueOf(v.Elem())
	case reflect.String:
		return ast.String(validString(v.String())), nil
	case reflect.Bool:
		return ast.Boolean(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ast.Number(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return ast.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		// Rare in these models: let encoding/json choose the text.
		b, err := json.Marshal(v.Interface())
		if err != nil {
			return nil, err
		}
		return ast.Number(b), nil
	case reflect.Slice:
		if v.IsNil() {
			return ast.NullValue, nil
		}
		fallthrough
	case reflect.Array:
		terms := make([]*ast.Term, v.Len())
		for i := range terms {
			x, err := valueOf(v.Index(i))
			if err != nil {
				return nil, err
			}
			terms[i] = ast.NewTerm(x)
		}
		return ast.NewArray(terms...), nil
	case reflect.Map:
		if v.IsNil() {
			return ast.NullValue, nil
		}
		if v.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("map key type %s", v.Type().Key())
		}
		keys := v.MapKeys()
		// The order does not change the object, but keeps the work deterministic.
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		terms := make([][2]*ast.Term, 0, len(keys))
		for _, k := range keys {
			x, err := valueOf(v.MapIndex(k))
			if err != nil {
				return nil, err
			}
			terms = append(terms, [2]*ast.Term{ast.StringTerm(validString(k.String())), ast.NewTerm(x)})
		}
		return ast.NewObject(terms...), nil
	case reflect.Struct:
		fields := fieldsOf(v.Type())
		terms := make([][2]*ast.Term, 0, len(fields))
		for _, f := range fields {
			fv := v.Field(f.index)
			if f.omitEmpty && isEmpty(fv) {
				continue
			}
			x, err := valueOf(fv)
			if err != nil {
				return nil, err
			}
			terms = append(terms, [2]*ast.Term{f.key, ast.NewTerm(x)})
		}
		return ast.NewObject(terms...), nil
	}
	return nil, fmt.Errorf("cannot convert %s", v.Type())
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
	key       *ast.Term
	omitEmpty bool
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
			key:       ast.StringTerm(name),
			omitEmpty: slices.Contains(strings.Split(opts, ","), "omitempty"),
		})
	}
	fieldCache.Store(t, fields)
	return fields
}
