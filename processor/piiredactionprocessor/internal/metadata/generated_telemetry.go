// Written by hand in the shape mdatagen v0.161.0 generates from ../../metadata.yaml (mdatagen is
// not served here; regenerate with it when it is). The package's metadata test keeps this file,
// metadata.yaml and documentation.md in agreement.

package metadata

import (
	"errors"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
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
	meter                             metric.Meter
	mu                                sync.Mutex
	registrations                     []metric.Registration
	ProcessorPiiredactionDepthLimited metric.Int64Counter
	ProcessorPiiredactionFindings     metric.Int64Counter
}

// TelemetryBuilderOption applies changes to default builder.
type TelemetryBuilderOption interface {
	apply(*TelemetryBuilder)
}

type telemetryBuilderOptionFunc func(mb *TelemetryBuilder)

func (tbof telemetryBuilderOptionFunc) apply(mb *TelemetryBuilder) {
	tbof(mb)
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
	builder.ProcessorPiiredactionDepthLimited, err = builder.meter.Int64Counter(
		"otelcol_processor_piiredaction_depth_limited",
		metric.WithDescription("Values nested deeper than max_depth, replaced without inspection (or JSON scanned as plain text). [Alpha]"),
		metric.WithUnit("{values}"),
	)
	errs = errors.Join(errs, err)
	builder.ProcessorPiiredactionFindings, err = builder.meter.Int64Counter(
		"otelcol_processor_piiredaction_findings",
		metric.WithDescription("Values redacted by the piiredaction processor, by detector type. [Alpha]"),
		metric.WithUnit("{findings}"),
	)
	errs = errors.Join(errs, err)
	return &builder, errs
}
