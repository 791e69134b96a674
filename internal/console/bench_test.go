package console

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/trailstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
)

// benchSessions is the number of sessions of the load benchmark (three records each).
const benchSessions = 100_000

// writeManySessions writes n sessions (input, tool call, output) to a new file store under dir.
func writeManySessions(b *testing.B, dir string, n int) string {
	b.Helper()
	ctx := context.Background()
	be, err := filestore.NewBackend(dir)
	if err != nil {
		b.Fatal(err)
	}
	s := objectstore.New(be, objectstore.Options{Prefix: objectstore.DefaultPrefix, Gzip: true}, store.Settings{InstanceID: "bench"})
	if err := s.Start(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	dur := 40.0
	var batch []*auditrecord.Record
	for i := range n {
		id, at := "s-"+strconv.Itoa(i), start.Add(time.Duration(i)*7*time.Second)
		rec := func(k int, t auditrecord.Type) *auditrecord.Record {
			return &auditrecord.Record{
				SchemaVersion: auditrecord.SchemaVersion, RecordID: auditrecord.NewRecordID(id, strconv.Itoa(k)), Type: t,
				Timestamp: at.Add(time.Duration(k) * time.Second), ObservedTimestamp: at.Add(time.Duration(k) * time.Second),
				SessionID: id, UserID: "u-" + strconv.Itoa(i%500), Agent: &auditrecord.Agent{Name: "bench-bot"},
			}
		}
		in, tc, out := rec(0, auditrecord.TypeInput), rec(1, auditrecord.TypeToolCall), rec(2, auditrecord.TypeOutput)
		in.Input = &auditrecord.Input{Role: "user", Content: "question " + id}
		tc.ToolCall = &auditrecord.ToolCall{ToolName: "lookup", Status: auditrecord.ToolStatusSuccess, DurationMS: &dur}
		out.Output = &auditrecord.Output{Model: "gpt-4o", Content: "answer " + id}
		batch = append(batch, in, tc, out)
		if len(batch) >= 3000 || i == n-1 {
			if err := s.Write(ctx, store.Batch{Signal: "traces", Records: batch}); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := s.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
	return "file://" + filepath.ToSlash(dir)
}

// BenchmarkConsole100kSessions serves the Sessions page (first and a later page) and the sessions
// API over a file store of 100k sessions, every request read through the access-logged service
// with the console's sessions cache, and reports the median and 95th percentile latency. "cold" is
// the first request of a query: the full scan the cache then spares the following pages.
func BenchmarkConsole100kSessions(b *testing.B) {
	dir := b.TempDir()
	url := writeManySessions(b, dir, benchSessions)
	h, err := trailstore.Open(url, registry.OpenOptions{InstanceID: "bench-console"})
	if err != nil {
		b.Fatal(err)
	}
	if err := h.Connect(context.Background()); err != nil {
		b.Fatal(err)
	}
	users := filepath.Join(dir, "users")
	if err := AddUser(users, "bench", RoleAuditor, []byte("bench password")); err != nil {
		b.Fatal(err)
	}
	accounts, err := OpenAccounts(users)
	if err != nil {
		b.Fatal(err)
	}
	svc := service.New(h, nil)
	svc.CacheSessions(time.Hour) // as auditctl serve does (30 s), long enough to outlast the benchmark
	srv, err := New(svc, nil, accounts, Options{TrustedHeader: "X-Forwarded-User"})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			svc.CacheSessions(time.Hour) // empty
			req := httptest.NewRequest(http.MethodGet, "/sessions", nil)
			req.Header.Set("X-Forwarded-User", "bench")
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("cold: %d", w.Code)
			}
		}
	})
	for _, c := range [][2]string{{"page-1", "/sessions"}, {"page-1000", "/sessions?page=1000"}, {"tool-page-1000", "/sessions?tool=lookup&page=1000"}, {"api", "/api/v1/sessions"}} {
		path := c[1]
		b.Run(c[0], func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.Header.Set("X-Forwarded-User", "bench")
				w := httptest.NewRecorder()
				t0 := time.Now()
				srv.ServeHTTP(w, req)
				took = append(took, time.Since(t0))
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", path, w.Code, w.Body.String())
				}
			}
			sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
			pct := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
		})
	}
	fmt.Fprintf(os.Stderr, "bench store: %d sessions\n", benchSessions)
}
