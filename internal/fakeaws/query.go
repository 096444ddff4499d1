package fakeaws

import (
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// IAM and STS speak the AWS query protocol: a form-encoded POST with Action and Version, answered
// with XML in the documented <ActionResponse><ActionResult>... shape.

const (
	iamVersion = "2010-05-08"
	stsVersion = "2011-06-15"
	iamXMLNS   = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsXMLNS   = "https://sts.amazonaws.com/doc/2011-06-15/"
)

type queryError struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	XMLNS   string   `xml:"xmlns,attr"`
	Type    string   `xml:"Error>Type"`
	Code    string   `xml:"Error>Code"`
	Message string   `xml:"Error>Message"`
	ReqID   string   `xml:"RequestId"`
}

type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f := r.PostForm
	action, version := f.Get("Action"), f.Get("Version")
	service, xmlns := "iam", iamXMLNS
	if version == stsVersion {
		service, xmlns = "sts", stsXMLNS
	} else if version != iamVersion {
		writeQueryError(w, iamXMLNS, http.StatusBadRequest, "InvalidParameterValue", "unknown Version "+version)
		return
	}
	if s.count(service + ":" + action) {
		writeQueryError(w, xmlns, http.StatusBadRequest, "Throttling", "Rate exceeded")
		return
	}
	key, _ := sigv4(r)
	acct := s.estate.accountByKey(key)
	switch {
	case acct == nil:
		writeQueryError(w, xmlns, http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	case acct.Expired:
		writeQueryError(w, xmlns, http.StatusBadRequest, "ExpiredToken", "The security token included in the request is expired")
		return
	}

	var result any
	switch service + ":" + action {
	case "sts:GetCallerIdentity":
		result = struct {
			Account string `xml:"Account"`
			Arn     string `xml:"Arn"`
			UserID  string `xml:"UserId"`
		}{acct.ID, fmt.Sprintf("arn:aws:sts::%s:assumed-role/irsa-audit/test", acct.ID), "AROAEXAMPLE:test"}
	case "sts:AssumeRole":
		res, code, msg := s.assumeRole(acct, f)
		if code != "" {
			writeQueryError(w, xmlns, http.StatusForbidden, code, msg)
			return
		}
		result = res
	case "iam:GetAccountAuthorizationDetails":
		if acct.DenyAuthDetails {
			writeQueryError(w, xmlns, http.StatusForbidden, "AccessDenied", "User is not authorized to perform: iam:GetAccountAuthorizationDetails")
			return
		}
		res, err := authDetails(acct, f)
		if err != nil {
			writeQueryError(w, xmlns, http.StatusBadRequest, "ValidationError", err.Error())
			return
		}
		var next *string
		if res.IsTruncated {
			next = &res.Marker
		}
		if m := s.nextToken("iam:GetAccountAuthorizationDetails", f.Get("Marker"), "marker-0", next); m != nil {
			res.IsTruncated, res.Marker = true, *m
		}
		s.mu.Lock()
		if s.noMarker && res.IsTruncated {
			res.Marker = ""
		}
		s.mu.Unlock()
		result = res
	case "iam:ListOpenIDConnectProviders":
		var list []struct {
			Arn string `xml:"Arn"`
		}
		for _, p := range acct.OIDCProviders {
			list = append(list, struct {
				Arn string `xml:"Arn"`
			}{acct.ProviderARN(p)})
		}
		result = struct {
			List any `xml:"OpenIDConnectProviderList>member"`
		}{list}
	case "iam:GetOpenIDConnectProvider":
		arn := f.Get("OpenIDConnectProviderArn")
		i := slices.IndexFunc(acct.OIDCProviders, func(p *OIDCProvider) bool { return acct.ProviderARN(p) == arn })
		if i < 0 {
			writeQueryError(w, xmlns, http.StatusNotFound, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+arn)
			return
		}
		p := acct.OIDCProviders[i]
		result = struct {
			ClientIDs   []string `xml:"ClientIDList>member"`
			CreateDate  string   `xml:"CreateDate"`
			Thumbprints []string `xml:"ThumbprintList>member"`
			URL         string   `xml:"Url"`
		}{p.ClientIDs, "2024-01-01T00:00:00Z", p.Thumbprints, p.URL}
	default:
		writeQueryError(w, xmlns, http.StatusBadRequest, "InvalidAction", "Could not find operation "+action+" for version "+version)
		return
	}
	writeQueryResult(w, xmlns, action, result)
}

