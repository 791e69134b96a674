// Package fixturestores writes the session fixture (internal/testutil/sessionfixture) into each
// store kind on a real peer (a temp directory, versitygw, a search engine, PostgreSQL) and returns
// the URL and registry options a reader opens it with: one place for the store-by-store setup that
// auditctl's, the read service's and the console's tests share.
package fixturestores

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/esstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/pgstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/s3store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/postgres"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/s3server"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/searchengine"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/sessionfixture"
)

// File writes the fixture to a new file store and returns its URL.
func File(t testing.TB, signer *objectstore.Signer) string {
	t.Helper()
	dir := t.TempDir()
	b, err := filestore.NewBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := sessionfixture.Write(context.Background(), b, signer); err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(dir)
}

// S3Bucket creates an empty bucket on srv and returns its backend.
func S3Bucket(t *testing.T, srv *s3server.Server, bucket string) *s3store.Backend {
	t.Helper()
	cfg := s3store.NewDefaultConfig()
	cfg.Bucket, cfg.Endpoint, cfg.Region, cfg.ForcePathStyle = bucket, srv.Endpoint, srv.Region, true
	cfg.AccessKeyID, cfg.SecretAccessKey = configopaque.String(srv.AccessKey), configopaque.String(srv.SecretKey)
	b, err := s3store.NewBackend(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	return b
}

// S3 creates bucket on srv holding the fixture and sets the AWS environment readers take their
// credentials from; it returns the URL and the S3 options that address srv.
func S3(t *testing.T, srv *s3server.Server, bucket string, signer *objectstore.Signer) (string, registry.OpenOptions) {
	t.Helper()
	ctx := context.Background()
	b := S3Bucket(t, srv, bucket)
	if err := sessionfixture.Write(ctx, b, signer); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": srv.AccessKey, "AWS_SECRET_ACCESS_KEY": srv.SecretKey,
		"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	var o registry.OpenOptions
	o.S3.Endpoint, o.S3.Region, o.S3.PathStyle = srv.Endpoint, srv.Region, true
	return "s3://" + bucket + "/audit", o
}

// Search indexes the fixture under its own index prefix on the engine at url and returns the store
// URL and the options naming the engine's flavor.
func Search(t *testing.T, url, prefix string) (string, registry.OpenOptions) {
	t.Helper()
	cfg := esstore.NewDefaultConfig()
	cfg.Endpoints, cfg.Flavor, cfg.Index.Prefix, cfg.Index.Replicas = []string{url}, searchengine.Flavor(), prefix, 0
	cfg.DeadLetter.Directory = t.TempDir()
	s, err := esstore.New(cfg, store.Settings{InstanceID: sessionfixture.Instance})
	if err != nil {
		t.Fatal(err)
	}
	writeSessions(t, s, s.Refresh) // readable at once, not at the engine's next refresh
	var o registry.OpenOptions
	o.Search.Flavor = searchengine.Flavor()
	return strings.TrimSuffix(url, "/") + "/" + prefix, o
}

// Postgres writes the fixture into a new database db on srv and returns its URL.
func Postgres(t *testing.T, srv *postgres.Server, db string) string {
	t.Helper()
	dsn := srv.CreateDatabase(t, db)
	cfg := pgstore.NewDefaultConfig()
	cfg.DSN = configopaque.String(dsn)
	cfg.DeadLetter.Directory = t.TempDir()
	s, err := pgstore.New(cfg, store.Settings{InstanceID: sessionfixture.Instance})
	if err != nil {
		t.Fatal(err)
	}
	writeSessions(t, s, nil)
	return dsn
}

// writeSessions starts s, writes the fixture's sessions through it, runs then (when given) and
// shuts s down.
func writeSessions(t *testing.T, s store.Store, then func(context.Context) error) {
	t.Helper()
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Shutdown(ctx) }()
	if err := sessionfixture.WriteSessions(ctx, s); err != nil {
		t.Fatal(err)
	}
	if then != nil {
		if err := then(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
