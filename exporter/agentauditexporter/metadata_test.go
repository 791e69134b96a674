package agentauditexporter

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/agentaudit/otelcol-agentaudit/exporter/agentauditexporter/internal/metadata"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/metadatatest"
)

// TestMetadataDocumentationAndTelemetryAgree keeps metadata.yaml, documentation.md, README.md, the
// factory and the instruments the exporter registers and emits in agreement.
func TestMetadataDocumentationAndTelemetryAgree(t *testing.T) {
	md := metadatatest.CheckComponent(t, ".", NewFactory())
	metadatatest.CheckRegistered(t, md, metadata.ScopeName, func(set component.TelemetrySettings) error {
		_, err := newTelemetry(set)
		return err
	})

	// What a run emits: held children, their root, a resend, a malformed trace, a log event.
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	te, le := newTestExporter(t, t.TempDir(), tel)
	ctx := context.Background()
	children, root := splitToolTrace()
	require.NoError(t, te.ConsumeTraces(ctx, children))
	require.NoError(t, te.ConsumeTraces(ctx, root))
	require.NoError(t, te.ConsumeTraces(ctx, toolTrace()))
	malformed := toolTrace()
	chat := malformed.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(1)
	chat.Attributes().PutStr("gen_ai.input.messages", "[{not json")
	chat.Attributes().PutStr("huge", strings.Repeat("a", 1<<20))
	chat.Attributes().PutStr("gen_ai.output.messages", "UnknownFrameworkResult(text='hi')")
	require.NoError(t, te.ConsumeTraces(ctx, malformed))
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetEventName("agent.reasoning")
	lr.Body().SetStr("{broken")
	lr.Attributes().PutStr("session.id", "sess_1")
	require.NoError(t, le.ConsumeLogs(ctx, ld))
	noise := plog.NewLogs()
	noise.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("HTTP Request: POST https://api.example.com \"HTTP/1.1 200 OK\"")
	require.NoError(t, le.ConsumeLogs(ctx, noise))

	seen := metadatatest.CheckEmitted(t, md, metadata.ScopeName, metadatatest.Collect(t, tel))
	for _, name := range []string{
		"otelcol_exporter_agentaudit_records_written",
		"otelcol_exporter_agentaudit_store_bytes_written",
		"otelcol_exporter_agentaudit_duplicate_records_dropped",
		"otelcol_exporter_agentaudit_malformed_items",
		"otelcol_exporter_agentaudit_truncated_values",
		"otelcol_exporter_agentaudit_unknown_reprs",
		"otelcol_exporter_agentaudit_unmatched_logs",
		"otelcol_exporter_agentaudit_identity_records_held",
		"otelcol_exporter_agentaudit_identity_records_released",
		"otelcol_exporter_agentaudit_identity_traces_held",
		"otelcol_exporter_agentaudit_identity_bytes_held",
	} {
		assert.True(t, seen[name], "%s not emitted", name)
	}
	byStore, ok := sumsBy(tel, "otelcol_exporter_agentaudit_store_bytes_written", "store")
	require.True(t, ok)
	assert.Positive(t, byStore["file"], "bytes written are counted with store=file: %v", byStore)
}
