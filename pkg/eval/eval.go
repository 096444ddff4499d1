// Package eval runs the Rego rules of irsa-audit over a snapshot.
//
// New loads the built-in rules (embedded in package policies) and the user rules of
// Options.PolicyDirs, decodes each rule's package-scope METADATA into a findings.Rule, compiles
// every module once with hermetic capabilities and prepares one query that reads the deny set of
// every selected rule. Evaluate then runs that prepared query over a snapshot and turns each deny
// element into a located, fingerprinted findings.Finding.
//
// The rule contract is in docs/architecture.md; docs/custom-rules.md documents it for --policy
// users.
package eval

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/irsa-audit/irsa-audit/pkg/findings"
	"github.com/irsa-audit/irsa-audit/pkg/iamcatalog"
	"github.com/irsa-audit/irsa-audit/pkg/permissions"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/trust"
	"github.com/irsa-audit/irsa-audit/policies"
)

// Options configures an Engine.
type Options struct {
	// PolicyDirs are directories (or single .rego files) of user rules, as given with --policy.
	// Every .rego file below them is loaded, except *_test.rego files, which are rule tests.
	// Other files (data documents, READMEs) are ignored.
	PolicyDirs []string
	// Include, when not empty, selects only these rule ids (--rule); Exclude drops rule ids
	// (--skip-rule). Ids are matched case-insensitively; an id that names no rule is an error.
	Include, Exclude []string
	// Now is the clock used as the evaluation time (what time.now_ns returns inside rules) when
	// a snapshot has no generated_at. Nil means time.Now.
	Now func() time.Time
	// AllRoles makes the permission analysis judge every role (--all-roles), not only those a
	// workload identity can assume (see permissions.Options and Engine.NotChecked).
	AllRoles bool

	// builtin replaces policies.FS; tests use it to run the evaluator over small rule sets.
	builtin fs.FS
	// noEarly evaluates every rule group over the whole input, after it is built; tests compare
	// it with the early start of the ServiceAccount rules (see Evaluate).
	noEarly bool
}

// Engine holds the compiled rules and the prepared queries. It is safe for concurrent use.
type Engine struct {
	rules []findings.Rule // selected, sorted by id
	// vars[i] is the query variable bound to the deny set of rules[i].
	vars []string
	// queries are the prepared queries, one per rule group (see ruleGroup); empty when no
	// rule is selected.
	queries []query
	now     func() time.Time
	// perm says which roles the permission analysis judges.
	perm permissions.Options
	// permRules is true when a selected rule is a built-in permission rule.
	permRules bool
	// judged remembers, for the snapshot last evaluated, which roles the permission analysis
	// judged, so that NotChecked does not run the trust analysis again for the report.
	judged atomic.Pointer[judgedRoles]
}

// judgedRoles says which roles of snap the permission analysis judged.
type judgedRoles struct {
	snap  *snapshot.Snapshot
	roles []bool
}

// query is a prepared query over the deny sets of some of the selected rules.
type query struct {
	prepared rego.PreparedEvalQuery
	rules    []int // indexes into Engine.rules and Engine.vars
	// group is the rule group (ruleGroup); groupWhole when Options.noEarly.
	group int
}

// Rule groups: each is evaluated by one prepared query, concurrently with the others, and
// starts as soon as the part of the input its rules read is built (see Evaluate).
const (
	// groupWhole: the built-in permission and workload rules, and every user rule (a custom
	// rule gets the whole input whatever its package); they start once the input is whole.
	groupWhole = iota
	// groupEarly: the built-in cross-resource rules over ServiceAccounts and role bindings
	// (lib/bindings); they read neither input.permissions nor lib/irsa's entries.
	groupEarly
	// groupTrust: the built-in trust rules (lib/irsa); they read lib/irsa's entries but not
	// input.permissions or input.workload_identity.
	groupTrust
	groups
)

// ruleGroup returns the group of a rule. Rules of one group share their libraries' virtual
// documents (OPA computes them once per query), so the split follows the libraries. On the
// machine the tool is sized for (two cores) the groups keep both cores busy until the end: the
// trust rules no longer wait for the permission analysis, and, split in two queries of
// alternate rules (New), the longest group no longer runs alone at the end. Measured on the
// exports estate of BenchmarkScanExports: 3.06 s -> 2.85 s (means of six runs), against two
// groups (the early one and the rest).
func ruleGroup(pkg string, builtin bool) int {
	switch {
	case !builtin:
		return groupWhole
	case strings.HasPrefix(pkg, "irsa_audit.rules.inventory.") || strings.HasPrefix(pkg, "irsa_audit.rules.serviceaccount."):
		return groupEarly
	case strings.HasPrefix(pkg, "irsa_audit.rules.trust."):
		return groupTrust
	}
	return groupWhole
}

