// Package terraform reads Terraform configurations into snapshot items: IAM roles with their trust
// and permission documents, managed policies, IAM OIDC providers, EKS clusters, Kubernetes
// ServiceAccounts and EKS Pod Identity associations, each located at its HCL block, and the
// plan JSON of `terraform show -json` (plan.go).
//
// A folder with .tf (or .tf.json) files is one module. A root module is evaluated the way
// Terraform plans it, without providers or state: variables (defaults, terraform.tfvars,
// *.auto.tfvars and -var-file equivalents), locals, count, for_each and dynamic blocks, local
// modules and those in the .terraform/modules cache, the Terraform functions that do not touch
// the outside world, and the data sources and resources that shape IAM
// (aws_iam_policy_document, aws_caller_identity, aws_partition, aws_region, ...). The common
// registry modules that are not on disk (terraform-aws-modules/iam's IRSA modules, and
// terraform-aws-modules/eks) are evaluated from rewrites embedded in the binary (modules/).
//
// Values Terraform knows only after apply (a role's ARN, a cluster's issuer, the account id)
// become symbols: strings written «...» that stand for one unknown value each (see
// snapshot.SymbolOpen). They flow through string functions and templates as text, so a trust
// condition key built from a cluster's issuer is "«aws_eks_cluster.main.oidc_issuer»:sub", and
// the same symbol names the issuer in the provider's ARN. Anything that would decide on a symbol
// (a comparison, a count, length) becomes unknown instead, never a guess. The values the rules
// cannot judge are listed in the snapshot's not_judged with their location.
package terraform

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// FS is what the reader needs from a file system. Names use "/" separators.
type FS interface {
	ReadDir(name string) ([]fs.DirEntry, error)
	ReadFile(name string) ([]byte, error)
}

// IsConfigFile reports whether a file name is a Terraform configuration file.
func IsConfigFile(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json")
}

// IsAutoVarsFile reports whether Terraform loads a variables file of a root module by itself:
// terraform.tfvars, terraform.tfvars.json and *.auto.tfvars(.json).
func IsAutoVarsFile(name string) bool {
	return name == "terraform.tfvars" || name == "terraform.tfvars.json" ||
		strings.HasSuffix(name, ".auto.tfvars") || strings.HasSuffix(name, ".auto.tfvars.json")
}

// IsVarsFile reports whether a file name is a Terraform variables file.
func IsVarsFile(name string) bool {
	return strings.HasSuffix(name, ".tfvars") || strings.HasSuffix(name, ".tfvars.json")
}

// module is one parsed module folder.
type module struct {
	dir       string // path in its FS
	display   string // folder as reported
	files     []string
	variables []*variable
	locals    map[string]*hcl.Attribute
	outputs   map[string]*hcl.Attribute
	resources []*resource
	calls     []*call
	providers []*hcl.Block // provider "aws" blocks
	diags     hcl.Diagnostics
	// sites are the jsonencode call sites, by the name prepare gave them.
	sites map[string]hclsyntax.Expression
	// embedded is set for the registry rewrites in modules/: their locations are replaced with
	// the caller's module block.
	embedded bool
}

type variable struct {
	name  string
	block *hcl.Block
	def   hcl.Expression // nil without default
	typ   hcl.Expression // nil without type
}

// resource is a resource or data block.
type resource struct {
	mode    string // "resource" or "data"
	typ     string
	name    string
	block   *hcl.Block
	body    hcl.Body
	count   hcl.Expression
	forEach hcl.Expression
	// key is "type.name" for resources, "data.type.name" for data sources.
	key string
}

// call is a module block.
type call struct {
	name    string
	block   *hcl.Block
	source  string
	version string
	body    hcl.Body
	count   hcl.Expression
	forEach hcl.Expression
	inputs  map[string]*hcl.Attribute
}

var rootSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "provider", LabelNames: []string{"name"}},
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "terraform"},
	{Type: "moved"},
	{Type: "import"},
	{Type: "removed"},
	{Type: "check", LabelNames: []string{"name"}},
	{Type: "ephemeral", LabelNames: []string{"type", "name"}},
}}

var variableSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "default"}, {Name: "type"}, {Name: "description"}, {Name: "sensitive"}, {Name: "nullable"}, {Name: "ephemeral"},
}, Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}}}

var metaSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "count"}, {Name: "for_each"}, {Name: "source"}, {Name: "version"}, {Name: "provider"}, {Name: "providers"}, {Name: "depends_on"},
}}

// parseModule reads the configuration files of one folder. Files are read in name order;
// override files (override.tf, *_override.tf) are read but not merged, as they are rare in
// the repositories a pull-request gate sees.
func parseModule(fsys FS, dir, display string, maxSize int64) (*module, error) {
	entries, err := fsys.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read module folder %s: %w", display, err)
	}
	m := &module{dir: dir, display: display, locals: map[string]*hcl.Attribute{}, outputs: map[string]*hcl.Attribute{}}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && IsConfigFile(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	for _, n := range names {
		p := path.Join(dir, n)
		disp := joinDisplay(display, n)
		data, err := fsys.ReadFile(p)
		if err != nil {
			m.diags = append(m.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("cannot read: %v", err), Subject: &hcl.Range{Filename: disp}})
			continue
		}
		if maxSize > 0 && int64(len(data)) > maxSize {
			m.diags = append(m.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("file is %d bytes, over the %d-byte size limit", len(data), maxSize), Subject: &hcl.Range{Filename: disp}})
			continue
		}
		m.files = append(m.files, disp)
		m.addFile(data, disp)
	}
	return m, nil
}

