package main

import (
	"fmt"
	"io"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
)

// lineWriter writes lines to an output and keeps the first error, so a printer of many lines
// checks once at the end and stops writing after a failure.
type lineWriter struct {
	w   io.Writer
	err error
}

func (l *lineWriter) printf(format string, args ...any) {
	if l.err == nil {
		_, l.err = fmt.Fprintf(l.w, format, args...)
	}
}

// writeRows prints rows as JSON Lines under --json, else as the table.
func writeRows[T any](c *cli, rows []T, table query.Table) error {
	if c.json {
		return query.WriteJSONLines(c.stdout, rows)
	}
	return table.Write(c.stdout)
}

// recordsOrTable prints records as JSON Lines under --json, else as a timeline table.
func (c *cli) recordsOrTable(recs []*auditrecord.Record, withSession bool) error {
	if c.json {
		return query.WriteRecordsJSONL(c.stdout, recs)
	}
	return query.TimelineTable(recs, withSession).Write(c.stdout)
}
