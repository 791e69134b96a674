package main

import (
	"context"
	"io"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
)

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("user", "user <user-id> --store URL [--from T] [--to T] [--json]",
		"Shows every record of one user's agents across sessions, in time order (\"what did user U's agents\n"+
			"touch last week\": --from -7d). The user id is matched as stored; if the redaction processor\n"+
			"pseudonymised it, pass the pseudonym as `auditctl sessions` shows it.", stdout, stderr)
	c.timeRange()
	c.emptyIsNotFound = true
	pos, code, ok := c.parse(args, 1, "<user-id>")
	if !ok {
		return code
	}
	q, err := c.query()
	if err != nil {
		return c.usageError("%v", err)
	}
	q.UserID = pos[0]
	return c.readAndLog(ctx, func(svc *service.Service, _ *auditStore) (int, string, func() error, error) {
		recs, err := svc.User(ctx, c.actor(), q, c.progress())
		return len(recs), "user " + q.UserID + service.RangeLabel(q), func() error { return c.recordsOrTable(recs, true) }, err
	})
}
