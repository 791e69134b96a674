package clients

import (
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// otlpSink is a minimal OTLP/HTTP receiver (JSON or protobuf, plain or gzip) that keeps what it is
// sent, so that a failing test can show exactly which spans and log records the framework emitted.
type otlpSink struct {
	mu     sync.Mutex
	traces []ptrace.Traces
	logs   []plog.Logs
	errs   []string
}

func (s *otlpSink) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var reader io.Reader = req.Body
	var err error
	if req.Header.Get("Content-Encoding") == "gzip" {
		reader, err = gzip.NewReader(req.Body)
	}
	var body []byte
	if err == nil {
		body, err = io.ReadAll(reader)
	}
	isJSON := strings.Contains(req.Header.Get("Content-Type"), "json")
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		switch req.URL.Path {
		case "/v1/traces":
			var td ptrace.Traces
			var u ptrace.Unmarshaler = &ptrace.ProtoUnmarshaler{}
			if isJSON {
				u = &ptrace.JSONUnmarshaler{}
			}
			if td, err = u.UnmarshalTraces(body); err == nil {
				s.traces = append(s.traces, td)
			}
		case "/v1/logs":
			var ld plog.Logs
			var u plog.Unmarshaler = &plog.ProtoUnmarshaler{}
			if isJSON {
				u = &plog.JSONUnmarshaler{}
			}
			if ld, err = u.UnmarshalLogs(body); err == nil {
				s.logs = append(s.logs, ld)
			}
		default:
			err = fmt.Errorf("unexpected path %s", req.URL.Path)
		}
	}
	if err != nil {
		s.errs = append(s.errs, err.Error())
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if isJSON {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf") // an empty Export*ServiceResponse
	w.WriteHeader(http.StatusOK)
}

// captureEmitted runs the client again, with OTLP/HTTP JSON to a local sink, and describes what it sent.
func captureEmitted(t *testing.T, r clientRun) string {
	t.Helper()
	return emitToSink(t, r).describe()
}

// emitToSink runs the client with OTLP/HTTP (JSON where the client can choose) to a local sink and
// returns the sink.
func emitToSink(t *testing.T, r clientRun) *otlpSink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink := &otlpSink{}
	srv := &http.Server{Handler: sink}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() }) // when r.run fails the test and exits early
	r.endpoint = "http://" + l.Addr().String()
	r.protocol = "http/json"
	r.run(t)
	if err := srv.Close(); err != nil {
		t.Fatalf("close the sink: %v", err)
	}
	return sink
}

// names lists the emitted span names and log event names (the event.name attribute, or the
// record's event name), sorted.
func (s *otlpSink) names() (spans, events []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, td := range s.traces {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					spans = append(spans, sp.Name())
				}
			}
		}
	}
	for _, ld := range s.logs {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					name := lr.EventName()
					if v, ok := lr.Attributes().Get("event.name"); ok {
						name = v.Str()
					}
					events = append(events, name)
				}
			}
		}
	}
	sort.Strings(spans)
	sort.Strings(events)
	return spans, events
}

func (s *otlpSink) describe() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, e := range s.errs {
		fmt.Fprintf(&b, "sink error: %s\n", e)
	}
	for _, td := range s.traces {
		for _, rs := range td.ResourceSpans().All() {
			fmt.Fprintf(&b, "resource %s\n", attrLine(rs.Resource().Attributes()))
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					fmt.Fprintf(&b, "  span %q scope=%s span=%s parent=%s status=%s %q\n", sp.Name(), ss.Scope().Name(),
						sp.SpanID(), sp.ParentSpanID(), sp.Status().Code(), sp.Status().Message())
					writeAttrs(&b, "      ", sp.Attributes())
					for _, ev := range sp.Events().All() {
						fmt.Fprintf(&b, "    event %q\n", ev.Name())
						writeAttrs(&b, "      ", ev.Attributes())
					}
				}
			}
		}
	}
	for _, ld := range s.logs {
		for _, rl := range ld.ResourceLogs().All() {
			fmt.Fprintf(&b, "resource %s\n", attrLine(rl.Resource().Attributes()))
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					fmt.Fprintf(&b, "  log scope=%s event_name=%q span=%s\n", sl.Scope().Name(), lr.EventName(), lr.SpanID())
					writeAttrs(&b, "      ", lr.Attributes())
					fmt.Fprintf(&b, "      body: %s\n", jsonString(lr.Body().AsRaw()))
				}
			}
		}
	}
	return b.String()
}

func writeAttrs(b *strings.Builder, indent string, attrs pcommon.Map) {
	keys := make([]string, 0, attrs.Len())
	for k := range attrs.All() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, _ := attrs.Get(k)
		fmt.Fprintf(b, "%s%s = %s\n", indent, k, jsonString(v.AsRaw()))
	}
}

func attrLine(attrs pcommon.Map) string {
	return jsonString(attrs.AsRaw())
}