func (s *Server) assumeRole(caller *Account, f url.Values) (any, string, string) {
	roleARN := f.Get("RoleArn")
	if f.Get("RoleSessionName") == "" {
		return nil, "ValidationError", "RoleSessionName is required"
	}
	denied := fmt.Sprintf("User: arn:aws:sts::%s:assumed-role/caller is not authorized to perform: sts:AssumeRole on resource: %s", caller.ID, roleARN)
	parts := strings.Split(roleARN, ":")
	if len(parts) < 6 {
		return nil, "ValidationError", "invalid RoleArn " + roleARN
	}
	target := s.estate.accountByID(parts[4])
	if target == nil || target.roleByARN(roleARN) == nil || (target != caller && !target.AssumableByOther) {
		return nil, "AccessDenied", denied
	}
	return struct {
		AssumedRoleARN string `xml:"AssumedRoleUser>Arn"`
		AssumedRoleID  string `xml:"AssumedRoleUser>AssumedRoleId"`
		AccessKeyID    string `xml:"Credentials>AccessKeyId"`
		Expiration     string `xml:"Credentials>Expiration"`
		Secret         string `xml:"Credentials>SecretAccessKey"`
		SessionToken   string `xml:"Credentials>SessionToken"`
	}{
		AssumedRoleARN: strings.Replace(strings.Replace(roleARN, ":iam:", ":sts:", 1), ":role/", ":assumed-role/", 1) + "/" + f.Get("RoleSessionName"),
		AssumedRoleID:  "AROAEXAMPLE:" + f.Get("RoleSessionName"),
		AccessKeyID:    target.AccessKeyID,
		Expiration:     time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		Secret:         "fake-secret-for-" + target.ID,
		SessionToken:   "FAKE-SESSION-TOKEN-" + target.ID,
	}, "", ""
}

type roleDetail struct {
	Arn                      string       `xml:"Arn"`
	AssumeRolePolicyDocument string       `xml:"AssumeRolePolicyDocument"`
	Attached                 []attached   `xml:"AttachedManagedPolicies>member"`
	CreateDate               string       `xml:"CreateDate"`
	Path                     string       `xml:"Path"`
	Boundary                 *boundary    `xml:"PermissionsBoundary,omitempty"`
	RoleID                   string       `xml:"RoleId"`
	LastUsed                 *lastUsed    `xml:"RoleLastUsed,omitempty"`
	RoleName                 string       `xml:"RoleName"`
	RolePolicyList           []policyDocT `xml:"RolePolicyList>member"`
	Tags                     []tag        `xml:"Tags>member"`
}

type attached struct {
	PolicyArn  string `xml:"PolicyArn"`
	PolicyName string `xml:"PolicyName"`
}

type boundary struct {
	Arn  string `xml:"PermissionsBoundaryArn"`
	Type string `xml:"PermissionsBoundaryType"`
}

type lastUsed struct {
	Date   string `xml:"LastUsedDate,omitempty"`
	Region string `xml:"Region,omitempty"`
}

type policyDocT struct {
	PolicyDocument string `xml:"PolicyDocument"`
	PolicyName     string `xml:"PolicyName"`
}

type policyDetail struct {
	Arn              string          `xml:"Arn"`
	AttachmentCount  int             `xml:"AttachmentCount"`
	DefaultVersionID string          `xml:"DefaultVersionId"`
	IsAttachable     bool            `xml:"IsAttachable"`
	Path             string          `xml:"Path"`
	PolicyID         string          `xml:"PolicyId"`
	PolicyName       string          `xml:"PolicyName"`
	Versions         []policyVersion `xml:"PolicyVersionList>member"`
}

