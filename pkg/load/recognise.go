package load

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/irsa-audit/irsa-audit/pkg/load/cloudformation"
	"github.com/irsa-audit/irsa-audit/pkg/load/eksctl"
	"github.com/irsa-audit/irsa-audit/pkg/load/terraform"
	"github.com/irsa-audit/irsa-audit/pkg/policydoc"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// The Source.Format values of files that yield nothing.
const (
	FormatUnrelated = "unrelated"
	FormatTemplate  = "template"
	FormatBinary    = "binary"
	FormatEmpty     = "empty"
	FormatInvalid   = "invalid"
)

// formatKubernetes is the Source.Format of Kubernetes manifests and kubectl exports.
const formatKubernetes = "kubernetes-manifest"

// Reasons recorded in snapshot.Skipped.
const (
	ReasonUnrelated = "not an IAM policy or Kubernetes manifest"
	ReasonTemplate  = "Go template: render it first, e.g. `helm template . | irsa-audit scan -`"
)

// fileResult is what one input contributed.
type fileResult struct {
	source *snapshot.Source
	// items holds what the input defines, in the snapshot's own lists (Accounts,
	// OIDCProviders, Clusters, Roles, ManagedPolicies, Policies, ServiceAccounts, Workloads),
	// so that a recogniser for a new format fills whichever lists it needs.
	items   snapshot.Snapshot
	errors  []snapshot.InputError
	skipped []snapshot.Skipped
	// claims are what the input says about inventories (a complete role list, an
	// all-namespaces ServiceAccount list, ...), settled by resolve once every input is read.
	claims []claim
	// sources are the further inputs read as part of this one (the files of a Terraform
	// module).
	sources []snapshot.Source
	// roleAddrs are the Terraform addresses of items.Roles (Terraform configurations and
	// plans), to tie a plan's roles to their configuration (linkPlans).
	roleAddrs []string
	// plan is set for a Terraform plan.
	plan bool
	// dir is the folder of the input ("/" separators, cleaned): exports that do not name their
	// account or cluster are tied to the ones named by the exports of the same or an enclosing
	// folder (see resolve).
	dir string
	// explicit is true when the input was named on the command line.
	explicit bool
}

func errorResult(name, msg string) *fileResult {
	return &fileResult{errors: []snapshot.InputError{{File: name, Message: msg}}}
}

func skipResult(name, reason string) *fileResult {
	return &fileResult{skipped: []snapshot.Skipped{{File: name, Reason: reason}}}
}

func (r *fileResult) mergeInto(s *snapshot.Snapshot) {
	if r.source != nil {
		s.Sources = append(s.Sources, *r.source)
		s.Stats.Files++
	}
	s.Sources = append(s.Sources, r.sources...)
	s.Stats.Files += len(r.sources)
	it := &r.items
	s.Accounts = append(s.Accounts, it.Accounts...)
	s.OIDCProviders = append(s.OIDCProviders, it.OIDCProviders...)
	s.Clusters = append(s.Clusters, it.Clusters...)
	s.Roles = appendOwned(s.Roles, it.Roles)
	s.ManagedPolicies = append(s.ManagedPolicies, it.ManagedPolicies...)
	s.Policies = append(s.Policies, it.Policies...)
	s.ServiceAccounts = appendOwned(s.ServiceAccounts, it.ServiceAccounts)
	s.Workloads = appendOwned(s.Workloads, it.Workloads)
	s.PodIdentityAssociations = append(s.PodIdentityAssociations, it.PodIdentityAssociations...)
	if it.GeneratedAt > s.GeneratedAt {
		s.GeneratedAt = it.GeneratedAt
	}
	for op, n := range it.Stats.APICalls {
		if s.Stats.APICalls == nil {
			s.Stats.APICalls = map[string]int{}
		}
		s.Stats.APICalls[op] += n
	}
	s.Errors = append(s.Errors, r.errors...)
	s.Skipped = append(s.Skipped, r.skipped...)
	s.NotJudged = append(s.NotJudged, it.NotJudged...)
}