// New loads, checks and compiles the built-in rules and the user rules of opts.PolicyDirs, and
// prepares one query for the rules that opts selects.
func New(ctx context.Context, opts Options) (*Engine, error) {
	caps := Capabilities()
	builtin := opts.builtin
	if builtin == nil {
		builtin = policies.FS
	}
	mods, err := loadBuiltin(builtin, caps)
	if err != nil {
		return nil, err
	}
	user, err := loadUser(opts.PolicyDirs, caps)
	if err != nil {
		return nil, err
	}
	mods = append(mods, user...)

	all, err := collectRules(mods)
	if err != nil {
		return nil, err
	}
	selected, err := selectRules(all, opts.Include, opts.Exclude)
	if err != nil {
		return nil, err
	}

	compiler := ast.NewCompiler().
		WithCapabilities(caps).
		WithEnablePrintStatements(false)
	parsed := make(map[string]*ast.Module, len(mods))
	for _, m := range mods {
		parsed[m.file] = m.module
	}
	if compiler.Compile(parsed); compiler.Failed() {
		return nil, fmt.Errorf("compile rules: %w", compiler.Errors)
	}

	e := &Engine{now: opts.Now, perm: permissions.Options{AllRoles: opts.AllRoles}}
	if e.now == nil {
		e.now = time.Now
	}
	// The trust rules, the longest group, are split in two queries of alternate rules: lib/irsa's
	// virtual documents are references to the facts, cheap to compute twice.
	var bodies [groups + 1]ast.Body
	var members [groups + 1][]int
	trustRules := 0
	for i, r := range selected {
		v := fmt.Sprintf("r%d", i)
		e.vars = append(e.vars, v)
		e.rules = append(e.rules, r.Rule)
		e.permRules = e.permRules || strings.HasPrefix(r.Package, "irsa_audit.rules.permissions.")
		deny := r.path.Copy().Append(ast.StringTerm("deny"))
		g := ruleGroup(r.Package, r.Builtin)
		if g == groupTrust {
			if trustRules%2 == 1 {
				g = groups // the second query of the trust group
			}
			trustRules++
		}
		bodies[g] = append(bodies[g], ast.Equality.Expr(ast.VarTerm(v), ast.NewTerm(deny)))
		members[g] = append(members[g], i)
	}
	for g, body := range bodies {
		if len(body) == 0 {
			continue
		}
		pq, err := rego.New(append(regoOptions(),
			rego.Compiler(compiler),
			rego.ParsedQuery(body),
			rego.Capabilities(caps),
			rego.EnablePrintStatements(false),
		)...).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("prepare query: %w", err)
		}
		group := min(g, groupTrust)
		if opts.noEarly {
			group = groupWhole
		}
		e.queries = append(e.queries, query{prepared: pq, rules: members[g], group: group})
	}
	return e, nil
}

// Rules returns the selected rules, sorted by id.
func (e *Engine) Rules() []findings.Rule {
	return slices.Clone(e.rules)
}

