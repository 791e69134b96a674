package registry

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"time"

	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/s3store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/storeurl"
)

var fileKind = Kind{
	Name:     "file",
	Schemes:  []string{"file"},
	URLForms: "file:///dir, file://./dir",
	NewStore: func(section any, o NewOptions) (store.Store, error) {
		cfg := section.(*filestore.Config)
		b, err := filestore.NewBackend(cfg.Directory)
		if err != nil {
			return nil, fmt.Errorf("file.directory: %w", err)
		}
		s := objectstore.New(b, objectstore.Options{Prefix: cfg.Prefix, Gzip: cfg.Compression == "gzip", Signer: o.Signer, Checkpoints: o.Checkpoints}, o.Settings)
		return &fileStore{Store: s, backend: b, logger: o.Settings.Logger}, nil
	},
	Open:  openObjects,
	Flags: func(*flag.FlagSet, *OpenOptions) {},
}

var s3Kind = Kind{
	Name:     "s3",
	Schemes:  []string{"s3"},
	URLForms: "s3://bucket/prefix",
	NewStore: func(section any, o NewOptions) (store.Store, error) {
		cfg := *section.(*s3store.Config)
		return s3store.NewWithOptions(cfg, objectstore.Options{Prefix: cfg.Prefix, Signer: o.Signer, Checkpoints: o.Checkpoints}, o.Settings)
	},
	Open: openObjects,
	Flags: func(fs *flag.FlagSet, o *OpenOptions) {
		fs.StringVar(&o.S3.Endpoint, "s3-endpoint", "", "S3 endpoint for S3-compatible stores, e.g. http://127.0.0.1:7070")
		fs.StringVar(&o.S3.Region, "s3-region", "", "S3 region (default: AWS_REGION or the AWS profile)")
		fs.BoolVar(&o.S3.PathStyle, "s3-path-style", false, "address the bucket in the path (most S3-compatible stores need this)")
	},
}

// fileStore is the exporter's file store: it also clears, in the background, temporary files an
// interrupted run left behind.
type fileStore struct {
	*objectstore.Store
	backend     *filestore.Backend
	logger      *zap.Logger
	stopCleanup context.CancelFunc
	cleanupDone chan struct{}
}

// Start starts the store and the cleanup. The cleanup walks the whole store, which grows for as long
// as records are kept, so it does not delay start; files this run writes are newer than its cut-off.
func (f *fileStore) Start(ctx context.Context) error {
	if err := f.Store.Start(ctx); err != nil {
		return err
	}
	cctx, cancel := context.WithCancel(context.Background())
	f.stopCleanup, f.cleanupDone = cancel, make(chan struct{})
	started := time.Now()
	logger := f.logger
	if logger == nil {
		logger = zap.NewNop()
	}
	go func() {
		defer close(f.cleanupDone)
		n, err := f.backend.RemoveStaleTemp(cctx, started)
		switch {
		case err != nil && cctx.Err() == nil:
			logger.Warn("could not remove temporary files left by an interrupted write", zap.Error(err))
		case n > 0:
			logger.Info("removed temporary files left by an interrupted write", zap.Int("files", n))
		}
	}()
	return nil
}

func (f *fileStore) Shutdown(ctx context.Context) error {
	if f.stopCleanup != nil {
		f.stopCleanup()
		<-f.cleanupDone
	}
	return f.Store.Shutdown(ctx)
}

// openObjects opens file:// and s3:// URLs (storeurl parses both).
func openObjects(u *url.URL, o OpenOptions) (Handle, error) {
	raw := u.String()
	scheme, _, _, err := storeurl.Parse(raw)
	if err != nil {
		return nil, err
	}
	return &objectHandle{raw: raw, scheme: scheme, opts: o}, nil
}

// ObjectHandle is a file or S3 store as a reader opened it; after Connect, Target is its backend and
// prefix and Objects its record store (what the object-store engines of the read side work on).
type ObjectHandle interface {
	Handle
	Evidencer
	Target() storeurl.Target
	Objects() *objectstore.Store
}

// objectHandle is a file or S3 store opened by a reader.
type objectHandle struct {
	raw, scheme string
	opts        OpenOptions
	target      storeurl.Target
	store       *objectstore.Store
	started     bool
}

var _ ObjectHandle = (*objectHandle)(nil)

func (h *objectHandle) Connect(ctx context.Context) error {
	target, err := storeurl.Open(ctx, h.raw, h.opts.S3)
	if err != nil {
		return err
	}
	h.target = target
	h.store = objectstore.New(target.Backend, objectstore.Options{Prefix: target.Prefix, Gzip: true, Signer: h.opts.Signer},
		store.Settings{InstanceID: h.opts.InstanceID})
	return nil
}

func (h *objectHandle) Location() string            { return h.raw }
func (h *objectHandle) Close() error                { return nil }
func (h *objectHandle) Target() storeurl.Target     { return h.target }
func (h *objectHandle) Objects() *objectstore.Store { return h.store }
func (h *objectHandle) Ledger() evidence.Ledger     { return h.store.Ledger() }

func (h *objectHandle) Scan(ctx context.Context, q store.Query, fn func(*auditrecord.Record) error) error {
	return h.store.Scan(ctx, q, fn)
}

// Write starts the writer once (it publishes the signing key) and appends the batch.
func (h *objectHandle) Write(ctx context.Context, b store.Batch) error {
	if !h.started {
		if err := h.store.Start(ctx); err != nil {
			return err
		}
		h.started = true
	}
	return h.store.Write(ctx, b)
}
