package main

import (
	"context"
	"io"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
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
	about := "sessions"
	if q.UserID != "" {
		about += " of user " + q.UserID
	}
	return c.readAndLog(ctx, func(svc *service.Service, _ *auditStore) (int, string, func() error, error) {
		ss, err := svc.Sessions(ctx, c.actor(), q, c.progress())
		return len(ss), about + service.RangeLabel(q), func() error { return writeRows(c, ss, query.SessionsTable(ss)) }, err
	})
}
