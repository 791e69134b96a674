// Package esstore stores audit records in Elasticsearch (8.x/9.x, go-elasticsearch/v8) or OpenSearch
// (1.x–3.x, opensearch-go/v4): one document per record with _id = record_id written with
// op_type=create into time-based indices under an explicit index template, each chained per stream
// like the other stores' records (chain.go), item-level retries for 429/5xx, a dead-letter file store
// for documents the engine rejects for good (outside the chain), retention by deleting old indices,
// and each stream's Merkle tree with signed checkpoints in the store's evidence index (evidence.go).
// docs/elasticsearch.md describes it.
package esstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/deadletter"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Store is the Elasticsearch/OpenSearch store. It implements store.Store and store.Reader.
type Store struct {
	cfg       Config
	retention time.Duration
	logger    *zap.Logger
	engine    engine
	dead      *deadletter.Store
	metrics   *store.Metrics
	stats     Stats

	templateMu        sync.Mutex
	templateInstalled bool

	stopRetention chan struct{}
	retentionDone chan struct{}

	instanceID string
	now        func() time.Time
	mu         sync.Mutex // serialises writes: a stream's chain has one head
	chains     map[string]*streamChain

	// signer, ckpt and ticker sign checkpoints of the streams' trees into the evidence index and
	// every witness (evidence.go; nil ckpt: none).
	signer       *objectstore.Signer
	ckpt         *objectstore.CheckpointOptions
	ticker       *evidence.Ticker
	keyPublished bool
	evidenceMu   sync.Mutex
	evidenceIdx  bool // the evidence index exists
}

var (
	_ store.Store  = (*Store)(nil)
	_ store.Reader = (*Store)(nil)
)

// Stats are the store's running totals (the same numbers its metrics count).
type Stats struct {
	Indexed        atomic.Int64 // documents created by this store
	AlreadyPresent atomic.Int64 // creates answered 409: the record was stored before
	RetriedItems   atomic.Int64 // bulk items sent again after a 429/5xx or no answer
	DeadLettered   atomic.Int64 // documents the engine rejected for good, kept in the dead-letter store
}

// New builds the store from a validated configuration; it contacts nothing until Start.
func New(cfg Config, set store.Settings) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	retention, _ := ParseRetention(cfg.Retention)
	logger := set.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	return &Store{
		cfg:        cfg,
		retention:  retention,
		logger:     logger,
		metrics:    set.Metrics,
		dead:       deadletter.New(cfg.DeadLetter.Directory, cfg.Index.Prefix),
		instanceID: set.InstanceID,
		now:        time.Now,
		chains:     map[string]*streamChain{},
	}, nil
}

// Stats returns the store's running totals.
func (s *Store) Stats() *Stats { return &s.stats }

// Start builds the client, prepares the dead-letter directory and installs the index template.
// An unreachable engine does not fail Start (the collector must come up during an outage): the
// template is then installed before the first write, and writes fail until it is.
func (s *Store) Start(ctx context.Context) error {
	tlsConfig, err := s.cfg.TLS.LoadTLSConfig(ctx)
	if err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	settings := clientSettings{
		addresses:   s.cfg.Endpoints,
		user:        s.cfg.User,
		password:    string(s.cfg.Password),
		apiKey:      string(s.cfg.APIKey),
		tls:         tlsConfig,
		compression: s.cfg.Compression,
		timeout:     s.cfg.Timeout,
		bulk:        s.cfg.Bulk,
	}
	switch s.cfg.Flavor {
	case FlavorOpenSearch:
		s.engine, err = newOpenSearchEngine(settings)
	default:
		s.engine, err = newElasticsearchEngine(settings)
	}
	if err != nil {
		return fmt.Errorf("%s client: %w", s.cfg.Flavor, err)
	}
	if err := s.dead.Prepare(); err != nil {
		return fmt.Errorf("dead_letter.directory: %w", err)
	}
	if err := s.ensureTemplate(ctx); err != nil {
		s.logger.Warn("Index template not installed yet; will retry before the first write", zap.Error(err))
	}
	if s.retention > 0 {
		s.stopRetention, s.retentionDone = make(chan struct{}), make(chan struct{})
		// Start's context ends with Start (collector contract); the loop runs until Shutdown.
		go s.retentionLoop() //nolint:gosec // G118: Start's ctx must not outlive Start; stopRetention ends the loop
	}
	s.startCheckpoints()
	return nil
}

// Shutdown writes the checkpoints of streams that grew, stops the retention loop and releases the
// client.
func (s *Store) Shutdown(ctx context.Context) error {
	s.stopCheckpoints(ctx)
	if s.stopRetention != nil {
		close(s.stopRetention)
		select {
		case <-s.retentionDone:
		case <-ctx.Done():
			return ctx.Err()
		}
		s.stopRetention = nil
	}
	if s.engine != nil {
		return s.engine.close()
	}
	return nil
}

