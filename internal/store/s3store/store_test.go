package s3store

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"go.opentelemetry.io/collector/consumer/consumererror"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/s3server"
)

func newSigner(t *testing.T) *objectstore.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return objectstore.NewSigner(priv)
}

func startStore(t *testing.T, cfg Config, signer *objectstore.Signer) *Store {
	t.Helper()
	s, err := New(cfg, signer, store.Settings{InstanceID: "gw-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	return s
}

func scanIDs(t *testing.T, s store.Reader) []string {
	t.Helper()
	var ids []string
	err := s.Scan(context.Background(), store.Query{}, func(r *auditrecord.Record) error {
		ids = append(ids, r.RecordID)
		return nil
	})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return ids
}

func TestRecordsLandAsGzipJSONLInTheDocumentedLayoutAndReadBack(t *testing.T) {
	srv := s3server.Start(t)
	client := createBucket(t, srv, "audit-bucket", false)
	s := startStore(t, serverConfig(srv, "audit-bucket"), newSigner(t))
	ctx := context.Background()

	traces1, traces2 := recordfixture.Records("t1", 3), recordfixture.Records("t2", 2)
	logs := recordfixture.Records("l1", 4)
	for _, b := range []store.Batch{{Signal: "traces", Records: traces1}, {Signal: "logs", Records: logs}, {Signal: "traces", Records: traces2}} {
		if err := s.Write(ctx, b); err != nil {
			t.Fatalf("write %s: %v", b.Signal, err)
		}
	}

	want := slices.Concat(recordfixture.IDs(traces1), recordfixture.IDs(logs), recordfixture.IDs(traces2))
	got := scanIDs(t, s)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("read back %d ids %v, want %d %v", len(got), got, len(want), want)
	}

	out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("audit-bucket")})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`^audit/year=\d{4}/month=\d{2}/day=\d{2}/hour=\d{2}/gw-1-traces-00000000000000000001\.jsonl\.gz$`),
		regexp.MustCompile(`^audit/year=\d{4}/month=\d{2}/day=\d{2}/hour=\d{2}/gw-1-traces-00000000000000000004\.jsonl\.gz$`),
		regexp.MustCompile(`^audit/year=\d{4}/month=\d{2}/day=\d{2}/hour=\d{2}/gw-1-logs-00000000000000000001\.jsonl\.gz$`),
		regexp.MustCompile(`^audit/_manifests/gw-1-traces/00000000000000000001\.json$`),
		regexp.MustCompile(`^audit/_manifests/gw-1-traces/00000000000000000004\.json$`),
		regexp.MustCompile(`^audit/_manifests/gw-1-logs/00000000000000000001\.json$`),
		regexp.MustCompile(`^audit/_keys/[0-9a-f]{16}\.pub$`),
	}
	if len(keys) != len(patterns) {
		t.Fatalf("bucket holds %d keys %v, want %d", len(keys), keys, len(patterns))
	}
	for _, p := range patterns {
		if !slices.ContainsFunc(keys, p.MatchString) {
			t.Errorf("no key matches %s in %v", p, keys)
		}
	}

	// The second traces object is gzip JSONL whose lines continue the stream's chain at seq 4.
	var secondTraces string
	for _, k := range keys {
		if strings.HasSuffix(k, "gw-1-traces-00000000000000000004.jsonl.gz") {
			secondTraces = k
		}
	}
	obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("audit-bucket"), Key: aws.String(secondTraces)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = obj.Body.Close() }()
	if ct := aws.ToString(obj.ContentType); ct != "application/gzip" {
		t.Errorf("content type %q, want application/gzip", ct)
	}
	zr, err := gzip.NewReader(obj.Body)
	if err != nil {
		t.Fatalf("object is not gzip: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("object has %d lines, want 2", len(lines))
	}
	for i, l := range lines {
		var r auditrecord.Record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %d is not a record: %v", i, err)
		}
		if r.Integrity == nil || r.Integrity.Stream != "gw-1-traces" || r.Integrity.Seq != uint64(4+i) {
			t.Errorf("line %d integrity %+v, want stream gw-1-traces seq %d", i, r.Integrity, 4+i)
		}
		if r.RecordID != traces2[i].RecordID {
			t.Errorf("line %d id %s, want %s", i, r.RecordID, traces2[i].RecordID)
		}
	}
}

