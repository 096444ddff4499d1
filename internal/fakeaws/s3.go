package fakeaws

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// S3 speaks REST-XML. Only PutObject, with path-style addressing (the client's UsePathStyle):
//
//	PUT /{bucket}/{key...}    s3:PutObject
//
// The server checks what a real one would refuse: an unknown or expired access key, a bucket
// that does not exist (NoSuchBucket) or belongs to another account (AccessDenied), a body
// whose x-amz-content-sha256 or x-amz-checksum-crc32 does not match (the SDK signs the
// payload over plain HTTP and adds a CRC32 checksum by default), and aws-chunked bodies with
// their trailing checksum.

// Object is a stored S3 object.
type Object struct {
	Body        []byte
	ContentType string
}

// Object returns the object stored at bucket/key.
func (s *Server) Object(bucket, key string) (Object, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[bucket+"/"+key]
	return o, ok
}

// sigv4Service is the service of a SigV4-signed request's credential scope ("s3", "eks", ...).
func sigv4Service(r *http.Request) string {
	_, cred, ok := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) < 4 {
		return ""
	}
	return parts[3]
}

func (s *Server) serveS3(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if r.Method != http.MethodPut || bucket == "" || key == "" {
		writeS3Error(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "only path-style PutObject is implemented: "+r.Method+" "+r.URL.Path)
		return
	}
	const op = "s3:PutObject"
	if s.count(op) {
		writeS3Error(w, http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
		return
	}
	k, _ := sigv4(r)
	acct := s.estate.accountByKey(k)
	switch {
	case acct == nil:
		writeS3Error(w, http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
		return
	case acct.Expired:
		writeS3Error(w, http.StatusBadRequest, "ExpiredToken", "The provided token has expired.")
		return
	}
	owner := s.bucketOwner(bucket)
	switch {
	case owner == nil:
		writeS3Error(w, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	case owner != acct:
		writeS3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeS3Error(w, http.StatusBadRequest, "IncompleteBody", err.Error())
		return
	}
	trailers := map[string]string{}
	if strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") {
		if body, trailers, err = decodeAWSChunked(body); err != nil {
			writeS3Error(w, http.StatusBadRequest, "IncompleteBody", err.Error())
			return
		}
		if n, err := strconv.Atoi(r.Header.Get("X-Amz-Decoded-Content-Length")); err != nil || n != len(body) {
			writeS3Error(w, http.StatusBadRequest, "IncompleteBody", "x-amz-decoded-content-length does not match the body")
			return
		}
	}
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != "UNSIGNED-PAYLOAD" && !strings.HasPrefix(h, "STREAMING-") {
		sum := sha256.Sum256(body)
		if hex.EncodeToString(sum[:]) != h {
			writeS3Error(w, http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
			return
		}
	}
	crc := cmpOr(r.Header.Get("X-Amz-Checksum-Crc32"), trailers["x-amz-checksum-crc32"])
	if crc != "" {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], crc32.ChecksumIEEE(body))
		if base64.StdEncoding.EncodeToString(b[:]) != crc {
			writeS3Error(w, http.StatusBadRequest, "BadDigest", "The CRC32 you specified did not match the calculated checksum.")
			return
		}
	}
	s.mu.Lock()
	s.objects[bucket+"/"+key] = Object{Body: body, ContentType: r.Header.Get("Content-Type")}
	s.mu.Unlock()
	sum := md5.Sum(body)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	w.WriteHeader(http.StatusOK)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *Server) bucketOwner(bucket string) *Account {
	for _, a := range s.estate.Accounts {
		if slices.Contains(a.Buckets, bucket) {
			return a
		}
	}
	return nil
}

// decodeAWSChunked reads an aws-chunked body: "<hex size>[;chunk-signature=...]\r\n<data>\r\n"
// chunks up to a zero-sized one, then trailer lines "name:value" and an empty line.
func decodeAWSChunked(b []byte) ([]byte, map[string]string, error) {
	rd := bufio.NewReader(bytes.NewReader(b))
	var out []byte
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return nil, nil, fmt.Errorf("aws-chunked: chunk header: %w", err)
		}
		sizeHex, _, _ := strings.Cut(strings.TrimRight(line, "\r\n"), ";")
		n, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil || n < 0 {
			return nil, nil, fmt.Errorf("aws-chunked: bad chunk size %q", sizeHex)
		}
		if n == 0 {
			break
		}
		chunk := make([]byte, n)
		if _, err := io.ReadFull(rd, chunk); err != nil {
			return nil, nil, fmt.Errorf("aws-chunked: chunk: %w", err)
		}
		out = append(out, chunk...)
		if crlf, err := rd.ReadString('\n'); err != nil || strings.TrimRight(crlf, "\r\n") != "" {
			return nil, nil, fmt.Errorf("aws-chunked: no CRLF after a chunk")
		}
	}
	trailers := map[string]string{}
	for {
		line, err := rd.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		k, v, _ := strings.Cut(line, ":")
		trailers[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		if err != nil {
			break
		}
	}
	return out, trailers, nil
}

func writeS3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	type s3Error struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		RequestID string `xml:"RequestId"`
	}
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(s3Error{Code: code, Message: msg, RequestID: "fakeaws"})
}
