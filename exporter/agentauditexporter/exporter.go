package agentauditexporter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/identityhold"
	"github.com/agentaudit/otelcol-agentaudit/internal/mapping"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
)

const (
	signalTraces = "traces"
	signalLogs   = "logs"
)

type auditExporter struct {
	cfg       *Config
	logger    *zap.Logger
	telemetry *telemetry
	now       func() time.Time
	mapper    *mapping.Mapper
	store     store.Store
	settings  store.Settings
	// recent drops copies of records written a moment ago (nil: dedup_window 0).
	recent *recentRecords
	// hold keeps records of traces whose session and user have not arrived yet (nil: off).
	hold *identityhold.Hold
	// tracesFed and logsFed say which signals' pipelines feed this exporter (set as the collector
	// builds them, before start): a batch waits for the other signal only when a pipeline can bring
	// it, so a traces-only collector never holds a batch for reasoning logs that cannot come.
	tracesFed, logsFed atomic.Bool
	// stopReleases ends the loop that writes held records whose window passed.
	stopReleases context.CancelFunc
	releasesDone chan struct{}
}

func newAuditExporter(cfg *Config, set exporter.Settings, now func() time.Time) (*auditExporter, error) {
	tel, err := newTelemetry(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	instance := cfg.InstanceID
	if instance == "" {
		if instance, err = os.Hostname(); err != nil || instance == "" {
			instance = "collector"
		}
	}
	return &auditExporter{
		cfg:       cfg,
		logger:    set.Logger,
		telemetry: tel,
		now:       now,
		settings:  store.Settings{Logger: set.Logger, Metrics: tel.storeMetrics(cfg.Store), InstanceID: instance},
		recent:    newRecentRecords(cfg.DedupWindow),
	}, nil
}

func (e *auditExporter) start(ctx context.Context, host component.Host) error {
	prices := mapping.DefaultPriceTable()
	if e.cfg.Pricing.File != "" {
		fromFile, err := mapping.LoadPriceTable(e.cfg.Pricing.File)
		if err != nil {
			return fmt.Errorf("pricing.file: %w", err)
		}
		prices = fromFile
	}
	prices = prices.Merge(e.cfg.Pricing.Models)
	e.mapper = mapping.New(mapping.Options{Prices: prices, MaxContentBytes: e.cfg.MaxContentBytes, LogMappings: e.cfg.LogMappings})

	var err error
	e.store, err = e.newStore(ctx, host)
	if err != nil {
		return err
	}
	if err := e.store.Start(ctx); err != nil {
		return fmt.Errorf("%s store: %w", e.cfg.Store, err)
	}
	e.seedRecentRecords(ctx)
	return e.startHold()
}

// seedRecentRecords fills the dedup window from the object store's last objects of this instance,
// so a queue replayed after a crash does not store a batch twice. A failure only costs copies,
// which readers count once, so it is logged and start goes on.
func (e *auditExporter) seedRecentRecords(ctx context.Context) {
	layered, ok := e.store.(interface{ Objects() *objectstore.Store })
	if !ok {
		return // the search engine and PostgreSQL store each record_id once by themselves
	}
	objects := layered.Objects()
	streams := []string{objectstore.StreamName(e.settings.InstanceID, signalTraces), objectstore.StreamName(e.settings.InstanceID, signalLogs)}
	n, err := e.recent.seed(ctx, objects, streams)
	if err != nil {
		e.logger.Warn("could not read the last written records to recognise replayed copies; copies will be stored and counted once by readers", zap.Error(err))
		return
	}
	if n > 0 {
		e.logger.Debug("dedup window seeded from the store", zap.Int("records", n))
	}
}

func (e *auditExporter) newStore(ctx context.Context, host component.Host) (store.Store, error) {
	var signer *objectstore.Signer
	if f := e.cfg.Integrity.SigningKeyFile; f != "" {
		var err error
		if signer, err = objectstore.LoadSigner(f); err != nil {
			return nil, fmt.Errorf("integrity.signing_key_file: %w", err)
		}
	}
	kind, ok := registry.ByName(e.cfg.Store)
	section := e.cfg.storeSection()
	if !ok || section == nil {
		return nil, fmt.Errorf("store: %q is not supported", e.cfg.Store)
	}
	ckpt, err := e.cfg.Integrity.Checkpoints.checkpointOptions(ctx, signer != nil, host, component.TelemetrySettings{Logger: e.logger})
	if err != nil {
		return nil, err
	}
	return kind.NewStore(section, registry.NewOptions{Settings: e.settings, Signer: signer, Checkpoints: ckpt})
}

func (e *auditExporter) shutdown(ctx context.Context) error {
	if e.store == nil {
		return nil
	}
	holdErr := e.stopHold(ctx)
	return errors.Join(holdErr, e.store.Shutdown(ctx))
}

func (e *auditExporter) pushTraces(ctx context.Context, td ptrace.Traces) error {
	// A model call's reasoning part that the agent also logs (agent.reasoning, with plan and
	// confidence) is one record, the log's: wait for those logs as logs wait for their spans.
	if wait := e.logSpanWait(ctx, &e.logsFed); wait > 0 {
		if awaited := e.mapper.ThoughtsAwaited(td); len(awaited) > 0 && !e.mapper.WaitForThoughts(ctx, awaited, wait) {
			e.mapper.NoThoughtsLogged(awaited)
		}
	}
	recs, stats := e.mapper.MapTraces(td, e.now())
	return e.write(ctx, signalTraces, recs, stats)
}

func (e *auditExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	if wait := e.logSpanWait(ctx, &e.tracesFed); wait > 0 {
		if awaited := e.mapper.SpansAwaited(ld); len(awaited) > 0 && !e.mapper.WaitForSpans(ctx, awaited, wait) {
			e.telemetry.recordUnjoined(ctx, len(awaited))
		}
	}
	recs, stats := e.mapper.MapLogs(ld, e.now())
	return e.write(ctx, signalLogs, recs, stats)
}

// logSpanWait is how long a batch may wait for records of the other signal: none when no pipeline
// feeds that signal (other), else at most half of the export's remaining time, so the write that
// follows still fits in the exporterhelper timeout.
func (e *auditExporter) logSpanWait(ctx context.Context, other *atomic.Bool) time.Duration {
	if !other.Load() {
		return 0
	}
	wait := e.cfg.LogSpanWait
	if deadline, ok := ctx.Deadline(); ok {
		if half := time.Until(deadline) / 2; half < wait {
			wait = half
		}
	}
	return wait
}

func (e *auditExporter) write(ctx context.Context, signal string, recs []*auditrecord.Record, stats mapping.Stats) error {
	e.telemetry.recordMapping(ctx, signal, stats)
	if e.hold == nil {
		return e.writeRecords(ctx, signal, recs)
	}
	return e.writeHeld(ctx, signal, recs, stats)
}

// writeRecords writes records of one signal to the store, less copies of records it wrote within its
// dedup window: held records released later pass here too.
func (e *auditExporter) writeRecords(ctx context.Context, signal string, recs []*auditrecord.Record) error {
	recs, copies := e.recent.dropWritten(recs)
	if copies > 0 {
		e.telemetry.recordCopiesDropped(ctx, signal, copies)
	}
	if len(recs) == 0 {
		return nil
	}
	if err := e.store.Write(ctx, store.Batch{Signal: signal, Records: recs}); err != nil {
		e.telemetry.recordFailure(ctx, signal, len(recs))
		// Never wrap record contents into the error: it ends up in the collector's logs.
		if errors.Is(err, context.Canceled) {
			return err
		}
		return fmt.Errorf("write %d %s records to the %s store: %w", len(recs), signal, e.cfg.Store, err)
	}
	e.recent.remember(recs)
	e.telemetry.recordWritten(ctx, signal, recs)
	return nil
}
