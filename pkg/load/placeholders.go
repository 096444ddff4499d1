package load

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Placeholders are what templates and documentation leave in a value for something else to fill
// in: Go and Helm templates ({{ .Values.x }}), Terraform and CloudFormation interpolation
// (${var.x}, ${AWS::AccountId}), envsubst and shell variables ($account_id, as in the EKS user
// guide's trust policy), and the <OIDC_PROVIDER> and {arn-aws} of copied examples. A value
// holding one is not what IAM or Kubernetes will see: a Federated principal
// "arn:aws:iam::$account_id:oidc-provider/$oidc_provider" is no OIDC provider, so judging it as
// written would turn the trust checks off without a word. The statement, ServiceAccount or
// workload that holds one is therefore not judged, and reported as skipped (needed: the scan is
// incomplete); the rest of the file is judged.
//
// IAM policy variables (${aws:username}, ${aws:PrincipalTag/team}, ${www.amazon.com:user_id},
// ${*}, ${?}, ${$}) are not placeholders where IAM substitutes them: in Resource and condition
// values.
var (
	goTemplateRE = regexp.MustCompile(`\{\{.*?\}\}`)
	interpRE     = regexp.MustCompile(`\$\{[^{}]*\}`)
	angleRE      = regexp.MustCompile(`<[A-Za-z_][A-Za-z0-9_.-]*>`)
	braceRE      = regexp.MustCompile(`(^|[^${])\{[A-Za-z_][A-Za-z0-9_.-]*\}`)
	shellRE      = regexp.MustCompile(`\$[A-Za-z_][A-Za-z0-9_]*`)
	// policyVarRE is an IAM policy variable: one "prefix:key" (the prefix an issuer, a service or
	// a host, never CloudFormation's "AWS::"), or one of the three special characters.
	policyVarRE = regexp.MustCompile(`^\$\{([*?$]|[A-Za-z0-9][A-Za-z0-9._/-]*:[A-Za-z0-9][A-Za-z0-9._/-]*)\}$`)
)

// valueKind says where a value is written, which decides what counts as a placeholder.
type valueKind int

const (
	// plainValue: principals, actions, condition keys, Kubernetes names and role ARNs.
	plainValue valueKind = iota
	// conditionValue: IAM substitutes policy variables here.
	conditionValue
	// resourceValue: IAM substitutes policy variables, and S3 object keys may hold braces and
	// dollars of their own.
	resourceValue
)

// placeholder returns the first placeholder in s, or "".
func placeholder(s string, kind valueKind) string {
	if !strings.ContainsAny(s, "{$<") {
		return ""
	}
	if m := goTemplateRE.FindString(s); m != "" {
		return m
	}
	for _, m := range interpRE.FindAllString(s, -1) {
		if kind != plainValue && policyVarRE.MatchString(m) {
			continue
		}
		return m
	}
	if m := angleRE.FindString(s); m != "" {
		return m
	}
	if kind == resourceValue {
		return ""
	}
	if m := braceRE.FindStringSubmatch(s); m != nil {
		return strings.TrimPrefix(m[0], m[1])
	}
	// A "$" right before "{" began an interpolation handled above (a policy variable).
	for _, loc := range shellRE.FindAllStringIndex(s, -1) {
		if loc[1] < len(s) && s[loc[1]] == '{' {
			continue
		}
		return s[loc[0]:loc[1]]
	}
	return ""
}

// statementPlaceholder returns the first placeholder of a statement, where it is, and the
// location to report.
func statementPlaceholder(st *snapshot.Statement) (ph, where string, at snapshot.Location) {
	at = st.Loc
	check := func(field string, kind valueKind, values ...string) bool {
		for _, v := range values {
			if p := placeholder(v, kind); p != "" {
				ph, where = p, field
				return true
			}
		}
		return false
	}
	for _, pr := range []struct {
		name string
		p    *snapshot.Principal
	}{{"Principal", st.Principal}, {"NotPrincipal", st.NotPrincipal}} {
		if pr.p == nil {
			continue
		}
		if check(pr.name+" AWS", plainValue, pr.p.AWS...) || check(pr.name+" Federated", plainValue, pr.p.Federated...) ||
			check(pr.name+" Service", plainValue, pr.p.Service...) || check(pr.name+" CanonicalUser", plainValue, pr.p.CanonicalUser...) {
			return ph, where, at
		}
	}
	if check("Action", plainValue, st.Actions...) || check("NotAction", plainValue, st.NotActions...) ||
		check("Resource", resourceValue, st.Resources...) || check("NotResource", resourceValue, st.NotResources...) {
		return ph, where, at
	}
	for _, c := range st.Conditions {
		if check("condition key", plainValue, c.Key) || check(fmt.Sprintf("the %s condition on %s", c.Operator, c.Key), conditionValue, c.Values...) {
			if c.Loc.StartLine > 0 {
				at = c.Loc
			}
			return ph, where, at
		}
	}
	return "", "", at
}