// appendOwned is append(dst, src...), except that into an empty dst it returns src itself
// (capped, so that a later append copies): mergeInto is the last to use a result's lists, and a
// kubectl export's 100,000 ServiceAccounts need not be copied again.
func appendOwned[T any](dst, src []T) []T {
	if len(dst) == 0 && len(src) > 0 {
		return src[:len(src):len(src)]
	}
	return append(dst, src...)
}

func (r *fileResult) addError(file string, err error) {
	var list syntax.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			r.addError(file, e)
		}
		return
	}
	ie := snapshot.InputError{File: file, Message: err.Error()}
	var se *syntax.Error
	if errors.As(err, &se) {
		ie.Line, ie.Column, ie.Message = se.Line, se.Column, se.Msg
	}
	r.errors = append(r.errors, ie)
}

func (r *fileResult) empty() bool {
	it := &r.items
	return len(it.Accounts)+len(it.OIDCProviders)+len(it.Clusters)+len(it.Roles)+len(it.ManagedPolicies)+
		len(it.Policies)+len(it.ServiceAccounts)+len(it.Workloads)+len(it.PodIdentityAssociations)+len(r.claims) == 0
}

// document is one parsed document of a file, as a recogniser sees it.
type document struct {
	file  string
	node  *syntax.Node
	index int // 1-based position in the file
	count int // documents in the file
	// cfnParams are the CloudFormation parameter values given with --cfn-parameters.
	cfnParams map[string]string
	// taker read items of the document while it was parsed (take.go); nil when none.
	taker *taker
}

// id names the document: the file, with "#<index>" when the file holds several documents.
func (d document) id() string {
	if d.count > 1 {
		return fmt.Sprintf("%s#%d", d.file, d.index)
	}
	return d.file
}

func (d document) loc(n *syntax.Node) snapshot.Location {
	return snapshot.Location{File: d.file, StartLine: n.Line, StartColumn: n.Column, EndLine: n.EndLine}
}

// recogniser is one input format. match must be cheap and loose (a broken document of the
// format should match, so that load reports what is wrong); load adds the document's items to r
// and returns a located error (*syntax.Error) for content it cannot accept.
type recogniser struct {
	format string
	match  func(n *syntax.Node) bool
	load   func(d document, r *fileResult) error
}

// recognisers are tried in order; the first that matches a document loads it. To add a format
// (an AWS CLI export, a saved snapshot), add an entry: match on the keys that identify it
// (e.g. "RoleDetailList"), load into r.items, and return a *syntax.Error for bad content. Put
// narrow matchers before loose ones. Parsing, error and skip handling, ordering and template
// detection are shared.
func recognisers() []recogniser {
	return []recogniser{
		{format: FormatSnapshot, match: isSnapshot, load: loadSnapshot},
		{format: FormatAuthDetails, match: isAuthDetails, load: loadAuthDetails},
		{format: FormatProviderList, match: isProviderList, load: loadProviderList},
		{format: FormatProvider, match: isProvider, load: loadProvider},
		{format: FormatCluster, match: isCluster, load: loadCluster},
		{format: FormatClusterList, match: isClusterList, load: loadClusterList},
		{format: FormatAssociation, match: isAssociation, load: loadAssociation},
		{format: FormatAssociationList, match: isAssociationList, load: loadAssociationList},
		{format: FormatTerraformPlan, match: terraform.IsPlan, load: loadTerraformPlan},
		{format: FormatCloudFormation, match: cloudformation.Is, load: loadCloudFormation},
		{format: FormatEksctl, match: eksctl.Is, load: loadEksctl},
		{format: "iam-policy", match: policydoc.LooksLikePolicy, load: loadPolicy},
		{format: formatKubernetes, match: isKubernetesObject, load: loadKubernetes},
	}
}

