package main

import (
	"context"
	"io"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
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
	return c.readAndLog(ctx, func(st *auditStore) (string, int, func() error, error) {
		recs, err := query.Records(ctx, st, q, c.progress())
		return "session " + q.SessionID + rangeLabel(q), len(recs), func() error { return c.recordsOrTable(recs, false) }, err
	})
}
