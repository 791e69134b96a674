package main

import (
	"context"
	"io"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
)

func runTimeline(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("timeline", "timeline <session> --store URL [--json]",
		"Shows one session's records in time order: inputs, reasoning, tool calls with parameters, status and\n"+
			"duration, model outputs with tokens and cost, errors. --json prints the full records as JSON Lines.", stdout, stderr)
	c.timeRange()
	c.emptyIsNotFound = true
	pos, code, ok := c.parse(args, 1, "<session>")
	if !ok {
		return code
	}
	q, err := c.query()
	if err != nil {
		return c.usageError("%v", err)
	}
	q.SessionID = pos[0]
	return c.readAndLog(ctx, func(svc *service.Service, _ *auditStore) (int, string, func() error, error) {
		recs, err := svc.Timeline(ctx, c.actor(), q, c.progress())
		return len(recs), "session " + q.SessionID + service.RangeLabel(q), func() error { return c.recordsOrTable(recs, false) }, err
	})
}