func loadPolicy(d document, r *fileResult) error {
	origin := snapshot.Location{File: d.file}
	doc, err := policydoc.FromNode(d.node, origin)
	if err != nil {
		return err
	}
	r.items.Policies = append(r.items.Policies, snapshot.PolicyFile{ID: d.id(), Document: doc, Loc: doc.Loc})
	return nil
}

// isDataExtension reports whether ext is the extension of a JSON or YAML file; a walked file
// with another extension that does not parse is skipped without its parse error.
func isDataExtension(ext string) bool {
	switch ext {
	case ".json", ".yaml", ".yml", ".tpl", ".template":
		return true
	}
	return false
}

// recognise parses one input and loads every document a recogniser accepts. An input that is
// not recognised (empty, binary, not JSON or YAML, or data of another kind) is skipped with the
// reason, whether it was named or found by a walk; one that is recognised but malformed is an
// error, located where the problem is.
func recognise(name, kind string, data []byte, explicit bool) *fileResult {
	return recogniseWith(name, kind, data, explicit, nil)
}

// recogniseWith is recognise with the CloudFormation parameter values of --cfn-parameters.
func recogniseWith(name, kind string, data []byte, explicit bool, cfnParams map[string]string) *fileResult {
	if !noTaking {
		t := newTaker(name)
		if r := recogniseOnce(name, kind, data, explicit, cfnParams, t); !t.unused() {
			return r
		}
	}
	return recogniseOnce(name, kind, data, explicit, cfnParams, nil)
}

// noTaking turns the parser's taker off, for the tests that hold the results equal with and
// without it.
var noTaking = false

// recogniseOnce is recogniseWith with the taker t (nil for none), which reads the items of big
// exports as they are parsed (take.go).
func recogniseOnce(name, kind string, data []byte, explicit bool, cfnParams map[string]string, t *taker) *fileResult {
	r := &fileResult{source: &snapshot.Source{Kind: kind, Name: name}, dir: path.Clean(path.Dir(name)), explicit: explicit}
	data = toUTF8(data)
	fail := func(format string, err error) *fileResult {
		r.source.Format = format
		r.addError(name, err)
		return r
	}
	skip := func(format, reason string, needed bool) *fileResult {
		r.source.Format = format
		r.skipped = append(r.skipped, snapshot.Skipped{File: name, Reason: reason, Named: explicit, Needed: needed})
		return r
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return skip(FormatEmpty, "empty file", false)
	}
	if off, what := badByte(data); off >= 0 {
		line, col := position(data, off)
		if looksLikeInput(data) && mayBeData(name) {
			return fail(FormatInvalid, &syntax.Error{Line: line, Column: col, Msg: what + " (policies, manifests and exports are UTF-8 text)"})
		}
		return skip(FormatBinary, fmt.Sprintf("binary file (%s at line %d, column %d)", what, line, col), false)
	}
	template := hasTemplateMarkers(data)
	docs, perr := parse(data, t)
	if perr != nil && template {
		return skip(FormatTemplate, ReasonTemplate, templateNeeded.Match(data))
	}

	var formats []string
	var unrelated []int
	var ignoredKinds []string
	table := recognisers()
	for i, n := range docs {
		if n == nil {
			continue // a document that did not parse (reported in perr)
		}
		d := document{file: name, node: n, index: i + 1, count: len(docs), cfnParams: cfnParams}
		if t != nil && len(t.taken) > 0 {
			d.taker = t
		}
		matched := false
		for _, rec := range table {
			if !rec.match(n) {
				continue
			}
			matched = true
			if !containsString(formats, rec.format) {
				formats = append(formats, rec.format)
			}
			before := itemCount(r)
			if err := rec.load(d, r); err != nil {
				r.addError(name, err)
			} else if rec.format == formatKubernetes && itemCount(r) == before {
				for _, k := range kindsOf(n) {
					if !containsString(ignoredKinds, k) {
						ignoredKinds = append(ignoredKinds, k)
					}
				}
			}
			break
		}
		if !matched {
			unrelated = append(unrelated, i+1)
		}
	}
	if perr != nil {
		if len(formats) > 0 || (looksLikeInput(data) && mayBeData(name)) {
			// Recognised, and malformed: the documents that parsed are still judged.
			r.addError(name, perr)
			if len(formats) == 0 {
				r.source.Format = FormatInvalid
				return r
			}
		} else {
			if ext := strings.ToLower(path.Ext(name)); ext != "" && !isDataExtension(ext) {
				return skip(FormatInvalid, "not JSON or YAML (a "+ext+" file)", false)
			}
			return skip(FormatInvalid, "not valid JSON or YAML ("+perr.Error()+")", false)
		}
	}
	if len(formats) == 0 {
		return skip(FormatUnrelated, ReasonUnrelated, false)
	}
	r.source.Format = strings.Join(formats, "+")
	setPlaceholdersAside(r)
	if r.empty() && len(r.errors) == 0 && len(r.skipped) == 0 && len(ignoredKinds) > 0 {
		r.skipped = append(r.skipped, snapshot.Skipped{File: name, Named: explicit,
			Reason: fmt.Sprintf("no ServiceAccount or workload: Kubernetes objects of kinds IRSA does not involve (%s)", strings.Join(ignoredKinds, ", "))})
		return r
	}
	for _, i := range unrelated {
		if docs[i-1].Kind == syntax.Null {
			continue // an empty document
		}
		r.skipped = append(r.skipped, snapshot.Skipped{File: name, Named: explicit, Reason: fmt.Sprintf("document %d: %s", i, ReasonUnrelated)})
	}
	return r
}