// Evaluate runs the selected rules over snap and returns their findings, de-duplicated, bounded
// (limits.go: at most MaxSimilarFindings of a rule on a resource in a file, messages cut at
// MaxMessageBytes) and in findings.Sort order.
//
// The evaluation time (time.now_ns in rules) is snap.GeneratedAt when set, else the Options.Now
// clock, so that a snapshot always gives the same findings.
func (e *Engine) Evaluate(ctx context.Context, snap *snapshot.Snapshot) ([]findings.Finding, error) {
	if snap == nil {
		return nil, errors.New("evaluate: nil snapshot")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	if len(e.queries) == 0 {
		return nil, nil
	}
	at, err := e.evalTime(snap)
	if err != nil {
		return nil, err
	}
	// The queries only read their input, so they share its values. The early group starts as
	// soon as the snapshot and the trust analysis are converted, the trust group once lib/irsa's
	// entries are built too, while the permission analysis is still being built for the rest:
	// on two cores no query waits for more of the input than it reads.
	sets := make([]any, len(e.rules))
	errs := make([]error, len(e.queries))
	var wg sync.WaitGroup
	start := func(group int) func(ast.Object) {
		return func(in ast.Object) {
			for q := range e.queries {
				if e.queries[q].group == group {
					wg.Go(func() { errs[q] = e.queries[q].eval(ctx, in, at, e.vars, sets) })
				}
			}
		}
	}
	input, analysis, err := buildInput(snap, e.perm, start(groupEarly), start(groupTrust))
	if err != nil {
		wg.Wait()
		return nil, err
	}
	if e.permRules && !e.perm.AllRoles && e.perm.Assumable == nil {
		j := &judgedRoles{snap: snap, roles: make([]bool, len(analysis.Roles))}
		for i := range analysis.Roles {
			j.roles[i] = analysis.Roles[i].Workload()
		}
		e.judged.Store(j)
	}
	start(groupWhole)(input)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	loc := newLocator(snap)
	var out []findings.Finding
	for i, r := range e.rules {
		set, ok := sets[i].([]any)
		if !ok {
			return nil, fmt.Errorf("rule %s (%s): deny is %T, want a set", r.ID, r.Package, sets[i])
		}
		for _, elem := range set {
			f, err := decodeFinding(r, elem, loc)
			if err != nil {
				return nil, fmt.Errorf("rule %s (%s): %w", r.ID, r.Package, err)
			}
			out = append(out, f)
		}
	}
	return bound(dedupe(out)), nil
}

// Warm decodes what the first evaluation would otherwise decode on its critical path: the
// embedded IAM action catalog and AWS managed policies of the permission analysis (about 0.05 s;
// every evaluation with a selected rule builds input.permissions). A caller can run it while it
// reads the inputs; a decoding error is the evaluation's to report, as it would be without Warm.
func (e *Engine) Warm() {
	if len(e.queries) > 0 {
		_, _ = iamcatalog.Default()
		_, _ = iamcatalog.AWSManaged()
	}
}

// NotChecked returns what the selected rules leave unjudged in snap besides incomplete
// inventories: per account, the roles the permission analysis skips because no workload
// identity can assume them (none with Options.AllRoles, or when no permission rule is
// selected). findings.NewReport adds them to the report's "not checked" section. The answer is
// the trust model's, as in the evaluation: permissions.WorkloadAssumable is
// trust.WhoCanAssume(...).Workload().
func (e *Engine) NotChecked(snap *snapshot.Snapshot) []findings.Coverage {
	if !e.permRules || snap == nil {
		return nil
	}
	opts := e.perm
	if j := e.judged.Load(); j != nil && j.snap == snap && len(j.roles) == len(snap.Roles) {
		opts.Assumable = func(i int) bool { return j.roles[i] } // the evaluation's answer
	}
	var out []findings.Coverage
	for _, n := range permissions.NotJudged(snap, opts) {
		id := n.Account
		if id == "" {
			id = "unknown"
		}
		what := fmt.Sprintf("%d roles that no workload identity can assume were", n.Roles)
		if n.Roles == 1 {
			what = "1 role that no workload identity can assume was"
		}
		out = append(out, findings.Coverage{
			Resource: findings.Resource{Kind: "account", ID: id},
			Note:     what + " not judged by the permission rules (IRSA-030..037, IRSA-040); --all-roles judges them",
		})
	}
	return out
}

// eval runs the query and stores the deny set of each of its rules in sets.
func (q *query) eval(ctx context.Context, input ast.Value, at time.Time, vars []string, sets []any) error {
	rs, err := q.prepared.Eval(ctx, rego.EvalParsedInput(input), rego.EvalTime(at))
	if err != nil {
		return fmt.Errorf("evaluate rules: %w", err)
	}
	if len(rs) != 1 {
		// Every deny is a multi-value rule, so the query is always defined exactly once.
		return fmt.Errorf("evaluate rules: query gave %d results, want 1", len(rs))
	}
	for _, i := range q.rules {
		sets[i] = rs[0].Bindings[vars[i]]
	}
	return nil
}

func (e *Engine) evalTime(snap *snapshot.Snapshot) (time.Time, error) {
	if snap.GeneratedAt == "" {
		return e.now(), nil
	}
	t, err := time.Parse(time.RFC3339, snap.GeneratedAt)
	if err != nil {
		return time.Time{}, fmt.Errorf("snapshot generated_at: %w", err)
	}
	return t, nil
}

// inputOf returns the input document of snap: its JSON form without the locations, with the
// permission analysis (a Go data step: wildcard expansion against the IAM action catalog, Deny
// and boundary subtraction) at input.permissions and the trust analysis (another: the admission
// verdict of every ServiceAccount-role binding, pkg/trust) at input.trust. The ast.Value is
// built straight from the typed model (toValue), not through JSON text; the locator walks the
// snapshot by the same keys and indexes, so rule paths refer to one document.
func inputOf(snap *snapshot.Snapshot) (ast.Object, error) {
	in, _, err := buildInput(snap, permissions.Options{}, nil, nil)
	return in, err
}

// buildInput is inputOf, with the roles perm selects in the permission analysis. When early is
// not nil, it is called, once, as soon as the snapshot and the trust analysis are converted,
// with an input of its own that holds them (input.trust without lib/irsa's entries) but not
// input.permissions; when trusted is not nil, it is called, once, when lib/irsa's entries are
// built too, with an input of its own that also holds them.
//
// The conversion of the snapshot and the two analyses only read snap, so they run on two
// goroutines of about equal work: the snapshot's conversion and then lib/irsa's entries, which
// refer to the converted statements and need the trust analysis; the trust analysis with
// lib/bindings' indexes (first, for those entries and the early input) and then the permission
// analysis.
func buildInput(snap *snapshot.Snapshot, perm permissions.Options, early, trusted func(ast.Object)) (ast.Object, *trust.Analysis, error) {
	var (
		v, perms, tr ast.Value
		irsa, index  ast.Object
		analysis     *trust.Analysis
		vErr         error // the snapshot's conversion
		tErr, pErr   error // the trust and the permission analysis
		wg           sync.WaitGroup
		trustDone    = make(chan struct{})
	)
	wg.Go(func() {
		if v, vErr = toValue(snap); vErr != nil {
			vErr = fmt.Errorf("convert snapshot: %w", vErr)
			return
		}
		obj, ok := v.(ast.Object)
		if !ok {
			vErr = fmt.Errorf("snapshot is %T, want an object", v)
			return
		}
		<-trustDone
		if tErr != nil {
			return
		}
		if early != nil {
			early(earlyInput(obj, tr, index, nil))
		}
		irsa = irsaFacts(obj, analysis.OIDCStatements)
		if trusted != nil {
			trusted(earlyInput(obj, tr, index, irsa))
		}
	})
	wg.Go(func() {
		analysis = trust.Analyze(snap)
		tr, index, tErr = trustValue(analysis)
		close(trustDone)
		if tErr != nil {
			return
		}
		// The permission analysis judges and names who the trust model says can assume a role.
		if !perm.AllRoles && perm.Assumable == nil {
			perm.Assumable = func(i int) bool { return analysis.Roles[i].Workload() }
		}
		perm.Assumers = analysis.Roles
		if perms, pErr = toValue(permissions.Analyze(snap, perm)); pErr != nil {
			pErr = fmt.Errorf("convert permission analysis: %w", pErr)
		}
	})
	wg.Wait()
	if err := errors.Join(vErr, tErr, pErr); err != nil {
		return nil, nil, err
	}
	obj := v.(ast.Object) // checked above
	obj.Insert(ast.StringTerm("permissions"), ast.NewTerm(perms))
	if err := insertWorkloadFacts(obj, snap); err != nil {
		return nil, nil, err
	}
	trObj := tr.(ast.Object) // checked by trustValue
	trObj.Insert(ast.StringTerm("irsa"), ast.NewTerm(irsa))
	trObj.Insert(ast.StringTerm("index"), ast.NewTerm(index))
	obj.Insert(ast.StringTerm("trust"), ast.NewTerm(tr))
	return obj, analysis, nil
}

// earlyInput is the input of the early rule group, or with lib/irsa's entries (irsa not nil)
// of the trust group: the snapshot's members and input.trust with the verdicts and lib/bindings'
// indexes, in objects of its own (buildInput goes on inserting into the others while the early
// queries read this one). tr is nil without the trust analysis.
func earlyInput(snap ast.Object, tr ast.Value, index, irsa ast.Object) ast.Object {
	in := ast.NewObject()
	snap.Foreach(func(k, v *ast.Term) { in.Insert(k, v) })
	if tr, ok := tr.(ast.Object); ok {
		t := ast.NewObject()
		tr.Foreach(func(k, v *ast.Term) { t.Insert(k, v) })
		t.Insert(ast.StringTerm("index"), ast.NewTerm(index))
		if irsa != nil {
			t.Insert(ast.StringTerm("irsa"), ast.NewTerm(irsa))
		}
		in.Insert(ast.StringTerm("trust"), ast.NewTerm(t))
	}
	return in
}

// selectRules applies --rule and --skip-rule and sorts the result by id.
func selectRules(all []rule, include, exclude []string) ([]rule, error) {
	byID := make(map[string]bool, len(all))
	for _, r := range all {
		byID[r.ID] = true
	}
	norm := func(flag string, ids []string) (map[string]bool, error) {
		set := make(map[string]bool, len(ids))
		for _, id := range ids {
			id = strings.ToUpper(strings.TrimSpace(id))
			if !byID[id] {
				return nil, fmt.Errorf("%s %s: no such rule", flag, id)
			}
			set[id] = true
		}
		return set, nil
	}
	inc, err := norm("--rule", include)
	if err != nil {
		return nil, err
	}
	exc, err := norm("--skip-rule", exclude)
	if err != nil {
		return nil, err
	}
	var out []rule
	for _, r := range all {
		if (len(inc) == 0 || inc[r.ID]) && !exc[r.ID] {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b rule) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
