package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-audit/irsa-audit/internal/fakeaws"
)

// TestOutputS3 writes reports to S3 with the real SDK client against the loopback fake, which
// speaks PutObject's REST-XML and checks the signed payload hash and the CRC32 checksum.
func TestOutputS3(t *testing.T) {
	est := liveEstate(false)
	est.Accounts[0].Buckets = []string{"irsa-reports"}
	est.Accounts = append(est.Accounts, &fakeaws.Account{ID: "999988887777", AccessKeyID: "AKIDOTHER", Buckets: []string{"someone-elses"}})
	srv := fakeaws.New(est)
	t.Cleanup(srv.Close)
	useFakeAWSServer(t, srv)

	local := filepath.Join(t.TempDir(), "local.sarif")
	if code, _, stderr := runCLI(t, "", "scan", "--format", "sarif", "-o", local, "examples/broken/no-sub"); code != exitFindings {
		t.Fatalf("local scan: exit %d\n%s", code, stderr)
	}
	want, err := os.ReadFile(local)
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "", "scan", "--format", "sarif", "-o", "s3://irsa-reports/nightly/2026-11-27/irsa.sarif", "examples/broken/no-sub")
	if code != exitFindings || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	obj, ok := srv.Object("irsa-reports", "nightly/2026-11-27/irsa.sarif")
	if !ok {
		t.Fatal("no object stored")
	}
	if diff := cmp.Diff(string(want), string(obj.Body)); diff != "" {
		t.Errorf("object differs from the file output (-want +got):\n%s", diff)
	}
	if obj.ContentType != "application/sarif+json" {
		t.Errorf("content type = %q", obj.ContentType)
	}

	for _, tc := range []struct {
		name, dest, want string
		code             int
	}{
		{"no such bucket", "s3://missing-bucket/r.json", "write s3://missing-bucket/r.json: NoSuchBucket: The specified bucket does not exist", exitError},
		{"another account's bucket", "s3://someone-elses/r.json", "AccessDenied: Access Denied", exitError},
		{"no key", "s3://irsa-reports/", "want s3://BUCKET/KEY", exitError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", "scan", "--format", "json", "-o", tc.dest, "examples/irsa-s3")
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.want)
			}
		})
	}
	if got := srv.Calls()["s3:PutObject"]; got != 3 {
		t.Errorf("PutObject calls = %d, want 3 (the bad URL is refused before any call)", got)
	}
}

func TestLoopbackEndpoint(t *testing.T) {
	for in, want := range map[string]bool{
		"http://127.0.0.1:4566": true, "http://localhost:9000": true, "http://[::1]:9000": true,
		"https://s3.eu-west-1.amazonaws.com": false, "https://bucket.vpce-123.s3.us-east-1.vpce.amazonaws.com": false, "": false,
	} {
		if got := loopbackEndpoint(in); got != want {
			t.Errorf("loopbackEndpoint(%q) = %v, want %v", in, got, want)
		}
	}
}
