package agentauditexporter

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
)

// sharedExporters hands out one auditExporter per configuration and starts and stops it once,
// however many signal pipelines use it.
type sharedExporters struct {
	mu   sync.Mutex
	byID map[*Config]*sharedExporter
}

type sharedExporter struct {
	*auditExporter
	owner   *sharedExporters
	key     *Config
	mu      sync.Mutex
	users   int
	started bool
}

func newSharedExporters() *sharedExporters {
	return &sharedExporters{byID: map[*Config]*sharedExporter{}}
}

func (s *sharedExporters) getOrCreate(cfg *Config, set exporter.Settings) (*sharedExporter, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byID[cfg]; ok {
		return e, nil
	}
	inner, err := newAuditExporter(cfg, set, time.Now)
	if err != nil {
		return nil, err
	}
	e := &sharedExporter{auditExporter: inner, owner: s, key: cfg}
	s.byID[cfg] = e
	return e, nil
}

// start starts the shared exporter for its first user.
func (e *sharedExporter) start(ctx context.Context, host component.Host) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.users++
	if e.started {
		return nil
	}
	if err := e.auditExporter.start(ctx, host); err != nil {
		e.users--
		return err
	}
	e.started = true
	return nil
}

// shutdown stops the shared exporter when its last user stops, and forgets it so that a reloaded
// configuration starts afresh.
func (e *sharedExporter) shutdown(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.users > 0 {
		e.users--
	}
	if e.users > 0 {
		return nil
	}
	e.owner.mu.Lock()
	delete(e.owner.byID, e.key)
	e.owner.mu.Unlock()
	if !e.started {
		return nil
	}
	e.started = false
	return e.auditExporter.shutdown(ctx)
}
