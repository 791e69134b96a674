package agentauditexporter

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/agentaudit/otelcol-agentaudit/exporter/agentauditexporter/internal/metadata"
)

func TestTracesAndLogsOfOneConfigShareOneExporterStartedOnce(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.File.Directory = t.TempDir()
	set := exportertest.NewNopSettings(metadata.Type)
	a, err := exporters.getOrCreate(cfg, set)
	require.NoError(t, err)
	b, err := exporters.getOrCreate(cfg, set)
	require.NoError(t, err)
	assert.Same(t, a, b, "one mapper and one store serve both signals")
	other, err := exporters.getOrCreate(createDefaultConfig().(*Config), set)
	require.NoError(t, err)
	assert.NotSame(t, a, other, "another configured exporter gets its own")

	ctx := context.Background()
	require.NoError(t, a.start(ctx, componenttest.NewNopHost()))
	store := a.store
	require.NoError(t, b.start(ctx, componenttest.NewNopHost()))
	assert.Same(t, store, b.store, "second start does not build a second store")
	require.NoError(t, a.shutdown(ctx))
	assert.True(t, b.started, "still running for the other signal")
	require.NoError(t, b.shutdown(ctx))
	assert.False(t, b.started)
	c, err := exporters.getOrCreate(cfg, set)
	require.NoError(t, err)
	assert.NotSame(t, a, c, "after the last shutdown a reload starts afresh")
	_ = other.shutdown(ctx)
	_ = c.shutdown(ctx)
}

// A batch waits for the other signal only when a pipeline feeds it: a traces-only collector must not
// hold every first batch of a service for reasoning logs that cannot arrive.
func TestSignalWaitsOnlyForAFedSignal(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.File.Directory = t.TempDir()
	set := exportertest.NewNopSettings(metadata.Type)
	ctx := context.Background()
	_, err := NewFactory().CreateTraces(ctx, set, cfg)
	require.NoError(t, err)
	e, err := exporters.getOrCreate(cfg, set)
	require.NoError(t, err)
	t.Cleanup(func() { exporters.mu.Lock(); delete(exporters.byID, cfg); exporters.mu.Unlock() })

	assert.Zero(t, e.logSpanWait(ctx, &e.logsFed), "traces wait for logs no pipeline brings")
	assert.Equal(t, cfg.LogSpanWait, e.logSpanWait(ctx, &e.tracesFed), "a logs batch would wait for the fed traces")

	_, err = NewFactory().CreateLogs(ctx, set, cfg)
	require.NoError(t, err)
	assert.Equal(t, cfg.LogSpanWait, e.logSpanWait(ctx, &e.logsFed), "with a logs pipeline, traces wait for its reasoning logs")
}