// mayBeData reports whether a file of this name may hold JSON or YAML: it has no extension or
// that of a data file. A Terraform file with a policy in a heredoc mentions "Statement" too, yet
// it is not malformed JSON: it is another language, skipped with the reason.
func mayBeData(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == "" || isDataExtension(ext)
}

// kindsOf names the kinds of a Kubernetes object, or of the items of a List ("an empty List"
// when it has none).
func kindsOf(n *syntax.Node) []string {
	k := n.Get("kind")
	if k == nil || k.Kind != syntax.String {
		return nil
	}
	items := n.Get("items")
	if !strings.HasSuffix(k.Value, "List") || items == nil || items.Kind != syntax.Array {
		return []string{k.Value}
	}
	if len(items.Items) == 0 {
		return []string{"an empty " + k.Value}
	}
	var out []string
	for _, it := range items.Items {
		for _, ik := range kindsOf(it) {
			if !containsString(out, ik) {
				out = append(out, ik)
			}
		}
	}
	return out
}

// itemCount counts what r holds, to tell whether a recogniser added anything.
func itemCount(r *fileResult) int {
	it := &r.items
	return len(it.Accounts) + len(it.OIDCProviders) + len(it.Clusters) + len(it.Roles) + len(it.ManagedPolicies) +
		len(it.Policies) + len(it.ServiceAccounts) + len(it.Workloads) + len(it.PodIdentityAssociations) + len(r.claims) + len(r.skipped)
}

// templateNeeded finds, in a Go template that could not be parsed, what the rules judge: a
// ServiceAccount or a workload, a role annotation, a policy statement.
var templateNeeded = regexp.MustCompile(`(?m)(^[ \t-]*kind[ \t]*:[ \t]*["']?(ServiceAccount|Pod|Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|CronJob)\b|eks\.amazonaws\.com/role-arn|serviceAccountName|"?Statement"?[ \t]*:)`)