// setPlaceholdersAside takes the statements, ServiceAccounts and workloads holding a
// placeholder out of r's items and reports each as skipped.
func setPlaceholdersAside(r *fileResult) {
	skip := func(at snapshot.Location, what, ph, where string) {
		r.skipped = append(r.skipped, snapshot.Skipped{
			File: at.File, Line: at.StartLine, Column: at.StartColumn, Named: r.explicit, Needed: true,
			Reason: fmt.Sprintf("%s not judged: placeholder %q in %s (render or substitute it first)", what, ph, where),
		})
	}
	doc := func(d *snapshot.Document, what string) {
		kept := d.Statements[:0]
		for i := range d.Statements {
			st := &d.Statements[i]
			ph, where, at := statementPlaceholder(st)
			if ph == "" {
				kept = append(kept, *st)
				continue
			}
			name := fmt.Sprintf("statement %d of %s", i+1, what)
			if st.Sid != "" {
				name = fmt.Sprintf("statement %q of %s", st.Sid, what)
			}
			skip(at, name, ph, where)
		}
		d.Statements = kept
	}
	policies := r.items.Policies[:0]
	for _, p := range r.items.Policies {
		n := len(p.Document.Statements)
		doc(&p.Document, "the policy")
		if n > 0 && len(p.Document.Statements) == 0 {
			continue // nothing left to judge
		}
		policies = append(policies, p)
	}
	r.items.Policies = policies
	for i := range r.items.Roles {
		role := &r.items.Roles[i]
		if role.TrustPolicy != nil {
			doc(role.TrustPolicy, "the trust policy of "+role.ARN)
		}
		for j := range role.InlinePolicies {
			doc(&role.InlinePolicies[j].Document, fmt.Sprintf("inline policy %q of %s", role.InlinePolicies[j].Name, role.ARN))
		}
	}
	for i := range r.items.ManagedPolicies {
		if d := r.items.ManagedPolicies[i].Document; d != nil {
			doc(d, "policy "+r.items.ManagedPolicies[i].ARN)
		}
	}
	sas := r.items.ServiceAccounts[:0]
	for _, sa := range r.items.ServiceAccounts {
		if ph := placeholder(sa.RoleARN, plainValue); ph != "" {
			at := sa.Loc
			if sa.RoleARNLoc != nil {
				at = *sa.RoleARNLoc
			}
			skip(at, fmt.Sprintf("ServiceAccount %s/%s", sa.Namespace, sa.Name), ph, "its "+RoleARNAnnotation+" annotation")
			continue
		}
		if ph, where := firstPlaceholder(map[string]string{"metadata.namespace": sa.Namespace, "metadata.name": sa.Name}); ph != "" {
			skip(sa.Loc, "ServiceAccount", ph, where)
			continue
		}
		sas = append(sas, sa)
	}
	r.items.ServiceAccounts = sas
	wls := r.items.Workloads[:0]
	for _, w := range r.items.Workloads {
		if ph, where := firstPlaceholder(map[string]string{"metadata.namespace": w.Namespace, "metadata.name": w.Name, "serviceAccountName": w.ServiceAccount}); ph != "" {
			skip(w.Loc, w.Kind, ph, where)
			continue
		}
		wls = append(wls, w)
	}
	r.items.Workloads = wls
}

// firstPlaceholder checks the fields in name order, for a stable report.
func firstPlaceholder(fields map[string]string) (ph, where string) {
	for _, name := range sortedKeysOf(fields) {
		if p := placeholder(fields[name], plainValue); p != "" {
			return p, name
		}
	}
	return "", ""
}

func sortedKeysOf(m map[string]string) []string {
	set := make(map[string]bool, len(m))
	for k := range m {
		set[k] = true
	}
	return sortedKeys(set)
}
