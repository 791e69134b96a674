package piiredactionprocessor // import "github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor/internal/detect"
	"github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor/internal/metadata"
)

// defaultAllowKeys are never scanned: opaque ids, model names and counters, and the address of
// the server a client called (a model API, not a person: client.address is still scanned).
var defaultAllowKeys = []string{
	"trace_id", "span_id", "parent_span_id", "trace.id", "span.id", "traceId", "spanId",
	"gen_ai.request.model", "gen_ai.response.model", "gen_ai.usage.*", "llm.token_count.*",
	"gen_ai.operation.name", "gen_ai.provider.name", "service.name", "telemetry.sdk.*",
	"gen_ai.tool.call.id", "session.id", "gen_ai.conversation.id", "server.address", "server.port",
}

// NewFactory creates the piiredaction processor factory.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithTraces(createTraces, metadata.TracesStability),
		processor.WithLogs(createLogs, metadata.LogsStability),
		processor.WithMetrics(createMetrics, metadata.MetricsStability),
	)
}

// createDefaultConfig is safe on its own: every built-in detector on, action redact.
func createDefaultConfig() component.Config {
	return &Config{
		Action:     "redact",
		SecretKeys: append([]string(nil), detect.DefaultSecretKeys...),
		AllowKeys:  append([]string(nil), defaultAllowKeys...),
		MaxDepth:   32,
		ScanJSON:   true,
		Summary:    true,
	}
}

var capabilities = processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true})

func createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	p, err := newRedactor(cfg.(*Config), set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, p.processTraces, capabilities)
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p, err := newRedactor(cfg.(*Config), set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs, capabilities)
}

func createMetrics(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	p, err := newRedactor(cfg.(*Config), set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewMetrics(ctx, set, cfg, next, p.processMetrics, capabilities)
}
