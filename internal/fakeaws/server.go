package fakeaws

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Server is the loopback AWS. Start it with New and Close it when done.
type Server struct {
	// URL is the base endpoint for every service, e.g. "http://127.0.0.1:40123".
	URL string

	estate *Estate
	srv    *httptest.Server

	mu       sync.Mutex
	calls    map[string]int
	throttle map[string]int
	repeat   map[string]bool
	noMarker bool
	objects  map[string]Object // "bucket/key"
}

// New starts a server answering from estate. The estate must not be changed while it runs.
func New(estate *Estate) *Server {
	s := &Server{estate: estate, calls: map[string]int{}, throttle: map[string]int{}, repeat: map[string]bool{}, objects: map[string]Object{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Calls returns the number of requests received per operation ("iam:GetAccountAuthorizationDetails"),
// throttled and failed ones included.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// Throttle makes the next n requests of operation op (e.g. "iam:GetAccountAuthorizationDetails")
// fail with the service's throttling error.
func (s *Server) Throttle(op string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle[op] = n
}

// RepeatToken makes operation op (e.g. "eks:ListClusters", "iam:GetAccountAuthorizationDetails")
// answer the first page with a token (the start of the list again, when it has no second page)
// and every later page with the token it was asked with, as a faulty or hostile endpoint
// could: a client that follows tokens blindly never stops.
func (s *Server) RepeatToken(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repeat[op] = true
}

// OmitMarker makes GetAccountAuthorizationDetails say IsTruncated without a Marker.
func (s *Server) OmitMarker() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noMarker = true
}

// nextToken is the token to answer a request for page asked with: next, or with RepeatToken
// the asked token again (start, the token of the list's first item, on the first page).
func (s *Server) nextToken(op, asked, start string, next *string) *string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !s.repeat[op]:
		return next
	case asked != "":
		return &asked
	case next == nil:
		return &start
	}
	return next
}

// count records a call and reports whether it is to be throttled.
func (s *Server) count(op string) (throttled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
	if s.throttle[op] > 0 {
		s.throttle[op]--
		return true
	}
	return false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if sigv4Service(r) == "s3" {
		s.serveS3(w, r)
		return
	}
	if r.Method == http.MethodPost && r.Header.Get("X-Amz-Target") != "" {
		s.serveJSON(w, r)
		return
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		s.serveQuery(w, r)
		return
	}
	s.serveRESTJSON(w, r)
}

// sigv4 returns the access key id and region of a SigV4-signed request:
// "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/eks/aws4_request, SignedHeaders=..., Signature=...".
func sigv4(r *http.Request) (key, region string) {
	h := r.Header.Get("Authorization")
	_, cred, ok := strings.Cut(h, "Credential=")
	if !ok {
		return "", ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) < 3 {
		return "", ""
	}
	return parts[0], parts[2]
}
