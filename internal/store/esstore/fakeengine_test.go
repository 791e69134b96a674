package esstore

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/storemetrics"
)

// fakeEngine answers the few requests the store makes with scripted per-item bulk statuses, to
// test what a real single node will not do on demand: 429 and 5xx on single items. It keeps the
// documents it stored (a create of one it holds is 409, as on a real engine) and answers _mget for
// them; searches find nothing.
type fakeEngine struct {
	t      *testing.T
	flavor string
	// status returns the status for a document on its nth attempt (1-based).
	status func(id string, attempt int) int

	mu          sync.Mutex
	docs        map[string][]byte // id → body stored
	attempts    map[string]int
	bulkGzipped []bool
	authHeaders []string
	// stallAfter, when above 0, answers that many bulk requests and holds every later one until its
	// client gives up or release is closed (an engine too slow for the exporter's timeout, which then
	// applies the held request late).
	stallAfter, bulkRequests int
	release                  chan struct{}
	releaseOnce              sync.Once
}

func newFakeEngine(t *testing.T, flavor string, status func(id string, attempt int) int) (*fakeEngine, string) {
	f := &fakeEngine{
		t: t, flavor: flavor, status: status, attempts: map[string]int{}, docs: map[string][]byte{},
		release: make(chan struct{}),
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	t.Cleanup(f.unstall) // runs before srv.Close, so no held request keeps the server open
	return f, srv.URL
}

func created(string, int) int { return http.StatusCreated }

// storedButFailed is a scripted status: the fake stores the document yet answers 500, as an engine
// whose answer is lost after applying the write (a timeout, a node dying after the primary wrote).
const storedButFailed = 1500

func (f *fakeEngine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.flavor == FlavorElasticsearch {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
	}
	w.Header().Set("Content-Type", "application/json")
	f.mu.Lock()
	f.authHeaders = append(f.authHeaders, r.Header.Get("Authorization"))
	f.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/":
		_, _ = fmt.Fprint(w, `{"version":{"number":"2.19.6","distribution":"opensearch"}}`)
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/_index_template/"):
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = fmt.Fprint(w, `{"acknowledged":true}`)
	case r.Method == http.MethodPost && r.URL.Path == "/_bulk":
		f.bulk(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/_mget":
		f.mget(w, r)
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/_refresh"):
		_, _ = fmt.Fprint(w, `{}`)
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/_search"):
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = fmt.Fprint(w, `{"hits":{"hits":[]}}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = fmt.Fprintf(w, `{"error":"fake engine: no %s %s"}`, r.Method, r.URL.Path) //nolint:gosec // G705: a test fake answering its own client with JSON, never rendered as HTML
	}
}

// unstall stops holding bulk requests: those held are answered (applied late), later ones at once.
func (f *fakeEngine) unstall() {
	f.mu.Lock()
	f.stallAfter = 0
	f.mu.Unlock()
	f.releaseOnce.Do(func() { close(f.release) })
}

func (f *fakeEngine) bulk(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.bulkRequests++
	stall := f.stallAfter > 0 && f.bulkRequests > f.stallAfter
	f.mu.Unlock()
	if stall {
		select {
		case <-r.Context().Done():
			return
		case <-f.release:
		}
	}
	body := io.Reader(r.Body)
	gzipped := r.Header.Get("Content-Encoding") == "gzip"
	if gzipped {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var items []map[string]any
	f.mu.Lock()
	f.bulkGzipped = append(f.bulkGzipped, gzipped)
	for sc.Scan() {
		var action map[string]struct {
			ID    string `json:"_id"`
			Index string `json:"_index"`
		}
		if err := json.Unmarshal(sc.Bytes(), &action); err != nil {
			f.mu.Unlock()
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sc.Scan() // the document
		op := "create"
		meta, ok := action[op]
		if !ok {
			op = "index"
			if meta, ok = action[op]; !ok {
				f.t.Errorf("bulk action %v is neither create nor index", action)
			}
		}
		f.attempts[meta.ID]++
		status := f.status(meta.ID, f.attempts[meta.ID])
		if _, held := f.docs[meta.ID]; held && op == "create" && status < 300 {
			status = http.StatusConflict
		}
		if status < 300 || status == storedButFailed {
			f.docs[meta.ID] = append([]byte(nil), sc.Bytes()...)
		}
		if status == storedButFailed {
			status = http.StatusInternalServerError
		}
		item := map[string]any{"_index": meta.Index, "_id": meta.ID, "status": status}
		if status >= 300 {
			item["error"] = map[string]any{"type": fmt.Sprintf("fake_%d_exception", status), "reason": "scripted by the test"}
		} else {
			item["result"] = "created"
		}
		items = append(items, map[string]any{op: item})
	}
	f.mu.Unlock()
	_ = json.NewEncoder(w).Encode(map[string]any{"took": 1, "errors": true, "items": items})
}

func (f *fakeEngine) mget(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Docs []struct {
			ID string `json:"_id"`
		} `json:"docs"`
	}
	body := io.Reader(r.Body)
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	if err := json.NewDecoder(body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	docs := make([]map[string]any, len(req.Docs))
	for i, d := range req.Docs {
		body, ok := f.docs[d.ID]
		docs[i] = map[string]any{"_id": d.ID, "found": ok}
		if ok {
			docs[i]["_source"] = json.RawMessage(body)
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"docs": docs})
}

// stored returns the documents the fake holds, by id.
func (f *fakeEngine) stored() map[string][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string][]byte, len(f.docs))
	for id, b := range f.docs {
		out[id] = b
	}
	return out
}

func fakeConfig(t *testing.T, url, flavor string) Config {
	cfg := NewDefaultConfig()
	cfg.Endpoints = []string{url}
	cfg.Flavor = flavor
	cfg.DeadLetter.Directory = t.TempDir()
	cfg.Retry = RetryConfig{MaxAttempts: 4, InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond}
	return cfg
}

func TestItemLevelRetriesAndDeadLetters(t *testing.T) {
	for _, flavor := range []string{FlavorElasticsearch, FlavorOpenSearch} {
		t.Run(flavor, func(t *testing.T) {
			recs := recordfixture.Records("items-"+flavor, 4)
			ok, throttled, unavailable, bad := recs[0].RecordID, recs[1].RecordID, recs[2].RecordID, recs[3].RecordID
			f, url := newFakeEngine(t, flavor, func(id string, attempt int) int {
				switch {
				case id == throttled && attempt == 1:
					return http.StatusTooManyRequests
				case id == unavailable && attempt <= 2:
					return http.StatusServiceUnavailable
				case id == bad:
					return http.StatusBadRequest
				}
				return http.StatusCreated
			})
			cfg := fakeConfig(t, url, flavor)
			if flavor == FlavorElasticsearch {
				cfg.APIKey = "aWQ6a2V5"
			} else {
				cfg.User, cfg.Password = "collector", "s3cret-password"
			}
			s := startStore(t, cfg)
			if err := s.Write(context.Background(), store.Batch{Signal: "traces", Records: recs}); err != nil {
				t.Fatalf("Write: %v", err)
			}
			st := s.Stats()
			if st.Indexed.Load() != 3 || st.RetriedItems.Load() != 3 || st.DeadLettered.Load() != 1 || st.AlreadyPresent.Load() != 0 {
				t.Errorf("indexed %d retried %d dead-lettered %d already %d; want 3, 3, 1, 0",
					st.Indexed.Load(), st.RetriedItems.Load(), st.DeadLettered.Load(), st.AlreadyPresent.Load())
			}
			if f.attempts[ok] != 1 || f.attempts[throttled] != 2 || f.attempts[unavailable] != 3 || f.attempts[bad] != 1 {
				t.Errorf("attempts per item = %v", f.attempts)
			}
			letters, err := ReadDeadLetters(cfg.DeadLetter.Directory)
			if err != nil || len(letters) != 1 || letters[0].RecordID != bad || letters[0].Status != 400 ||
				letters[0].ErrorType != "fake_400_exception" || letters[0].Reason != "scripted by the test" {
				t.Errorf("dead letters = %+v, %v", letters, err)
			}
			for i, gz := range f.bulkGzipped {
				if !gz {
					t.Errorf("bulk request %d was not gzipped", i)
				}
			}
			want := "APIKey aWQ6a2V5" // the scheme as go-elasticsearch spells it; Elasticsearch ignores its case
			if flavor == FlavorOpenSearch {
				want = "Basic Y29sbGVjdG9yOnMzY3JldC1wYXNzd29yZA==" // collector:s3cret-password
			}
			for _, h := range f.authHeaders {
				if h != want {
					t.Errorf("Authorization = %q, want %q", h, want)
				}
			}
		})
	}
}

func TestRetriesUsedUpFailTheWrite(t *testing.T) {
	recs := recordfixture.Records("exhausted", 3)
	_, url := newFakeEngine(t, FlavorElasticsearch, func(id string, _ int) int {
		if id == recs[1].RecordID {
			return http.StatusTooManyRequests
		}
		return http.StatusCreated
	})
	cfg := fakeConfig(t, url, FlavorElasticsearch)
	s := startStore(t, cfg)
	err := s.Write(context.Background(), store.Batch{Signal: "logs", Records: recs})
	if err == nil || !strings.Contains(err.Error(), "1 of 3 documents not stored after 4 attempts") {
		t.Fatalf("Write = %v, want the batch to fail for a retry", err)
	}
	if s.Stats().Indexed.Load() != 2 || s.Stats().RetriedItems.Load() != 3 {
		t.Errorf("indexed %d retried %d, want 2 and 3", s.Stats().Indexed.Load(), s.Stats().RetriedItems.Load())
	}
	if letters, _ := ReadDeadLetters(cfg.DeadLetter.Directory); len(letters) != 0 {
		t.Errorf("a throttled item must not be dead-lettered: %+v", letters)
	}
}

func TestUnreachableEngineFailsWritesNotStartAndLogsNoSecret(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	cfg := fakeConfig(t, "http://127.0.0.1:1", FlavorOpenSearch)
	cfg.User, cfg.Password = "collector", "s3cret-password"
	cfg.Retry.MaxAttempts = 1
	s, err := New(cfg, store.Settings{Logger: zap.New(core)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatalf("Start must not fail while the engine is down: %v", err)
	}
	defer func() { _ = s.Shutdown(context.Background()) }()
	werr := s.Write(context.Background(), store.Batch{Signal: "logs", Records: recordfixture.Records("down", 2)})
	if werr == nil {
		t.Fatal("Write succeeded with no engine")
	}
	if strings.Contains(werr.Error(), "s3cret") {
		t.Errorf("error leaks the password: %v", werr)
	}
	if logs.Len() == 0 {
		t.Error("the failed template install was not logged")
	}
	for _, e := range logs.All() {
		line := fmt.Sprint(e.Message, e.ContextMap())
		if strings.Contains(line, "s3cret") {
			t.Errorf("log leaks the password: %s", line)
		}
	}
}

func TestClassify(t *testing.T) {
	for status, want := range map[int]outcomeClass{
		200: outcomeStored, 201: outcomeStored, 409: outcomeAlreadyStored,
		429: outcomeRetryable, 500: outcomeRetryable, 503: outcomeRetryable, 404: outcomeRetryable, 403: outcomeRetryable,
		400: outcomeRejected, 413: outcomeRejected,
	} {
		if got := classify(itemOutcome{Status: status}); got != want {
			t.Errorf("classify(%d) = %d, want %d", status, got, want)
		}
	}
	if got := classify(itemOutcome{Err: errNoAnswer}); got != outcomeRetryable {
		t.Errorf("no answer classified %d, want retryable", got)
	}
}

func TestTLSWithCustomCA(t *testing.T) {
	for _, flavor := range []string{FlavorElasticsearch, FlavorOpenSearch} {
		t.Run(flavor, func(t *testing.T) {
			f := &fakeEngine{t: t, flavor: flavor, status: created, attempts: map[string]int{}, docs: map[string][]byte{}}
			srv := httptest.NewUnstartedServer(f)
			// The untrusted client's failed handshakes are expected; keep them out of the test output.
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			srv.StartTLS()
			t.Cleanup(srv.Close)
			caFile := filepath.Join(t.TempDir(), "ca.pem")
			pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
			if err := os.WriteFile(caFile, pemCert, 0o600); err != nil {
				t.Fatal(err)
			}

			// Without the CA the engine's certificate is not trusted.
			untrusted := startStore(t, fakeConfig(t, srv.URL, flavor))
			if err := untrusted.Write(context.Background(), store.Batch{Records: recordfixture.Records("tls-no-ca", 1)}); err == nil {
				t.Fatal("Write trusted a certificate signed by an unknown CA")
			}

			cfg := fakeConfig(t, srv.URL, flavor)
			cfg.TLS.CAFile = caFile
			s := startStore(t, cfg)
			if err := s.Write(context.Background(), store.Batch{Records: recordfixture.Records("tls", 2)}); err != nil {
				t.Fatalf("Write over TLS with the custom CA: %v", err)
			}
			if s.Stats().Indexed.Load() != 2 {
				t.Errorf("indexed %d, want 2", s.Stats().Indexed.Load())
			}
		})
	}
}

func TestMetricsCountOutcomes(t *testing.T) {
	recs := recordfixture.Records("metrics", 4)
	_, url := newFakeEngine(t, FlavorElasticsearch, func(id string, attempt int) int {
		switch {
		case id == recs[1].RecordID && attempt == 1:
			return http.StatusTooManyRequests
		case id == recs[2].RecordID:
			return http.StatusConflict
		case id == recs[3].RecordID:
			return http.StatusBadRequest
		}
		return http.StatusCreated
	})
	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	cfg := fakeConfig(t, url, FlavorElasticsearch)
	s, err := New(cfg, store.Settings{Metrics: storemetrics.New(t, provider.Meter("esstore-test"), "elasticsearch")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Shutdown(context.Background()) }()
	if err := s.Write(context.Background(), store.Batch{Records: recs}); err != nil {
		t.Fatal(err)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
				for _, dp := range sum.DataPoints {
					if kind, _ := dp.Attributes.Value("store"); kind.AsString() == "elasticsearch" {
						got[m.Name] += dp.Value
					}
				}
			}
		}
	}
	for name, want := range map[string]int64{
		"records_inserted":        2,
		"records_already_present": 1,
		"items_retried":           1,
		"records_dead_lettered":   1,
	} {
		if got[name] != want {
			t.Errorf("%s = %d, want %d (all: %v)", name, got[name], want, got)
		}
	}
}