func TestPutStoresASHA256ChecksumTheServerKeeps(t *testing.T) {
	srv := s3server.Start(t)
	client := createBucket(t, srv, "sums", false)
	b, err := NewBackend(context.Background(), serverConfig(srv, "sums"))
	if err != nil {
		t.Fatal(err)
	}
	data := []byte(`{"a":1}`)
	if err := b.Put(context.Background(), "k.json", data); err != nil {
		t.Fatal(err)
	}
	head, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: aws.String("sums"), Key: aws.String("k.json"), ChecksumMode: types.ChecksumModeEnabled,
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if got, want := aws.ToString(head.ChecksumSHA256), base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Errorf("stored checksum %q, want %q", got, want)
	}
}

func TestObjectLockKeepsLockedVersionsFromDeletionAndOverwrite(t *testing.T) {
	srv := s3server.Start(t)
	client := createBucket(t, srv, "locked", true)
	cfg := serverConfig(srv, "locked")
	cfg.ObjectLock = ObjectLockConfig{Mode: LockCompliance, RetainDays: 1}
	s := startStore(t, cfg, nil)
	ctx := context.Background()
	if err := s.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records("lock", 2)}); err != nil {
		t.Fatal(err)
	}
	keys, err := s.backend.List(ctx, "audit/year=")
	if err != nil || len(keys) != 1 {
		t.Fatalf("data objects %v (%v), want one", keys, err)
	}
	key := keys[0]
	original, err := s.backend.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	versions := listVersions(t, client, "locked", key)
	if len(versions) != 1 {
		t.Fatalf("%d versions of %s, want 1", len(versions), key)
	}
	locked := versions[0].VersionId

	ret, err := client.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("locked"), Key: aws.String(key), VersionId: locked})
	if err != nil {
		t.Fatalf("get retention: %v", err)
	}
	if ret.Retention.Mode != types.ObjectLockRetentionModeCompliance || ret.Retention.RetainUntilDate == nil {
		t.Fatalf("retention %+v, want COMPLIANCE with a date", ret.Retention)
	}

	_, err = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("locked"), Key: aws.String(key), VersionId: locked})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Fatalf("deleting the locked version: err %v, want AccessDenied", err)
	}

	// An overwrite cannot change the locked version: it only adds a newer one.
	if err := s.backend.Put(ctx, key, []byte("tampered")); err != nil {
		t.Fatalf("put over locked key: %v", err)
	}
	old, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("locked"), Key: aws.String(key), VersionId: locked})
	if err != nil {
		t.Fatalf("get locked version after overwrite: %v", err)
	}
	defer func() { _ = old.Body.Close() }()
	kept, _ := io.ReadAll(old.Body)
	if !bytes.Equal(kept, original) {
		t.Errorf("locked version changed after overwrite")
	}
	if n := len(listVersions(t, client, "locked", key)); n != 2 {
		t.Errorf("%d versions after overwrite, want 2 (locked original + new)", n)
	}
}

func TestStartRejectsRetentionOnABucketWithoutObjectLock(t *testing.T) {
	srv := s3server.Start(t)
	createBucket(t, srv, "unlocked", false)
	cfg := serverConfig(srv, "unlocked")
	cfg.ObjectLock = ObjectLockConfig{Mode: LockGovernance, RetainDays: 30}
	s, err := New(cfg, nil, store.Settings{InstanceID: "gw-1"})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Start(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "s3.object_lock: bucket \"unlocked\" must have Object Lock enabled") {
		t.Fatalf("start: %v, want an s3.object_lock error", err)
	}
}

func TestStartNamesMissingBucketAndDeniedAccess(t *testing.T) {
	srv := s3server.Start(t)
	createBucket(t, srv, "exists", false)

	missing := serverConfig(srv, "no-such-bucket")
	wrongSecret := serverConfig(srv, "exists")
	wrongSecret.SecretAccessKey = "not-the-secret"
	for name, tc := range map[string]struct {
		cfg  Config
		want string
	}{
		"missing bucket": {missing, `s3.bucket: bucket "no-such-bucket" does not exist`},
		"wrong secret":   {wrongSecret, `s3: access to bucket "exists" denied`},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := New(tc.cfg, nil, store.Settings{InstanceID: "gw-1"})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Start(context.Background()); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("start: %v, want prefix %q", err, tc.want)
			}
		})
	}
}

