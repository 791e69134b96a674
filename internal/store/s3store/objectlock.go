package s3store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Object Lock and versioning, for erasure (the erase package's ObjectGuard): an erasure must not
// start on an object a retention keeps readable, and must not leave the erased content behind in
// the versions a bucket with versioning keeps of a rewritten object.

// CheckErasable refuses objects under an unexpired retention. COMPLIANCE mode cannot be lifted by
// anyone, by design: that is the promise Object Lock makes, and it outranks the erasure request until
// the retention ends. GOVERNANCE mode can be lifted by an administrator with
// s3:BypassGovernanceRetention, which auditctl does not do on its own.
func (b *Backend) CheckErasable(ctx context.Context, key string) error {
	out, err := b.client.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(b.cfg.Bucket), Key: aws.String(key)})
	if err != nil {
		if noRetention(err) {
			return nil
		}
		return fmt.Errorf("s3: read the Object Lock retention of %s: %w", key, err)
	}
	if out.Retention == nil || out.Retention.RetainUntilDate == nil {
		return nil
	}
	until := out.Retention.RetainUntilDate.UTC()
	if !until.After(time.Now()) {
		return nil
	}
	switch out.Retention.Mode {
	case types.ObjectLockRetentionModeCompliance:
		return fmt.Errorf("%w: %s is locked in COMPLIANCE mode until %s; S3 makes erasing it before then impossible by design, for anyone. "+
			"Nothing was changed. Erase after the retention date, or keep personal data out of locked buckets (redaction processor)",
			objectstore.ErrObjectLocked, key, until.Format(time.RFC3339))
	case types.ObjectLockRetentionModeGovernance:
		return fmt.Errorf("%w: %s is locked in GOVERNANCE mode until %s; an administrator must remove the retention "+
			"(s3:BypassGovernanceRetention) before it can be erased. Nothing was changed", objectstore.ErrObjectLocked, key, until.Format(time.RFC3339))
	}
	return nil
}

// PurgeOldVersions deletes every non-current version (and delete marker) of key.
func (b *Backend) PurgeOldVersions(ctx context.Context, key string) error {
	pages := s3.NewListObjectVersionsPaginator(b.client, &s3.ListObjectVersionsInput{Bucket: aws.String(b.cfg.Bucket), Prefix: aws.String(key)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			if errorCode(err) == "NotImplemented" {
				return nil // no versioning support: nothing is kept
			}
			return fmt.Errorf("s3: list versions of %s: %w", key, err)
		}
		var old []string
		for _, v := range page.Versions {
			if aws.ToString(v.Key) == key && !aws.ToBool(v.IsLatest) && aws.ToString(v.VersionId) != "" && aws.ToString(v.VersionId) != "null" {
				old = append(old, aws.ToString(v.VersionId))
			}
		}
		for _, m := range page.DeleteMarkers {
			if aws.ToString(m.Key) == key && !aws.ToBool(m.IsLatest) && aws.ToString(m.VersionId) != "" {
				old = append(old, aws.ToString(m.VersionId))
			}
		}
		for _, id := range old {
			if _, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.cfg.Bucket), Key: aws.String(key), VersionId: aws.String(id)}); err != nil {
				return fmt.Errorf("s3: delete version %s of %s: %w", id, key, err)
			}
		}
	}
	return nil
}

// noRetention reports the answers S3 (and compatible stores) give for an object or bucket without
// Object Lock.
func noRetention(err error) bool {
	switch errorCode(err) {
	case "NoSuchObjectLockConfiguration", "ObjectLockConfigurationNotFoundError", "InvalidRequest", "NotImplemented":
		return true
	}
	return false
}
