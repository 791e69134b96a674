package s3store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// maxAttempts bounds the SDK's own retries of one request (with exponential backoff and jitter);
// beyond that the error goes back to the exporter, whose retry queue takes over.
const maxAttempts = 5

// Backend is an objectstore.Backend over one S3 bucket. Keys are used as given (the object store adds
// its prefix), so the same keys appear in the bucket as in a file store's directory.
type Backend struct {
	client   *s3.Client
	uploader *manager.Uploader //nolint:staticcheck // SA1019: its successor transfermanager is still v0.x; move when it is stable
	cfg      Config
}

var _ objectstore.Backend = (*Backend)(nil)

// NewBackend builds the S3 client from cfg. It does not contact S3; Check does.
func NewBackend(ctx context.Context, cfg Config) (*Backend, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = maxAttempts })
		}),
	}
	if cfg.Region != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.Region))
	}
	if cfg.AccessKeyID != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			string(cfg.AccessKeyID), string(cfg.SecretAccessKey), string(cfg.SessionToken))))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3: load AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		// An S3-compatible endpoint usually does not care; AWS itself needs s3.region.
		if cfg.Endpoint == "" {
			return nil, errors.New("s3.region: must be set (or AWS_REGION) when no s3.endpoint is given")
		}
		awsCfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.ForcePathStyle
		// Multipart objects carry per-part checksums the SDK cannot check on a whole-object Get;
		// the object store verifies every object's SHA-256 against its manifest instead.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	threshold := cfg.MultipartThreshold
	if threshold == 0 {
		threshold = DefaultMultipartThreshold
	}
	uploader := manager.NewUploader(client, func(u *manager.Uploader) { //nolint:staticcheck // SA1019: its successor transfermanager is still v0.x; move when it is stable
		// One part of threshold bytes means everything smaller is one PutObject.
		u.PartSize = threshold
		u.Concurrency = 2
	})
	return &Backend{client: client, uploader: uploader, cfg: cfg}, nil
}

// Client exposes the S3 client, for tests that set up buckets (creation, versioning, Object Lock).
func (b *Backend) Client() *s3.Client { return b.client }

// String names the store in messages, without credentials.
func (b *Backend) String() string {
	if b.cfg.Endpoint != "" {
		return fmt.Sprintf("s3://%s (endpoint %s)", b.cfg.Bucket, b.cfg.Endpoint)
	}
	return "s3://" + b.cfg.Bucket
}

// Check verifies that the bucket exists and is reachable with our credentials, and that Object Lock is
// enabled on it when a retention is configured. Errors here are configuration errors, reported at Start.
func (b *Backend) Check(ctx context.Context) error {
	if _, err := b.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b.cfg.Bucket)}); err != nil {
		switch code := errorCode(err); {
		case code == "NotFound" || code == "NoSuchBucket":
			return fmt.Errorf("s3.bucket: bucket %q does not exist at %s", b.cfg.Bucket, b)
		case code == "Forbidden" || code == "AccessDenied" || httpStatus(err) == http.StatusForbidden:
			return fmt.Errorf("s3: access to bucket %q denied; check the credentials and the bucket policy: %w", b.cfg.Bucket, err)
		default:
			return fmt.Errorf("s3: cannot reach bucket %q at %s: %w", b.cfg.Bucket, b, err)
		}
	}
	if b.cfg.ObjectLock.Mode == "" {
		return nil
	}
	out, err := b.client.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(b.cfg.Bucket)})
	if err != nil || out.ObjectLockConfiguration == nil || out.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled {
		if err == nil {
			err = errors.New("object lock is not enabled")
		}
		return fmt.Errorf("s3.object_lock: bucket %q must have Object Lock enabled (it can only be enabled at bucket creation): %w", b.cfg.Bucket, err)
	}
	return nil
}

