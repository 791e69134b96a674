package piiredactionprocessor // import "github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor/internal/detect"
)

const scopeName = "github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor"

// telemetry counts findings by type and depth-limited values. It never records values.
type telemetry struct {
	findings     metric.Int64Counter
	depthLimited metric.Int64Counter
	typeAttrs    []metric.AddOption // per detector type, built once
}

func newTelemetry(set component.TelemetrySettings, engine *detect.Engine) (*telemetry, error) {
	meter := set.MeterProvider.Meter(scopeName)
	findings, err := meter.Int64Counter("otelcol_processor_piiredaction_findings",
		metric.WithDescription("Values redacted by the piiredaction processor, by detector type."),
		metric.WithUnit("{findings}"))
	if err != nil {
		return nil, err
	}
	depth, err := meter.Int64Counter("otelcol_processor_piiredaction_depth_limited",
		metric.WithDescription("Values nested deeper than max_depth, replaced without inspection (or JSON scanned as plain text)."),
		metric.WithUnit("{values}"))
	if err != nil {
		return nil, err
	}
	t := &telemetry{findings: findings, depthLimited: depth}
	for i := range engine.NumTypes() {
		t.typeAttrs = append(t.typeAttrs, metric.WithAttributeSet(attribute.NewSet(attribute.String("type", engine.Name(detect.Type(i))))))
	}
	return t, nil
}

func (t *telemetry) record(ctx context.Context, f *detect.Findings) {
	if f.Count > 0 {
		for i, opt := range t.typeAttrs {
			if n := f.PerType[i]; n > 0 {
				t.findings.Add(ctx, int64(n), opt)
			}
		}
	}
	if f.DepthLimited > 0 {
		t.depthLimited.Add(ctx, int64(f.DepthLimited))
	}
}
