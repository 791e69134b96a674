package trail

import (
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// RetainOptions says what a retention run deletes.
type RetainOptions struct {
	OlderThan time.Duration
	DryRun    bool
	Now       func() time.Time
	// Signer signs the retention markers (object stores); use the collector's key.
	Signer *objectstore.Signer
}

// RetainResult lists what was (or would be) deleted.
type RetainResult struct {
	Cutoff     time.Time `json:"cutoff"`
	DryRun     bool      `json:"dry_run"`
	Partitions []string  `json:"partitions"`
	Objects    int       `json:"objects"`
	Manifests  int       `json:"manifests"`
	Records    int       `json:"records"` // as counted by the deleted manifests
}
