package clients

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

// The values python/agent_logs.py logs.
const (
	logsFinalAnswer = "I found 2 flights to Paris. AF1234 leaves at 09:10."
	logsThought     = "User wants to book a flight. I need to search for flights first."
	logsFailure     = "Payment API timeout"
)

// agentLogShapes are the shapes python/agent_logs.py logs, one session each, and the error type
// each reports for the failed booking.
var agentLogShapes = []struct{ name, errorType string }{
	{"agentlogger", "ToolExecutionError"},
	{"nested", "ToolExecutionError"},
	{"structlog", "ToolExecutionError"},
	{"extra", "TimeoutError"},
}

// TestAgentLogsEndToEnd runs an agent that audits itself only by logging (the OpenTelemetry SDK's
// logging handler; AgentLogger flat and nested, structlog, extra= attributes), with an HTTP client's
// and a framework's log lines interleaved, against the built collector on config/local.yaml: each
// shape leaves exactly one record per event, each with its session and user; the noise leaves none.
func TestAgentLogsEndToEnd(t *testing.T) {
	dir := clientsDir(t)
	cl := client{name: "agent-logs", script: "agent_logs.py", runtime: runtimePython}
	command := requireRuntime(t, dir, cl)
	col := collectortest.Start(t, collectortest.Options{})
	r := clientRun{dir: dir, command: command, endpoint: "http://" + col.HTTPEndpoint, protocol: "http/protobuf", session: "logs", user: "user-logs", instance: "instance-logs"}
	r.run(t)
	want := 5 * len(agentLogShapes)
	col.WaitForRecords(60*time.Second, collectortest.AtLeast(want))
	// Let a late batch show itself: the noise must not add records after the agent's.
	time.Sleep(2 * time.Second)
	recs := col.Records()
	bySession := map[string][]*auditrecord.Record{}
	for _, rec := range recs {
		bySession[rec.SessionID] = append(bySession[rec.SessionID], rec)
	}
	for _, shape := range agentLogShapes {
		t.Run(shape.name, func(t *testing.T) {
			got := bySession["logs-"+shape.name]
			for _, p := range checkAgentLogRun(got, shape.errorType) {
				t.Error(p)
			}
			t.Logf("%s: %d records %v", shape.name, len(got), typeCounts(got))
		})
	}
	if len(recs) != want {
		t.Errorf("%d records, want %d (5 per shape; the interleaved HTTP client and framework lines must leave none):%s", len(recs), want, describeRecords(recs))
	}
	unmatched := metricValue(col.Metrics(), "otelcol_exporter_agentaudit_unmatched_logs")
	if unmatched < 8 { // per shape at least the httpx request line, the framework debug line and the cache line
		t.Errorf("otelcol_exporter_agentaudit_unmatched_logs = %v, want the noise lines counted", unmatched)
	}
	t.Logf("unmatched log records counted: %v", unmatched)
	if strings.Contains(col.Logs(), rawEmail) {
		t.Errorf("the collector's own log contains %q", rawEmail)
	}
	t.Run("readme-example", func(t *testing.T) { runReadmeExample(t, col, command[0]) })
}

