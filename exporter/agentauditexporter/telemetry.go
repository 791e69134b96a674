package agentauditexporter

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/agentaudit/otelcol-agentaudit/exporter/agentauditexporter/internal/metadata"
	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/identityhold"
	"github.com/agentaudit/otelcol-agentaudit/internal/mapping"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// telemetry is the exporter's own metrics, visible on the collector's :8888/metrics: the instruments
// metadata.yaml declares (internal/metadata registers them), recorded with their attributes.
type telemetry struct {
	*metadata.TelemetryBuilder
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	b, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	return &telemetry{b}, nil
}

// storeMetrics binds the store instruments to the configured store kind, for the store to count on.
func (t *telemetry) storeMetrics(kind string) *store.Metrics {
	return store.NewMetrics(kind, store.Instruments{
		RecordsInserted:       t.ExporterAgentauditStoreRecordsInserted,
		RecordsAlreadyPresent: t.ExporterAgentauditStoreRecordsAlreadyPresent,
		RecordsDeadLettered:   t.ExporterAgentauditStoreRecordsDeadLettered,
		ItemsRetried:          t.ExporterAgentauditStoreItemsRetried,
		BytesWritten:          t.ExporterAgentauditStoreBytesWritten,
		BatchDuration:         t.ExporterAgentauditStoreBatchDuration,
	})
}

func (t *telemetry) recordCopiesDropped(ctx context.Context, signal string, n int) {
	t.ExporterAgentauditDuplicateRecordsDropped.Add(ctx, int64(n), metric.WithAttributes(attribute.String("signal", signal)))
}

// observeHold reports what the identity hold keeps, at each collection.
func (t *telemetry) observeHold(h *identityhold.Hold) error {
	return errors.Join(
		t.RegisterExporterAgentauditIdentityTracesHeldCallback(func(_ context.Context, o metric.Int64Observer) error {
			n, _, _ := h.Held()
			o.Observe(int64(n))
			return nil
		}),
		t.RegisterExporterAgentauditIdentityBytesHeldCallback(func(_ context.Context, o metric.Int64Observer) error {
			_, _, b := h.Held()
			o.Observe(b)
			return nil
		}))
}

// stopObservingHold ends the hold's gauges (a restarted exporter registers its own); they are the
// builder's only callbacks.
func (t *telemetry) stopObservingHold() {
	t.Shutdown()
}

func (t *telemetry) recordAdmitted(ctx context.Context, a identityhold.Admitted) {
	if a.Held > 0 {
		t.ExporterAgentauditIdentityRecordsHeld.Add(ctx, int64(a.Held))
	}
	if a.Filled > 0 {
		t.ExporterAgentauditIdentityRecordsFilled.Add(ctx, int64(a.Filled))
	}
}

func (t *telemetry) recordReleased(ctx context.Context, rel *identityhold.Release) {
	for o, n := range rel.ByOutcome {
		if n > 0 {
			t.ExporterAgentauditIdentityRecordsReleased.Add(ctx, int64(n), metric.WithAttributes(attribute.String("outcome", identityhold.Outcome(o).String())))
		}
	}
	if n := rel.Traces(identityhold.Evicted); n > 0 {
		t.ExporterAgentauditIdentityTracesEvicted.Add(ctx, int64(n))
	}
}

func (t *telemetry) recordUnjoined(ctx context.Context, n int) {
	t.ExporterAgentauditLogsWithoutSpan.Add(ctx, int64(n))
}

func (t *telemetry) recordMapping(ctx context.Context, signal string, s mapping.Stats) {
	sig := metric.WithAttributes(attribute.String("signal", signal))
	if s.Malformed > 0 {
		t.ExporterAgentauditMalformedItems.Add(ctx, int64(s.Malformed), sig)
	}
	if s.Truncated > 0 {
		t.ExporterAgentauditTruncatedValues.Add(ctx, int64(s.Truncated), sig)
	}
	if s.UnknownReprs > 0 {
		t.ExporterAgentauditUnknownReprs.Add(ctx, int64(s.UnknownReprs), sig)
	}
	if s.Unmatched > 0 {
		t.ExporterAgentauditUnmatchedLogs.Add(ctx, int64(s.Unmatched))
	}
}

func (t *telemetry) recordWritten(ctx context.Context, signal string, recs []*auditrecord.Record) {
	byType := map[auditrecord.Type]int64{}
	for _, r := range recs {
		byType[r.Type]++
	}
	for typ, n := range byType {
		t.ExporterAgentauditRecordsWritten.Add(ctx, n, metric.WithAttributes(attribute.String("signal", signal), attribute.String("type", string(typ))))
	}
}

func (t *telemetry) recordFailure(ctx context.Context, signal string, n int) {
	t.ExporterAgentauditRecordsFailed.Add(ctx, int64(n), metric.WithAttributes(attribute.String("signal", signal)))
}
