package fakeaws

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// Organizations speaks awsJson1_1: POST / with Content-Type application/x-amz-json-1.1, the
// operation in X-Amz-Target, a JSON body, and errors as {"__type": code, "message": ...} with
// HTTP 400.
//
//	X-Amz-Target: AWSOrganizationsV20161128.ListAccounts {"MaxResults","NextToken"}  organizations:ListAccounts

const organizationsTarget = "AWSOrganizationsV20161128."

// orgPageSize is the most accounts one ListAccounts page holds, whatever MaxResults asks for:
// Organizations may return fewer than MaxResults, and a small page makes every test paginate.
const orgPageSize = 2

func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		writeAWSJSONError(w, http.StatusBadRequest, "SerializationException", "unexpected Content-Type "+ct)
		return
	}
	action, ok := strings.CutPrefix(target, organizationsTarget)
	if !ok || action != "ListAccounts" {
		writeAWSJSONError(w, http.StatusBadRequest, "UnknownOperationException", "no operation for X-Amz-Target "+target)
		return
	}
	op := "organizations:" + action
	if s.count(op) {
		writeAWSJSONError(w, http.StatusBadRequest, "TooManyRequestsException", "Rate exceeded")
		return
	}
	key, _ := sigv4(r)
	acct := s.estate.accountByKey(key)
	switch {
	case acct == nil:
		writeAWSJSONError(w, http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.")
		return
	case acct.Expired:
		writeAWSJSONError(w, http.StatusBadRequest, "ExpiredTokenException", "The security token included in the request is expired")
		return
	}
	org := s.estate.Organization
	switch {
	case org == nil:
		writeAWSJSONError(w, http.StatusBadRequest, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
		return
	case acct.ID != org.ManagementAccount:
		writeAWSJSONError(w, http.StatusBadRequest, "AccessDeniedException", "You don't have permissions to access this resource.")
		return
	}
	var in struct {
		MaxResults *int
		NextToken  string
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeAWSJSONError(w, http.StatusBadRequest, "InvalidInputException", err.Error())
		return
	}
	n := orgPageSize
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 20 {
			writeAWSJSONError(w, http.StatusBadRequest, "InvalidInputException", "MaxResults must be between 1 and 20")
			return
		}
		n = min(n, *in.MaxResults)
	}
	page, next, err := paginate(org.Members, strconv.Itoa(n), in.NextToken, n)
	if err != nil {
		writeAWSJSONError(w, http.StatusBadRequest, "InvalidInputException", err.Error())
		return
	}
	next = s.nextToken(op, in.NextToken, "tok-0", next)
	list := []map[string]any{}
	for _, m := range page {
		a := map[string]any{
			"Id": m.ID, "Arn": "arn:aws:organizations::" + org.ManagementAccount + ":account/o-exampleorgid/" + m.ID,
			"Email": "aws+" + m.ID + "@example.com", "Name": "account-" + m.ID,
			"Status": m.Status, "JoinedMethod": "CREATED", "JoinedTimestamp": 1704067200,
		}
		if m.State != "" {
			a["State"] = m.State
		}
		list = append(list, a)
	}
	out := map[string]any{"Accounts": list}
	if next != nil {
		out["NextToken"] = *next
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

func writeAWSJSONError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}
