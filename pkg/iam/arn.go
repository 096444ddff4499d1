package iam

import (
	"strings"
)

// ARN is an Amazon Resource Name split into its six ":"-separated fields:
// arn:<Partition>:<Service>:<Region>:<Account>:<Resource>. The resource keeps its own colons.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// String joins the fields back into the ARN.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// ParseARN splits s into an ARN. ok is false unless s starts with "arn:" and has at least six
// fields and a partition; it does not judge the fields (see ParseRoleARN and ParseProviderARN
// for the IAM resources).
func ParseARN(s string) (a ARN, ok bool) {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return ARN{}, false
	}
	var f [4]string
	for i := range f {
		var found bool
		f[i], rest, found = strings.Cut(rest, ":")
		if !found {
			return ARN{}, false
		}
	}
	if f[0] == "" {
		return ARN{}, false
	}
	return ARN{Partition: f[0], Service: f[1], Region: f[2], Account: f[3], Resource: rest}, true
}

// ValidPartition reports whether p is spelled like an AWS partition: "aws" followed by
// lower-case letters and dashes ("aws", "aws-cn", "aws-us-gov", "aws-iso-b", ...).
func ValidPartition(p string) bool {
	rest, ok := strings.CutPrefix(p, "aws")
	if !ok {
		return false
	}
	for i := range len(rest) {
		if c := rest[i]; (c < 'a' || c > 'z') && c != '-' {
			return false
		}
	}
	return true
}

// ValidAccount reports whether s is an AWS account id: twelve decimal digits.
func ValidAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// RoleARN is a parsed IAM role ARN: arn:<Partition>:iam::<Account>:role<Path><Name>.
type RoleARN struct {
	Partition, Account string
	// Path starts and ends with "/" ("/" when the role has none).
	Path, Name string
}

// Key identifies the role for lookups: "<account>/<lower-case name>". IAM role names are unique
// per account regardless of case, and the path is not part of a role's identity.
func (r RoleARN) Key() string { return r.Account + "/" + strings.ToLower(r.Name) }

// ParseRoleARN parses an IAM role ARN; ok is false for anything else (a partition that is not
// "aws..." a region, an account that is not twelve digits, an empty name or path segment).
func ParseRoleARN(s string) (RoleARN, bool) {
	a, ok := ParseARN(s)
	if !ok || a.Service != "iam" || a.Region != "" || !ValidPartition(a.Partition) || !ValidAccount(a.Account) {
		return RoleARN{}, false
	}
	rest, ok := strings.CutPrefix(a.Resource, "role/")
	if !ok {
		return RoleARN{}, false
	}
	slash := strings.LastIndexByte(rest, '/')
	path, name := "/"+rest[:slash+1], rest[slash+1:]
	if name == "" || strings.Contains(path, "//") {
		return RoleARN{}, false
	}
	return RoleARN{Partition: a.Partition, Account: a.Account, Path: path, Name: name}, true
}

// RoleKey is ParseRoleARN(s).Key(); ok is false when s is no role ARN.
func RoleKey(s string) (string, bool) {
	r, ok := ParseRoleARN(s)
	if !ok {
		return "", false
	}
	return r.Key(), true
}

// ProviderARN is a parsed IAM OIDC identity provider ARN:
// arn:<Partition>:iam::<Account>:oidc-provider/<Issuer>.
type ProviderARN struct {
	Partition, Account string
	// Issuer is the provider URL without its scheme, exactly as in the ARN (see
	// NormalizeIssuer): the prefix of the provider's condition keys.
	Issuer string
}

// String is the ARN.
func (p ProviderARN) String() string {
	return "arn:" + p.Partition + ":iam::" + p.Account + ":oidc-provider/" + p.Issuer
}

// ParseProviderARN parses an IAM OIDC provider ARN; ok is false for anything else (SAML
// providers, Cognito, "*", a malformed account).
func ParseProviderARN(s string) (ProviderARN, bool) {
	a, ok := ParseARN(s)
	if !ok || a.Service != "iam" || a.Region != "" || !ValidPartition(a.Partition) || !ValidAccount(a.Account) {
		return ProviderARN{}, false
	}
	issuer, ok := strings.CutPrefix(a.Resource, "oidc-provider/")
	if !ok || issuer == "" {
		return ProviderARN{}, false
	}
	return ProviderARN{Partition: a.Partition, Account: a.Account, Issuer: issuer}, true
}

// ProviderFor is the ARN of the IAM OIDC provider of issuer in the partition and account of the
// role roleARN: the only provider STS matches a web-identity token to when that role is
// assumed. ok is false when roleARN has no partition and account.
func ProviderFor(roleARN, issuer string) (string, bool) {
	a, ok := ParseARN(roleARN)
	if !ok {
		return "", false
	}
	return ProviderARN{Partition: a.Partition, Account: a.Account, Issuer: NormalizeIssuer(issuer)}.String(), true
}

// SameARN reports whether two ARNs name the same entity as IAM compares them: exactly. (IAM
// compares principal and provider ARNs as strings; a provider registered as
// ".../id/ABC" is not matched by a trust policy naming ".../id/abc".)
func SameARN(a, b string) bool { return a == b }
