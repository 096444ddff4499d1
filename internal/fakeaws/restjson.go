package fakeaws

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// EKS and Account speak REST-JSON: the operation is in the method and path, the answer is JSON,
// and errors carry their code in X-Amzn-ErrorType.
//
//	GET  /clusters?maxResults&nextToken                                     eks:ListClusters
//	GET  /clusters/{name}                                                   eks:DescribeCluster
//	GET  /clusters/{name}/pod-identity-associations?maxResults&nextToken    eks:ListPodIdentityAssociations
//	GET  /clusters/{name}/pod-identity-associations/{id}                    eks:DescribePodIdentityAssociation
//	POST /listRegions {"RegionOptStatusContains":[...],"MaxResults","NextToken"}  account:ListRegions

func (s *Server) serveRESTJSON(w http.ResponseWriter, r *http.Request) {
	path := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var op string
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/listRegions":
		op = "account:ListRegions"
	case r.Method == http.MethodGet && len(path) == 1 && path[0] == "clusters":
		op = "eks:ListClusters"
	case r.Method == http.MethodGet && len(path) == 2 && path[0] == "clusters":
		op = "eks:DescribeCluster"
	case r.Method == http.MethodGet && len(path) == 3 && path[0] == "clusters" && path[2] == "pod-identity-associations":
		op = "eks:ListPodIdentityAssociations"
	case r.Method == http.MethodGet && len(path) == 4 && path[0] == "clusters" && path[2] == "pod-identity-associations":
		op = "eks:DescribePodIdentityAssociation"
	default:
		writeJSONError(w, http.StatusNotFound, "UnknownOperationException", "no operation for "+r.Method+" "+r.URL.Path)
		return
	}
	if s.count(op) {
		writeJSONError(w, http.StatusTooManyRequests, "ThrottlingException", "Rate exceeded")
		return
	}
	key, regionName := sigv4(r)
	acct := s.estate.accountByKey(key)
	switch {
	case acct == nil:
		writeJSONError(w, http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid.")
		return
	case acct.Expired:
		writeJSONError(w, http.StatusForbidden, "ExpiredTokenException", "The security token included in the request is expired")
		return
	}

	if op == "account:ListRegions" {
		s.listRegions(w, r, acct)
		return
	}
	region := acct.region(regionName)
	if region != nil && region.AccessDenied {
		writeJSONError(w, http.StatusForbidden, "AccessDeniedException",
			fmt.Sprintf("User: arn:aws:sts::%s:assumed-role/irsa-audit/test is not authorized to perform: %s on resource: arn:aws:eks:%s:%s:cluster/*", acct.ID, op, regionName, acct.ID))
		return
	}
	var clusters []*Cluster
	if region != nil {
		clusters = region.Clusters
	}
	if op == "eks:ListClusters" {
		var names []string
		for _, c := range clusters {
			names = append(names, c.Name)
		}
		page, next, err := paginate(names, r.URL.Query().Get("maxResults"), r.URL.Query().Get("nextToken"), 100)
		if err != nil {
			writeJSONError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
			return
		}
		next = s.nextToken(op, r.URL.Query().Get("nextToken"), "tok-0", next)
		writeJSON(w, map[string]any{"clusters": nonNil(page), "nextToken": next})
		return
	}
	i := slices.IndexFunc(clusters, func(c *Cluster) bool { return c.Name == path[1] })
	if i < 0 {
		writeJSONError(w, http.StatusNotFound, "ResourceNotFoundException", "No cluster found for name: "+path[1]+".")
		return
	}
	c := clusters[i]
	arn := acct.ClusterARN(regionName, c)
	switch op {
	case "eks:DescribeCluster":
		writeJSON(w, map[string]any{"cluster": map[string]any{
			"name": c.Name, "arn": arn, "status": "ACTIVE", "version": "1.33", "createdAt": 1704067200,
			"endpoint": "https://" + strings.Repeat("B", 32) + ".gr7." + regionName + ".eks.amazonaws.com",
			"identity": map[string]any{"oidc": map[string]any{"issuer": c.Issuer}},
		}})
	case "eks:ListPodIdentityAssociations":
		page, next, err := paginate(c.PodIdentity, r.URL.Query().Get("maxResults"), r.URL.Query().Get("nextToken"), 100)
		if err != nil {
			writeJSONError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
			return
		}
		next = s.nextToken(op, r.URL.Query().Get("nextToken"), "tok-0", next)
		list := []map[string]any{}
		for _, p := range page {
			list = append(list, map[string]any{
				"associationArn": associationARN(arn, p), "associationId": p.ID, "clusterName": c.Name,
				"namespace": p.Namespace, "serviceAccount": p.ServiceAccount,
			})
		}
		writeJSON(w, map[string]any{"associations": list, "nextToken": next})
	case "eks:DescribePodIdentityAssociation":
		j := slices.IndexFunc(c.PodIdentity, func(p *PodIdentityAssociation) bool { return p.ID == path[3] })
		if j < 0 {
			writeJSONError(w, http.StatusNotFound, "ResourceNotFoundException", "No association found for id: "+path[3]+".")
			return
		}
		p := c.PodIdentity[j]
		a := map[string]any{
			"associationArn": associationARN(arn, p), "associationId": p.ID, "clusterName": c.Name,
			"namespace": p.Namespace, "serviceAccount": p.ServiceAccount, "roleArn": p.RoleARN,
			"createdAt": 1704067200, "modifiedAt": 1704067200, "disableSessionTags": p.DisableSessionTags,
		}
		if p.TargetRoleARN != "" {
			a["targetRoleArn"] = p.TargetRoleARN
		}
		writeJSON(w, map[string]any{"association": a})
	}
}

