package main

import (
	"context"
	"io"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/accesslog"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
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
	return c.readAndLog(ctx, func(st *auditStore) (string, int, func() error, error) {
		if r, ok := st.Handle.(registry.Refresher); ok {
			// Reads logged a moment ago must be listed, not wait for the engine's periodic refresh.
			if err := r.Refresh(ctx); err != nil {
				return "", 0, nil, err
			}
		}
		recs, err := accesslog.List(ctx, st, q, c.progress())
		entries := accesslog.Entries(recs)
		if *viewer != "" {
			kept := entries[:0]
			for _, e := range entries {
				if e.Viewer == *viewer {
					kept = append(kept, e)
				}
			}
			entries = kept
		}
		return "access log" + rangeLabel(q), len(entries), func() error { return writeRows(c, entries, accesslog.Table(entries)) }, err
	})
}
