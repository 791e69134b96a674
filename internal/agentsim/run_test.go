package agentsim

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

func TestRunDeliversExactlyThePlan(t *testing.T) {
	for _, tc := range []struct {
		protocol string
		logs     bool
		start    func(testing.TB) (*receiver, string)
	}{
		{"grpc", true, startGRPCReceiver},
		{"http", true, startHTTPReceiver},
		{"grpc", false, startGRPCReceiver},
	} {
		t.Run(fmt.Sprintf("%s/logs=%v", tc.protocol, tc.logs), func(t *testing.T) {
			rcv, endpoint := tc.start(t)
			cfg := Config{
				Endpoint: endpoint, Protocol: tc.protocol, Insecure: true, Logs: tc.logs,
				Sessions: 40, Users: 4, Seed: 5, Headers: map[string]string{"x-tenant": "acme"},
			}
			stats, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			plan := Plan(cfg)
			wantSpans, wantLogs := 0, 0
			for _, s := range plan {
				wantSpans += s.SpanCount()
				if tc.logs {
					wantLogs += s.LogCount()
				}
			}
			want := Stats{Sessions: len(plan), Spans: wantSpans, Logs: wantLogs, SpansExported: wantSpans, LogsExported: wantLogs, Elapsed: stats.Elapsed}
			if stats != want {
				t.Errorf("stats = %+v, want %+v", stats, want)
			}
			if got := headerValue(rcv.header, "x-tenant"); got != "acme" {
				t.Errorf("header x-tenant = %q, want acme", got)
			}
			assertReceivedPlan(t, plan, rcv)
		})
	}
}

func TestRunFailsWhenTheEndpointRejectsExports(t *testing.T) {
	// The receiver serves /v1/traces and /v1/logs only; under /reject it answers 404, which the
	// exporters do not retry.
	_, endpoint := startHTTPReceiver(t)
	_, err := Run(context.Background(), Config{Endpoint: "http://" + endpoint + "/reject", Protocol: "http", Sessions: 2, Users: 1, Seed: 1, Logs: true})
	if err == nil || !strings.Contains(err.Error(), "export to") {
		t.Fatalf("Run against a rejecting endpoint: err = %v, want an export error", err)
	}
}

func TestRunFailsWhenTheEndpointIsUnreachable(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the exporter's retries (about 10s)")
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := lis.Addr().String()
	if err := lis.Close(); err != nil { // nothing listens there any more
		t.Fatal(err)
	}
	_, err = Run(context.Background(), Config{Endpoint: endpoint, Protocol: "grpc", Insecure: true, Sessions: 1, Users: 1, Seed: 1, Logs: true})
	if err == nil || !strings.Contains(err.Error(), endpoint) {
		t.Fatalf("Run against a closed port: err = %v, want an export error naming %s", err, endpoint)
	}
}

func TestRunRejectsAnUnknownProtocol(t *testing.T) {
	_, err := Run(context.Background(), Config{Endpoint: "127.0.0.1:1", Protocol: "udp", Sessions: 1})
	if err == nil || !strings.Contains(err.Error(), `"udp"`) {
		t.Fatalf("err = %v, want one naming the protocol", err)
	}
}

// TestOutputMessagesFollowTheSemconvShape pins the JSON keys the exporter parses, independently of
// the Go struct tags that produce them.
func TestOutputMessagesFollowTheSemconvShape(t *testing.T) {
	var planning, answering Chat
	for _, s := range Plan(Config{Sessions: 10, Users: 2, Seed: 1}) {
		if len(s.Turns[0].Chats) == 2 {
			planning, answering = s.Turns[0].Chats[0], s.Turns[0].Chats[1]
			break
		}
	}
	var out []map[string]any
	if err := json.Unmarshal([]byte(mustJSON(planning.Output)), &out); err != nil {
		t.Fatal(err)
	}
	parts := out[0]["parts"].([]any)
	call := parts[1].(map[string]any)
	if out[0]["role"] != "assistant" || out[0]["finish_reason"] != "tool_call" ||
		parts[0].(map[string]any)["type"] != "reasoning" || call["type"] != "tool_call" ||
		call["id"] == nil || call["name"] == nil || call["arguments"] == nil {
		t.Errorf("planning output = %s", mustJSON(planning.Output))
	}
	var in []map[string]any
	if err := json.Unmarshal([]byte(mustJSON(answering.Input)), &in); err != nil {
		t.Fatal(err)
	}
	response := in[2]["parts"].([]any)[0].(map[string]any)
	if in[0]["role"] != "user" || in[2]["role"] != "tool" || response["type"] != "tool_call_response" || response["id"] != call["id"] || response["response"] == nil {
		t.Errorf("answering input = %s", mustJSON(answering.Input))
	}
	if got := mustJSON(answering.Instructions); !strings.HasPrefix(got, `[{"type":"text","content":"You are`) {
		t.Errorf("system instructions = %s", got)
	}
}

