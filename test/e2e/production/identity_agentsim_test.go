package production

import (
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agentaudit/otelcol-agentaudit/internal/agentsim"
	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
)

// captureSink records what an OTLP/HTTP exporter sends.
type captureSink struct {
	mu     sync.Mutex
	traces []ptrace.Traces
	logs   []plog.Logs
	URL    string
}

func startCaptureSink(t *testing.T) *captureSink {
	t.Helper()
	s := &captureSink{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	s.URL = "http://" + l.Addr().String()
	return s
}

// otlpBody reads an OTLP/HTTP request body, gzip-decoded when it says so.
func otlpBody(r *http.Request) ([]byte, error) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, err
		}
		body = gz
	}
	return io.ReadAll(body)
}

func (s *captureSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	data, err := otlpBody(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var resp []byte
	switch r.URL.Path {
	case "/v1/traces":
		req := ptraceotlp.NewExportRequest()
		if err := req.UnmarshalProto(data); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.traces = append(s.traces, req.Traces())
		resp, _ = ptraceotlp.NewExportResponse().MarshalProto()
	case "/v1/logs":
		req := plogotlp.NewExportRequest()
		if err := req.UnmarshalProto(data); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.logs = append(s.logs, req.Logs())
		resp, _ = plogotlp.NewExportResponse().MarshalProto()
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(resp)
}

// identityKeys are where agentsim puts session and user; the split keeps them on root spans only,
// as hand-instrumented applications do.
var identityKeys = []string{"session.id", "user.id", "gen_ai.conversation.id"}

// request is one OTLP request of the split replay: a single span or log record.
type request struct {
	at     pcommon.Timestamp // span end or log time: when an SDK would export it
	traces *ptrace.Traces
	logs   *plog.Logs
}

// splitSpanBySpan turns captured exports into one request per span and per log record, identity
// removed from everything but root spans, in the order an SDK exporting at span end would send them.
func (s *captureSink) splitSpanBySpan() (reqs []request, traceIDs map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	traceIDs = map[string]bool{}
	for _, td := range s.traces {
		for i := range td.ResourceSpans().Len() {
			rs := td.ResourceSpans().At(i)
			for j := range rs.ScopeSpans().Len() {
				ss := rs.ScopeSpans().At(j)
				for k := range ss.Spans().Len() {
					span := ss.Spans().At(k)
					one := ptrace.NewTraces()
					ors := one.ResourceSpans().AppendEmpty()
					rs.Resource().CopyTo(ors.Resource())
					oss := ors.ScopeSpans().AppendEmpty()
					ss.Scope().CopyTo(oss.Scope())
					os := oss.Spans().AppendEmpty()
					span.CopyTo(os)
					if !os.ParentSpanID().IsEmpty() {
						for _, k := range identityKeys {
							os.Attributes().Remove(k)
						}
					}
					traceIDs[os.TraceID().String()] = true
					reqs = append(reqs, request{at: span.EndTimestamp(), traces: &one})
				}
			}
		}
	}
	for _, ld := range s.logs {
		for i := range ld.ResourceLogs().Len() {
			rl := ld.ResourceLogs().At(i)
			for j := range rl.ScopeLogs().Len() {
				sl := rl.ScopeLogs().At(j)
				for k := range sl.LogRecords().Len() {
					one := plog.NewLogs()
					orl := one.ResourceLogs().AppendEmpty()
					rl.Resource().CopyTo(orl.Resource())
					osl := orl.ScopeLogs().AppendEmpty()
					sl.Scope().CopyTo(osl.Scope())
					lr := osl.LogRecords().AppendEmpty()
					sl.LogRecords().At(k).CopyTo(lr)
					for _, k := range identityKeys {
						lr.Attributes().Remove(k)
					}
					reqs = append(reqs, request{at: lr.Timestamp(), logs: &one})
				}
			}
		}
	}
	sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].at < reqs[j].at })
	return reqs, traceIDs
}

// TestAgentsimSessionsSentSpanBySpanKeepTheirIdentity replays agentsim sessions as an SDK that
// exports at span end would send them, each span and log alone, seconds apart, with session and user
// on the root invoke_agent span only: every record must still carry them.
func TestAgentsimSessionsSentSpanBySpanKeepTheirIdentity(t *testing.T) {
	sink := startCaptureSink(t)
	cfg := agentsim.Config{Endpoint: sink.URL, Protocol: "http", Sessions: 2, Users: 2, Seed: 1212, Insecure: true, Logs: true}
	if _, err := agentsim.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	reqs, traceIDs := sink.splitSpanBySpan()
	sessions := map[string]agentsim.Session{}
	for _, s := range agentsim.Plan(cfg) {
		sessions[s.ID] = s
	}

	c := collectortest.Start(t, collectortest.Options{})
	s := sender{t, "http://" + c.HTTPEndpoint}
	for _, r := range reqs {
		if r.traces != nil {
			s.traces(*r.traces)
		} else {
			s.logs(*r.logs)
		}
		time.Sleep(spanGap)
	}
	ofTraces := func(recs []*auditrecord.Record) (out []*auditrecord.Record) {
		for _, r := range recs {
			if traceIDs[r.TraceID] {
				out = append(out, r)
			}
		}
		return out
	}
	spans := len(reqs)
	c.WaitForRecords(60*time.Second, func(recs []*auditrecord.Record) bool {
		seen := map[string]bool{}
		for _, r := range ofTraces(recs) {
			seen[r.Source.Signal+r.SpanID+r.Source.Name] = true
		}
		return len(seen) >= spans/2 && metricSum(t, c.Metrics(), "otelcol_exporter_agentaudit_identity_traces_held", "") == 0
	})
	time.Sleep(2 * time.Second)
	recs := ofTraces(c.Records())
	with := 0
	for _, r := range recs {
		s, ok := sessions[r.SessionID]
		if ok && r.UserID == s.UserID {
			with++
		} else {
			t.Errorf("%s from %s %q stored with session %q user %q", r.Type, r.Source.Signal, r.Source.Name, r.SessionID, r.UserID)
		}
		if ok && (r.Agent == nil || r.Agent.Name != s.Agent.Name) {
			t.Errorf("%s from %s %q stored with agent %+v, want %s", r.Type, r.Source.Signal, r.Source.Name, r.Agent, s.Agent.Name)
		}
	}
	t.Logf("agentsim, %d sessions sent as %d single-span/log requests %v apart, ids on the root only: %d of %d records carry session and user",
		len(sessions), len(reqs), spanGap, with, len(recs))
	if len(recs) < spans {
		t.Errorf("only %d records for %d spans and logs", len(recs), spans)
	}
}
