package agentauditexporter

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
)

// sumsBy sums counter name's data points by the value of attribute attr; ok is false when the
// counter was never incremented (the SDK does not report it then).
func sumsBy(tel *componenttest.Telemetry, name, attr string) (sums map[string]int64, ok bool) {
	sums = map[string]int64{}
	m, err := tel.GetMetric(name)
	if err != nil {
		return sums, false
	}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		v, _ := dp.Attributes.Value(attribute.Key(attr))
		sums[v.AsString()] += dp.Value
	}
	return sums, true
}

func droppedCopies(tel *componenttest.Telemetry) map[string]int64 {
	sums, _ := sumsBy(tel, "otelcol_exporter_agentaudit_duplicate_records_dropped", "signal")
	return sums
}

// TestResentExportIsWrittenOnce sends the same trace three times, as an SDK resending after a lost
// response does: the store holds each record once, and the copies are counted.
func TestResentExportIsWrittenOnce(t *testing.T) {
	dir := t.TempDir()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	te, _ := newTestExporter(t, dir, tel)
	for range 3 {
		require.NoError(t, te.ConsumeTraces(context.Background(), toolTrace()))
	}
	recs := collectortest.ReadRecords(t, collectortest.OpenFileStore(t, dir))
	ids := map[string]int{}
	for _, r := range recs {
		ids[r.RecordID]++
	}
	require.NotEmpty(t, ids)
	assert.Len(t, recs, len(ids), "every record stored once")
	assert.Equal(t, map[string]int64{signalTraces: int64(2 * len(ids))}, droppedCopies(tel))
}

// TestBatchMixingNewAndWrittenRecordsKeepsTheNewOnes: a resend that also carries new spans (an SDK
// batching a retried span with fresh ones) writes the new records only.
func TestBatchMixingNewAndWrittenRecordsKeepsTheNewOnes(t *testing.T) {
	dir := t.TempDir()
	te, _ := newTestExporter(t, dir, nil)
	require.NoError(t, te.ConsumeTraces(context.Background(), toolTrace()))
	first := len(collectortest.ReadRecords(t, collectortest.OpenFileStore(t, dir)))

	mixed := toolTrace()
	fresh := ptrace.NewTraces()
	toolTrace().CopyTo(fresh)
	spans := fresh.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i := range spans.Len() {
		tid := spans.At(i).TraceID()
		tid[0] = 0xEE
		spans.At(i).SetTraceID(tid)
	}
	fresh.ResourceSpans().MoveAndAppendTo(mixed.ResourceSpans())
	require.NoError(t, te.ConsumeTraces(context.Background(), mixed))

	recs := collectortest.ReadRecords(t, collectortest.OpenFileStore(t, dir))
	assert.Len(t, recs, 2*first, "the fresh trace's records are written, the resent ones are not")
	seen := map[string]bool{}
	for _, r := range recs {
		assert.False(t, seen[r.RecordID], "record %s stored twice", r.RecordID)
		seen[r.RecordID] = true
	}
}

// TestReplayAfterRestartIsWrittenOnce: a batch written just before a crash is replayed by the
// persistent queue after the restart. The new exporter seeds its window from the store's last
// objects and does not write the batch again; a fresh store or another instance's objects seed
// nothing.
func TestReplayAfterRestartIsWrittenOnce(t *testing.T) {
	dir := t.TempDir()
	// A crashed collector never shut down: its identity hold would still lock the journal here, in
	// one process. The hold plays no part in this test.
	noHold := func(c *Config) { c.Identity.HoldWindow = 0 }
	crashed, _ := newTestExporter(t, dir, nil, noHold)
	require.NoError(t, crashed.ConsumeTraces(context.Background(), toolTrace()))
	stored := len(collectortest.ReadRecords(t, collectortest.OpenFileStore(t, dir)))
	require.NotZero(t, stored)

	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	restarted, _ := newTestExporter(t, dir, tel, noHold)
	require.NoError(t, restarted.ConsumeTraces(context.Background(), toolTrace()))
	assert.Len(t, collectortest.ReadRecords(t, collectortest.OpenFileStore(t, dir)), stored, "the replayed batch is not stored again")
	assert.Equal(t, map[string]int64{signalTraces: int64(stored)}, droppedCopies(tel))

	other, _ := newTestExporter(t, dir, nil, func(c *Config) { c.InstanceID = "other" })
	require.NoError(t, other.ConsumeTraces(context.Background(), toolTrace()))
	assert.Len(t, collectortest.ReadRecords(t, collectortest.OpenFileStore(t, dir)), 2*stored,
		"another instance's window holds only its own streams; readers count the copy once")
}

