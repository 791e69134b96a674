package production

import (
	"context"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// otlpSink is a local stand-in for an observability platform's OTLP/HTTP traces intake.
type otlpSink struct {
	URL string

	mu      sync.Mutex
	spans   map[string]ptrace.Span
	headers []http.Header
	bodies  strings.Builder // JSON of every request, to search for PII
}

func startOTLPSink(t *testing.T) *otlpSink {
	t.Helper()
	s := &otlpSink{spans: map[string]ptrace.Span{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	s.URL = "http://" + l.Addr().String()
	return s
}

func (s *otlpSink) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/traces" {
		http.NotFound(w, r)
		return
	}
	data, err := otlpBody(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(data); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	asJSON, _ := req.MarshalJSON()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.headers = append(s.headers, r.Header.Clone())
	s.bodies.Write(asJSON)
	rss := req.Traces().ResourceSpans()
	for i := range rss.Len() {
		sss := rss.At(i).ScopeSpans()
		for j := range sss.Len() {
			spans := sss.At(j).Spans()
			for k := range spans.Len() {
				id := spans.At(k).SpanID()
				s.spans[hex.EncodeToString(id[:])] = spans.At(k)
			}
		}
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	resp, _ := ptraceotlp.NewExportResponse().MarshalProto()
	_, _ = w.Write(resp)
}

func (s *otlpSink) has(ids []string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if _, ok := s.spans[id]; !ok {
			return false
		}
	}
	return true
}

// TestForwardsRedactedTracesToObservabilityPlatform runs the gateway with
// config/gateway-observability.yaml against a local OTLP sink: the same spans reach the audit store
// and the platform, with the platform's credential header, and the platform sees them redacted.
func TestForwardsRedactedTracesToObservabilityPlatform(t *testing.T) {
	sink := startOTLPSink(t)
	gw := startGateway(t, startS3(t), gatewayOptions{
		extraConfigs: []string{configPath(t, "gateway-observability.yaml")},
		env: map[string]string{
			"AGENTAUDIT_OBSERVABILITY_ENDPOINT":     sink.URL,
			"AGENTAUDIT_OBSERVABILITY_HEADER_NAME":  "api-key",
			"AGENTAUDIT_OBSERVABILITY_HEADER_VALUE": "test-license-key",
		},
	})
	conn := dialGRPC(t, gw.GRPCEndpoint, gw.pki.ClientTLS())
	const batches, perBatch = 3, 10
	var ids []string
	for b := range batches {
		if err := exportGRPC(context.Background(), conn, gw.token, chatTraces(b, perBatch)); err != nil {
			t.Fatal(err)
		}
		for i := range perBatch {
			ids = append(ids, spanIDHex(b, i))
		}
	}
	if !waitFor(60*time.Second, func() bool { return sink.has(ids) }) {
		t.Fatalf("the sink did not receive all %d spans\ncollector log:\n%s", len(ids), gw.Logs())
	}
	if !waitFor(60*time.Second, func() bool {
		spans, _ := bySpan(gw.s3.records(t))
		return len(missingSpans(spans, ids, 1)) == 0
	}) {
		t.Fatalf("the audit store did not receive all %d spans\ncollector log:\n%s", len(ids), gw.Logs())
	}

	sink.mu.Lock()
	defer sink.mu.Unlock()
	for _, h := range sink.headers {
		if h.Get("api-key") != "test-license-key" {
			t.Fatalf("request without the platform credential header: %v", h)
		}
	}
	forwarded := sink.bodies.String()
	assertNoPII(t, "forwarded traces", forwarded, batches, perBatch)
	if !strings.Contains(forwarded, "[REDACTED:EMAIL]") {
		t.Errorf("forwarded traces carry no redaction placeholder: were they redacted at all?")
	}
	input, _ := sink.spans[ids[0]].Attributes().Get("gen_ai.input.messages")
	if !strings.Contains(input.Str(), "Refund order 1234?") {
		t.Errorf("forwarded span lost its non-sensitive content: %q", input.Str())
	}
}
