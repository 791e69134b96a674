// Package trailstore opens a store the way every reader (auditctl, the console) does: from a URL and
// registry.OpenOptions, no flag set, with the capabilities whose engines live on the read side
// attached (erasure on every kind; retention and verification on the object stores, retention on
// the search engines). The registry opens the store itself and imports nothing of the read side;
// this package joins the two.
package trailstore

import (
	"context"
	"fmt"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/erase"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/retain"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// Open prepares the store raw names, without contacting it (errors wrap registry.ErrBadURL); the
// handle implements the trail capabilities its kind has.
func Open(raw string, o registry.OpenOptions) (registry.Handle, error) {
	h, err := registry.Open(raw, o)
	if err != nil {
		return nil, err
	}
	switch h := h.(type) {
	case registry.ObjectHandle:
		return &objects{ObjectHandle: h}, nil
	case registry.SearchHandle:
		return &search{SearchHandle: h}, nil
	case registry.PostgresHandle:
		return &postgres{PostgresHandle: h}, nil
	}
	return h, nil
}

// objects is a file or S3 store: tombstone erasure (with S3's Object Lock and versions guarded),
// partition retention and end-to-end verification.
type objects struct{ registry.ObjectHandle }

var (
	_ trail.Eraser   = (*objects)(nil)
	_ trail.Expirer  = (*objects)(nil)
	_ trail.Verifier = (*objects)(nil)
)

func (h *objects) Forget(ctx context.Context, opts trail.EraseOptions) (trail.EraseResult, error) {
	if guard, ok := h.Target().Backend.(trail.ObjectGuard); ok {
		opts.Guard = guard // S3: Object Lock and old versions
	}
	return erase.Forget(ctx, h.Objects(), opts)
}

func (h *objects) Expire(ctx context.Context, opts trail.RetainOptions) (trail.RetainResult, error) {
	t := h.Target()
	return retain.Expire(ctx, t.Backend, objectstore.Layout{Prefix: t.Prefix}, opts)
}

func (h *objects) DescribeExpiry(verb string, res trail.RetainResult) string {
	return fmt.Sprintf("%s %d partitions older than %s: %d objects, %d manifests, %d records",
		verb, len(res.Partitions), res.Cutoff.Format(time.RFC3339), res.Objects, res.Manifests, res.Records)
}

func (h *objects) Verify(ctx context.Context, opts trail.VerifyOptions) (trail.Report, error) {
	t := h.Target()
	return verify.Verify(ctx, t.Backend, t.Prefix, opts)
}

// search is an Elasticsearch/OpenSearch store. It erases by tombstones in place, as PostgreSQL does,
// and expires whole indices (which leaves missing seqs in its chains that verify reports:
// docs/integrity.md, Limits); it verifies its chains and keeps checkpoints itself.
type search struct{ registry.SearchHandle }

var (
	_ trail.Eraser    = (*search)(nil)
	_ trail.Expirer   = (*search)(nil)
	_ trail.Refresher = (*search)(nil)
)

func (h *search) Forget(ctx context.Context, opts trail.EraseOptions) (trail.EraseResult, error) {
	return erase.ForgetInPlace(ctx, h.Search(), h.Search(), opts)
}

func (h *search) Expire(ctx context.Context, opts trail.RetainOptions) (trail.RetainResult, error) {
	return retain.ExpireIndices(ctx, h.Search(), opts)
}

func (h *search) DescribeExpiry(verb string, res trail.RetainResult) string {
	return fmt.Sprintf("%s %d indices older than %s", verb, len(res.Partitions), res.Cutoff.Format(time.RFC3339))
}

// postgres is a PostgreSQL store: it erases by tombstones in place; it expires monthly partitions
// and verifies its chains itself.
type postgres struct{ registry.PostgresHandle }

var _ trail.Eraser = (*postgres)(nil)

func (h *postgres) Forget(ctx context.Context, opts trail.EraseOptions) (trail.EraseResult, error) {
	return erase.ForgetInPlace(ctx, h.Postgres(), h.Postgres(), opts)
}
