package iam

import (
	"strings"
)

// NormalizeIssuer is the issuer as IAM keys it: the URL without its "https://" (or "http://")
// scheme, everything else as written. It is the part after "oidc-provider/" in a provider ARN
// and the prefix of the provider's condition keys ("<issuer>:sub"). A trailing "/" is kept: a
// provider registered for "https://example.com/" has the ARN ".../oidc-provider/example.com/"
// and the keys "example.com/:sub".
func NormalizeIssuer(url string) string {
	if rest, ok := strings.CutPrefix(url, "https://"); ok {
		return rest
	}
	return strings.TrimPrefix(url, "http://")
}

// ClaimKey is the condition key of a claim of an issuer's tokens, in lower case (keys compare
// case-insensitively): "<issuer>:<claim>".
func ClaimKey(issuer, claim string) string {
	return strings.ToLower(NormalizeIssuer(issuer)) + ":" + claim
}

// SplitClaimKey splits an OIDC claim condition key "<issuer>:sub", "<issuer>:aud" or
// "<issuer>:amr" (any case) into the issuer as written and the lower-case claim. ok is false for
// every other key, and for keys whose "issuer" has neither "." nor "/" (global keys such as
// "aws:SourceIp", service keys such as "sts:RoleSessionName").
func SplitClaimKey(key string) (issuer, claim string, ok bool) {
	i := strings.LastIndexByte(key, ':')
	if i < 0 {
		return "", "", false
	}
	issuer, claim = key[:i], strings.ToLower(key[i+1:])
	switch claim {
	case "sub", "aud", "amr":
	default:
		return "", "", false
	}
	if !strings.ContainsAny(issuer, "./") {
		return "", "", false
	}
	return issuer, claim, true
}

// EKSIssuer reports whether issuer (no scheme) is an EKS cluster issuer,
// oidc.eks.<region>.amazonaws.com/id/<ID> (amazonaws.com.cn in the China regions), and returns
// its region.
func EKSIssuer(issuer string) (region string, ok bool) {
	rest, ok := cutPrefixFold(issuer, "oidc.eks.")
	if !ok {
		return "", false
	}
	dot := strings.IndexByte(rest, '.')
	if dot <= 0 {
		return "", false
	}
	region, rest = rest[:dot], rest[dot:]
	for i := range len(region) {
		if c := lower(region[i]); (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return "", false
		}
	}
	if r, ok := cutPrefixFold(rest, ".amazonaws.com.cn/id/"); ok {
		rest = r
	} else if r, ok := cutPrefixFold(rest, ".amazonaws.com/id/"); ok {
		rest = r
	} else {
		return "", false
	}
	if rest == "" {
		return "", false
	}
	for i := range len(rest) {
		if c := lower(rest[i]); (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return "", false
		}
	}
	return region, true
}

// IssuerPartition guesses the partition of an issuer (no scheme) from its host: "aws-cn" for
// hosts in amazonaws.com.cn (the China regions), else "aws". The issuer alone cannot tell the
// other partitions apart; prefer the partition of a role or provider ARN when there is one.
func IssuerPartition(issuer string) string {
	host, _, _ := strings.Cut(issuer, "/")
	if len(host) >= len(".amazonaws.com.cn") && strings.EqualFold(host[len(host)-len(".amazonaws.com.cn"):], ".amazonaws.com.cn") {
		return "aws-cn"
	}
	return "aws"
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// ServiceAccountSubject is the "sub" claim of a Kubernetes ServiceAccount token:
// "system:serviceaccount:<namespace>:<name>".
func ServiceAccountSubject(namespace, name string) string {
	return "system:serviceaccount:" + namespace + ":" + name
}

// ParseServiceAccountSubject splits "system:serviceaccount:<namespace>:<name>"; ok is false
// for any other subject (and for an empty namespace or name, or one with a ":").
func ParseServiceAccountSubject(sub string) (namespace, name string, ok bool) {
	rest, ok := strings.CutPrefix(sub, "system:serviceaccount:")
	if !ok {
		return "", "", false
	}
	namespace, name, ok = strings.Cut(rest, ":")
	if !ok || namespace == "" || name == "" || strings.Contains(name, ":") {
		return "", "", false
	}
	return namespace, name, true
}

// DefaultAudience is the audience the EKS Pod Identity Webhook requests for projected
// ServiceAccount tokens unless the eks.amazonaws.com/audience annotation says otherwise.
const DefaultAudience = "sts.amazonaws.com"

// AudienceAnnotation overrides the audience of a ServiceAccount's projected token.
const AudienceAnnotation = "eks.amazonaws.com/audience"

// RoleARNAnnotation is the ServiceAccount annotation that names an IRSA role.
const RoleARNAnnotation = "eks.amazonaws.com/role-arn"