func records(tag string, n int) []*auditrecord.Record {
	out := make([]*auditrecord.Record, n)
	for i := range out {
		out[i] = &auditrecord.Record{RecordID: auditrecord.NewRecordID(tag, strconv.Itoa(i))}
	}
	return out
}

func TestRecentRecordsWindow(t *testing.T) {
	w := newRecentRecords(4)
	a := records("a", 3)
	kept, dropped := w.dropWritten(a)
	assert.Equal(t, 0, dropped, "nothing is dropped before a write succeeded: a failed write's retry must go through")
	assert.Len(t, kept, 3)

	w.remember(a)
	kept, dropped = w.dropWritten(append(records("b", 1), a...))
	assert.Equal(t, 3, dropped)
	require.Len(t, kept, 1)
	assert.Equal(t, records("b", 1)[0].RecordID, kept[0].RecordID)

	// Two more ids overflow the window of 4 and push out the oldest, a[0].
	w.remember(records("c", 2))
	kept, dropped = w.dropWritten(a)
	assert.Equal(t, 2, dropped, "a[1] and a[2] are still in the window")
	require.Len(t, kept, 1)
	assert.Equal(t, a[0].RecordID, kept[0].RecordID)
	assert.Equal(t, 4, w.set.len(), "the window holds at most its size")

	assert.Nil(t, newRecentRecords(0), "dedup_window 0 disables the window")
	kept, dropped = (*recentRecords)(nil).dropWritten(a)
	assert.Equal(t, 0, dropped)
	assert.Len(t, kept, 3)

	twice := append(records("d", 2), records("d", 2)...)
	kept, dropped = w.dropWritten(twice)
	assert.Equal(t, 2, dropped, "a batch that carries a record and its resend writes it once")
	assert.Len(t, kept, 2)

	noID := []*auditrecord.Record{{}, {}}
	w.remember(noID)
	_, dropped = w.dropWritten(noID)
	assert.Equal(t, 0, dropped, "records without an id are never taken for copies")
}

// BenchmarkRecentRecords is the window's cost per record written (look up, then remember, in
// batches of 1,000 new records through a full default-size window) and its memory per id, once
// fresh and once after ten windows' worth of ids passed through it (a long-running collector's).
func BenchmarkRecentRecords(b *testing.B) {
	batches := make([][]*auditrecord.Record, 2*defaultDedupWindow/1000)
	for i := range batches {
		batches[i] = records(fmt.Sprint("batch", i), 1000)
	}
	var before, fresh, churned runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w := newRecentRecords(defaultDedupWindow)
	for _, batch := range batches[:defaultDedupWindow/1000] {
		w.remember(batch)
	}
	runtime.GC()
	runtime.ReadMemStats(&fresh)
	for i := range 10 * defaultDedupWindow / 1000 {
		w.remember(records(fmt.Sprint("churn", i), 1000))
	}
	runtime.GC()
	runtime.ReadMemStats(&churned)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		batch := batches[i%len(batches)]
		kept, _ := w.dropWritten(batch)
		w.remember(kept)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/record")
	b.ReportMetric(float64(fresh.HeapAlloc-before.HeapAlloc)/defaultDedupWindow, "window-bytes/id")
	b.ReportMetric(float64(churned.HeapAlloc-before.HeapAlloc)/defaultDedupWindow, "churned-bytes/id")
	runtime.KeepAlive(w)
}
