package s3store

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"go.opentelemetry.io/collector/config/configopaque"
)

// Server-side encryption modes.
const (
	SSES3  = "AES256"  // S3-managed keys
	SSEKMS = "aws:kms" // KMS keys, optionally a named one (sse_kms_key_id)
)

// Object Lock retention modes.
const (
	LockGovernance = "GOVERNANCE" // users with s3:BypassGovernanceRetention can still delete
	LockCompliance = "COMPLIANCE" // nobody, not even the root account, can delete before the date
)

// Compression of data objects.
const (
	CompressionGzip = "gzip"
	CompressionNone = "none"
)

// DefaultPrefix is the key prefix every object of the store lives under.
const DefaultPrefix = "audit"

// minPartSize is the smallest multipart part S3 accepts (except the last one).
const minPartSize = 5 << 20

// DefaultMultipartThreshold is the object size from which uploads go multipart.
const DefaultMultipartThreshold = 16 << 20

// Config is the `s3:` section of the agentaudit exporter.
type Config struct {
	// Bucket receives the audit objects; it must exist (the store does not create buckets).
	Bucket string `mapstructure:"bucket"`
	// Prefix is prepended to every key: data under <prefix>/year=…, manifests under <prefix>/_manifests.
	Prefix string `mapstructure:"prefix"`
	// Region of the bucket; empty uses the AWS default chain (AWS_REGION, profile).
	Region string `mapstructure:"region"`
	// Endpoint overrides the S3 endpoint, for S3-compatible stores (MinIO, versitygw, Ceph).
	Endpoint string `mapstructure:"endpoint"`
	// ForcePathStyle addresses buckets as <endpoint>/<bucket> instead of <bucket>.<endpoint>;
	// most S3-compatible stores need it.
	ForcePathStyle bool `mapstructure:"force_path_style"`

	// Static credentials; when empty the default AWS credential chain is used (env, profile, IRSA, IMDS).
	AccessKeyID     configopaque.String `mapstructure:"access_key_id"`
	SecretAccessKey configopaque.String `mapstructure:"secret_access_key"`
	SessionToken    configopaque.String `mapstructure:"session_token"`

	// StorageClass of every object, e.g. STANDARD_IA; empty uses the bucket default.
	StorageClass string `mapstructure:"storage_class"`
	// SSE is the server-side encryption: "" (bucket default), AES256 or aws:kms.
	SSE string `mapstructure:"sse"`
	// SSEKMSKeyID names the KMS key when sse is aws:kms; empty uses the AWS-managed key.
	SSEKMSKeyID string `mapstructure:"sse_kms_key_id"`
	// ObjectLock sets a retention on every object written; the bucket must have Object Lock enabled.
	ObjectLock ObjectLockConfig `mapstructure:"object_lock"`

	// Compression of data objects: gzip (default) or none.
	Compression string `mapstructure:"compression"`
	// MultipartThreshold is the object size in bytes from which uploads use multipart (min 5 MiB).
	MultipartThreshold int64 `mapstructure:"multipart_threshold"`
}

// ObjectLockConfig is a per-object Object Lock retention.
type ObjectLockConfig struct {
	// Mode is GOVERNANCE or COMPLIANCE; empty disables per-object retention (a bucket default
	// retention still applies).
	Mode string `mapstructure:"mode"`
	// RetainDays is how long each object is locked after it is written.
	RetainDays int `mapstructure:"retain_days"`
}

// NewDefaultConfig returns the defaults used when the exporter config leaves a field out.
func NewDefaultConfig() Config {
	return Config{
		Prefix:             DefaultPrefix,
		Compression:        CompressionGzip,
		MultipartThreshold: DefaultMultipartThreshold,
	}
}

// Validate checks the configuration; every error names its field, relative to the `s3:` section (the
// collector prefixes the section's path).
func (c Config) Validate() error {
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.Bucket == "" {
		fail("bucket", "must be set")
	} else if strings.ContainsAny(c.Bucket, "/ ") {
		fail("bucket", "must be a bucket name, not a path or URL: %q", c.Bucket)
	}
	if strings.HasPrefix(c.Prefix, "/") || strings.HasSuffix(c.Prefix, "/") {
		fail("prefix", "must not start or end with '/': %q", c.Prefix)
	}
	if c.Endpoint != "" && !strings.HasPrefix(c.Endpoint, "http://") && !strings.HasPrefix(c.Endpoint, "https://") {
		fail("endpoint", "must be an http:// or https:// URL: %q", c.Endpoint)
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		fail("access_key_id", "access_key_id and secret_access_key must be set together")
	}
	if c.SessionToken != "" && c.AccessKeyID == "" {
		fail("session_token", "needs access_key_id and secret_access_key")
	}
	if c.StorageClass != "" && !slices.Contains(types.StorageClass("").Values(), types.StorageClass(c.StorageClass)) {
		fail("storage_class", "unknown storage class %q (one of %v)", c.StorageClass, types.StorageClass("").Values())
	}
	switch c.SSE {
	case "", SSES3:
		if c.SSEKMSKeyID != "" {
			fail("sse_kms_key_id", "only allowed with sse: %s", SSEKMS)
		}
	case SSEKMS:
	default:
		fail("sse", "must be %q, %q or empty, got %q", SSES3, SSEKMS, c.SSE)
	}
	switch c.ObjectLock.Mode {
	case "":
		if c.ObjectLock.RetainDays != 0 {
			fail("object_lock.mode", "must be set when object_lock.retain_days is")
		}
	case LockGovernance, LockCompliance:
		if c.ObjectLock.RetainDays <= 0 {
			fail("object_lock.retain_days", "must be > 0 with object_lock.mode %s", c.ObjectLock.Mode)
		}
	default:
		fail("object_lock.mode", "must be %s or %s, got %q", LockGovernance, LockCompliance, c.ObjectLock.Mode)
	}
	switch c.Compression {
	case "", CompressionGzip, CompressionNone:
	default:
		fail("compression", "must be %s or %s, got %q", CompressionGzip, CompressionNone, c.Compression)
	}
	if c.MultipartThreshold != 0 && c.MultipartThreshold < minPartSize {
		fail("multipart_threshold", "must be at least %d bytes (the S3 minimum part size), got %d", minPartSize, c.MultipartThreshold)
	}
	return errors.Join(errs...)
}
