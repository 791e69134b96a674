package verify

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/s3store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/s3server"
)

// s3Backend creates a fresh bucket on srv and returns a backend over it.
func s3Backend(t *testing.T, srv *s3server.Server, bucket string) *s3store.Backend {
	t.Helper()
	cfg := s3store.NewDefaultConfig()
	cfg.Bucket, cfg.Endpoint, cfg.Region, cfg.ForcePathStyle = bucket, srv.Endpoint, srv.Region, true
	cfg.AccessKeyID, cfg.SecretAccessKey = configopaque.String(srv.AccessKey), configopaque.String(srv.SecretKey)
	b, err := s3store.NewBackend(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return b
}

// The same checks hold on S3 as on files: one pass over a real S3 API (versitygw).
func TestVerifyOnS3(t *testing.T) {
	srv := s3server.Start(t)

	t.Run("clean", func(t *testing.T) {
		f := writeStore(t, s3Backend(t, srv, "clean"), newSigner(t))
		rep := f.verify(t, f.trusted())
		assertFindings(t, rep, true)
		if want := (Counts{Streams: 2, Manifests: 4, Objects: 4, Records: 11}); rep.Counts != want {
			t.Errorf("counts %+v, want %+v", rep.Counts, want)
		}
	})
	t.Run("modified record", func(t *testing.T) {
		f := writeStore(t, s3Backend(t, srv, "modified"), newSigner(t))
		f.rewriteObject(t, f.objects[1], func(lines [][]byte) [][]byte {
			lines[0] = editLine(t, lines[0], changeToolResult) // seq 4
			return lines
		})
		assertFindings(t, f.verify(t, f.trusted()), true,
			want{Kind: ModifiedObject, Stream: traces, Seq: 4, LastSeq: 5, Object: f.objects[1], Manifest: f.manifests[1]},
			want{Kind: ModifiedRecord, Stream: traces, Seq: 4, Object: f.objects[1], Manifest: f.manifests[1]})
	})
	t.Run("deleted object and manifest", func(t *testing.T) {
		f := writeStore(t, s3Backend(t, srv, "deleted"), newSigner(t))
		ctx := context.Background()
		if err := f.backend.Delete(ctx, f.objects[0]); err != nil {
			t.Fatal(err)
		}
		if err := f.backend.Delete(ctx, f.manifests[2]); err != nil {
			t.Fatal(err)
		}
		assertFindings(t, f.verify(t, f.trusted()), true,
			want{Kind: DeletedObject, Stream: traces, Seq: 1, LastSeq: 3, Object: f.objects[0], Manifest: f.manifests[0]},
			want{Kind: UnmanifestedObject, Stream: traces, Seq: 6, Object: f.objects[2]})
	})
}
