package query_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/sessionfixture"
)

// countingBackend counts object reads, to show that time ranges prune partitions.
type countingBackend struct {
	objectstore.Backend
	gets atomic.Int64
}

func (c *countingBackend) Get(ctx context.Context, key string) ([]byte, error) {
	c.gets.Add(1)
	return c.Backend.Get(ctx, key)
}

func fixtureStore(t *testing.T) (*objectstore.Store, *countingBackend) {
	t.Helper()
	b, err := filestore.NewBackend(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := sessionfixture.Write(context.Background(), b, nil); err != nil {
		t.Fatal(err)
	}
	cb := &countingBackend{Backend: b}
	return objectstore.New(cb, objectstore.Options{}, store.Settings{InstanceID: "reader"}), cb
}

func render(t *testing.T, tb query.Table) string {
	t.Helper()
	var buf bytes.Buffer
	if err := tb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func assertText(t *testing.T, got, want string) {
	t.Helper()
	want = strings.TrimPrefix(want, "\n")
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestSessions(t *testing.T) {
	s, _ := fixtureStore(t)
	ss, err := query.Sessions(context.Background(), s, store.Query{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertText(t, render(t, query.SessionsTable(ss)), `
SESSION  USER     AGENT        MODEL        START                 DURATION  RECORDS  TOOLS  LLM  ERRORS  TOKENS  COST
s-alpha  u-alice  support-bot  gpt-4o       2026-11-20T09:00:00Z  12.0s     10       2      2    1       400     $0.0033
s-beta   u-bob    support-bot  gpt-4o       2026-11-21T14:30:00Z  6.0s      5        2      1    0       100     $0.0008
s-gamma  u-alice  support-bot  gpt-4o-mini  2026-11-22T10:00:00Z  5.0s      4        1      0    1       0       $0.0000
`)
	var buf bytes.Buffer
	if err := query.WriteJSONLines(&buf, ss[:1]); err != nil {
		t.Fatal(err)
	}
	assertText(t, buf.String(), `
{"session_id":"s-alpha","user_id":"u-alice","agent":"support-bot","start":"2026-11-20T09:00:00Z","end":"2026-11-20T09:00:12Z","duration_ms":12000,"records":10,"tool_calls":2,"llm_calls":2,"errors":1,"tokens":400,"cost_usd":0.0033,"models":["gpt-4o"],"tools":["lookup_order","send_email"]}
`)

	ss, err = query.Sessions(context.Background(), s, store.Query{UserID: sessionfixture.Alice, From: sessionfixture.Starts[sessionfixture.Beta]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || ss[0].SessionID != sessionfixture.Gamma {
		t.Fatalf("alice's sessions after the 21st: %+v", ss)
	}
}

func TestTimelineShowsEveryStepInOrder(t *testing.T) {
	s, _ := fixtureStore(t)
	recs, err := query.Records(context.Background(), s, store.Query{SessionID: sessionfixture.Alpha}, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertText(t, render(t, query.TimelineTable(recs, false)), `
TIME          TYPE       NAME          STATUS   DURATION  TOKENS  COST     DETAIL
09:00:00.000  agent_run  invoke_agent  error    12.0s     -       -        support-bot
09:00:00.100  input      user          -        -         -       -        Where is order 1234? Mail me at [REDACTED:EMAIL]
09:00:01.000  llm_call   gpt-4o        ok       2.0s      150     $0.0012  -
09:00:03.000  output     gpt-4o        -        -         150     $0.0012  Let me look up order 1234.
09:00:05.000  tool_call  lookup_order  success  1.5s      -       -        {"order_id":"1234"} → {"status":"shipped"}
09:00:05.500  reasoning  -             -        -         -       -        The order shipped; email the tracking number.
09:00:08.000  tool_call  send_email    error    800ms     -       -        {"to":"[REDACTED:EMAIL]"}
09:00:08.000  error      ToolError     error    -         -       -        send_email: SMTP relay refused
09:00:09.000  llm_call   gpt-4o        ok       2.5s      250     $0.0021  -
09:00:11.500  output     gpt-4o        -        -         250     $0.0021  Your order 1234 has shipped; I could not send the email.
`)
	var buf bytes.Buffer
	if err := query.WriteRecordsJSONL(&buf, recs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 10 {
		t.Fatalf("%d JSON lines, want 10", len(lines))
	}
	for _, l := range lines {
		if err := auditrecord.ValidateJSON([]byte(l)); err != nil {
			t.Fatalf("line is not a valid record: %v\n%s", err, l)
		}
	}
}

func TestUserRecordsAcrossSessions(t *testing.T) {
	s, _ := fixtureStore(t)
	recs, err := query.Records(context.Background(), s, store.Query{UserID: sessionfixture.Alice, From: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertText(t, render(t, query.TimelineTable(recs, true)), `
SESSION  TIMESTAMP             TYPE       NAME         STATUS  DURATION  TOKENS  COST  DETAIL
s-gamma  2026-11-22T10:00:00Z  input      user         -       -         -       -     What is the weather in Oslo?
s-gamma  2026-11-22T10:00:04Z  tool_call  web_search   error   3.0s      -       -     {"q":"Oslo weather"}
s-gamma  2026-11-22T10:00:04Z  error      ToolError    error   -         -       -     web_search: HTTP 503 from search backend
s-gamma  2026-11-22T10:00:05Z  output     gpt-4o-mini  -       -         -       -     Sorry, search is unavailable.
`)
}

func TestTimeRangesPrunePartitions(t *testing.T) {
	s, cb := fixtureStore(t)
	cb.gets.Store(0)
	if _, err := query.Records(context.Background(), s, store.Query{From: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)}, nil); err != nil {
		t.Fatal(err)
	}
	if n := cb.gets.Load(); n != 1 {
		t.Fatalf("a query from the 22nd read %d objects, want only the one partition of that day", n)
	}
}

func TestToolStats(t *testing.T) {
	s, _ := fixtureStore(t)
	stats, err := query.ToolStats(context.Background(), s, store.Query{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertText(t, render(t, query.ToolStatsTable(stats)), `
TOOL          CALLS  ERRORS  ERROR_RATE  AVG    P95    REQUESTED
lookup_order  3      0       0.0%        1.5s   2.1s   0
send_email    1      1       100.0%      800ms  800ms  0
web_search    1      1       100.0%      3.0s   3.0s   0
`)
	var buf bytes.Buffer
	_ = query.WriteJSONLines(&buf, stats[:1])
	assertText(t, buf.String(), `
{"tool":"lookup_order","calls":3,"errors":0,"requested":0,"error_rate":0,"avg_ms":1500,"p95_ms":2100}
`)
}

func TestErrorAndVolumeStats(t *testing.T) {
	s, _ := fixtureStore(t)
	ctx := context.Background()
	errs, err := query.ErrorStats(ctx, s, store.Query{}, query.ByDay, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertText(t, render(t, query.ErrorStatsTable(errs)), `
BUCKET      ERRORS  RECORDS  RATE
2026-11-20  1       10       10.0%
2026-11-21  0       5        0.0%
2026-11-22  1       4        25.0%
`)
	vol, err := query.VolumeStats(ctx, s, store.Query{}, query.ByHour, query.DefaultSpikeFactor, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 09:00 on the 20th to 10:00 on the 22nd, every hour listed.
	if len(vol) != 50 || vol[0].Records != 10 || vol[1].Records != 0 || vol[49].Records != 4 {
		t.Fatalf("hourly volume: %d buckets, first %+v last %+v", len(vol), vol[0], vol[len(vol)-1])
	}
	tb := query.VolumeStatsTable(vol)
	tb.Rows = tb.Rows[:2]
	assertText(t, render(t, tb), `
BUCKET             RECORDS  SPIKE
2026-11-20T09:00Z  10       
2026-11-20T10:00Z  0        
`)
	var buf bytes.Buffer
	_ = query.WriteJSONLines(&buf, vol[:1])
	var row map[string]any
	if err := json.Unmarshal(buf.Bytes(), &row); err != nil || row["bucket"] != "2026-11-20T09:00:00Z" || row["records"] != 10.0 || row["spike"] != false {
		t.Fatalf("volume JSON: %s (%v)", buf.String(), err)
	}
}

func TestSpikes(t *testing.T) {
	got := query.Spikes([]int{10, 12, 0, 0, 9, 31, 11, 40}, 3)
	// non-zero median is 11.5; above 34.5 is a spike
	want := []bool{false, false, false, false, false, false, false, true}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("spikes %v, want %v", got, want)
		}
	}
	if f := query.Spikes([]int{1, 100}, 3); f[1] {
		t.Fatal("two buckets are too little history to flag a spike")
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-11-01T10:00:00Z":      time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC),
		"2026-11-01T10:00:00+02:00": time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC),
		"2026-11-01":                time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		"-7d":                       now.AddDate(0, 0, -7),
		"24h":                       now.Add(-24 * time.Hour),
		"-90m":                      now.Add(-90 * time.Minute),
		"2w":                        now.AddDate(0, 0, -14),
	} {
		got, err := query.ParseTime(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"yesterday", "2026-13-01", "-d", "-5x"} {
		if _, err := query.ParseTime(bad, now); err == nil {
			t.Errorf("ParseTime(%q) accepted", bad)
		}
	}
	if d, err := query.ParseAge("90d"); err != nil || d != 90*24*time.Hour {
		t.Errorf("ParseAge(90d) = %v, %v", d, err)
	}
}

// sliceReader serves n records, for scans of a known length.
type sliceReader int

func (n sliceReader) Scan(_ context.Context, _ store.Query, fn func(*auditrecord.Record) error) error {
	for range int(n) {
		if err := fn(&auditrecord.Record{Type: auditrecord.TypeInput}); err != nil {
			return err
		}
	}
	return nil
}

func TestProgressReportsLongScansOnly(t *testing.T) {
	clock := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	tick := func() time.Time { clock = clock.Add(10 * time.Millisecond); return clock } // each check takes 10ms
	var out bytes.Buffer
	p := &query.Progress{W: &out, Interval: time.Second, Now: tick}
	if err := query.Scan(context.Background(), sliceReader(1000), store.Query{}, p, func(*auditrecord.Record) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Fatalf("a short scan printed progress: %q", out.String())
	}
	// 300k records, checked every 1024: ~293 checks 10ms apart = ~2.9s, so two lines and a summary.
	if err := query.Scan(context.Background(), sliceReader(300_000), store.Query{}, p, func(*auditrecord.Record) error { return nil }); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "auditctl: scanned 102400 records") || lines[2] != "auditctl: scanned 300000 records in 3s" {
		t.Fatalf("progress:\n%s", out.String())
	}
}
