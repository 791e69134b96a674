package erase_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/erase"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/s3store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/s3server"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/sessionfixture"
)

func s3Bucket(t *testing.T, srv *s3server.Server, bucket string, lock bool) *s3store.Backend {
	t.Helper()
	cfg := s3store.NewDefaultConfig()
	cfg.Bucket, cfg.Endpoint, cfg.Region, cfg.ForcePathStyle = bucket, srv.Endpoint, srv.Region, true
	cfg.AccessKeyID, cfg.SecretAccessKey = configopaque.String(srv.AccessKey), configopaque.String(srv.SecretKey)
	b, err := s3store.NewBackend(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := b.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket), ObjectLockEnabledForBucket: aws.Bool(lock)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	if _, err := b.Client().PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
	}); err != nil {
		t.Fatalf("enable versioning: %v", err)
	}
	return b
}

func versions(t *testing.T, b *s3store.Backend, bucket, key string) int {
	t.Helper()
	out, err := b.Client().ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Versions) + len(out.DeleteMarkers)
}

func TestForgetOnS3(t *testing.T) {
	srv := s3server.Start(t)
	ctx := context.Background()

	t.Run("erases, removes old versions, verifies", func(t *testing.T) {
		b := s3Bucket(t, srv, "forget", false)
		for i := range 2 {
			if err := b.Put(ctx, "scratch", []byte{byte(i)}); err != nil {
				t.Fatal(err)
			}
		}
		if n := versions(t, b, "forget", "scratch"); n != 2 {
			t.Fatalf("the bucket keeps %d versions of a rewritten key, want 2: versioning is off and the test proves nothing", n)
		}
		signer, pub := newSigner(t)
		if err := sessionfixture.Write(ctx, b, signer); err != nil {
			t.Fatal(err)
		}
		res, err := erase.Forget(ctx, writer(b, signer), erase.Options{
			Subject: sessionfixture.Bob, Requester: "dpo", Signer: signer,
			Guard: b,
		})
		if err != nil || res.Records != 5 {
			t.Fatalf("forget: %+v, %v", res, err)
		}
		rep := verifyStore(t, b, pub)
		if !rep.OK {
			t.Fatalf("verify after forget on S3: %+v", rep.Findings)
		}
		if n := versions(t, b, "forget", res.Objects[0].Key); n != 1 {
			t.Fatalf("%d versions of the erased object remain; the original content must be gone", n)
		}
	})

	t.Run("COMPLIANCE lock refuses with a clear error", func(t *testing.T) {
		b := s3Bucket(t, srv, "locked", true)
		signer, pub := newSigner(t)
		if err := sessionfixture.Write(ctx, b, signer); err != nil {
			t.Fatal(err)
		}
		keys, err := writer(b, signer).DataObjects(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		until := time.Now().Add(24 * time.Hour)
		for _, k := range keys {
			if _, err := b.Client().PutObjectRetention(ctx, &s3.PutObjectRetentionInput{
				Bucket: aws.String("locked"), Key: aws.String(k),
				Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(until)},
			}); err != nil {
				t.Fatalf("set retention: %v", err)
			}
		}
		_, err = erase.Forget(ctx, writer(b, signer), erase.Options{
			Subject: sessionfixture.Alice, Requester: "dpo", Signer: signer,
			Guard: b,
		})
		if !errors.Is(err, objectstore.ErrObjectLocked) {
			t.Fatalf("forget under COMPLIANCE lock: %v", err)
		}
		t.Log(err)
		if rep := verifyStore(t, b, pub); !rep.OK || len(rep.Findings) != 0 {
			t.Fatalf("refused erasure changed the store: %+v", rep.Findings)
		}
	})
}
