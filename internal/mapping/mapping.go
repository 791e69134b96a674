// Package mapping turns OTLP spans and logs from AI agents into audit records. It understands the
// OpenTelemetry GenAI semantic conventions (1.37+ and the deprecated forms), OpenInference,
// OpenLLMetry (Traceloop), the Vercel AI SDK (v6 ai.* spans and v7 GenAI spans), the Langfuse SDK,
// LangSmith's OpenTelemetry mode and Firebase Genkit, each a dialect table (dialect_*.go) read by
// one engine (dialect.go). docs/audit-record.md describes the rules; this package is their
// implementation.
package mapping

import (
	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// DefaultMaxContentBytes bounds a single content, parameters or result string in a record.
const DefaultMaxContentBytes = 256 << 10

// Options configures a Mapper.
type Options struct {
	// Prices prices model calls whose telemetry reports tokens but no cost; nil = the shipped default table.
	Prices PriceTable
	// MaxContentBytes bounds any single content/parameters/result string kept in a record (default
	// 256 KiB); longer ones are truncated with a marker and counted.
	MaxContentBytes int
	// LogMappings are user-defined log dialects, tried before the built-in ones; each must be valid
	// (LogMapping.Problems), an invalid one is left out.
	LogMappings []LogMapping
}

// Stats counts what one MapTraces or MapLogs call produced.
type Stats struct {
	Records map[auditrecord.Type]int
	// Malformed counts spans/logs that could not be fully mapped (wrong attribute types, invalid JSON
	// where JSON was expected, invalid UTF-8, over-deep nesting, truncated content); they still
	// produce what records they can.
	Malformed int
	// Truncated counts spans/logs with at least one string cut to MaxContentBytes.
	Truncated int
	// UnknownReprs counts contents that are a framework object's repr of a class the repr tables
	// (reprForm, in the dialect files) do not know; they are kept as they are.
	UnknownReprs int
	// Unmatched counts log records no convention recognised (an HTTP client's or a framework's own
	// lines): they make no record.
	Unmatched int
	// Traces lists the traces of the batch that have a session or user id or whose root span (a span
	// without parent) was in the batch, with the ids: what the exporter needs to give records of the
	// trace that arrive in other batches their identity, even when the span carrying it made no record.
	Traces []TraceIdentity
}

// TraceIdentity is what one batch says about a trace's identity.
type TraceIdentity struct {
	TraceID, SessionID, UserID string
	// Root: the batch held the trace's root span; no later span will bring an identity.
	Root bool
	// Links are the other traces this trace's spans link to (a framework that starts a trace per
	// agent turn ties the turns together with span links): a trace without an identity of its own
	// takes theirs, in this batch or, through the exporter's identity hold, a later one.
	Links []string
}

func newStats() Stats { return Stats{Records: map[auditrecord.Type]int{}} }

// Mapper maps pdata to audit records. It is safe for concurrent use. Its only state across calls
// is a bounded cache that lets log events borrow model, tokens and tool executions from spans it
// mapped before (see joinCache); use one Mapper for both signals.
type Mapper struct {
	prices     priceIndex
	maxContent int
	join       *joinCache
	logs       []*dialect // the log dialects, user-defined ones first
}

func (m *Mapper) logDialects() []*dialect { return m.logs }

// New returns a Mapper.
func New(o Options) *Mapper {
	prices := o.Prices
	if prices == nil {
		prices = DefaultPriceTable()
	}
	m := &Mapper{prices: newPriceIndex(prices), maxContent: o.MaxContentBytes, join: newJoinCache(), logs: compileLogMappings(o.LogMappings)}
	if m.maxContent <= 0 {
		m.maxContent = DefaultMaxContentBytes
	}
	return m
}
