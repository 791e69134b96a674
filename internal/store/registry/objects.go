package registry

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"time"

	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/erase"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/retain"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
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
	Flags: func(*flag.FlagSet) Opener { return openObjects(&storeurl.S3Options{}) },
}

var s3Kind = Kind{
	Name:     "s3",
	Schemes:  []string{"s3"},
	URLForms: "s3://bucket/prefix",
	NewStore: func(section any, o NewOptions) (store.Store, error) {
		cfg := *section.(*s3store.Config)
		return s3store.NewWithOptions(cfg, objectstore.Options{Prefix: cfg.Prefix, Signer: o.Signer, Checkpoints: o.Checkpoints}, o.Settings)
	},
	Flags: func(fs *flag.FlagSet) Opener {
		opts := &storeurl.S3Options{}
		fs.StringVar(&opts.Endpoint, "s3-endpoint", "", "S3 endpoint for S3-compatible stores, e.g. http://127.0.0.1:7070")
		fs.StringVar(&opts.Region, "s3-region", "", "S3 region (default: AWS_REGION or the AWS profile)")
		fs.BoolVar(&opts.PathStyle, "s3-path-style", false, "address the bucket in the path (most S3-compatible stores need this)")
		return openObjects(opts)
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
func openObjects(s3opts *storeurl.S3Options) Opener {
	return func(u *url.URL, o OpenOptions) (Handle, error) {
		raw := u.String()
		scheme, _, _, err := storeurl.Parse(raw)
		if err != nil {
			return nil, err
		}
		return &objectHandle{raw: raw, scheme: scheme, s3: s3opts, opts: o}, nil
	}
}

// objectHandle is a file or S3 store opened by auditctl.
type objectHandle struct {
	raw, scheme string
	s3          *storeurl.S3Options
	opts        OpenOptions
	target      storeurl.Target
	store       *objectstore.Store
	started     bool
}

var (
	_ erase.ObjectGuard = (*s3store.Backend)(nil)

	_ Eraser   = (*objectHandle)(nil)
	_ Expirer  = (*objectHandle)(nil)
	_ Verifier = (*objectHandle)(nil)
)

func (h *objectHandle) Connect(ctx context.Context) error {
	target, err := storeurl.Open(ctx, h.raw, *h.s3)
	if err != nil {
		return err
	}
	h.target = target
	h.store = objectstore.New(target.Backend, objectstore.Options{Prefix: target.Prefix, Gzip: true, Signer: h.opts.Signer},
		store.Settings{InstanceID: h.opts.InstanceID})
	return nil
}

func (h *objectHandle) Location() string { return h.raw }
func (h *objectHandle) Close() error     { return nil }

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

func (h *objectHandle) Forget(ctx context.Context, opts erase.Options) (erase.Result, error) {
	if guard, ok := h.target.Backend.(erase.ObjectGuard); ok {
		opts.Guard = guard // S3: Object Lock and old versions
	}
	return erase.Forget(ctx, h.store, opts)
}

func (h *objectHandle) Expire(ctx context.Context, opts retain.Options) (retain.Result, error) {
	return retain.Expire(ctx, h.target.Backend, objectstore.Layout{Prefix: h.target.Prefix}, opts)
}

func (h *objectHandle) DescribeExpiry(verb string, res retain.Result) string {
	return fmt.Sprintf("%s %d partitions older than %s: %d objects, %d manifests, %d records",
		verb, len(res.Partitions), res.Cutoff.Format(time.RFC3339), res.Objects, res.Manifests, res.Records)
}

func (h *objectHandle) Verify(ctx context.Context, opts verify.Options) (verify.Report, error) {
	return verify.Verify(ctx, h.target.Backend, h.target.Prefix, opts)
}

var _ ObjectLayout = (*objectHandle)(nil)

// ObjectStore is the connected object store (nil before Connect).
func (h *objectHandle) ObjectStore() *objectstore.Store { return h.store }
