package main

import (
	"context"
	"io"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/accesslog"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
)

func runAccessLog(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("access-log", "access-log --store URL [--viewer V] [--from T] [--to T] [--json]",
		"Lists who read the audit trail with auditctl: time, viewer, command, what was read and how many\n"+
			"records. Reading the access log is itself logged.", stdout, stderr)
	viewer := c.fs.String("viewer", "", "only reads by this viewer")
	c.timeRange()
	if _, code, ok := c.parse(args, 0); !ok {
		return code
	}
	q, err := c.query()
	if err != nil {
		return c.usageError("%v", err)
	}
	return c.readAndLog(ctx, func(svc *service.Service, _ *auditStore) (int, string, func() error, error) {
		entries, err := svc.AccessLog(ctx, c.actor(), q, *viewer, c.progress())
		return len(entries), "access log", func() error { return writeRows(c, entries, accesslog.Table(entries)) }, err
	})
}
