package agentauditexporter

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/identityhold"
	"github.com/agentaudit/otelcol-agentaudit/internal/mapping"
)

const scopeName = "github.com/agentaudit/otelcol-agentaudit/exporter/agentauditexporter"

// telemetry is the exporter's own metrics, visible on the collector's :8888/metrics.
type telemetry struct {
	meter     metric.Meter
	written   metric.Int64Counter
	failed    metric.Int64Counter
	malformed metric.Int64Counter
	truncated metric.Int64Counter
	unjoined  metric.Int64Counter
	copies    metric.Int64Counter
	// identity hold (docs/operations.md, "Identity hold")
	heldRecords     metric.Int64Counter
	filledRecords   metric.Int64Counter
	releasedRecords metric.Int64Counter
	evictedTraces   metric.Int64Counter
	holdGauges      metric.Registration
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	m := set.MeterProvider.Meter(scopeName)
	t := &telemetry{meter: m}
	var err error
	if t.written, err = m.Int64Counter("otelcol_agentaudit_records_written",
		metric.WithDescription("Audit records durably written, by record type and signal."), metric.WithUnit("{record}")); err != nil {
		return nil, err
	}
	if t.failed, err = m.Int64Counter("otelcol_agentaudit_records_failed",
		metric.WithDescription("Audit records whose write failed (they are retried or queued by exporterhelper)."), metric.WithUnit("{record}")); err != nil {
		return nil, err
	}
	if t.malformed, err = m.Int64Counter("otelcol_agentaudit_malformed_items",
		metric.WithDescription("Spans and log records that could not be fully mapped; what could be mapped was kept."), metric.WithUnit("{item}")); err != nil {
		return nil, err
	}
	if t.truncated, err = m.Int64Counter("otelcol_agentaudit_truncated_values",
		metric.WithDescription("Contents, parameters or results cut to max_content_bytes."), metric.WithUnit("{value}")); err != nil {
		return nil, err
	}
	if t.unjoined, err = m.Int64Counter("otelcol_agentaudit_logs_without_span",
		metric.WithDescription("GenAI log events whose model-call span did not arrive within log_span_wait; their records lack model, tokens and cost."), metric.WithUnit("{event}")); err != nil {
		return nil, err
	}
	if t.copies, err = m.Int64Counter("otelcol_agentaudit_duplicate_records_dropped",
		metric.WithDescription("Records not written again because this exporter wrote the same record_id within its last dedup_window records (a resent export, a retried sidecar, a replayed queue)."), metric.WithUnit("{record}")); err != nil {
		return nil, err
	}
	if t.heldRecords, err = m.Int64Counter("otelcol_agentaudit_identity_records_held",
		metric.WithDescription("Records that waited for their trace's session and user (journaled until released)."), metric.WithUnit("{record}")); err != nil {
		return nil, err
	}
	if t.filledRecords, err = m.Int64Counter("otelcol_agentaudit_identity_records_filled",
		metric.WithDescription("Records written at once with the session and user an earlier batch of their trace brought."), metric.WithUnit("{record}")); err != nil {
		return nil, err
	}
	if t.releasedRecords, err = m.Int64Counter("otelcol_agentaudit_identity_records_released",
		metric.WithDescription("Held records written, by outcome: identified (with the identity that arrived), complete (the root came without one), expired (identity.hold_window passed), evicted (identity caps), shutdown; all but identified are written without identity."), metric.WithUnit("{record}")); err != nil {
		return nil, err
	}
	if t.evictedTraces, err = m.Int64Counter("otelcol_agentaudit_identity_traces_evicted",
		metric.WithDescription("Traces written before their window ended because identity.max_held_traces or identity.max_held_bytes was reached."), metric.WithUnit("{trace}")); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *telemetry) recordCopiesDropped(ctx context.Context, signal string, n int) {
	t.copies.Add(ctx, int64(n), metric.WithAttributes(attribute.String("signal", signal)))
}

// observeHold reports what the identity hold keeps, at each collection.
func (t *telemetry) observeHold(h *identityhold.Hold) error {
	traces, err := t.meter.Int64ObservableGauge("otelcol_agentaudit_identity_traces_held",
		metric.WithDescription("Traces whose records wait for the trace's session and user."), metric.WithUnit("{trace}"))
	if err != nil {
		return err
	}
	bytes, err := t.meter.Int64ObservableGauge("otelcol_agentaudit_identity_bytes_held",
		metric.WithDescription("Encoded size of the records waiting for their trace's identity."), metric.WithUnit("By"))
	if err != nil {
		return err
	}
	t.holdGauges, err = t.meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		n, _, b := h.Held()
		o.ObserveInt64(traces, int64(n))
		o.ObserveInt64(bytes, b)
		return nil
	}, traces, bytes)
	return err
}

// stopObservingHold ends the hold's gauges (a restarted exporter registers its own).
func (t *telemetry) stopObservingHold() {
	if t.holdGauges != nil {
		_ = t.holdGauges.Unregister()
		t.holdGauges = nil
	}
}

func (t *telemetry) recordAdmitted(ctx context.Context, a identityhold.Admitted) {
	if a.Held > 0 {
		t.heldRecords.Add(ctx, int64(a.Held))
	}
	if a.Filled > 0 {
		t.filledRecords.Add(ctx, int64(a.Filled))
	}
}

func (t *telemetry) recordReleased(ctx context.Context, rel *identityhold.Release) {
	for o, n := range rel.ByOutcome {
		if n > 0 {
			t.releasedRecords.Add(ctx, int64(n), metric.WithAttributes(attribute.String("outcome", identityhold.Outcome(o).String())))
		}
	}
	if n := rel.Traces(identityhold.Evicted); n > 0 {
		t.evictedTraces.Add(ctx, int64(n))
	}
}

func (t *telemetry) recordUnjoined(ctx context.Context, n int) {
	t.unjoined.Add(ctx, int64(n))
}

func (t *telemetry) recordMapping(ctx context.Context, signal string, s mapping.Stats) {
	sig := metric.WithAttributes(attribute.String("signal", signal))
	if s.Malformed > 0 {
		t.malformed.Add(ctx, int64(s.Malformed), sig)
	}
	if s.Truncated > 0 {
		t.truncated.Add(ctx, int64(s.Truncated), sig)
	}
}

func (t *telemetry) recordWritten(ctx context.Context, signal string, recs []*auditrecord.Record) {
	byType := map[auditrecord.Type]int64{}
	for _, r := range recs {
		byType[r.Type]++
	}
	for typ, n := range byType {
		t.written.Add(ctx, n, metric.WithAttributes(attribute.String("signal", signal), attribute.String("type", string(typ))))
	}
}

func (t *telemetry) recordFailure(ctx context.Context, signal string, n int) {
	t.failed.Add(ctx, int64(n), metric.WithAttributes(attribute.String("signal", signal)))
}
