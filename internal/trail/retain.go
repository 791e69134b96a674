package trail

import (
	"context"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// RetainOptions says what a retention run deletes.
type RetainOptions struct {
	OlderThan time.Duration
	DryRun    bool
	Now       func() time.Time
	// Signer signs the retention markers (object stores); use the collector's key.
	Signer *objectstore.Signer
	// Held, when set, names the legal hold that keeps an object ("" for none): the object and the
	// rest of its stream after it are kept (the kept part of a chain stays one piece).
	Held func(ctx context.Context, objectKey string) (string, error)
	// HeldRecord, when set, names the legal hold that keeps a record ("" for none), for stores that
	// drop partitions of rows (PostgreSQL): a partition holding such a record is kept, and so are
	// the later ones (the kept part of every chain stays one piece).
	HeldRecord func(*auditrecord.Record) string
}

// RetainResult lists what was (or would be) deleted.
type RetainResult struct {
	Cutoff     time.Time `json:"cutoff"`
	DryRun     bool      `json:"dry_run"`
	Partitions []string  `json:"partitions"`
	Objects    int       `json:"objects"`
	Manifests  int       `json:"manifests"`
	Records    int       `json:"records"` // as counted by the deleted manifests
	// Held lists the expired objects a legal hold kept, with the hold's id.
	Held map[string]string `json:"held,omitempty"`
}
