package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/irsa-audit/irsa-audit/pkg/report"
)

// isS3URL reports whether an --output names an S3 object.
func isS3URL(s string) bool { return strings.HasPrefix(s, "s3://") }

// parseS3URL splits s3://bucket/key/with/slashes.
func parseS3URL(s string) (bucket, key string, err error) {
	rest, _ := strings.CutPrefix(s, "s3://")
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" || key == "" || strings.HasSuffix(key, "/") {
		return "", "", usageError{fmt.Errorf("--output %s: want s3://BUCKET/KEY", s)}
	}
	return bucket, key, nil
}

// contentTypes are the media types reports are stored with.
var contentTypes = map[report.Format]string{
	report.Text:     "text/plain; charset=utf-8",
	report.JSON:     "application/json",
	report.SARIF:    "application/sarif+json",
	report.Markdown: "text/markdown; charset=utf-8",
	report.JUnit:    "application/xml",
}

// writeS3 renders a report and stores it as one S3 object with PutObject, with the AWS SDK's
// default credential chain (--profile when given): in a CronJob, the pod's IRSA or Pod Identity
// role. The whole report is rendered first, so an interrupted run stores nothing. With an
// endpoint on an IP address or localhost (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL: MinIO,
// LocalStack, a test server), requests use path-style addressing, since a bucket cannot be a
// subdomain of an IP address.
func writeS3(ctx context.Context, e env, profile, dest string, format report.Format, render func(io.Writer) error) error {
	bucket, key, err := parseS3URL(dest)
	if err != nil {
		return err
	}
	var body bytes.Buffer
	if err := render(&body); err != nil {
		return fmt.Errorf("write %s: %w", dest, err)
	}
	var opts []func(*awsconfig.LoadOptions) error
	if profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(profile))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return fmt.Errorf("write %s: load aws configuration: %w", dest, err)
	}
	pathStyle := loopbackEndpoint(e.getenv("AWS_ENDPOINT_URL_S3")) || loopbackEndpoint(e.getenv("AWS_ENDPOINT_URL"))
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle })
	_, err = client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(body.Bytes()),
		ContentType: aws.String(contentTypes[format]),
	})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return fmt.Errorf("write %s: %s: %s", dest, ae.ErrorCode(), ae.ErrorMessage())
		}
		return fmt.Errorf("write %s: %w", dest, err)
	}
	return nil
}

func loopbackEndpoint(endpoint string) bool {
	if endpoint == "" {
		return false
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	host := u.Hostname()
	return host == "localhost" || net.ParseIP(host) != nil
}