// --- comparing what arrived with the plan ---

// jsonAttributes hold JSON documents; they are compared as decoded values.
var jsonAttributes = []string{
	"gen_ai.system_instructions", "gen_ai.input.messages", "gen_ai.output.messages",
	"gen_ai.tool.call.arguments", "gen_ai.tool.call.result",
}

type gotSpan struct {
	resource map[string]any
	scope    string
	span     *tracepb.Span
	attrs    map[string]any
}

type gotLog struct {
	resource map[string]any
	scope    string
	record   *logspb.LogRecord
	attrs    map[string]any
}

type wantSpan struct {
	name     string
	kind     tracepb.Span_SpanKind
	attrs    map[string]any
	start    time.Duration
	duration time.Duration
	err      *ToolCall // a timed-out call: status and exception event
}

func assertReceivedPlan(t *testing.T, plan []Session, rcv *receiver) {
	t.Helper()
	spansBySession, logsBySession := map[string][]gotSpan{}, map[string][]gotLog{}
	totalSpans, totalLogs := 0, 0
	for _, rs := range rcv.spans {
		res := attrMap(rs.Resource.Attributes)
		for _, ss := range rs.ScopeSpans {
			for _, sp := range ss.Spans {
				g := gotSpan{res, ss.Scope.GetName(), sp, attrMap(sp.Attributes)}
				id, _ := g.attrs["session.id"].(string)
				spansBySession[id] = append(spansBySession[id], g)
				totalSpans++
			}
		}
	}
	for _, rl := range rcv.logs {
		res := attrMap(rl.Resource.Attributes)
		for _, sl := range rl.ScopeLogs {
			for _, lr := range sl.LogRecords {
				g := gotLog{res, sl.Scope.GetName(), lr, attrMap(lr.Attributes)}
				id, _ := g.attrs["session.id"].(string)
				logsBySession[id] = append(logsBySession[id], g)
				totalLogs++
			}
		}
	}
	wantSpans, wantLogs := 0, 0
	for _, s := range plan {
		wantSpans += s.SpanCount()
		if len(rcv.logs) > 0 {
			wantLogs += s.LogCount()
		}
	}
	if totalSpans != wantSpans || totalLogs != wantLogs {
		t.Fatalf("received %d spans and %d log records, want %d and %d", totalSpans, totalLogs, wantSpans, wantLogs)
	}
	for _, s := range plan {
		root := assertSessionSpans(t, s, spansBySession[s.ID])
		if root != nil && len(rcv.logs) > 0 {
			assertSessionLogs(t, s, root, logsBySession[s.ID])
		}
	}
}

// assertSessionSpans checks a session's spans against its plan and returns the root span.
func assertSessionSpans(t *testing.T, s Session, spans []gotSpan) *tracepb.Span {
	t.Helper()
	if len(spans) != s.SpanCount() {
		t.Errorf("session %s: %d spans, want %d", s.ID, len(spans), s.SpanCount())
		return nil
	}
	slices.SortStableFunc(spans, func(a, b gotSpan) int {
		if len(a.span.ParentSpanId) != len(b.span.ParentSpanId) {
			return len(a.span.ParentSpanId) - len(b.span.ParentSpanId) // the root first
		}
		return int(int64(a.span.StartTimeUnixNano) - int64(b.span.StartTimeUnixNano))
	})
	root := spans[0].span
	rootStart := root.StartTimeUnixNano
	want := expectedSpans(s)
	for i, w := range want {
		g := spans[i]
		where := fmt.Sprintf("session %s span %d (%s)", s.ID, i, w.name)
		wantResource := map[string]any{"service.name": "agentsim-" + s.Agent.Name, "service.version": ServiceVersion, "service.instance.id": s.Agent.InstanceID}
		if !reflect.DeepEqual(g.resource, wantResource) || g.scope != ScopeName {
			t.Errorf("%s: resource %v scope %q, want %v %q", where, g.resource, g.scope, wantResource, ScopeName)
		}
		if g.span.Name != w.name || g.span.Kind != w.kind {
			t.Errorf("%s: name %q kind %v, want %q %v", where, g.span.Name, g.span.Kind, w.name, w.kind)
		}
		if i > 0 && (!slices.Equal(g.span.TraceId, root.TraceId) || !slices.Equal(g.span.ParentSpanId, root.SpanId)) {
			t.Errorf("%s: not a child of the root span", where)
		}
		if start, duration := time.Duration(g.span.StartTimeUnixNano-rootStart), time.Duration(g.span.EndTimeUnixNano-g.span.StartTimeUnixNano); start != w.start || duration != w.duration {
			t.Errorf("%s: starts at +%s and lasts %s, want +%s and %s", where, start, duration, w.start, w.duration)
		}
		if !reflect.DeepEqual(decodeJSONAttributes(t, g.attrs), w.attrs) {
			t.Errorf("%s: attributes\n got %v\nwant %v", where, g.attrs, w.attrs)
		}
		assertStatusAndEvents(t, where, g.span, w.err)
	}
	return root
}

