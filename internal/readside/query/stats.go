package query

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// ToolStat is how one tool behaved.
type ToolStat struct {
	Tool      string  `json:"tool"`
	Calls     int     `json:"calls"`     // executed: success + error
	Errors    int     `json:"errors"`    // calls with status error
	Requested int     `json:"requested"` // asked for by a model, no execution reported
	ErrorRate float64 `json:"error_rate"`
	AvgMS     float64 `json:"avg_ms"` // over calls that report a duration
	P95MS     float64 `json:"p95_ms"`
	durations []float64
}

// ToolStats summarises every tool called in records matching q, most-called first.
func ToolStats(ctx context.Context, r store.Reader, q store.Query, p *Progress) ([]ToolStat, error) {
	q.Types = []auditrecord.Type{auditrecord.TypeToolCall}
	byTool := map[string]*ToolStat{}
	err := ScanJoined(ctx, r, q, p, func(rec *auditrecord.Record) error {
		tc := rec.ToolCall
		if tc == nil {
			return nil
		}
		s, ok := byTool[tc.ToolName]
		if !ok {
			s = &ToolStat{Tool: tc.ToolName}
			byTool[tc.ToolName] = s
		}
		switch tc.Status {
		case auditrecord.ToolStatusRequested:
			s.Requested++
			return nil
		case auditrecord.ToolStatusError:
			s.Errors++
		}
		s.Calls++
		if tc.DurationMS != nil {
			s.durations = append(s.durations, *tc.DurationMS)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]ToolStat, 0, len(byTool))
	for _, s := range byTool {
		if s.Calls > 0 {
			s.ErrorRate = float64(s.Errors) / float64(s.Calls)
		}
		if len(s.durations) > 0 {
			sum := 0.0
			for _, d := range s.durations {
				sum += d
			}
			s.AvgMS = sum / float64(len(s.durations))
			s.P95MS = percentile(s.durations, 0.95)
		}
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Calls != out[j].Calls {
			return out[i].Calls > out[j].Calls
		}
		return out[i].Tool < out[j].Tool
	})
	return out, nil
}

// percentile is the nearest-rank percentile: the smallest value with at least q of the values at or below it.
func percentile(values []float64, q float64) float64 {
	v := append([]float64(nil), values...)
	sort.Float64s(v)
	rank := int(math.Ceil(q * float64(len(v))))
	return v[max(rank, 1)-1]
}

// ToolStatsTable renders tool statistics.
func ToolStatsTable(stats []ToolStat) Table {
	t := Table{Header: []string{"TOOL", "CALLS", "ERRORS", "ERROR_RATE", "AVG", "P95", "REQUESTED"}}
	for _, s := range stats {
		avg, p95 := "-", "-"
		if len(s.durations) > 0 {
			avg, p95 = fmtMS(s.AvgMS), fmtMS(s.P95MS)
		}
		t.Rows = append(t.Rows, []string{s.Tool, strconv.Itoa(s.Calls), strconv.Itoa(s.Errors), fmtPercent(s.ErrorRate), avg, p95, strconv.Itoa(s.Requested)})
	}
	return t
}

// Bucket sizes for the time series statistics.
const (
	ByHour = "hour"
	ByDay  = "day"
)

// ParseBucket checks a --by value.
func ParseBucket(s string) (string, error) {
	switch s {
	case ByHour, ByDay:
		return s, nil
	}
	return "", fmt.Errorf("--by %q: use hour or day", s)
}

