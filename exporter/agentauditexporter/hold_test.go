package agentauditexporter

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
)

// splitToolTrace returns toolTrace's spans as two batches: the children (chat and tool call), which
// end first, and the root with session and user, which ends last.
func splitToolTrace() (children, root ptrace.Traces) {
	children, root = toolTrace(), toolTrace()
	children.ResourceSpans().At(0).ScopeSpans().At(0).Spans().RemoveIf(func(s ptrace.Span) bool { return s.ParentSpanID().IsEmpty() })
	root.ResourceSpans().At(0).ScopeSpans().At(0).Spans().RemoveIf(func(s ptrace.Span) bool { return !s.ParentSpanID().IsEmpty() })
	return children, root
}

// sumMetric is counter name's total, or its points with that outcome when outcome is set.
func sumMetric(t *testing.T, tel *componenttest.Telemetry, name, outcome string) int64 {
	t.Helper()
	sums, ok := sumsBy(tel, name, "outcome")
	require.True(t, ok, "metric %s not reported", name)
	if outcome != "" {
		return sums[outcome]
	}
	var n int64
	for _, v := range sums {
		n += v
	}
	return n
}

func TestRecordsOfASplitTraceWaitForTheRootsIdentity(t *testing.T) {
	dir := t.TempDir()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	te, _ := newTestExporter(t, dir, tel)
	children, root := splitToolTrace()
	require.NoError(t, te.ConsumeTraces(context.Background(), children))
	assert.Empty(t, collectortest.ReadRecords(t, collectortest.OpenFileStore(t, dir)), "children written before their identity")

	require.NoError(t, te.ConsumeTraces(context.Background(), root))
	recs := collectortest.ReadRecords(t, collectortest.OpenFileStore(t, dir))
	types := map[auditrecord.Type]int{}
	for _, r := range recs {
		types[r.Type]++
		assert.Equal(t, "sess_1", r.SessionID, "record %s", r.Type)
		assert.Equal(t, "user_1", r.UserID, "record %s", r.Type)
	}
	assert.Equal(t, 1, types[auditrecord.TypeToolCall])
	assert.Equal(t, 1, types[auditrecord.TypeLLMCall])
	assert.Equal(t, 1, types[auditrecord.TypeAgentRun])
	held := sumMetric(t, tel, "otelcol_exporter_agentaudit_identity_records_held", "")
	assert.Positive(t, held)
	assert.Equal(t, held, sumMetric(t, tel, "otelcol_exporter_agentaudit_identity_records_released", "identified"))
}

func TestShutdownWritesHeldRecordsWithoutIdentity(t *testing.T) {
	dir := t.TempDir()
	t.Run("run", func(t *testing.T) { // its cleanup shuts the exporter down
		te, _ := newTestExporter(t, dir, nil)
		children, _ := splitToolTrace()
		require.NoError(t, te.ConsumeTraces(context.Background(), children))
		assert.Empty(t, collectortest.ReadRecords(t, collectortest.OpenFileStore(t, dir)))
	})
	recs := collectortest.ReadRecords(t, collectortest.OpenFileStore(t, dir))
	require.NotEmpty(t, recs, "held records lost at shutdown")
	for _, r := range recs {
		assert.Empty(t, r.SessionID)
	}
}