type policyVersion struct {
	CreateDate       string `xml:"CreateDate"`
	Document         string `xml:"Document"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	VersionID        string `xml:"VersionId"`
}

// authDetailsResult is one page of GetAccountAuthorizationDetails.
type authDetailsResult struct {
	IsTruncated bool           `xml:"IsTruncated"`
	Marker      string         `xml:"Marker,omitempty"`
	Policies    []policyDetail `xml:"Policies>member"`
	Roles       []roleDetail   `xml:"RoleDetailList>member"`
}

// authDetails answers one page of GetAccountAuthorizationDetails. MaxItems (default 100, at most
// 1000) bounds the number of entities in a page across all lists, as IAM does; the Marker is the
// offset of the next entity.
func authDetails(a *Account, f url.Values) (*authDetailsResult, error) {
	filter := map[string]bool{}
	for i := 1; ; i++ {
		v := f.Get("Filter.member." + strconv.Itoa(i))
		if v == "" {
			break
		}
		filter[v] = true
	}
	all := len(filter) == 0
	maxItems := 100
	if v := f.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, fmt.Errorf("invalid MaxItems %q", v)
		}
		maxItems = n
	}
	offset := 0
	if m := f.Get("Marker"); m != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(m, "marker-"))
		if err != nil || !strings.HasPrefix(m, "marker-") {
			return nil, fmt.Errorf("invalid Marker %q", m)
		}
		offset = n
	}

	type entity struct {
		role   *Role
		policy *ManagedPolicy
	}
	var ents []entity
	if all || filter["Role"] {
		for _, r := range a.Roles {
			ents = append(ents, entity{role: r})
		}
	}
	for _, p := range a.ManagedPolicies {
		aws := strings.HasPrefix(p.ARN, "arn:aws:iam::aws:")
		if all || (aws && filter["AWSManagedPolicy"]) || (!aws && filter["LocalManagedPolicy"]) {
			ents = append(ents, entity{policy: p})
		}
	}
	end := min(offset+maxItems, len(ents))
	var res authDetailsResult
	if end < len(ents) {
		res.IsTruncated, res.Marker = true, "marker-"+strconv.Itoa(end)
	}
	for _, e := range ents[min(offset, end):end] {
		if r := e.role; r != nil {
			d := roleDetail{
				Arn: a.RoleARN(r), AssumeRolePolicyDocument: urlEncode(r.TrustPolicy),
				CreateDate: "2024-01-01T00:00:00Z", Path: rolePath(r), RoleID: "AROA" + strings.ToUpper(r.Name), RoleName: r.Name,
			}
			for _, arn := range r.Attached {
				d.Attached = append(d.Attached, attached{arn, arn[strings.LastIndex(arn, "/")+1:]})
			}
			if r.PermissionsBoundary != "" {
				d.Boundary = &boundary{r.PermissionsBoundary, "PermissionsBoundaryPolicy"}
			}
			if r.LastUsed != "" || r.LastUsedRegion != "" {
				d.LastUsed = &lastUsed{r.LastUsed, r.LastUsedRegion}
			}
			for _, p := range r.Inline {
				d.RolePolicyList = append(d.RolePolicyList, policyDocT{urlEncode(p.Document), p.Name})
			}
			for _, k := range slices.Sorted(maps.Keys(r.Tags)) {
				d.Tags = append(d.Tags, tag{k, r.Tags[k]})
			}
			res.Roles = append(res.Roles, d)
			continue
		}
		p := e.policy
		d := policyDetail{Arn: a.PolicyARN(p), AttachmentCount: 1, IsAttachable: true, Path: "/", PolicyID: "ANPA" + strings.ToUpper(p.Name), PolicyName: p.Name}
		for _, v := range p.Versions {
			if v.Default {
				d.DefaultVersionID = v.ID
			}
			d.Versions = append(d.Versions, policyVersion{"2024-01-01T00:00:00Z", urlEncode(v.Document), v.Default, v.ID})
		}
		res.Policies = append(res.Policies, d)
	}
	return &res, nil
}

// urlEncode encodes a policy document the way IAM returns it (RFC 3986: spaces as %20).
func urlEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func writeQueryResult(w http.ResponseWriter, xmlns, action string, result any) {
	type resp struct {
		XMLName xml.Name
		XMLNS   string `xml:"xmlns,attr"`
		Result  any
		ReqID   string `xml:"ResponseMetadata>RequestId"`
	}
	out, err := xml.Marshal(resp{
		XMLName: xml.Name{Local: action + "Response"},
		XMLNS:   xmlns,
		Result:  wrapped{Name: action + "Result", V: result},
		ReqID:   "00000000-0000-0000-0000-000000000000",
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write(out)
}

// wrapped marshals V as an element called Name.
type wrapped struct {
	Name string
	V    any
}

func (e wrapped) MarshalXML(enc *xml.Encoder, _ xml.StartElement) error {
	return enc.EncodeElement(e.V, xml.StartElement{Name: xml.Name{Local: e.Name}})
}

func writeQueryError(w http.ResponseWriter, xmlns string, status int, code, msg string) {
	typ := "Sender"
	out, _ := xml.Marshal(queryError{XMLNS: xmlns, Type: typ, Code: code, Message: msg, ReqID: "00000000-0000-0000-0000-000000000000"})
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}