// Put uploads data as one object, with a SHA-256 checksum (S3 verifies it, and Object Lock requires
// one) and the configured encryption, storage class and retention.
func (b *Backend) Put(ctx context.Context, key string, data []byte) error {
	in := &s3.PutObjectInput{
		Bucket:      aws.String(b.cfg.Bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(data),
		ContentType: aws.String(contentType(key)),
	}
	if int64(len(data)) < b.uploader.PartSize {
		sum := sha256.Sum256(data)
		in.ChecksumSHA256 = aws.String(base64.StdEncoding.EncodeToString(sum[:]))
		in.ContentLength = aws.Int64(int64(len(data)))
	} else {
		// A multipart object has a checksum per part; the SDK computes them.
		in.ChecksumAlgorithm = types.ChecksumAlgorithmSha256
	}
	if b.cfg.StorageClass != "" {
		in.StorageClass = types.StorageClass(b.cfg.StorageClass)
	}
	if b.cfg.SSE != "" {
		in.ServerSideEncryption = types.ServerSideEncryption(b.cfg.SSE)
		if b.cfg.SSEKMSKeyID != "" {
			in.SSEKMSKeyId = aws.String(b.cfg.SSEKMSKeyID)
		}
	}
	if b.cfg.ObjectLock.Mode != "" {
		in.ObjectLockMode = types.ObjectLockMode(b.cfg.ObjectLock.Mode)
		in.ObjectLockRetainUntilDate = aws.Time(time.Now().UTC().AddDate(0, 0, b.cfg.ObjectLock.RetainDays))
	}
	if _, err := b.uploader.Upload(ctx, in); err != nil { //nolint:staticcheck // SA1019: its successor transfermanager is still v0.x; move when it is stable
		return fmt.Errorf("s3: put %s: %w", key, err)
	}
	return nil
}

// Get reads a whole object; a missing key yields objectstore.ErrNotExist.
func (b *Backend) Get(ctx context.Context, key string) ([]byte, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.cfg.Bucket), Key: aws.String(key)})
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("s3: get %s: %w", key, objectstore.ErrNotExist)
		}
		return nil, fmt.Errorf("s3: get %s: %w", key, err)
	}
	// A close error after the body was read to the end (or failed) changes nothing we return.
	defer func() { _ = out.Body.Close() }()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("s3: read %s: %w", key, err)
	}
	return data, nil
}

// List returns every key under prefix, sorted ascending, following ListObjectsV2 pagination.
func (b *Backend) List(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	pages := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(b.cfg.Bucket),
		Prefix: aws.String(prefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("s3: list %s: %w", prefix, err)
		}
		for _, obj := range page.Contents {
			keys = append(keys, aws.ToString(obj.Key))
		}
	}
	// S3 already lists in UTF-8 byte order; S3-compatible stores are not all as careful.
	sort.Strings(keys)
	return keys, nil
}

// Delete removes the current version of an object; a missing key is not an error. On a versioned
// (Object Lock) bucket this adds a delete marker and the locked version stays.
func (b *Backend) Delete(ctx context.Context, key string) error {
	_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.cfg.Bucket), Key: aws.String(key)})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("s3: delete %s: %w", key, err)
	}
	return nil
}

func contentType(key string) string {
	switch {
	case strings.HasSuffix(key, ".gz"):
		return "application/gzip"
	case strings.HasSuffix(key, ".jsonl"):
		return "application/x-ndjson"
	case strings.HasSuffix(key, ".json"):
		return "application/json"
	case strings.HasSuffix(key, ".pub"):
		return "application/x-pem-file"
	default:
		return "application/octet-stream"
	}
}

func isNotFound(err error) bool {
	var noKey *types.NoSuchKey
	if errors.As(err, &noKey) {
		return true
	}
	code := errorCode(err)
	return code == "NoSuchKey" || code == "NotFound"
}

func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func httpStatus(err error) int {
	var respErr interface{ HTTPStatusCode() int }
	if errors.As(err, &respErr) {
		return respErr.HTTPStatusCode()
	}
	return 0
}
