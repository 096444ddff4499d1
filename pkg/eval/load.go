package eval

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
)

// Rule ids are stable names that users put in --rule, --skip-rule and suppression lists.
var (
	// builtinID is the id pattern of built-in rules.
	builtinID = regexp.MustCompile(`^IRSA-[0-9]{3}$`)
	// userID is the id pattern of --policy rules: an upper-case prefix, a dash, and upper-case
	// letters, digits and dashes (ACME-001, SEC-K8S-7). The IRSA- prefix is reserved for
	// built-in rules, so that a future built-in rule can never collide with a user rule.
	userID = regexp.MustCompile(`^[A-Z][A-Z0-9]*-[A-Z0-9-]+$`)
)

// module is one parsed Rego file.
type module struct {
	file    string // as shown in errors: "policies/trust/x.rego" or the path under --policy
	module  *ast.Module
	builtin bool
}

// rule is a findings.Rule with the package path (a ref starting with data) that implements it.
type rule struct {
	findings.Rule
	path ast.Ref
}

// builtinPrefix is put in front of embedded file names so that errors say where a built-in
// rule lives in the source tree.
const builtinPrefix = "policies/"

// loadBuiltin parses every rule and library in fsys, skipping the *_test.rego files.
func loadBuiltin(fsys fs.FS, caps *ast.Capabilities) ([]module, error) {
	var mods []module
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !isRule(p) {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := builtinPrefix + p
		m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{
			Capabilities:      caps,
			ProcessAnnotation: true,
			RegoVersion:       ast.RegoV1,
		})
		if err != nil {
			return err
		}
		mods = append(mods, module{file: name, module: m, builtin: true})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load built-in rules: %w", err)
	}
	return mods, nil
}

// loadUser loads the user rules of dirs with OPA's loader (Rego v1), skipping everything but
// rule files.
func loadUser(dirs []string, caps *ast.Capabilities) ([]module, error) {
	if len(dirs) == 0 {
		return nil, nil
	}
	res, err := loader.NewFileLoader().
		WithProcessAnnotation(true).
		WithCapabilities(caps).
		WithRegoVersion(ast.RegoV1).
		Filtered(dirs, func(_ string, info fs.FileInfo, _ int) bool {
			return !info.IsDir() && !isRule(info.Name())
		})
	if err != nil {
		return nil, fmt.Errorf("load --policy rules: %w", err)
	}
	mods := make([]module, 0, len(res.Modules))
	for _, f := range res.Modules {
		mods = append(mods, module{file: f.Name, module: f.Parsed})
	}
	slices.SortFunc(mods, func(a, b module) int { return strings.Compare(a.file, b.file) })
	for _, m := range mods {
		if err := checkUser(m); err != nil {
			return nil, err
		}
	}
	return mods, nil
}

// reservedRoot is the first segment of the packages of the built-in rules and libraries.
const reservedRoot = "irsa_audit"

// checkUser refuses what a user module must not do (the sandbox, docs/architecture.md):
//
//   - a package under irsa_audit: a module of any package there can add to the virtual
//     documents of built-in rules and libraries with a dotted rule head (package
//     irsa_audit.rules.trust with wildcard_subject.deny contains ...), forging or silencing
//     built-in findings;
//   - a METADATA schema with a $ref: OPA's schema loader reads file:// refs from the file system
//     and http(s) refs from the network when it type-checks with annotations.
func checkUser(m module) error {
	path := m.module.Package.Path
	if len(path) > 1 && path[1].Value.Compare(ast.String(reservedRoot)) == 0 {
		return fmt.Errorf("%s: package %s: the irsa_audit namespace is reserved for the built-in rules and libraries; use a package of your own (e.g. acme.rules.<name>)",
			locString(m.file, m.module.Package.Location), strings.TrimPrefix(path.String(), "data."))
	}
	for _, a := range m.module.Annotations {
		for _, s := range a.Schemas {
			if s.Definition != nil && hasRef(*s.Definition) {
				return fmt.Errorf("%s: METADATA schema for %s has a $ref: rules may not read schemas from files or the network; write the schema inline",
					locString(m.file, a.Location), s.Path)
			}
		}
	}
	return nil
}

// hasRef reports whether a JSON schema has a "$ref" key at any depth.
func hasRef(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k == "$ref" || hasRef(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if hasRef(x) {
				return true
			}
		}
	}
	return false
}

// isRule reports whether a file name is a Rego rule or library rather than a rule test.
func isRule(name string) bool {
	return path.Ext(name) == ".rego" && !strings.HasSuffix(name, "_test.rego")
}

// pkgInfo gathers what the modules of one Rego package say about it.
type pkgInfo struct {
	path     ast.Ref
	builtin  bool
	files    []string
	deny     *ast.Rule // first deny rule seen
	denyFile string
	meta     *ast.Annotations // package-scope METADATA
	metaFile string
}

