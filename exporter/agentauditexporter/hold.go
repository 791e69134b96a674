package agentauditexporter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/identityhold"
	"github.com/agentaudit/otelcol-agentaudit/internal/mapping"
)

// startHold opens the identity hold (replaying what a previous run held) and starts the loop that
// writes records whose window passed.
func (e *auditExporter) startHold() error {
	dir := e.cfg.holdDirectory(e.settings.InstanceID)
	if dir == "" {
		return nil
	}
	h, err := identityhold.Open(identityhold.Options{
		Dir:       dir,
		Window:    e.cfg.Identity.HoldWindow,
		MaxTraces: e.cfg.Identity.MaxHeldTraces,
		MaxBytes:  e.cfg.Identity.MaxHeldBytes,
		Now:       e.now,
	})
	if err != nil {
		return fmt.Errorf("identity.directory: %w", err)
	}
	e.hold = h
	if err := e.telemetry.observeHold(h); err != nil {
		return err
	}
	if traces, recs, _ := h.Held(); traces > 0 {
		e.logger.Info("records waiting for their trace's identity were kept from the previous run",
			zap.Int("traces", traces), zap.Int("records", recs))
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.stopReleases, e.releasesDone = cancel, make(chan struct{})
	tick := min(time.Second, max(e.cfg.Identity.HoldWindow/4, 10*time.Millisecond))
	go func() {
		defer close(e.releasesDone)
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				wctx, cancelWrite := context.WithTimeout(ctx, e.cfg.TimeoutConfig.Timeout+time.Second)
				_ = e.writeRelease(wctx, e.hold.Due())
				cancelWrite()
			}
		}
	}()
	return nil
}

// stopHold writes everything still held (without identity: the collector is stopping) and closes
// the journal; what cannot be written stays in the journal for the next start.
func (e *auditExporter) stopHold(ctx context.Context) error {
	if e.hold == nil {
		return nil
	}
	e.stopReleases()
	<-e.releasesDone
	e.telemetry.stopObservingHold()
	err := e.writeRelease(ctx, e.hold.All())
	err = errors.Join(err, e.hold.Close())
	e.hold = nil
	return err
}

// writeHeld passes a mapped batch through the hold: records of traces whose identity is unknown are
// journaled and wait; the rest are written with what is known, together with held records the
// batch released.
func (e *auditExporter) writeHeld(ctx context.Context, signal string, recs []*auditrecord.Record, stats mapping.Stats) error {
	adm, err := e.hold.Admit(recs, stats.Traces, e.now())
	if err != nil {
		e.telemetry.recordFailure(ctx, signal, len(recs))
		return fmt.Errorf("hold %d %s records for their trace's identity: %w", len(recs), signal, err)
	}
	e.telemetry.recordAdmitted(ctx, adm)
	if err := e.writeRecords(ctx, signal, adm.Write); err != nil {
		e.hold.Done(adm.Release, false)
		return err
	}
	// The batch itself is stored; held records that fail to write stay journaled and are retried.
	_ = e.writeRelease(ctx, adm.Release)
	return nil
}

// writeRelease writes released held records, by signal, and settles the release.
func (e *auditExporter) writeRelease(ctx context.Context, rel *identityhold.Release) error {
	if rel.Empty() {
		return nil
	}
	bySignal := map[string][]*auditrecord.Record{}
	for _, r := range rel.Records {
		sig := signalTraces
		if r.Source != nil && r.Source.Signal == signalLogs {
			sig = signalLogs
		}
		bySignal[sig] = append(bySignal[sig], r)
	}
	for _, sig := range []string{signalTraces, signalLogs} {
		if err := e.writeRecords(ctx, sig, bySignal[sig]); err != nil {
			e.hold.Done(rel, false)
			e.logger.Warn("could not write records released from the identity hold; they stay journaled and are retried",
				zap.Int("records", len(rel.Records)), zap.Error(err))
			return err
		}
	}
	e.hold.Done(rel, true)
	e.telemetry.recordReleased(ctx, rel)
	return nil
}
