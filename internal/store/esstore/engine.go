package esstore

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esutil"
	"github.com/opensearch-project/opensearch-go/v4"
	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
	"github.com/opensearch-project/opensearch-go/v4/opensearchutil"
)

// bulkDoc is one create action: the document body under its id in its index (Overwrite: an index
// action, replacing a version of the writer's own; chain.go).
type bulkDoc struct {
	Index     string
	ID        string
	Body      []byte
	Overwrite bool
}

func (d bulkDoc) action() string {
	if d.Overwrite {
		return "index"
	}
	return "create"
}

// itemOutcome is what the engine said about one bulk item. Err is set when the item got no
// answer from the engine (connection refused, whole request rejected, timeout).
type itemOutcome struct {
	Status    int
	ErrorType string
	Reason    string
	Err       error
}

// engine is the thin part that differs between the two official clients: running the client's
// bulk indexer, and performing a plain request (templates, search, index listing and deletion).
// Everything else (documents, bulk-result handling, retries, dead letters, retention, search) is
// shared and lives in the store.
type engine interface {
	bulkCreate(ctx context.Context, docs []bulkDoc, outcomes []itemOutcome) error
	perform(req *http.Request) (*http.Response, error)
	close() error
}

// clientSettings is what both clients are built from.
type clientSettings struct {
	addresses   []string
	user        string
	password    string
	apiKey      string
	tls         *tls.Config
	compression bool
	timeout     time.Duration
	bulk        BulkConfig
}

func (s clientSettings) transport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: s.timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       s.tls,
		ResponseHeaderTimeout: s.timeout,
		MaxIdleConnsPerHost:   s.bulk.Workers + 2,
		IdleConnTimeout:       90 * time.Second,
		// DisableCompression stays false: the transport asks for gzipped responses and unpacks them.
	}
}

// clientRetryBackoff spaces the clients' own retries of whole requests (502/503/504, connection
// errors) so a restarting node gets a moment.
func clientRetryBackoff(attempt int) time.Duration {
	return time.Duration(attempt) * 100 * time.Millisecond
}

// outcomeCollector fills one outcome per item from a client's per-item hooks. An item never
// answered keeps errNoAnswer (with the indexer's own error, such as connection refused), so a lost
// callback can never pass as success.
//
// The clients' Close returns when the context ends without waiting for their workers, whose hooks
// may still answer items afterwards; finish freezes the outcomes (later answers are ignored) so the
// store can read them, and act on the items that were answered, once bulkCreate returns.
type outcomeCollector struct {
	outcomes []itemOutcome
	mu       sync.Mutex
	errs     []error
	frozen   bool
}

func newOutcomeCollector(outcomes []itemOutcome) *outcomeCollector {
	for i := range outcomes {
		outcomes[i] = itemOutcome{Err: errNoAnswer}
	}
	return &outcomeCollector{outcomes: outcomes}
}

// set records item i's outcome unless finish has frozen them.
func (c *outcomeCollector) set(i int, o itemOutcome) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen {
		c.outcomes[i] = o
	}
}

func (c *outcomeCollector) onError(_ context.Context, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, err)
}

// finish freezes the outcomes and attaches the indexer's errors to the items that got no answer.
func (c *outcomeCollector) finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen = true
	if len(c.errs) == 0 {
		return
	}
	cause := errors.Join(c.errs...)
	for i := range c.outcomes {
		// Only the bare placeholder gets the cause; one already wrapped carries it.
		if c.outcomes[i].Err == errNoAnswer { //nolint:errorlint // identity on purpose: errors.Is would wrap a wrapped one again
			c.outcomes[i].Err = fmt.Errorf("%w: %w", errNoAnswer, cause)
		}
	}
}

var errNoAnswer = errors.New("bulk item got no answer from the engine")

// ---- Elasticsearch (go-elasticsearch/v8 and its esutil.BulkIndexer) ----

type elasticsearchEngine struct {
	client *elasticsearch.Client
	bulk   BulkConfig
}

func newElasticsearchEngine(s clientSettings) (*elasticsearchEngine, error) {
	client, err := elasticsearch.NewClient(elasticsearch.Config{
		Addresses:           s.addresses,
		Username:            s.user,
		Password:            s.password,
		APIKey:              s.apiKey,
		CompressRequestBody: s.compression,
		Transport:           s.transport(),
		RetryBackoff:        clientRetryBackoff,
		MaxRetries:          3,
	})
	if err != nil {
		return nil, err
	}
	return &elasticsearchEngine{client: client, bulk: s.bulk}, nil
}