func assertStatusAndEvents(t *testing.T, where string, span *tracepb.Span, timedOut *ToolCall) {
	t.Helper()
	if timedOut == nil {
		if span.Status.GetCode() != tracepb.Status_STATUS_CODE_UNSET || len(span.Events) != 0 {
			t.Errorf("%s: status %v, %d events; want unset and none", where, span.Status, len(span.Events))
		}
		return
	}
	if span.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || span.Status.GetMessage() != "timeout after 5000ms" {
		t.Errorf("%s: status %v, want ERROR %q", where, span.Status, "timeout after 5000ms")
	}
	wantEvent := map[string]any{"exception.type": "TimeoutError", "exception.message": "timeout after 5000ms", "exception.stacktrace": timedOut.Stacktrace}
	if len(span.Events) != 1 || span.Events[0].Name != "exception" || span.Events[0].TimeUnixNano != span.EndTimeUnixNano ||
		!reflect.DeepEqual(attrMap(span.Events[0].Attributes), wantEvent) {
		t.Errorf("%s: events %v, want one exception event at the span end with %v", where, span.Events, wantEvent)
	}
}

// expectedSpans lists a session's spans in start order, root first, as the semconv mapping says.
func expectedSpans(s Session) []wantSpan {
	common := map[string]any{"gen_ai.conversation.id": s.ID, "session.id": s.ID, "user.id": s.UserID}
	with := func(attrs map[string]any) map[string]any {
		for k, v := range common {
			attrs[k] = v
		}
		return attrs
	}
	spans := []wantSpan{{
		name: "invoke_agent " + s.Agent.Name, kind: tracepb.Span_SPAN_KIND_INTERNAL, duration: s.Duration,
		attrs: with(map[string]any{
			"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": s.Agent.Name, "gen_ai.agent.id": s.Agent.ID,
			"gen_ai.agent.version": s.Agent.Version, "gen_ai.provider.name": s.Agent.Provider,
		}),
	}}
	chat := func(c Chat) wantSpan {
		return wantSpan{
			name: "chat " + c.Model, kind: tracepb.Span_SPAN_KIND_CLIENT, start: c.Start, duration: c.Duration,
			attrs: with(map[string]any{
				"gen_ai.operation.name": "chat", "gen_ai.provider.name": s.Agent.Provider,
				"gen_ai.request.model": c.Model, "gen_ai.response.model": c.ResponseModel, "gen_ai.response.id": c.ResponseID,
				"gen_ai.response.finish_reasons": []any{c.FinishReason},
				"gen_ai.usage.input_tokens":      int64(c.InputTokens), "gen_ai.usage.output_tokens": int64(c.OutputTokens),
				"gen_ai.system_instructions": normalized(c.Instructions),
				"gen_ai.input.messages":      normalized(c.Input), "gen_ai.output.messages": normalized(c.Output),
			}),
		}
	}
	for _, turn := range s.Turns {
		spans = append(spans, chat(turn.Chats[0]))
		for _, tc := range turn.ToolCalls {
			attrs := with(map[string]any{
				"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": tc.Name, "gen_ai.tool.call.id": tc.CallID,
				"gen_ai.tool.type": "function", "gen_ai.tool.call.arguments": normalized(tc.Arguments),
			})
			w := wantSpan{name: "execute_tool " + tc.Name, kind: tracepb.Span_SPAN_KIND_INTERNAL, start: tc.Start, duration: tc.Duration, attrs: attrs}
			if tc.Error != "" {
				attrs["error.type"] = "TimeoutError"
				w.err = &tc
			} else {
				attrs["gen_ai.tool.call.result"] = normalized(tc.Result)
			}
			if tc.RetryAttempt > 0 {
				attrs["agent.retry.attempt"] = int64(tc.RetryAttempt)
			}
			spans = append(spans, w)
		}
		if len(turn.Chats) == 2 {
			spans = append(spans, chat(turn.Chats[1]))
		}
	}
	return spans
}

