package service

import (
	"context"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// statsTarget names a statistic for the access log: "stats errors by day of user U <range>".
func statsTarget(kind, by string, q store.Query) string {
	t := "stats " + kind
	if by != "" {
		t += " by " + by
	}
	if q.UserID != "" {
		t += " of user " + q.UserID
	}
	return t + RangeLabel(q)
}

// ToolStats is per tool: calls, errors, error rate, durations (query.ToolStats).
func (s *Service) ToolStats(ctx context.Context, a Actor, q store.Query, p *query.Progress) ([]query.ToolStat, error) {
	return read(ctx, s, a, statsTarget("tools", "", q), func() ([]query.ToolStat, int, error) {
		rows, err := query.ToolStats(ctx, s.st, q, p)
		n := 0
		for _, r := range rows {
			n += r.Calls + r.Requested
		}
		return rows, n, err
	})
}

// ErrorStats is error records, all records and the error rate per bucket (query.ErrorStats).
func (s *Service) ErrorStats(ctx context.Context, a Actor, q store.Query, by string, p *query.Progress) ([]query.ErrorBucket, error) {
	return read(ctx, s, a, statsTarget("errors", by, q), func() ([]query.ErrorBucket, int, error) {
		rows, err := query.ErrorStats(ctx, s.st, q, by, p)
		n := 0
		for _, r := range rows {
			n += r.Records
		}
		return rows, n, err
	})
}

// VolumeStats is records per bucket with spikes flagged (query.VolumeStats).
func (s *Service) VolumeStats(ctx context.Context, a Actor, q store.Query, by string, factor float64, p *query.Progress) ([]query.VolumeBucket, error) {
	return read(ctx, s, a, statsTarget("volume", by, q), func() ([]query.VolumeBucket, int, error) {
		rows, err := query.VolumeStats(ctx, s.st, q, by, factor, p)
		n := 0
		for _, r := range rows {
			n += r.Records
		}
		return rows, n, err
	})
}