func associationARN(clusterARN string, p *PodIdentityAssociation) string {
	return strings.Replace(clusterARN, ":cluster/", ":podidentityassociation/", 1) + "/" + p.ID
}

func (s *Server) listRegions(w http.ResponseWriter, r *http.Request, acct *Account) {
	if acct.DenyListRegions {
		writeJSONError(w, http.StatusForbidden, "AccessDeniedException", "User is not authorized to perform: account:ListRegions")
		return
	}
	var in struct {
		MaxResults              *int
		NextToken               string
		RegionOptStatusContains []string
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSONError(w, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	var regions []map[string]string
	for _, reg := range acct.Regions {
		st := reg.OptStatus
		if st == "" {
			st = "ENABLED_BY_DEFAULT"
		}
		if len(in.RegionOptStatusContains) == 0 || slices.Contains(in.RegionOptStatusContains, st) {
			regions = append(regions, map[string]string{"RegionName": reg.Name, "RegionOptStatus": st})
		}
	}
	maxResults := ""
	if in.MaxResults != nil {
		maxResults = strconv.Itoa(*in.MaxResults)
	}
	page, next, err := paginate(regions, maxResults, in.NextToken, 20)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	next = s.nextToken("account:ListRegions", in.NextToken, "tok-0", next)
	out := map[string]any{"Regions": nonNil(page)}
	if next != nil {
		out["NextToken"] = *next
	}
	writeJSON(w, out)
}

// paginate returns the page of items starting at token (an offset, "" for the first page) and the
// next token (nil on the last page).
func paginate[T any](items []T, maxResults, token string, def int) ([]T, *string, error) {
	n := def
	if maxResults != "" {
		v, err := strconv.Atoi(maxResults)
		if err != nil || v < 1 {
			return nil, nil, fmt.Errorf("invalid maxResults %q", maxResults)
		}
		n = v
	}
	off := 0
	if token != "" {
		v, err := strconv.Atoi(strings.TrimPrefix(token, "tok-"))
		if err != nil || v < 0 || v > len(items) {
			return nil, nil, fmt.Errorf("invalid nextToken %q", token)
		}
		off = v
	}
	end := min(off+n, len(items))
	var next *string
	if end < len(items) {
		t := "tok-" + strconv.Itoa(end)
		next = &t
	}
	return items[off:end], next, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
