package eval

import (
	"encoding/json"
	"io"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// forbidden reports whether a builtin is withheld from rules. Rules must be hermetic: the same
// snapshot gives the same findings on any machine, offline. So no network (http.send and every
// net.* builtin, as the rule contract says, even the pure CIDR helpers), no view of the process
// environment (opa.runtime), no randomness (rand.intn, uuid.rfc4122), and no file system:
// json.match_schema and json.verify_schema load a schema's "$ref" from the local file system
// (file:// refs are not subject to the allow_net capability, only http ones are).
//
// time.now_ns stays: Evaluate pins it with rego.EvalTime to the snapshot's generated_at (or the
// injected clock), so it is as deterministic as input.generated_at.
func forbidden(name string) bool {
	switch name {
	case "http.send", "opa.runtime", "rand.intn", "uuid.rfc4122", "json.match_schema", "json.verify_schema":
		return true
	}
	return strings.HasPrefix(name, "net.")
}

// Capabilities returns the OPA capabilities that built-in and user rules are compiled with: those
// of the linked OPA version minus the forbidden builtins, plus the custom built-ins (builtins.go),
// and no network hosts. A rule calling a withheld builtin fails to compile with "undefined
// function", naming its file and line.
func Capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = slices.DeleteFunc(caps.Builtins, func(b *ast.Builtin) bool { return forbidden(b.Name) })
	for _, b := range builtins {
		caps.Builtins = append(caps.Builtins, b.decl)
	}
	caps.AllowNet = []string{}
	return caps
}

// WriteCapabilities writes Capabilities as indented JSON, builtins sorted by name: the
// capabilities file that opa check --capabilities, opa fmt, Regal and editor plugins read, so
// that they know the custom built-ins and reject the withheld ones as a scan does.
func WriteCapabilities(w io.Writer) error {
	caps := Capabilities()
	slices.SortFunc(caps.Builtins, func(a, b *ast.Builtin) int { return strings.Compare(a.Name, b.Name) })
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(caps)
}
