package agentauditexporter

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/agentaudit/otelcol-agentaudit/exporter/agentauditexporter/internal/metadata"
	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
)

// toolTrace is one GenAI semconv agent turn: invoke_agent → chat → execute_tool.
func toolTrace() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "travel-agent")
	ss := rs.ScopeSpans().AppendEmpty()
	tid := pcommon.TraceID([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	start := pcommon.NewTimestampFromTime(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	end := pcommon.NewTimestampFromTime(time.Date(2026, 11, 26, 9, 0, 2, 0, time.UTC))

	root := ss.Spans().AppendEmpty()
	root.SetName("invoke_agent travel")
	root.SetTraceID(tid)
	root.SetSpanID(pcommon.SpanID([8]byte{1}))
	root.SetStartTimestamp(start)
	root.SetEndTimestamp(end)
	root.Attributes().PutStr("gen_ai.operation.name", "invoke_agent")
	root.Attributes().PutStr("gen_ai.agent.name", "travel")
	root.Attributes().PutStr("session.id", "sess_1")
	root.Attributes().PutStr("user.id", "user_1")

	chat := ss.Spans().AppendEmpty()
	chat.SetName("chat gpt-4o")
	chat.SetTraceID(tid)
	chat.SetSpanID(pcommon.SpanID([8]byte{2}))
	chat.SetParentSpanID(root.SpanID())
	chat.SetStartTimestamp(start)
	chat.SetEndTimestamp(end)
	chat.Attributes().PutStr("gen_ai.operation.name", "chat")
	chat.Attributes().PutStr("gen_ai.request.model", "gpt-4o")
	chat.Attributes().PutInt("gen_ai.usage.input_tokens", 100)
	chat.Attributes().PutInt("gen_ai.usage.output_tokens", 20)
	chat.Attributes().PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Book a flight to Paris"}]}]`)
	chat.Attributes().PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"Done."}],"finish_reason":"stop"}]`)

	tool := ss.Spans().AppendEmpty()
	tool.SetName("execute_tool search_flights")
	tool.SetTraceID(tid)
	tool.SetSpanID(pcommon.SpanID([8]byte{3}))
	tool.SetParentSpanID(root.SpanID())
	tool.SetStartTimestamp(start)
	tool.SetEndTimestamp(end)
	tool.Attributes().PutStr("gen_ai.operation.name", "execute_tool")
	tool.Attributes().PutStr("gen_ai.tool.name", "search_flights")
	tool.Attributes().PutStr("gen_ai.tool.call.id", "call_1")
	tool.Attributes().PutStr("gen_ai.tool.call.arguments", `{"destination":"Paris"}`)
	tool.Status().SetCode(ptrace.StatusCodeError)
	tool.Status().SetMessage("timeout after 5000ms")
	return td
}

func newTestExporter(t *testing.T, dir string, tel *componenttest.Telemetry, configure ...func(*Config)) (exporter.Traces, exporter.Logs) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.File.Directory = dir
	cfg.InstanceID = "test"
	cfg.QueueConfig = configoptional.None[exporterHelperQueueConfig]()
	for _, c := range configure {
		c(cfg)
	}
	set := exportertest.NewNopSettings(metadata.Type)
	if tel != nil {
		set.TelemetrySettings = tel.NewTelemetrySettings()
	}
	ctx := context.Background()
	te, err := NewFactory().CreateTraces(ctx, set, cfg)
	require.NoError(t, err)
	le, err := NewFactory().CreateLogs(ctx, set, cfg)
	require.NoError(t, err)
	require.NoError(t, te.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, le.Start(ctx, componenttest.NewNopHost()))
	t.Cleanup(func() {
		assert.NoError(t, te.Shutdown(ctx))
		assert.NoError(t, le.Shutdown(ctx))
	})
	return te, le
}

func TestTracesBecomeChainedSchemaValidRecords(t *testing.T) {
	dir := t.TempDir()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	te, _ := newTestExporter(t, dir, tel)
	require.NoError(t, te.ConsumeTraces(context.Background(), toolTrace()))

	recs := collectortest.ReadRecords(t, collectortest.OpenFileStore(t, dir))
	byType := map[auditrecord.Type][]*auditrecord.Record{}
	for _, r := range recs {
		byType[r.Type] = append(byType[r.Type], r)
		assert.Equal(t, "sess_1", r.SessionID, "record %s", r.Type)
		assert.Equal(t, "user_1", r.UserID, "record %s", r.Type)
		require.NotNil(t, r.Integrity)
		assert.Equal(t, "test-traces", r.Integrity.Stream)
	}
	require.Len(t, byType[auditrecord.TypeInput], 1)
	assert.Equal(t, "Book a flight to Paris", byType[auditrecord.TypeInput][0].Input.Content)
	require.Len(t, byType[auditrecord.TypeOutput], 1)
	assert.Equal(t, "gpt-4o", byType[auditrecord.TypeOutput][0].Output.Model)
	require.Len(t, byType[auditrecord.TypeToolCall], 1)
	tc := byType[auditrecord.TypeToolCall][0]
	assert.Equal(t, auditrecord.ToolStatusError, tc.ToolCall.Status)
	assert.Equal(t, map[string]any{"destination": "Paris"}, tc.ToolCall.Parameters)
	require.Len(t, byType[auditrecord.TypeError], 1)
	assert.Equal(t, tc.RecordID, byType[auditrecord.TypeError][0].Error.RelatedRecordID)

	written, err := tel.GetMetric("otelcol_exporter_agentaudit_records_written")
	require.NoError(t, err)
	var total int64
	for _, dp := range written.Data.(metricdata.Sum[int64]).DataPoints {
		total += dp.Value
	}
	assert.Equal(t, int64(len(recs)), total)

	bytesWritten, err := tel.GetMetric("otelcol_exporter_agentaudit_store_bytes_written")
	require.NoError(t, err)
	var stored int64
	for _, dp := range bytesWritten.Data.(metricdata.Sum[int64]).DataPoints {
		stored += dp.Value
	}
	assert.Greater(t, stored, int64(0))
}

func TestSameBatchTwiceYieldsSameRecordIDs(t *testing.T) {
	dir := t.TempDir()
	// Without the dedup window, which would drop the second copy (dedup_test.go).
	te, _ := newTestExporter(t, dir, nil, func(c *Config) { c.DedupWindow = 0 })
	require.NoError(t, te.ConsumeTraces(context.Background(), toolTrace()))
	require.NoError(t, te.ConsumeTraces(context.Background(), toolTrace()))
	recs := collectortest.ReadRecords(t, collectortest.OpenFileStore(t, dir))
	require.NotEmpty(t, recs)
	require.Equal(t, 0, len(recs)%2)
	half := len(recs) / 2
	for i := range half {
		assert.Equal(t, recs[i].RecordID, recs[half+i].RecordID)
		assert.Equal(t, recs[i].Integrity.Seq+uint64(half), recs[half+i].Integrity.Seq, "the chain goes on")
	}
}

func TestMalformedTelemetryIsCountedAndNeverCrashes(t *testing.T) {
	dir := t.TempDir()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	te, le := newTestExporter(t, dir, tel)

	td := toolTrace()
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	chat := spans.At(1)
	chat.Attributes().PutStr("gen_ai.input.messages", "[{not json")
	chat.Attributes().PutEmptyMap("gen_ai.usage.output_tokens").PutStr("x", "y")
	chat.Attributes().PutStr("huge", strings.Repeat("a", 1<<20))
	chat.Attributes().PutStr("bad_utf8", "\xff\xfe ok")
	deep := chat.Attributes().PutEmptyMap("deep")
	for range 100 {
		deep = deep.PutEmptyMap("d")
	}
	require.NoError(t, te.ConsumeTraces(context.Background(), td))

	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetEventName("agent.reasoning")
	lr.Body().SetStr("{broken")
	lr.Attributes().PutStr("session.id", "sess_1")
	require.NoError(t, le.ConsumeLogs(context.Background(), ld))

	recs := collectortest.ReadRecords(t, collectortest.OpenFileStore(t, dir))
	assert.NotEmpty(t, recs)
	for _, r := range recs {
		if r.Attributes != nil {
			if s, ok := r.Attributes["huge"].(string); ok {
				assert.LessOrEqual(t, len(s), defaultMaxContentBytes+64, "huge attribute truncated")
			}
		}
	}
	malformed, err := tel.GetMetric("otelcol_exporter_agentaudit_malformed_items")
	require.NoError(t, err)
	var n int64
	for _, dp := range malformed.Data.(metricdata.Sum[int64]).DataPoints {
		n += dp.Value
	}
	assert.GreaterOrEqual(t, n, int64(1))
}

type exporterHelperQueueConfig = exporterhelper.QueueBatchConfig

func TestStartClearsTemporaryFilesOfAnInterruptedRunInTheBackground(t *testing.T) {
	dir := t.TempDir()
	partition := filepath.Join(dir, "audit", "year=2026", "month=01", "day=02", "hour=03")
	require.NoError(t, os.MkdirAll(partition, 0o750))
	crashed := filepath.Join(partition, ".tmp-test-traces-00000000000000000001.jsonl.gz-123")
	require.NoError(t, os.WriteFile(crashed, []byte("half an object"), 0o600))
	past := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(crashed, past, past))

	te, _ := newTestExporter(t, dir, nil)
	require.NoError(t, te.ConsumeTraces(context.Background(), toolTrace()))
	require.Eventually(t, func() bool {
		_, err := os.Stat(crashed)
		return errors.Is(err, os.ErrNotExist)
	}, 10*time.Second, 10*time.Millisecond, "stale temporary file still there")
	assert.NotEmpty(t, collectortest.ReadRecords(t, collectortest.OpenFileStore(t, dir)), "records written meanwhile")
}
