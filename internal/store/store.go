// Package store defines what the agentaudit exporter writes audit records to and what auditctl reads
// them from. Each backend (file, S3, Elasticsearch, PostgreSQL) lives in a package of its own below
// this one; internal/store/registry lists them and the capabilities each has beyond Store and Reader.
package store

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// Settings is what every store gets from the exporter.
type Settings struct {
	Logger *zap.Logger
	// Metrics counts the store's work on the exporter's instruments; nil counts nothing.
	Metrics *Metrics
	// InstanceID names this writer (collector instance); integrity chains are kept per instance and
	// signal, so scaled-out gateways need no coordination.
	InstanceID string
}

// Batch is a group of records from one signal, written together.
type Batch struct {
	Signal  string // "traces" | "logs"
	Records []*auditrecord.Record
}

// Store persists audit records. Write returns nil only when every record is durably stored, already
// stored, or dead-lettered; an error makes exporterhelper retry the whole batch.
type Store interface {
	Start(ctx context.Context) error
	Write(ctx context.Context, b Batch) error
	Shutdown(ctx context.Context) error
}

// Query selects records for Reader.Scan. Zero values select everything.
type Query struct {
	From, To  time.Time
	SessionID string
	UserID    string
	Types     []auditrecord.Type
	// TraceIDs joins records to their trace's identity: with SessionID (UserID) set, a record
	// without any session (user) id also matches when its trace is in TraceIDs (a trace known to
	// belong to that session or user); with neither set, only records of these traces match. A
	// Reader that filters by session or user server-side must apply this too (or leave those
	// filters to Matches), else joined records go missing (query.ScanJoined, forget).
	TraceIDs map[string]bool
}

// Matches reports whether r satisfies q; backends that cannot filter server-side call it.
func (q Query) Matches(r *auditrecord.Record) bool {
	if !q.From.IsZero() && r.Timestamp.Before(q.From) {
		return false
	}
	if !q.To.IsZero() && !r.Timestamp.Before(q.To) {
		return false
	}
	joined := len(q.TraceIDs) > 0 && q.TraceIDs[r.TraceID]
	if q.SessionID != "" && r.SessionID != q.SessionID && (r.SessionID != "" || !joined) {
		return false
	}
	if q.UserID != "" && r.UserID != q.UserID && (r.UserID != "" || !joined) {
		return false
	}
	if q.SessionID == "" && q.UserID == "" && len(q.TraceIDs) > 0 && !joined {
		return false
	}
	if len(q.Types) > 0 {
		for _, t := range q.Types {
			if r.Type == t {
				return true
			}
		}
		return false
	}
	return true
}

// Reader is what auditctl reads records through.
type Reader interface {
	Scan(ctx context.Context, q Query, fn func(*auditrecord.Record) error) error
}
