package store

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Instruments are the store metrics (otelcol_exporter_agentaudit_store_*). The exporter registers
// them with the rest of its telemetry (exporter/agentauditexporter/metadata.yaml); every store kind
// counts on the same instruments, told apart by the store attribute.
type Instruments struct {
	RecordsInserted       metric.Int64Counter
	RecordsAlreadyPresent metric.Int64Counter
	RecordsDeadLettered   metric.Int64Counter
	ItemsRetried          metric.Int64Counter
	BytesWritten          metric.Int64Counter
	BatchDuration         metric.Float64Histogram
}

// Metrics counts one store's work, every measurement with store=<kind>. A nil *Metrics counts
// nothing (auditctl and tests open stores without one).
type Metrics struct {
	in   Instruments
	kind attribute.KeyValue
	opt  metric.MeasurementOption
}

// NewMetrics binds the instruments to the store kind (the exporter's `store:` value).
func NewMetrics(kind string, in Instruments) *Metrics {
	kv := attribute.String("store", kind)
	return &Metrics{in: in, kind: kv, opt: metric.WithAttributeSet(attribute.NewSet(kv))}
}

// RecordsInserted counts records the store wrote.
func (m *Metrics) RecordsInserted(ctx context.Context, n int64) {
	if m != nil {
		m.in.RecordsInserted.Add(ctx, n, m.opt)
	}
}

// RecordsAlreadyPresent counts records an earlier attempt had stored (an idempotent retry).
func (m *Metrics) RecordsAlreadyPresent(ctx context.Context, n int64) {
	if m != nil {
		m.in.RecordsAlreadyPresent.Add(ctx, n, m.opt)
	}
}

// RecordsDeadLettered counts records the backend rejected for good, kept in the dead-letter store.
func (m *Metrics) RecordsDeadLettered(ctx context.Context, n int64) {
	if m != nil {
		m.in.RecordsDeadLettered.Add(ctx, n, m.opt)
	}
}

// ItemsRetried counts items sent again after a transient rejection.
func (m *Metrics) ItemsRetried(ctx context.Context, n int64) {
	if m != nil {
		m.in.ItemsRetried.Add(ctx, n, m.opt)
	}
}

// BytesWritten counts bytes durably stored for signal.
func (m *Metrics) BytesWritten(ctx context.Context, signal string, n int64) {
	if m != nil {
		m.in.BytesWritten.Add(ctx, n, metric.WithAttributes(m.kind, attribute.String("signal", signal)))
	}
}

// BatchDuration records how long one batch took to write.
func (m *Metrics) BatchDuration(ctx context.Context, d time.Duration) {
	if m != nil {
		m.in.BatchDuration.Record(ctx, d.Seconds(), m.opt)
	}
}
