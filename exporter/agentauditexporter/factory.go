// Package agentauditexporter turns agent telemetry (OTLP spans and logs) into audit records and
// writes them to an audit store.
package agentauditexporter

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/agentaudit/otelcol-agentaudit/exporter/agentauditexporter/internal/metadata"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/esstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/pgstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/s3store"
)

const (
	// defaultMaxContentBytes keeps one huge prompt from making a record unwieldy.
	defaultMaxContentBytes = 256 << 10
	// defaultLogSpanWait covers the default batch and SDK export intervals of the two pipelines.
	defaultLogSpanWait = 5 * time.Second
	// defaultDedupWindow covers minutes of a busy agent fleet's records (resends come within seconds)
	// in about 4 MB.
	defaultDedupWindow = 100_000
	// defaultHoldWindow covers agent runs of a few minutes: SDKs export the root span, which often
	// carries session and user, when the run ends.
	defaultHoldWindow    = 3 * time.Minute
	defaultMaxHeldTraces = 10_000
	defaultMaxHeldBytes  = 64 << 20
)

// NewFactory returns the agentaudit exporter factory.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		createDefaultConfig,
		exporter.WithTraces(createTraces, metadata.TracesStability),
		exporter.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		TimeoutConfig:   exporterhelper.NewDefaultTimeoutConfig(),
		QueueConfig:     configoptional.Some(exporterhelper.NewDefaultQueueConfig()),
		RetryConfig:     configretry.NewDefaultBackOffConfig(),
		Store:           StoreFile,
		File:            filestore.Config{Directory: "./data", Prefix: objectstore.DefaultPrefix, Compression: "gzip"},
		S3:              configoptional.Default(s3store.NewDefaultConfig()),
		Elasticsearch:   configoptional.Default(esstore.NewDefaultConfig()),
		Postgres:        configoptional.Default(pgstore.NewDefaultConfig()),
		Integrity:       IntegrityConfig{Checkpoints: CheckpointsConfig{EveryRecords: defaultCheckpointEvery, Interval: defaultCheckpointInterval, Witness: WitnessConfig{S3: configoptional.Default(s3store.NewDefaultConfig())}}},
		MaxContentBytes: defaultMaxContentBytes,
		LogSpanWait:     defaultLogSpanWait,
		DedupWindow:     defaultDedupWindow,
		Identity:        IdentityConfig{HoldWindow: defaultHoldWindow, MaxHeldTraces: defaultMaxHeldTraces, MaxHeldBytes: defaultMaxHeldBytes},
	}
}

func helperOptions(cfg *Config, e *sharedExporter) []exporterhelper.Option {
	return []exporterhelper.Option{
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		exporterhelper.WithTimeout(cfg.TimeoutConfig),
		exporterhelper.WithQueue(cfg.QueueConfig),
		exporterhelper.WithRetry(cfg.RetryConfig),
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
	}
}

// exporters shares one auditExporter between the traces and logs pipelines of one configured
// exporter: the mapping joins logs to the spans they belong to (a gen_ai.choice log takes its model
// and tokens from its span), and both signals write through one store.
var exporters = newSharedExporters()

func createTraces(ctx context.Context, set exporter.Settings, c component.Config) (exporter.Traces, error) {
	cfg := c.(*Config)
	e, err := exporters.getOrCreate(cfg, set)
	if err != nil {
		return nil, err
	}
	e.tracesFed.Store(true)
	return exporterhelper.NewTraces(ctx, set, cfg, e.pushTraces, helperOptions(cfg, e)...)
}

func createLogs(ctx context.Context, set exporter.Settings, c component.Config) (exporter.Logs, error) {
	cfg := c.(*Config)
	e, err := exporters.getOrCreate(cfg, set)
	if err != nil {
		return nil, err
	}
	e.logsFed.Store(true)
	return exporterhelper.NewLogs(ctx, set, cfg, e.pushLogs, helperOptions(cfg, e)...)
}