// runReadmeExample runs the README's "What agents send" Python block as written and checks that it
// leaves the full trail it promises: input, reasoning, tool call, error and output, each with its
// session and user.
func runReadmeExample(t *testing.T, col *collectortest.Collector, python string) {
	readme, err := os.ReadFile(filepath.Join(peers.RepoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, found := strings.Cut(string(readme), "<!-- agent-logs-example")
	_, code, ok := strings.Cut(rest, "```python\n")
	code, _, closed := strings.Cut(code, "```")
	if !found || !ok || !closed {
		t.Fatal("README.md has no python block after <!-- agent-logs-example -->")
	}
	if n := strings.Count(strings.TrimSpace(code), "\n") + 1; n > 18 {
		t.Errorf("the README example has %d lines; it promises about 15", n)
	}
	script := filepath.Join(t.TempDir(), "readme_example.py")
	if err := os.WriteFile(script, []byte(code), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, script)
	cmd.Env = append(os.Environ(), "OTEL_EXPORTER_OTLP_ENDPOINT=http://"+col.HTTPEndpoint, "PYTHONDONTWRITEBYTECODE=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("README example failed: %v\n%s", err, out)
	}
	var trail []*auditrecord.Record
	for deadline := time.Now().Add(30 * time.Second); len(trail) < 5 && time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		trail = trail[:0]
		for _, rec := range col.Records() {
			if rec.SessionID == "sess_abc123" {
				trail = append(trail, rec)
			}
		}
	}
	if len(trail) == 0 {
		t.Logf("metrics:\n%s", col.Metrics())
	}
	counts := typeCounts(trail)
	for _, typ := range []auditrecord.Type{auditrecord.TypeInput, auditrecord.TypeReasoning, auditrecord.TypeToolCall, auditrecord.TypeError, auditrecord.TypeOutput} {
		if counts[typ] != 1 {
			t.Errorf("%d %s records from the README example, want 1:%s", counts[typ], typ, describeRecords(trail))
		}
	}
	for _, rec := range trail {
		if rec.UserID != "user_456" {
			t.Errorf("%s record of the README example has user %q", rec.Type, rec.UserID)
		}
	}
	t.Logf("README example: %d records %v", len(trail), counts)
}

func typeCounts(recs []*auditrecord.Record) map[auditrecord.Type]int {
	out := map[auditrecord.Type]int{}
	for _, r := range recs {
		out[r.Type]++
	}
	return out
}

// checkAgentLogRun returns every way one shape's records differ from the run it logged.
func checkAgentLogRun(recs []*auditrecord.Record, errorType string) []string {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	counts := typeCounts(recs)
	for _, typ := range []auditrecord.Type{auditrecord.TypeInput, auditrecord.TypeReasoning, auditrecord.TypeToolCall, auditrecord.TypeError, auditrecord.TypeOutput} {
		if counts[typ] != 1 {
			fail("%d %s records, want 1:%s", counts[typ], typ, describeRecords(recs))
		}
	}
	if len(recs) != 5 {
		fail("%d records, want 5", len(recs))
	}
	for _, rec := range recs {
		if rec.UserID != "user-logs" || rec.Source == nil || rec.Source.Signal != "logs" || rec.Source.Convention != "agent_log" {
			fail("%s record %s: user %q source %s", rec.Type, rec.RecordID, rec.UserID, sourceOf(rec))
		}
		if raw, _ := json.Marshal(rec); bytes.Contains(raw, []byte(rawEmail)) {
			fail("%s record %s stores %q unredacted", rec.Type, rec.RecordID, rawEmail)
		}
		switch rec.Type {
		case auditrecord.TypeInput:
			if !strings.Contains(rec.Input.Content, "Book a flight to Paris") || !strings.Contains(rec.Input.Content, redactedEmail) || rec.Input.Role != "user" {
				fail("input %s", jsonString(rec.Input))
			}
		case auditrecord.TypeReasoning:
			if rec.Reasoning.Thought != logsThought || len(rec.Reasoning.Plan) != 3 {
				fail("reasoning %s", jsonString(rec.Reasoning))
			}
		case auditrecord.TypeToolCall:
			tc := rec.ToolCall
			if tc.ToolName != "search_flights" || tc.Status != auditrecord.ToolStatusSuccess || tc.DurationMS == nil || *tc.DurationMS != 1250 ||
				jsonString(tc.Parameters) != `{"departure_date":"2024-02-01","destination":"Paris"}` || !strings.Contains(jsonString(tc.Result), `"AF1234"`) {
				fail("tool_call %s", jsonString(tc))
			}
		case auditrecord.TypeError:
			e := rec.Error
			if e.Type != errorType || e.Message != logsFailure || e.ToolName != "book_flight" || e.StackTrace == "" {
				fail("error %s, want type %s", jsonString(e), errorType)
			}
		case auditrecord.TypeOutput:
			o := rec.Output
			if o.Content != logsFinalAnswer || o.Model != "gpt-4" || o.Tokens == nil || o.Tokens.Total == nil || *o.Tokens.Total != 150 || o.Cost == nil || *o.Cost != 0.0045 {
				fail("output %s", jsonString(o))
			}
		}
	}
	return problems
}

// metricValue sums a counter's samples in a Prometheus text exposition.
func metricValue(text, name string) float64 {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `(?:_total)?(?:\{[^}]*\})? ([0-9.e+]+)$`)
	var sum float64
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		sum += v
	}
	return sum
}
