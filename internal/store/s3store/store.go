// Package s3store is the S3 audit store: the object store layout (gzip JSONL objects, hash chain,
// signed manifests) in an S3 bucket, with optional SSE, storage class and Object Lock retention.
package s3store

import (
	"context"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Store is the object store over an S3 Backend. Start additionally checks the bucket, so a missing
// bucket or denied access is reported once, clearly, instead of as failing writes.
type Store struct {
	*objectstore.Store
	backend *Backend
}

var (
	_ store.Store  = (*Store)(nil)
	_ store.Reader = (*Store)(nil)
)

// New builds the S3 store; signer may be nil for unsigned manifests. It does not contact S3 until Start.
func New(cfg Config, signer *objectstore.Signer, set store.Settings) (*Store, error) {
	return NewWithOptions(cfg, objectstore.Options{Prefix: cfg.Prefix, Signer: signer}, set)
}

// NewWithOptions is New with the object store's options (signer, checkpoints); Gzip follows
// cfg.Compression.
func NewWithOptions(cfg Config, opts objectstore.Options, set store.Settings) (*Store, error) {
	backend, err := NewBackend(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	opts.Gzip = cfg.Compression != CompressionNone
	return &Store{Store: objectstore.New(backend, opts, set), backend: backend}, nil
}

// Start checks the bucket (existence, credentials, Object Lock) and then starts the object store.
func (s *Store) Start(ctx context.Context) error {
	if err := s.backend.Check(ctx); err != nil {
		return err
	}
	return s.Store.Start(ctx)
}