// badByte returns the offset of the first NUL byte or invalid UTF-8 sequence in data, and what
// it is; -1 when data is UTF-8 text.
func badByte(data []byte) (int, string) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		if j := firstInvalidUTF8(data[:i]); j >= 0 {
			return j, fmt.Sprintf("invalid UTF-8 byte 0x%02x", data[j])
		}
		return i, "NUL byte"
	}
	if j := firstInvalidUTF8(data); j >= 0 {
		return j, fmt.Sprintf("invalid UTF-8 byte 0x%02x", data[j])
	}
	return -1, ""
}

func firstInvalidUTF8(data []byte) int {
	if utf8.Valid(data) {
		return -1
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// position returns the 1-based line and column (in characters) of byte offset off.
func position(data []byte, off int) (line, col int) {
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return line, utf8.RuneCount(data[start:off]) + 1
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parse reads JSON or YAML by content: text starting with "{" or "[" is JSON (and a JSON
// error is reported as such, unless the text is valid YAML that is not a policy: IAM accepts
// only JSON, kubectl accepts YAML flow style too); URL-encoded text is a URL-encoded policy;
// anything else is YAML. A YAML syntax error comes with the documents before it.
//
// The taker t, when not nil, reads the items of a JSON document's big lists as they are parsed;
// it forgets them when the JSON does not parse (they belong to no document returned).
func parse(data []byte, t *taker) ([]*syntax.Node, error) {
	var take func(string, *syntax.Node) bool
	if t != nil {
		take = t.take
	}
	trimmed := bytes.TrimLeft(syntax.StripBOM(data), " \t\r\n")
	switch {
	case policydoc.IsURLEncoded(trimmed):
		decoded, err := policydoc.Decode(trimmed)
		if err != nil {
			return nil, err
		}
		n, err := syntax.ParseJSON(decoded)
		if err != nil {
			return nil, err
		}
		return []*syntax.Node{n}, nil
	case len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['):
		n, err := syntax.ParseJSONTaking(data, take)
		if err == nil {
			return []*syntax.Node{n}, nil
		}
		t.forget()
		if ydocs, yerr := syntax.ParseYAML(data); yerr == nil && len(ydocs) > 0 {
			for _, d := range ydocs {
				if policydoc.LooksLikePolicy(d) {
					return nil, err
				}
			}
			return ydocs, nil
		}
		return nil, err
	}
	return syntax.ParseYAML(data)
}

// toUTF8 strips a UTF-8 byte order mark and transcodes UTF-16 text that starts with a byte order
// mark (what Windows PowerShell 5 writes for `aws ... > file.json`).
func toUTF8(data []byte) []byte {
	data = syntax.StripBOM(data)
	if len(data) < 2 || len(data)%2 != 0 {
		return data
	}
	var big bool
	switch {
	case data[0] == 0xFF && data[1] == 0xFE:
	case data[0] == 0xFE && data[1] == 0xFF:
		big = true
	default:
		return data
	}
	u := make([]uint16, 0, len(data)/2-1)
	for i := 2; i+1 < len(data); i += 2 {
		if big {
			u = append(u, uint16(data[i])<<8|uint16(data[i+1]))
		} else {
			u = append(u, uint16(data[i+1])<<8|uint16(data[i]))
		}
	}
	return []byte(string(utf16.Decode(u)))
}

func hasTemplateMarkers(data []byte) bool {
	i := bytes.Index(data, []byte("{{"))
	return i >= 0 && bytes.Contains(data[i:], []byte("}}"))
}

var (
	jsonInputRE = regexp.MustCompile(`"(Statement|apiVersion|RoleDetailList|OpenIDConnectProviderList|ClientIDList|service_accounts|oidc_providers)"\s*:`)
	yamlInputRE = regexp.MustCompile(`(?m)^[ \t-]*(apiVersion|kind|Statement)[ \t]*:`)
)

// looksLikeInput reports whether unparseable text was meant to be a policy or a manifest.
func looksLikeInput(data []byte) bool {
	return policydoc.IsURLEncoded(data) || jsonInputRE.Match(data) || yamlInputRE.Match(data)
}
