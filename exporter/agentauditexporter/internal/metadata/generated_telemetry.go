// Written by hand in the shape mdatagen v0.161.0 generates from ../../metadata.yaml (mdatagen is
// not served here; regenerate with it when it is). The package's metadata test keeps this file,
// metadata.yaml and documentation.md in agreement.

package metadata

import (
	"context"
	"errors"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/embedded"
	"go.opentelemetry.io/otel/trace"
)

// Meter is the component's meter, named after its scope.
func Meter(settings component.TelemetrySettings) metric.Meter {
	return settings.MeterProvider.Meter(ScopeName)
}

// Tracer is the component's tracer, named after its scope.
func Tracer(settings component.TelemetrySettings) trace.Tracer {
	return settings.TracerProvider.Tracer(ScopeName)
}

// TelemetryBuilder provides an interface for components to report telemetry
// as defined in metadata and user config.
type TelemetryBuilder struct {
	meter                                        metric.Meter
	mu                                           sync.Mutex
	registrations                                []metric.Registration
	ExporterAgentauditDuplicateRecordsDropped    metric.Int64Counter
	ExporterAgentauditIdentityBytesHeld          metric.Int64ObservableGauge
	ExporterAgentauditIdentityRecordsFilled      metric.Int64Counter
	ExporterAgentauditIdentityRecordsHeld        metric.Int64Counter
	ExporterAgentauditIdentityRecordsReleased    metric.Int64Counter
	ExporterAgentauditIdentityTracesEvicted      metric.Int64Counter
	ExporterAgentauditIdentityTracesHeld         metric.Int64ObservableGauge
	ExporterAgentauditLogsWithoutSpan            metric.Int64Counter
	ExporterAgentauditMalformedItems             metric.Int64Counter
	ExporterAgentauditRecordsFailed              metric.Int64Counter
	ExporterAgentauditRecordsWritten             metric.Int64Counter
	ExporterAgentauditStoreBatchDuration         metric.Float64Histogram
	ExporterAgentauditStoreBytesWritten          metric.Int64Counter
	ExporterAgentauditStoreItemsRetried          metric.Int64Counter
	ExporterAgentauditStoreRecordsAlreadyPresent metric.Int64Counter
	ExporterAgentauditStoreRecordsDeadLettered   metric.Int64Counter
	ExporterAgentauditStoreRecordsInserted       metric.Int64Counter
	ExporterAgentauditTruncatedValues            metric.Int64Counter
	ExporterAgentauditUnknownReprs               metric.Int64Counter
	ExporterAgentauditUnmatchedLogs              metric.Int64Counter
}

// TelemetryBuilderOption applies changes to default builder.
type TelemetryBuilderOption interface {
	apply(*TelemetryBuilder)
}

type telemetryBuilderOptionFunc func(mb *TelemetryBuilder)

func (tbof telemetryBuilderOptionFunc) apply(mb *TelemetryBuilder) {
	tbof(mb)
}

// RegisterExporterAgentauditIdentityBytesHeldCallback sets callback for observable ExporterAgentauditIdentityBytesHeld metric.
func (builder *TelemetryBuilder) RegisterExporterAgentauditIdentityBytesHeldCallback(cb metric.Int64Callback) error {
	reg, err := builder.meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		return cb(ctx, &observerInt64{inst: builder.ExporterAgentauditIdentityBytesHeld, obs: o})
	}, builder.ExporterAgentauditIdentityBytesHeld)
	if err != nil {
		return err
	}
	builder.mu.Lock()
	defer builder.mu.Unlock()
	builder.registrations = append(builder.registrations, reg)
	return nil
}

// RegisterExporterAgentauditIdentityTracesHeldCallback sets callback for observable ExporterAgentauditIdentityTracesHeld metric.
func (builder *TelemetryBuilder) RegisterExporterAgentauditIdentityTracesHeldCallback(cb metric.Int64Callback) error {
	reg, err := builder.meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		return cb(ctx, &observerInt64{inst: builder.ExporterAgentauditIdentityTracesHeld, obs: o})
	}, builder.ExporterAgentauditIdentityTracesHeld)
	if err != nil {
		return err
	}
	builder.mu.Lock()
	defer builder.mu.Unlock()
	builder.registrations = append(builder.registrations, reg)
	return nil
}

type observerInt64 struct {
	embedded.Int64Observer
	inst metric.Int64Observable
	obs  metric.Observer
}

func (oi *observerInt64) Observe(value int64, opts ...metric.ObserveOption) {
	oi.obs.ObserveInt64(oi.inst, value, opts...)
}

// Shutdown unregisters all registered callbacks for async instruments; a later Register call
// starts afresh (an Unregister error only means the callback was already gone).
func (builder *TelemetryBuilder) Shutdown() {
	builder.mu.Lock()
	defer builder.mu.Unlock()
	for _, reg := range builder.registrations {
		_ = reg.Unregister()
	}
	builder.registrations = nil
}

