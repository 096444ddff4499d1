package permissions

import (
	"fmt"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iamcatalog"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// Conditions say what the conditions of an Allow statement, and the conditional Deny
// statements that cover it, do to what it grants. Each entry is a condition in words, e.g.
// `aws:ResourceTag/team is "data"`.
type Conditions struct {
	// Scoped are conditions that narrow the grant in a way the analysis understands: to
	// resources or requests with given tags (aws:ResourceTag, aws:RequestTag, aws:TagKeys and
	// their service-specific forms), to a network (aws:SourceVpc, aws:SourceVpce, aws:SourceIp,
	// aws:VpcSourceIp), or, for iam:PassRole, to the resources a role may be associated with
	// (iam:AssociatedResourceArn). The rules lower their severity for a scoped grant.
	Scoped []string `json:"scoped,omitempty"`
	// Undecided are conditions whose effect cannot be decided from the policies alone (the
	// caller's tags, the calling service, ...): the grant is conditional.
	Undecided []string `json:"undecided,omitempty"`
	// Unless are conditional Deny statements that cover the statement's dangerous actions: the
	// grant holds unless their conditions do.
	Unless []string `json:"unless,omitempty"`
}

// condInfo is what the analysis reads from the conditions of one statement.
type condInfo struct {
	scoped, undecided []string
	// passServices are the services iam:PassRole may pass a role to (iam:PassedToService, as
	// written); nil when the statement does not restrict them.
	passServices []string
	// passRoleOnly is set when a condition key that only iam:PassRole requests carry must be
	// present: the statement then grants nothing else (IAM evaluates a condition on a missing
	// key as false, except for IfExists and negated operators).
	passRoleOnly bool
	// deny is the words for a Deny statement's conditions: "when <c1> and <c2>"; scopedDeny
	// the positive reading of a Deny whose only condition is a negated scoping one (Deny
	// unless aws:SourceVpce is X: the grant holds only from X).
	deny       string
	scopedDeny string
	// ignore is set for a Deny whose conditions never hold for an SDK request over TLS
	// (aws:SecureTransport false): it takes nothing away and is no "unless".
	ignore bool
}

// keys whose conditions narrow a grant, by kind.
func keyKind(key string) string {
	k := strings.ToLower(key)
	switch k {
	case "iam:passedtoservice":
		return "passed_to_service"
	case "iam:associatedresourcearn":
		return "associated_resource"
	case "aws:sourcevpc", "aws:sourcevpce", "aws:sourceip", "aws:vpcsourceip", "aws:sourcevpcarn":
		return "network"
	case "aws:securetransport":
		return "transport"
	case "aws:requestedregion":
		return "region"
	case "aws:tagkeys":
		return "tag"
	}
	if strings.HasPrefix(k, "aws:resourcetag/") || strings.HasPrefix(k, "aws:requesttag/") {
		return "tag"
	}
	if _, rest, ok := strings.Cut(k, ":"); ok && (strings.HasPrefix(rest, "resourcetag/") || strings.HasPrefix(rest, "requesttag/")) {
		return "tag"
	}
	return ""
}

// positive reports whether c is a plain test that fails when its key is missing: no negation,
// no IfExists, no ForAllValues (which holds for an empty set).
func positive(c snapshot.Condition) bool {
	return c.Known && !c.Negated && !c.IfExists && c.Qualifier != "ForAllValues" && !strings.EqualFold(c.BaseOperator, "Null")
}

// readConditions classifies the conditions of a statement.
func readConditions(st snapshot.Statement) condInfo {
	var ci condInfo
	if len(st.Conditions) == 0 {
		return ci
	}
	if st.Effect != "Allow" {
		words := make([]string, len(st.Conditions))
		for i, c := range st.Conditions {
			words[i] = describe(c)
		}
		ci.deny = "when " + strings.Join(words, " and ")
		if len(st.Conditions) == 1 {
			c := st.Conditions[0]
			switch kind := keyKind(c.Key); {
			case kind == "transport" && strings.EqualFold(c.BaseOperator, "Bool") && !c.Negated && len(c.Values) == 1 && c.Values[0] == "false":
				ci.ignore = true
			case (kind == "network" || kind == "tag") && c.Known && c.Negated && !c.IfExists && c.Qualifier == "":
				flipped := c
				flipped.Negated = false
				flipped.BaseOperator = positiveName(c.BaseOperator)
				flipped.Operator = flipped.BaseOperator
				ci.scopedDeny = describe(flipped)
			}
		}
		return ci
	}
	for _, c := range st.Conditions {
		switch kind := keyKind(c.Key); {
		case kind == "passed_to_service" && positive(c) && stringTest(c.BaseOperator):
			ci.passServices = append(ci.passServices, c.Values...)
			ci.passRoleOnly = true
		case kind == "associated_resource" && positive(c):
			ci.scoped = append(ci.scoped, describe(c))
			ci.passRoleOnly = true
		case (kind == "network" || kind == "tag") && positive(c):
			ci.scoped = append(ci.scoped, describe(c))
		case kind == "transport" || kind == "region":
			// aws:SecureTransport holds for every SDK request; aws:RequestedRegion keeps the
			// grant as broad within the region: neither narrows what the statement names.
		default:
			ci.undecided = append(ci.undecided, describe(c))
		}
	}
	return ci
}

func stringTest(base string) bool {
	switch strings.ToLower(base) {
	case "stringequals", "stringlike", "stringequalsignorecase":
		return true
	}
	return false
}

// positiveName returns the operator a negated one negates: "StringEquals" for
// "StringNotEquals", "IpAddress" for "NotIpAddress"; other names as they are.
func positiveName(base string) string {
	switch {
	case strings.HasPrefix(base, "Not"):
		return base[len("Not"):]
	case strings.Contains(base, "Not"):
		return strings.Replace(base, "Not", "", 1)
	}
	return base
}

// describe words a condition entry, e.g. `aws:ResourceTag/team is "data"`,
// `iam:PassedToService is one of "ec2.amazonaws.com", "ec2.amazonaws.com.cn"`.
func describe(c snapshot.Condition) string {
	values := make([]string, len(c.Values))
	for i, v := range c.Values {
		values[i] = fmt.Sprintf("%q", v)
	}
	list := strings.Join(values, ", ")
	var verb string
	switch strings.ToLower(positiveName(c.BaseOperator)) {
	case "stringequals", "stringequalsignorecase", "arnequals", "bool", "numericequals", "dateequals", "binaryequals":
		verb = "is"
		if len(values) > 1 {
			verb = "is one of"
		}
		if c.Negated {
			verb = "is not"
			if len(values) > 1 {
				verb = "is none of"
			}
		}
	case "stringlike", "arnlike":
		verb = "matches"
		if len(values) > 1 {
			verb = "matches one of"
		}
		if c.Negated {
			verb = "does not match"
			if len(values) > 1 {
				verb = "matches none of"
			}
		}
	case "ipaddress":
		verb = "is in"
		if c.Negated {
			verb = "is not in"
		}
	case "null":
		if len(c.Values) == 1 && c.Values[0] == "true" {
			return c.Key + " is absent"
		}
		if len(c.Values) == 1 && c.Values[0] == "false" {
			return c.Key + " is present"
		}
		verb = "Null"
	default:
		return fmt.Sprintf("%s %s %s", c.Key, c.Operator, list)
	}
	s := fmt.Sprintf("%s %s %s", c.Key, verb, list)
	if c.Qualifier != "" {
		s = c.Qualifier + " " + s
	}
	if c.IfExists {
		s += " (if present)"
	}
	return s
}

// noCodeServices use a passed role only for their own fixed work (scaling, caching, monitoring,
// delivering the service's own logs), never for code or calls the caller chooses. Every other
// service counts as one that may: Lambda, EC2, ECS, Glue, CloudFormation, Step Functions, and
// also services that move data where the caller says with the role (RDS and Redshift imports,
// Firehose, Transfer Family, Storage Gateway) or start instances with it (EKS node groups,
// Auto Scaling). The list is short on purpose: an unknown service errs towards reporting.
var noCodeServices = map[string]bool{
	"application-autoscaling": true, "dax": true, "monitoring.rds": true, "vpc-flow-logs": true,
	"delivery.logs": true, "cloudtrail": true, "config": true, "sns": true,
}

// principalName returns the service of a service principal: "ec2" for "ec2.amazonaws.com"
// and "ec2.amazonaws.com.cn".
func principalName(p string) string {
	p = strings.ToLower(p)
	for _, suffix := range []string{".amazonaws.com.cn", ".amazonaws.com"} {
		if n, ok := strings.CutSuffix(p, suffix); ok {
			return n
		}
	}
	return p
}

// mayRunCode reports whether any of the iam:PassedToService values can name a service that
// runs code or calls of the caller's choosing. Services in neither list count as such (the
// analysis errs towards reporting), and so does a pattern unless its wildcards come after the
// service's name ("dax.amazonaws.com*").
func mayRunCode(services []string) bool {
	for _, v := range services {
		name := v
		if i := strings.IndexAny(v, "*?"); i >= 0 {
			name = v[:i]
			if !strings.Contains(strings.ToLower(name), ".amazonaws.com") {
				return true
			}
			name = name[:strings.Index(strings.ToLower(name), ".amazonaws.com")]
		}
		if !noCodeServices[principalName(name)] {
			return true
		}
	}
	return false
}

// passesTo reports whether iam:PassedToService values allow passing a role to service principal
// name svc ("lambda"); nil values allow every service.
func passesTo(services []string, svc string) bool {
	if services == nil {
		return true
	}
	for _, v := range services {
		if iamcatalog.Match(v, svc+".amazonaws.com") || iamcatalog.Match(v, svc+".amazonaws.com.cn") {
			return true
		}
	}
	return false
}