func truncate(t time.Time, by string) time.Time {
	t = t.UTC()
	if by == ByDay {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	return t.Truncate(time.Hour)
}

func step(t time.Time, by string) time.Time {
	if by == ByDay {
		return t.AddDate(0, 0, 1)
	}
	return t.Add(time.Hour)
}

func fmtBucket(t time.Time, by string) string {
	if by == ByDay {
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02T15:00Z")
}

// maxBuckets bounds the zero-filled series, so a stray timestamp decades off cannot print millions of rows.
const maxBuckets = 100_000

// countBuckets counts agent activity records matching q per bucket, and those errorOf accepts, and
// returns a gap-free series from the first to the last bucket that has records.
func countBuckets(ctx context.Context, r store.Reader, q store.Query, by string, p *Progress, isError func(*auditrecord.Record) bool) ([]time.Time, map[time.Time][2]int, error) {
	counts := map[time.Time][2]int{}
	err := ScanJoined(ctx, r, q, p, func(rec *auditrecord.Record) error {
		if notAgentActivity(rec) {
			return nil
		}
		b := truncate(rec.Timestamp, by)
		c := counts[b]
		c[0]++
		if isError != nil && isError(rec) {
			c[1]++
		}
		counts[b] = c
		return nil
	})
	if err != nil || len(counts) == 0 {
		return nil, counts, err
	}
	var first, last time.Time
	for b := range counts {
		if first.IsZero() || b.Before(first) {
			first = b
		}
		if b.After(last) {
			last = b
		}
	}
	var series []time.Time
	for b := first; !b.After(last); b = step(b, by) {
		if len(series) == maxBuckets {
			return nil, nil, fmt.Errorf("records span more than %d %ss; narrow --from/--to", maxBuckets, by)
		}
		series = append(series, b)
	}
	return series, counts, nil
}

// ErrorBucket is the error count and rate of one hour or day.
type ErrorBucket struct {
	Bucket  time.Time `json:"bucket"`
	Errors  int       `json:"errors"`
	Records int       `json:"records"`
	Rate    float64   `json:"rate"`
	by      string
}

// ErrorStats counts error records against all agent activity records per bucket.
func ErrorStats(ctx context.Context, r store.Reader, q store.Query, by string, p *Progress) ([]ErrorBucket, error) {
	series, counts, err := countBuckets(ctx, r, q, by, p, func(rec *auditrecord.Record) bool { return rec.Type == auditrecord.TypeError })
	if err != nil {
		return nil, err
	}
	out := make([]ErrorBucket, 0, len(series))
	for _, b := range series {
		c := counts[b]
		e := ErrorBucket{Bucket: b, Records: c[0], Errors: c[1], by: by}
		if c[0] > 0 {
			e.Rate = float64(c[1]) / float64(c[0])
		}
		out = append(out, e)
	}
	return out, nil
}

// ErrorStatsTable renders error statistics.
func ErrorStatsTable(rows []ErrorBucket) Table {
	t := Table{Header: []string{"BUCKET", "ERRORS", "RECORDS", "RATE"}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []string{fmtBucket(r.Bucket, r.by), strconv.Itoa(r.Errors), strconv.Itoa(r.Records), fmtPercent(r.Rate)})
	}
	return t
}

// VolumeBucket is the record count of one hour or day.
type VolumeBucket struct {
	Bucket  time.Time `json:"bucket"`
	Records int       `json:"records"`
	Spike   bool      `json:"spike"`
	by      string
}

// DefaultSpikeFactor flags a bucket holding more than this many times the median bucket.
const DefaultSpikeFactor = 3.0

// VolumeStats counts agent activity records per bucket and flags spikes: buckets above factor times
// the median of the non-empty buckets.
func VolumeStats(ctx context.Context, r store.Reader, q store.Query, by string, factor float64, p *Progress) ([]VolumeBucket, error) {
	series, counts, err := countBuckets(ctx, r, q, by, p, nil)
	if err != nil {
		return nil, err
	}
	values := make([]int, len(series))
	for i, b := range series {
		values[i] = counts[b][0]
	}
	spikes := Spikes(values, factor)
	out := make([]VolumeBucket, len(series))
	for i, b := range series {
		out[i] = VolumeBucket{Bucket: b, Records: values[i], Spike: spikes[i], by: by}
	}
	return out, nil
}

// Spikes flags the counts above factor times the median of the non-zero counts. Empty buckets do not
// lower the median, so a quiet night does not make every busy hour a spike.
func Spikes(counts []int, factor float64) []bool {
	var nonZero []float64
	for _, c := range counts {
		if c > 0 {
			nonZero = append(nonZero, float64(c))
		}
	}
	flags := make([]bool, len(counts))
	if len(nonZero) < 3 {
		return flags // too little history to call anything unusual
	}
	sort.Float64s(nonZero)
	mid := len(nonZero) / 2
	median := nonZero[mid]
	if len(nonZero)%2 == 0 {
		median = (nonZero[mid-1] + nonZero[mid]) / 2
	}
	for i, c := range counts {
		flags[i] = float64(c) > factor*median
	}
	return flags
}

// VolumeStatsTable renders volume statistics.
func VolumeStatsTable(rows []VolumeBucket) Table {
	t := Table{Header: []string{"BUCKET", "RECORDS", "SPIKE"}}
	for _, r := range rows {
		spike := ""
		if r.Spike {
			spike = "SPIKE"
		}
		t.Rows = append(t.Rows, []string{fmtBucket(r.Bucket, r.by), strconv.Itoa(r.Records), spike})
	}
	return t
}