// ensureTemplate installs (or overwrites, which makes it idempotent) the index template once.
func (s *Store) ensureTemplate(ctx context.Context) error {
	s.templateMu.Lock()
	defer s.templateMu.Unlock()
	if s.templateInstalled {
		return nil
	}
	kind, err := s.objectKind(ctx)
	if err != nil {
		return err
	}
	if err := s.do(ctx, http.MethodPut, "/_index_template/"+s.templateName(), indexTemplate(s.cfg.Index, kind), nil); err != nil {
		return fmt.Errorf("install index template: %w", err)
	}
	s.templateInstalled = true
	return nil
}

func (s *Store) templateName() string { return s.cfg.Index.Prefix + "-records" }

// indexPattern matches this store's indices and nothing under a longer prefix ("agentaudit-dev-…"
// is not "agentaudit-2…"), so templates of stores sharing a cluster never overlap.
func (s *Store) indexPattern() string { return s.cfg.Index.Prefix + "-2*" }

// objectKind picks the mapping for free-form objects the engine supports.
func (s *Store) objectKind(ctx context.Context) (objectKind, error) {
	if s.cfg.Flavor == FlavorElasticsearch {
		return kindFlattened, nil
	}
	var info struct {
		Version struct {
			Number string `json:"number"`
		} `json:"version"`
	}
	if err := s.do(ctx, http.MethodGet, "/", nil, &info); err != nil {
		return "", fmt.Errorf("read engine version: %w", err)
	}
	var major, minor int
	if _, err := fmt.Sscanf(info.Version.Number, "%d.%d", &major, &minor); err != nil {
		return "", fmt.Errorf("engine version %q: %w", info.Version.Number, err)
	}
	if major > 2 || (major == 2 && minor >= 7) {
		return kindFlatObject, nil
	}
	return kindDisabled, nil
}

func (s *Store) count(ctx context.Context, indexed, already, deadLettered int64) {
	s.stats.Indexed.Add(indexed)
	s.stats.AlreadyPresent.Add(already)
	s.stats.DeadLettered.Add(deadLettered)
	s.metrics.RecordsInserted(ctx, indexed)
	s.metrics.RecordsAlreadyPresent(ctx, already)
	s.metrics.RecordsDeadLettered(ctx, deadLettered)
}

func (s *Store) backoff(attempt int) time.Duration {
	d := s.cfg.Retry.InitialInterval << (attempt - 1)
	if d <= 0 || d > s.cfg.Retry.MaxInterval {
		return s.cfg.Retry.MaxInterval
	}
	return d
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type outcomeClass int

const (
	outcomeStored outcomeClass = iota
	outcomeAlreadyStored
	outcomeRetryable
	outcomeRejected
)

// classify sorts a bulk item's outcome. 409 on create means the record is already stored.
// 429 and 5xx are transient; so are 403/404/408 (a blocked or missing index, an auth change: the
// operator can fix those, and the queue holds the records meanwhile). Any other 4xx (mapping
// errors, a document too large) is final: the document goes to the dead-letter store.
func classify(o itemOutcome) outcomeClass {
	switch {
	case o.Err != nil:
		return outcomeRetryable
	case o.Status >= 200 && o.Status < 300:
		return outcomeStored
	case o.Status == http.StatusConflict:
		return outcomeAlreadyStored
	case o.Status == http.StatusTooManyRequests, o.Status >= 500,
		o.Status == http.StatusForbidden, o.Status == http.StatusNotFound, o.Status == http.StatusRequestTimeout:
		return outcomeRetryable
	default:
		return outcomeRejected
	}
}

// describeRetryable names a transient failure without the engine's reason, which may quote values.
func describeRetryable(o itemOutcome) string {
	if o.Err != nil {
		return o.Err.Error()
	}
	return fmt.Sprintf("status %d %s", o.Status, o.ErrorType)
}

// do performs a JSON request through the client and decodes a JSON answer into out (if non-nil).
func (s *Store) do(ctx context.Context, method, path string, body, out any) error {
	var reader io.Reader
	contentType := "application/json"
	if lines, ok := body.(ndjson); ok {
		reader, contentType = bytes.NewReader(lines), "application/x-ndjson"
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, reader)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.engine.perform(req)
	if err != nil {
		return err
	}
	// The body is read to the end (or the read failed); a close error changes nothing we return.
	defer func() { _ = resp.Body.Close() }()
	payload, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return &engineError{Status: resp.StatusCode, Method: method, Path: strings.SplitN(path, "?", 2)[0], Body: truncate(string(payload), 512)}
	}
	if out != nil {
		if err := json.Unmarshal(payload, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}

// engineError is a non-2xx answer to a plain request (never a bulk item).
type engineError struct {
	Status int
	Method string
	Path   string
	Body   string
}

func (e *engineError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.Method, e.Path, e.Status, e.Body)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