// versitygw accepts the SSE and storage class headers (AWS S3 applies them) but, storing plain files,
// neither encrypts nor reports them back; the test pins that the headers do not make writes fail.
func TestSSEAndStorageClassHeadersAreAccepted(t *testing.T) {
	srv := s3server.Start(t)
	createBucket(t, srv, "enc", false)
	for _, opt := range []struct{ sse, kmsKey, class string }{
		{SSES3, "", "STANDARD_IA"},
		{SSEKMS, "", "GLACIER_IR"},
		{SSEKMS, "arn:aws:kms:us-east-1:111122223333:key/audit", "STANDARD"},
	} {
		cfg := serverConfig(srv, "enc")
		cfg.SSE, cfg.SSEKMSKeyID, cfg.StorageClass = opt.sse, opt.kmsKey, opt.class
		cfg.Prefix = "audit-" + strings.ReplaceAll(opt.sse, ":", "-") + "-" + opt.class
		s := startStore(t, cfg, nil)
		recs := recordfixture.Records(cfg.Prefix, 2)
		if err := s.Write(context.Background(), store.Batch{Signal: "logs", Records: recs}); err != nil {
			t.Fatalf("write with sse %s class %s: %v", opt.sse, opt.class, err)
		}
		if got := scanIDs(t, s); !slices.Equal(got, recordfixture.IDs(recs)) {
			t.Errorf("sse %s: read back %v", opt.sse, got)
		}
	}
}

func TestMultipartUploadOfLargeObjectsReadsBackIntact(t *testing.T) {
	srv := s3server.Start(t)
	createBucket(t, srv, "big", true)
	cfg := serverConfig(srv, "big")
	cfg.MultipartThreshold = minPartSize
	cfg.ObjectLock = ObjectLockConfig{Mode: LockGovernance, RetainDays: 1}
	b, err := NewBackend(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 2*minPartSize+12345)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(context.Background(), "audit/big.jsonl.gz", data); err != nil {
		t.Fatalf("multipart put: %v", err)
	}
	head, err := b.Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("big"), Key: aws.String("audit/big.jsonl.gz")})
	if err != nil {
		t.Fatal(err)
	}
	// A multipart ETag ends in -<number of parts>.
	if etag := aws.ToString(head.ETag); !strings.HasSuffix(strings.Trim(etag, `"`), "-3") {
		t.Errorf("ETag %s: want a 3-part multipart upload", etag)
	}
	got, err := b.Get(context.Background(), "audit/big.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes differing from the %d written", len(got), len(data))
	}
}

func TestOutageFailsWritesThenResumesTheChainWithoutLoss(t *testing.T) {
	srv := s3server.Start(t)
	createBucket(t, srv, "outage", false)
	s := startStore(t, serverConfig(srv, "outage"), newSigner(t))
	ctx := context.Background()

	before := recordfixture.Records("before", 3)
	during := recordfixture.Records("during", 2)
	after := recordfixture.Records("after", 4)
	if err := s.Write(ctx, store.Batch{Signal: "traces", Records: before}); err != nil {
		t.Fatal(err)
	}

	srv.Stop()
	err := s.Write(ctx, store.Batch{Signal: "traces", Records: during})
	if err == nil {
		t.Fatal("write during the outage succeeded")
	}
	if errors.Is(err, context.Canceled) || consumererror.IsPermanent(err) {
		t.Fatalf("outage error %v must be retryable", err)
	}

	srv.Restart()
	// The exporter retries the failed batch, then goes on.
	for _, b := range [][]*auditrecord.Record{during, after} {
		if err := s.Write(ctx, store.Batch{Signal: "traces", Records: b}); err != nil {
			t.Fatalf("write after restart: %v", err)
		}
	}

	// A fresh store (as after a collector restart) reads everything back, in chain order.
	reader := startStore(t, serverConfig(srv, "outage"), nil)
	var seqs []uint64
	var ids []string
	err = reader.Scan(ctx, store.Query{}, func(r *auditrecord.Record) error {
		seqs = append(seqs, r.Integrity.Seq)
		ids = append(ids, r.RecordID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Concat(recordfixture.IDs(before), recordfixture.IDs(during), recordfixture.IDs(after))
	if !slices.Equal(ids, want) {
		t.Fatalf("after the outage read %d ids %v, want %d %v", len(ids), ids, len(want), want)
	}
	for i, seq := range seqs {
		if seq != uint64(i+1) {
			t.Fatalf("seqs %v are not continuous from 1", seqs)
		}
	}
}
