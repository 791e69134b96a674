package piiredactionprocessor // import "github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor/internal/detect"
	"github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor/internal/metadata"
)

// telemetry counts findings by type and depth-limited values on the instruments metadata.yaml
// declares. It never records values.
type telemetry struct {
	*metadata.TelemetryBuilder
	typeAttrs []metric.AddOption // per detector type, built once
}

func newTelemetry(set component.TelemetrySettings, engine *detect.Engine) (*telemetry, error) {
	b, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	t := &telemetry{TelemetryBuilder: b}
	for i := range engine.NumTypes() {
		t.typeAttrs = append(t.typeAttrs, metric.WithAttributeSet(attribute.NewSet(attribute.String("type", engine.Name(detect.Type(i))))))
	}
	return t, nil
}

func (t *telemetry) record(ctx context.Context, f *detect.Findings) {
	if f.Count > 0 {
		for i, opt := range t.typeAttrs {
			if n := f.PerType[i]; n > 0 {
				t.ProcessorPiiredactionFindings.Add(ctx, int64(n), opt)
			}
		}
	}
	if f.DepthLimited > 0 {
		t.ProcessorPiiredactionDepthLimited.Add(ctx, int64(f.DepthLimited))
	}
}