// NewTelemetryBuilder provides a struct with methods to update all internal telemetry
// for a component. Every instrument is registered; the registration errors are returned joined.
func NewTelemetryBuilder(settings component.TelemetrySettings, options ...TelemetryBuilderOption) (*TelemetryBuilder, error) {
	builder := TelemetryBuilder{}
	for _, op := range options {
		op.apply(&builder)
	}
	builder.meter = Meter(settings)
	var err, errs error
	builder.ExporterAgentauditDuplicateRecordsDropped, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_duplicate_records_dropped",
		metric.WithDescription("Records not written again because this exporter wrote the same record_id within its last dedup_window records (a resent export, a retried sidecar, a replayed queue). [Alpha]"),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditIdentityBytesHeld, err = builder.meter.Int64ObservableGauge(
		"otelcol_exporter_agentaudit_identity_bytes_held",
		metric.WithDescription("Encoded size of the records waiting for their trace's identity. [Alpha]"),
		metric.WithUnit("By"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditIdentityRecordsFilled, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_identity_records_filled",
		metric.WithDescription("Records written at once with the session and user an earlier batch of their trace brought. [Alpha]"),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditIdentityRecordsHeld, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_identity_records_held",
		metric.WithDescription("Records that waited for their trace's session and user (journaled until released). [Alpha]"),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditIdentityRecordsReleased, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_identity_records_released",
		metric.WithDescription("Held records written, by outcome: identified (with the identity that arrived), complete (the root came without one), expired (identity.hold_window passed), evicted (identity caps), shutdown; all but identified are written without identity. [Alpha]"),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditIdentityTracesEvicted, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_identity_traces_evicted",
		metric.WithDescription("Traces written before their window ended because identity.max_held_traces or identity.max_held_bytes was reached. [Alpha]"),
		metric.WithUnit("{trace}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditIdentityTracesHeld, err = builder.meter.Int64ObservableGauge(
		"otelcol_exporter_agentaudit_identity_traces_held",
		metric.WithDescription("Traces whose records wait for the trace's session and user. [Alpha]"),
		metric.WithUnit("{trace}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditLogsWithoutSpan, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_logs_without_span",
		metric.WithDescription("GenAI log events whose model-call span did not arrive within log_span_wait; their records lack model, tokens and cost. [Alpha]"),
		metric.WithUnit("{event}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditMalformedItems, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_malformed_items",
		metric.WithDescription("Spans and log records that could not be fully mapped; what could be mapped was kept. [Alpha]"),
		metric.WithUnit("{item}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditRecordsFailed, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_records_failed",
		metric.WithDescription("Audit records whose write failed (they are retried or queued by exporterhelper). [Alpha]"),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditRecordsWritten, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_records_written",
		metric.WithDescription("Audit records durably written, by record type and signal. [Alpha]"),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditStoreBatchDuration, err = builder.meter.Float64Histogram(
		"otelcol_exporter_agentaudit_store_batch_duration",
		metric.WithDescription("Time to write one batch in one transaction (postgres). [Alpha]"),
		metric.WithUnit("s"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditStoreBytesWritten, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_store_bytes_written",
		metric.WithDescription("Bytes of data objects and manifests durably stored (file, s3). [Alpha]"),
		metric.WithUnit("By"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditStoreItemsRetried, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_store_items_retried",
		metric.WithDescription("Bulk items sent again after a 429, a 5xx or no answer (elasticsearch). [Alpha]"),
		metric.WithUnit("{item}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditStoreRecordsAlreadyPresent, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_store_records_already_present",
		metric.WithDescription("Records the store skipped because an earlier attempt stored them (an idempotent retry; elasticsearch, postgres). [Alpha]"),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditStoreRecordsDeadLettered, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_store_records_dead_lettered",
		metric.WithDescription("Records the store rejected for good, written to the dead-letter directory (elasticsearch, postgres). [Alpha]"),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditStoreRecordsInserted, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_store_records_inserted",
		metric.WithDescription("Audit records the store inserted (elasticsearch, postgres). [Alpha]"),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditTruncatedValues, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_truncated_values",
		metric.WithDescription("Contents, parameters or results cut to max_content_bytes. [Alpha]"),
		metric.WithUnit("{value}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditUnknownReprs, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_unknown_reprs",
		metric.WithDescription("Contents that are a framework object's repr of a class the mapping's repr tables do not know; kept as they are. [Alpha]"),
		metric.WithUnit("{value}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAgentauditUnmatchedLogs, err = builder.meter.Int64Counter(
		"otelcol_exporter_agentaudit_unmatched_logs",
		metric.WithDescription("Log records that no convention recognised as an agent event (an HTTP client's or a framework's own lines); they make no audit record. [Alpha]"),
		metric.WithUnit("{log}"),
	)
	errs = errors.Join(errs, err)
	return &builder, errs
}
