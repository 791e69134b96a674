// Package agentsimtraces captures what internal/agentsim emits as pdata, for benchmarks that
// must run on the same traffic as `make bench-pipeline` rather than on a hand-written span.
package agentsimtraces

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agentaudit/otelcol-agentaudit/internal/agentsim"
)

// Capture runs agentsim for the given number of sessions (a fixed seed, so every run sees the same
// traffic) against a real OTLP/HTTP endpoint on loopback and returns the trace batches it received,
// in arrival order. Logs are not emitted.
func Capture(tb testing.TB, sessions int) []ptrace.Traces { return CaptureSeed(tb, sessions, 1) }

// CaptureSeed is Capture with agentsim's seed: another seed, other sessions (other users, IDs,
// routes and PII; the scripts' fixed wording stays, as an agent's does).
func CaptureSeed(tb testing.TB, sessions int, seed int64) []ptrace.Traces {
	tb.Helper()
	var (
		mu      sync.Mutex
		batches []ptrace.Traces
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/traces" {
			w.WriteHeader(http.StatusOK) // logs are not asked for; accept and drop anything else
			return
		}
		body := io.Reader(r.Body)
		if r.Header.Get("Content-Encoding") == "gzip" {
			gz, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = gz
		}
		raw, err := io.ReadAll(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req := ptraceotlp.NewExportRequest()
		if err := req.UnmarshalProto(raw); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		batches = append(batches, req.Traces())
		mu.Unlock()
		resp, _ := ptraceotlp.NewExportResponse().MarshalProto()
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(resp)
	}))
	defer srv.Close()
	stats, err := agentsim.Run(context.Background(), agentsim.Config{
		Endpoint: srv.URL, Protocol: "http", Insecure: true, Sessions: sessions, Users: sessions/4 + 1, Seed: seed,
	})
	if err != nil {
		tb.Fatalf("agentsim: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	n := 0
	for _, b := range batches {
		n += b.SpanCount()
	}
	if n != stats.Spans {
		tb.Fatalf("agentsim emitted %d spans, endpoint received %d", stats.Spans, n)
	}
	return batches
}

// SpanCount is the number of spans in batches.
func SpanCount(batches []ptrace.Traces) int {
	n := 0
	for _, b := range batches {
		n += b.SpanCount()
	}
	return n
}
