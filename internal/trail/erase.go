package trail

import (
	"context"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// ObjectGuard lets a backend that keeps object versions and retention locks (S3) take part in an erasure.
type ObjectGuard interface {
	// CheckErasable returns an error when the current content of key cannot be made unreadable,
	// e.g. because an Object Lock retention protects it.
	CheckErasable(ctx context.Context, key string) error
	// PurgeOldVersions deletes every version of key but the current one, so erased content is gone.
	PurgeOldVersions(ctx context.Context, key string) error
}

// EraseOptions describes one erasure.
type EraseOptions struct {
	Subject string // user_id to erase, exactly as stored
	// Traces are the traces that belong to Subject (query.TraceIDsOf): records of them stored
	// without any user id (their trace's identity arrived late or at another collector) are the
	// subject's too and are erased with the rest.
	Traces    map[string]bool
	Requester string // who asked for it (recorded)
	// Signer signs erasure manifests and the manifest of the erasure record; required when the
	// affected objects are signed.
	Signer *objectstore.Signer
	DryRun bool
	Guard  ObjectGuard // nil for backends without versions (the file store)
	Now    func() time.Time
	// Progress, when set, is told after each object read how many of how many are done.
	Progress func(done, total int)
	// Held, when set, names the legal hold that keeps a record from erasure ("" for none).
	Held func(*auditrecord.Record) string
}

// TombstoneRequest is one erasure as a store that tombstones rows in place (PostgreSQL) carries it
// out: the subject's records, and those stored without a user id whose trace is in Traces, are
// replaced, except those Held names a hold for.
type TombstoneRequest struct {
	Subject              string
	Traces               map[string]bool
	Held                 func(*auditrecord.Record) string // nil: no holds
	ErasureID, Requester string
	ErasedAt             time.Time
	DryRun               bool
}

// Subjects reports whether r is a record of the subject: it carries the user id, or it carries none
// and its trace belongs to the subject.
func (o EraseOptions) Subjects(r *auditrecord.Record) bool {
	if r.Type == auditrecord.TypeTombstone {
		return false
	}
	return r.UserID == o.Subject || (r.UserID == "" && r.TraceID != "" && o.Traces[r.TraceID])
}

// ModeTombstone is how every store erases: records replaced by tombstones in place (the result's
// mode field says so for readers of its JSON).
const ModeTombstone = "tombstone"

// ErasedObject is what an erasure did (or would do) to one data object (or, in PostgreSQL, one stream).
type ErasedObject struct {
	Key                string   `json:"object_key"`
	Stream             string   `json:"stream"`
	ManifestKey        string   `json:"manifest_key"`
	ErasureManifestKey string   `json:"erasure_manifest_key,omitempty"`
	ErasedSeqs         []uint64 `json:"erased_seqs"`
}

// EraseResult summarises an erasure.
type EraseResult struct {
	ErasureID string    `json:"erasure_id,omitempty"`
	Subject   string    `json:"subject"`
	Requester string    `json:"requester"`
	ErasedAt  time.Time `json:"erased_at"`
	DryRun    bool      `json:"dry_run"`
	// Mode is how records were erased: "tombstone" (every store).
	Mode    string         `json:"mode"`
	Records int            `json:"records"`
	Objects []ErasedObject `json:"objects"`
	// RecordID is the id of the erasure record written to the store.
	RecordID string   `json:"erasure_record_id,omitempty"`
	Warnings []string `json:"warnings,omitempty"`

	// Copies counts further stored copies of those records (same record_id, written again by an
	// at-least-once retry); they are erased too, and Records counts each record_id once.
	Copies int `json:"copies,omitempty"`
	// Held counts the subject's records a legal hold kept (by hold id); they are not erased.
	Held map[string]int `json:"held,omitempty"`
}

// NewTombstone is what remains of r after erasure: its id, timestamps and integrity (so its chain
// position and hash stay checkable), no content.
func NewTombstone(r *auditrecord.Record, erasureID string, now time.Time) *auditrecord.Record {
	return &auditrecord.Record{
		SchemaVersion:     r.SchemaVersion,
		RecordID:          r.RecordID,
		Type:              auditrecord.TypeTombstone,
		Timestamp:         r.Timestamp,
		ObservedTimestamp: r.ObservedTimestamp,
		Tombstone:         &auditrecord.Tombstone{ErasedAt: now, OriginalType: r.Type, ErasureID: erasureID},
		Integrity:         r.Integrity,
	}
}
