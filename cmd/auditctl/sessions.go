package main

import (
	"context"
	"io"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
)

func runSessions(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("sessions", "sessions --store URL [--user U] [--from T] [--to T] [--json]",
		"Lists agent sessions with start, duration, record counts, errors, tokens and cost.", stdout, stderr)
	user := c.fs.String("user", "", "only sessions of this user id (as stored)")
	c.timeRange()
	c.emptyIsNotFound = true
	if _, code, ok := c.parse(args, 0); !ok {
		return code
	}
	q, err := c.query()
	if err != nil {
		return c.usageError("%v", err)
	}
	q.UserID = *user
	return c.readAndLog(ctx, func(st *auditStore) (string, int, func() error, error) {
		ss, err := query.Sessions(ctx, st, q, c.progress())
		records := 0
		for _, s := range ss {
			records += s.Records
		}
		target := "sessions"
		if q.UserID != "" {
			target += " of user " + q.UserID
		}
		return target + rangeLabel(q), records, func() error { return writeRows(c, ss, query.SessionsTable(ss)) }, err
	})
}