func assertSessionLogs(t *testing.T, s Session, root *tracepb.Span, logs []gotLog) {
	t.Helper()
	type wantLog struct {
		event string
		at    time.Duration
		body  map[string]any
	}
	var want []wantLog
	for _, turn := range s.Turns {
		plan := make([]any, len(turn.Reasoning.Plan))
		for i, step := range turn.Reasoning.Plan {
			plan[i] = step
		}
		want = append(want,
			wantLog{"agent.reasoning", turn.Reasoning.At, map[string]any{"thought": turn.Reasoning.Thought, "plan": plan, "confidence": turn.Reasoning.Confidence}},
		)
	}
	if len(logs) != len(want) {
		t.Errorf("session %s: %d log records, want %d", s.ID, len(logs), len(want))
		return
	}
	slices.SortStableFunc(logs, func(a, b gotLog) int { return int(int64(a.record.TimeUnixNano) - int64(b.record.TimeUnixNano)) })
	wantAttrs := map[string]any{"session.id": s.ID, "user.id": s.UserID, "gen_ai.agent.name": s.Agent.Name}
	for i, w := range want {
		g := logs[i]
		where := fmt.Sprintf("session %s log %d (%s)", s.ID, i, w.event)
		if g.record.EventName != w.event || !reflect.DeepEqual(g.attrs, wantAttrs) || g.scope != ScopeName || g.resource["service.name"] != "agentsim-"+s.Agent.Name {
			t.Errorf("%s: event %q attrs %v scope %q resource %v", where, g.record.EventName, g.attrs, g.scope, g.resource)
		}
		if !slices.Equal(g.record.TraceId, root.TraceId) || !slices.Equal(g.record.SpanId, root.SpanId) {
			t.Errorf("%s: not correlated with the root span", where)
		}
		if at := time.Duration(g.record.TimeUnixNano - root.StartTimeUnixNano); at != w.at {
			t.Errorf("%s: at +%s, want +%s", where, at, w.at)
		}
		if body := fromAnyValue(g.record.Body); !reflect.DeepEqual(body, w.body) {
			t.Errorf("%s: body %v, want %v", where, body, w.body)
		}
		if g.record.SeverityNumber != logspb.SeverityNumber_SEVERITY_NUMBER_INFO {
			t.Errorf("%s: severity %v, want INFO", where, g.record.SeverityNumber)
		}
	}
}

func attrMap(kvs []*commonpb.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = fromAnyValue(kv.Value)
	}
	return m
}

func fromAnyValue(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_ArrayValue:
		out := make([]any, len(x.ArrayValue.Values))
		for i, e := range x.ArrayValue.Values {
			out[i] = fromAnyValue(e)
		}
		return out
	case *commonpb.AnyValue_KvlistValue:
		return attrMap(x.KvlistValue.Values)
	default:
		return fmt.Sprintf("unexpected %T", x)
	}
}

// decodeJSONAttributes returns attrs with the JSON-valued attributes decoded.
func decodeJSONAttributes(t *testing.T, attrs map[string]any) map[string]any {
	t.Helper()
	out := make(map[string]any, len(attrs))
	for k, v := range attrs {
		out[k] = v
		if s, ok := v.(string); ok && slices.Contains(jsonAttributes, k) {
			var decoded any
			if err := json.Unmarshal([]byte(s), &decoded); err != nil {
				t.Errorf("attribute %s is not JSON: %v", k, err)
			}
			out[k] = decoded
		}
	}
	return out
}

// normalized returns v as encoding/json decodes it, to compare with a decoded attribute.
func normalized(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(err)
	}
	return out
}

func headerValue(h map[string][]string, key string) string {
	for k, v := range h {
		if strings.EqualFold(k, key) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// BenchmarkRun measures the simulator alone against an in-process receiver: one op is one session.
func BenchmarkRun(b *testing.B) {
	for _, protocol := range []string{"grpc", "http"} {
		b.Run(protocol, func(b *testing.B) {
			start := map[string]func(testing.TB) (*receiver, string){"grpc": startGRPCReceiver, "http": startHTTPReceiver}[protocol]
			_, endpoint := start(b)
			b.ResetTimer()
			stats, err := Run(context.Background(), Config{Endpoint: endpoint, Protocol: protocol, Insecure: true, Logs: true, Sessions: b.N, Users: 10, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(stats.Sessions)/stats.Elapsed.Seconds(), "sessions/s")
			b.ReportMetric(float64(stats.Spans)/stats.Elapsed.Seconds(), "spans/s")
		})
	}
}

func TestRunPacesSessionsAndReportsProgress(t *testing.T) {
	_, endpoint := startGRPCReceiver(t)
	var progress strings.Builder
	// At 1.5 sessions/s the third session is due 1.33s in, after the first progress tick.
	stats, err := Run(context.Background(), Config{Endpoint: endpoint, Protocol: "grpc", Insecure: true, Sessions: 3, Users: 1, Seed: 2, Rate: 1.5, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Sessions != 3 || stats.Elapsed < 1333*time.Millisecond {
		t.Errorf("sent %d sessions in %s, want 3 paced over at least 1.33s", stats.Sessions, stats.Elapsed)
	}
	if out := progress.String(); !strings.Contains(out, "/3 sessions sent") || !strings.Contains(out, "done: 3 sessions") {
		t.Errorf("progress output = %q", out)
	}
}
