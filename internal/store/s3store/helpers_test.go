package s3store

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/s3server"
)

// serverConfig points a Config at srv with its root credentials.
func serverConfig(srv *s3server.Server, bucket string) Config {
	cfg := NewDefaultConfig()
	cfg.Bucket = bucket
	cfg.Endpoint = srv.Endpoint
	cfg.Region = srv.Region
	cfg.ForcePathStyle = true
	cfg.AccessKeyID = configopaque.String(srv.AccessKey)
	cfg.SecretAccessKey = configopaque.String(srv.SecretKey)
	return cfg
}

// createBucket makes a bucket, with Object Lock enabled (which also turns versioning on) when asked.
func createBucket(t *testing.T, srv *s3server.Server, bucket string, objectLock bool) *s3.Client {
	t.Helper()
	b, err := NewBackend(context.Background(), serverConfig(srv, bucket))
	if err != nil {
		t.Fatal(err)
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(bucket)}
	if objectLock {
		in.ObjectLockEnabledForBucket = aws.Bool(true)
	}
	if _, err := b.Client().CreateBucket(context.Background(), in); err != nil {
		t.Fatalf("create bucket %s: %v\nversitygw output:\n%s", bucket, err, srv.Output())
	}
	return b.Client()
}

func listVersions(t *testing.T, client *s3.Client, bucket, key string) []types.ObjectVersion {
	t.Helper()
	out, err := client.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil {
		t.Fatalf("list versions of %s: %v", key, err)
	}
	return out.Versions
}