// collectRules groups the modules by package, checks the contract of every package that defines
// deny and decodes its METADATA. The result is in no particular order.
func collectRules(mods []module) ([]rule, error) {
	pkgs := map[string]*pkgInfo{}
	var order []string
	for _, m := range mods {
		key := m.module.Package.Path.String()
		p := pkgs[key]
		if p == nil {
			p = &pkgInfo{path: m.module.Package.Path, builtin: m.builtin}
			pkgs[key] = p
			order = append(order, key)
		}
		if p.builtin && !m.builtin {
			return nil, fmt.Errorf("%s: package %s belongs to a built-in rule or library (%s); use a package of your own",
				m.file, strings.TrimPrefix(key, "data."), p.files[0])
		}
		p.files = append(p.files, m.file)
		for _, a := range m.module.Annotations {
			if a.Scope != "package" {
				continue
			}
			if p.meta != nil {
				return nil, fmt.Errorf("%s: package %s already has METADATA in %s",
					locString(m.file, a.Location), strings.TrimPrefix(key, "data."), locString(p.metaFile, p.meta.Location))
			}
			p.meta, p.metaFile = a, m.file
		}
		for _, r := range m.module.Rules {
			ref := r.Head.Ref()
			if len(ref) == 0 || !ref[0].Equal(ast.VarTerm("deny")) {
				continue
			}
			if len(ref) != 1 || r.Head.RuleKind() != ast.MultiValue {
				return nil, fmt.Errorf("%s: deny must be a set rule: deny contains finding if { ... }", locString(m.file, r.Location))
			}
			if p.deny == nil {
				p.deny, p.denyFile = r, m.file
			}
		}
	}

	var rules []rule
	seen := map[string]string{} // id -> file that defines it
	for _, key := range order {
		p := pkgs[key]
		if p.deny == nil {
			if p.meta != nil && p.meta.Custom["id"] != nil {
				// Most likely a rule whose set is misnamed (violation, warn): it would never run.
				return nil, fmt.Errorf("%s: package %s has a METADATA custom.id but no deny rule",
					locString(p.metaFile, p.meta.Location), strings.TrimPrefix(key, "data."))
			}
			continue // a library or helper package
		}
		r, err := decodeMeta(p)
		if err != nil {
			return nil, err
		}
		if prev, ok := seen[r.ID]; ok {
			return nil, fmt.Errorf("%s: rule id %s is already used by %s", p.metaFile, r.ID, prev)
		}
		if !r.Builtin && strings.HasPrefix(r.ID, "IRSA-") {
			return nil, fmt.Errorf("%s: rule id %s: the IRSA- prefix is reserved for built-in rules", p.metaFile, r.ID)
		}
		seen[r.ID] = p.metaFile
		rules = append(rules, r)
	}
	return rules, nil
}

// decodeMeta turns a rule package's METADATA into a rule, refusing what breaks the contract.
func decodeMeta(p *pkgInfo) (rule, error) {
	if p.meta == nil {
		return rule{}, fmt.Errorf("%s: package %s defines deny but has no package-scope METADATA with custom.id",
			locString(p.denyFile, p.deny.Location), strings.TrimPrefix(p.path.String(), "data."))
	}
	where := locString(p.metaFile, p.meta.Location)
	custom := func(key string) (string, error) {
		v, ok := p.meta.Custom[key]
		if !ok {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%s: custom.%s must be a string, not %T", where, key, v)
		}
		return strings.TrimSpace(s), nil
	}
	r := rule{path: p.path}
	r.Package = strings.TrimPrefix(p.path.String(), "data.")
	r.Builtin = p.builtin
	r.Title = strings.TrimSpace(p.meta.Title)
	r.Description = strings.TrimSpace(p.meta.Description)
	for _, rr := range p.meta.RelatedResources {
		if rr != nil && strings.EqualFold(rr.Description, "documentation") {
			r.DocURL = rr.Ref.String()
			break
		}
	}
	var sev string
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"id", &r.ID},
		{"severity", &sev},
		{"recommended_action", &r.RecommendedAction},
		{"bad_example", &r.BadExample},
		{"good_example", &r.GoodExample},
	} {
		v, err := custom(f.key)
		if err != nil {
			return rule{}, err
		}
		*f.dst = v
	}
	// Examples keep their inner indentation; only the trailing newlines of a YAML block go.
	r.BadExample = trimExample(p.meta.Custom["bad_example"])
	r.GoodExample = trimExample(p.meta.Custom["good_example"])

	switch {
	case r.ID == "":
		return rule{}, fmt.Errorf("%s: package %s defines deny but its METADATA has no custom.id", where, r.Package)
	case p.builtin && !builtinID.MatchString(r.ID):
		return rule{}, fmt.Errorf("%s: built-in rule id %q does not match %s", where, r.ID, builtinID)
	case !p.builtin && !userID.MatchString(r.ID):
		return rule{}, fmt.Errorf("%s: rule id %q does not match %s (e.g. ACME-001)", where, r.ID, userID)
	case r.Title == "":
		return rule{}, fmt.Errorf("%s: rule %s has no title", where, r.ID)
	case sev == "":
		return rule{}, fmt.Errorf("%s: rule %s has no custom.severity", where, r.ID)
	}
	s, err := findings.ParseSeverity(sev)
	if err != nil {
		return rule{}, fmt.Errorf("%s: rule %s: %w", where, r.ID, err)
	}
	r.Severity = s
	return r, nil
}

// trimExample drops the trailing newlines that a YAML block scalar leaves; the type was
// checked by decodeMeta.
func trimExample(v any) string {
	s, _ := v.(string)
	return strings.TrimRight(s, "\n")
}

// locString renders "file:line" when the line is known.
func locString(file string, loc *ast.Location) string {
	if loc == nil || loc.Row == 0 {
		return file
	}
	return fmt.Sprintf("%s:%d", file, loc.Row)
}
