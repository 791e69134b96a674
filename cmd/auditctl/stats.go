package main

import (
	"context"
	"io"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
)

func runStats(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("stats", "stats tools|errors|volume --store URL [--by hour|day] [--from T] [--to T] [--json]",
		"tools:  per tool: calls, errors, error rate, average and p95 duration.\n"+
			"errors: error records, all records and the error rate per hour or day (--by, default day).\n"+
			"volume: records per hour or day (--by, default hour), flagging spikes: buckets above\n"+
			"        --spike-factor times the median of the non-empty buckets.", stdout, stderr)
	by := c.fs.String("by", "", "bucket size for errors and volume: hour or day")
	factor := c.fs.Float64("spike-factor", query.DefaultSpikeFactor, "volume: flag buckets above this many times the median")
	user := c.fs.String("user", "", "only records of this user id")
	c.timeRange()
	pos, code, ok := c.parse(args, 1, "tools|errors|volume")
	if !ok {
		return code
	}
	q, err := c.query()
	if err != nil {
		return c.usageError("%v", err)
	}
	q.UserID = *user
	kind := pos[0]
	bucket := *by
	switch kind {
	case "tools":
		if bucket != "" {
			return c.usageError("--by applies to errors and volume, not tools")
		}
	case "errors", "volume":
		if bucket == "" {
			bucket = map[string]string{"errors": query.ByDay, "volume": query.ByHour}[kind]
		}
		if _, err := query.ParseBucket(bucket); err != nil {
			return c.usageError("%v", err)
		}
	default:
		return c.usageError("unknown statistic %q: want tools, errors or volume", kind)
	}
	if *factor <= 0 {
		return c.usageError("--spike-factor must be > 0")
	}
	about := "stats " + kind
	return c.readAndLog(ctx, func(svc *service.Service, _ *auditStore) (int, string, func() error, error) {
		switch kind {
		case "tools":
			rows, err := svc.ToolStats(ctx, c.actor(), q, c.progress())
			return len(rows), about, func() error { return writeRows(c, rows, query.ToolStatsTable(rows)) }, err
		case "errors":
			rows, err := svc.ErrorStats(ctx, c.actor(), q, bucket, c.progress())
			return len(rows), about, func() error { return writeRows(c, rows, query.ErrorStatsTable(rows)) }, err
		default:
			rows, err := svc.VolumeStats(ctx, c.actor(), q, bucket, *factor, c.progress())
			return len(rows), about, func() error { return writeRows(c, rows, query.VolumeStatsTable(rows)) }, err
		}
	})
}