func joinDisplay(dir, name string) string {
	if dir == "" || dir == "." {
		return name
	}
	return dir + "/" + name
}

// maxNesting bounds the nesting of brackets in a configuration file: HCL's parser recurses
// once per level, and a file of a few megabytes of "[" would exhaust the stack.
const maxNesting = 512

// nestingError returns where a file nests brackets deeper than maxNesting (strings and
// comments included: no real configuration comes near), or nil.
func nestingError(data []byte, disp string) *hcl.Diagnostic {
	depth, line, col := 0, 1, 0
	for _, c := range data {
		col++
		switch c {
		case '\n':
			line, col = line+1, 0
		case '(', '[', '{':
			depth++
			if depth > maxNesting {
				return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("brackets nested deeper than %d levels", maxNesting),
					Subject: &hcl.Range{Filename: disp, Start: hcl.Pos{Line: line, Column: col}, End: hcl.Pos{Line: line, Column: col}}}
			}
		case ')', ']', '}':
			depth = max(depth-1, 0)
		}
	}
	return nil
}

func (m *module) addFile(data []byte, disp string) {
	if d := nestingError(data, disp); d != nil {
		m.diags = append(m.diags, d)
		return
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(disp, ".json") {
		f, diags = hcljson.Parse(data, disp)
	} else {
		f, diags = hclsyntax.ParseConfig(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), disp, hcl.InitialPos)
	}
	m.diags = append(m.diags, diags...)
	if f == nil || f.Body == nil {
		return
	}
	content, _, diags := f.Body.PartialContent(rootSchema)
	m.diags = append(m.diags, diags...)
	for _, b := range content.Blocks {
		switch b.Type {
		case "variable":
			m.addVariable(b)
		case "locals":
			attrs, diags := b.Body.JustAttributes()
			m.diags = append(m.diags, diags...)
			for name, a := range attrs {
				if prev := m.locals[name]; prev != nil {
					m.diags = append(m.diags, duplicate("local value", name, a.NameRange, prev.NameRange))
					continue
				}
				m.locals[name] = a
			}
		case "output":
			attrs, _ := b.Body.JustAttributes()
			if v := attrs["value"]; v != nil {
				m.outputs[b.Labels[0]] = v
			}
		case "provider":
			if b.Labels[0] == "aws" {
				m.providers = append(m.providers, b)
			}
		case "resource", "data":
			m.addResource(b)
		case "module":
			m.addCall(b)
		}
	}
}

func duplicate(what, name string, at, first hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("duplicate %s %q (first at line %d)", what, name, first.Start.Line), Subject: at.Ptr()}
}

func (m *module) addVariable(b *hcl.Block) {
	content, _, diags := b.Body.PartialContent(variableSchema)
	m.diags = append(m.diags, diags...)
	v := &variable{name: b.Labels[0], block: b}
	if a := content.Attributes["default"]; a != nil {
		v.def = a.Expr
	}
	if a := content.Attributes["type"]; a != nil {
		v.typ = a.Expr
	}
	for _, prev := range m.variables {
		if prev.name == v.name {
			m.diags = append(m.diags, duplicate("variable", v.name, b.DefRange, prev.block.DefRange))
			return
		}
	}
	m.variables = append(m.variables, v)
}

func (m *module) addResource(b *hcl.Block) {
	r := &resource{mode: b.Type, typ: b.Labels[0], name: b.Labels[1], block: b, body: b.Body}
	r.key = r.typ + "." + r.name
	if r.mode == "data" {
		r.key = "data." + r.key
	}
	meta, _, _ := b.Body.PartialContent(metaSchema)
	if a := meta.Attributes["count"]; a != nil {
		r.count = a.Expr
	}
	if a := meta.Attributes["for_each"]; a != nil {
		r.forEach = a.Expr
	}
	for _, prev := range m.resources {
		if prev.key == r.key {
			m.diags = append(m.diags, duplicate(b.Type, r.key, b.DefRange, prev.block.DefRange))
			return
		}
	}
	m.resources = append(m.resources, r)
}

func (m *module) addCall(b *hcl.Block) {
	c := &call{name: b.Labels[0], block: b, body: b.Body, inputs: map[string]*hcl.Attribute{}}
	attrs, diags := b.Body.JustAttributes()
	// JustAttributes complains about nested blocks (none are legal in a module block but
	// lifecycle-like ones); the attributes it returns are still good.
	_ = diags
	for name, a := range attrs {
		switch name {
		case "source":
			if v, d := a.Expr.Value(nil); !d.HasErrors() && v.Type().FriendlyName() == "string" && v.IsKnown() && !v.IsNull() {
				c.source = v.AsString()
			} else {
				m.diags = append(m.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "module source must be a literal string", Subject: a.Expr.Range().Ptr()})
			}
		case "version":
			if v, d := a.Expr.Value(nil); !d.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type().FriendlyName() == "string" {
				c.version = v.AsString()
			}
		case "count":
			c.count = a.Expr
		case "for_each":
			c.forEach = a.Expr
		case "providers", "depends_on":
		default:
			c.inputs[name] = a
		}
	}
	for _, prev := range m.calls {
		if prev.name == c.name {
			m.diags = append(m.diags, duplicate("module", c.name, b.DefRange, prev.block.DefRange))
			return
		}
	}
	m.calls = append(m.calls, c)
}

// localSource reports whether a module source is a local path.
func localSource(src string) bool {
	return strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../") || src == "." || src == ".."
}