func (e *elasticsearchEngine) bulkCreate(ctx context.Context, docs []bulkDoc, outcomes []itemOutcome) error {
	c := newOutcomeCollector(outcomes)
	defer c.finish()
	bi, err := esutil.NewBulkIndexer(esutil.BulkIndexerConfig{
		Client:        e.client,
		NumWorkers:    e.bulk.Workers,
		FlushBytes:    e.bulk.FlushBytes,
		FlushInterval: time.Hour, // Close flushes; a timer flush would only split batches.
		OnError:       c.onError,
	})
	if err != nil {
		return err
	}
	return addAll(ctx, docs, bi.Close, func(i int, d bulkDoc) error {
		return bi.Add(ctx, esutil.BulkIndexerItem{
			Index: d.Index, Action: d.action(), DocumentID: d.ID, Body: bytes.NewReader(d.Body),
			OnSuccess: func(_ context.Context, _ esutil.BulkIndexerItem, r esutil.BulkIndexerResponseItem) {
				c.set(i, itemOutcome{Status: r.Status})
			},
			OnFailure: func(_ context.Context, _ esutil.BulkIndexerItem, r esutil.BulkIndexerResponseItem, err error) {
				c.set(i, failureOutcome(r.Status, r.Error.Type, r.Error.Reason, r.Error.Cause.Type, r.Error.Cause.Reason, err))
			},
		})
	})
}

// addAll hands every document to a client's bulk indexer, then closes it (which flushes and
// waits for the outcomes).
func addAll(ctx context.Context, docs []bulkDoc, closeIndexer func(context.Context) error, add func(i int, d bulkDoc) error) error {
	for i, d := range docs {
		if err := add(i, d); err != nil {
			_ = closeIndexer(ctx)
			return fmt.Errorf("bulk add: %w", err)
		}
	}
	if err := closeIndexer(ctx); err != nil {
		return fmt.Errorf("bulk close: %w", err)
	}
	return nil
}

func (e *elasticsearchEngine) perform(req *http.Request) (*http.Response, error) {
	return e.client.Perform(req)
}

func (e *elasticsearchEngine) close() error { return nil }

// ---- OpenSearch (opensearch-go/v4 and its opensearchutil.BulkIndexer) ----

type openSearchEngine struct {
	client *opensearchapi.Client
	bulk   BulkConfig
}

func newOpenSearchEngine(s clientSettings) (*openSearchEngine, error) {
	discover := false
	client, err := opensearchapi.NewClient(opensearchapi.Config{Client: opensearch.Config{
		Addresses:            s.addresses,
		Username:             s.user,
		Password:             s.password,
		CompressRequestBody:  s.compression,
		Transport:            s.transport(),
		RetryBackoff:         clientRetryBackoff,
		MaxRetries:           3,
		DiscoverNodesOnStart: &discover,
	}})
	if err != nil {
		return nil, err
	}
	return &openSearchEngine{client: client, bulk: s.bulk}, nil
}

func (e *openSearchEngine) bulkCreate(ctx context.Context, docs []bulkDoc, outcomes []itemOutcome) error {
	c := newOutcomeCollector(outcomes)
	defer c.finish()
	bi, err := opensearchutil.NewBulkIndexer(opensearchutil.BulkIndexerConfig{
		Client:        e.client,
		NumWorkers:    e.bulk.Workers,
		FlushBytes:    e.bulk.FlushBytes,
		FlushInterval: time.Hour,
		OnError:       c.onError,
	})
	if err != nil {
		return err
	}
	return addAll(ctx, docs, bi.Close, func(i int, d bulkDoc) error {
		return bi.Add(ctx, opensearchutil.BulkIndexerItem{
			Index: d.Index, Action: d.action(), DocumentID: d.ID, Body: bytes.NewReader(d.Body),
			OnSuccess: func(_ context.Context, _ opensearchutil.BulkIndexerItem, r opensearchapi.BulkRespItem) {
				c.set(i, itemOutcome{Status: r.Status})
			},
			OnFailure: func(_ context.Context, _ opensearchutil.BulkIndexerItem, r opensearchapi.BulkRespItem, err error) {
				if r.Error == nil {
					c.set(i, failureOutcome(r.Status, "", "", "", "", err))
					return
				}
				c.set(i, failureOutcome(r.Status, r.Error.Type, r.Error.Reason, r.Error.Cause.Type, r.Error.Cause.Reason, err))
			},
		})
	})
}

func (e *openSearchEngine) perform(req *http.Request) (*http.Response, error) {
	return e.client.Client.Perform(req) //nolint:staticcheck // SA1019: removed only in v5; the caller reads the buffered body whole, as Perform's v4 contract gives
}

func (e *openSearchEngine) close() error { return e.client.Close() }

// failureOutcome folds the engine's error and its cause into one reason.
func failureOutcome(status int, errType, reason, causeType, causeReason string, err error) itemOutcome {
	o := itemOutcome{Status: status, ErrorType: errType, Reason: reason, Err: err}
	if causeReason != "" {
		o.Reason += " (caused by " + causeType + ": " + causeReason + ")"
	}
	if err == nil && status == 0 {
		o.Err = errNoAnswer
	}
	return o
}
