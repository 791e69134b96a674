// Package storemetrics gives store tests store.Metrics on a meter they read, with instruments named
// after what they count (records_inserted, records_already_present, records_dead_lettered,
// items_retried, bytes_written, batch_duration); the exporter registers the real ones.
package storemetrics

import (
	"testing"

	"go.opentelemetry.io/otel/metric"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// New returns metrics of the store kind on instruments created on meter.
func New(t testing.TB, meter metric.Meter, kind string) *store.Metrics {
	t.Helper()
	counter := func(name string) metric.Int64Counter {
		c, err := meter.Int64Counter(name)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	duration, err := meter.Float64Histogram("batch_duration")
	if err != nil {
		t.Fatal(err)
	}
	return store.NewMetrics(kind, store.Instruments{
		RecordsInserted:       counter("records_inserted"),
		RecordsAlreadyPresent: counter("records_already_present"),
		RecordsDeadLettered:   counter("records_dead_lettered"),
		ItemsRetried:          counter("items_retried"),
		BytesWritten:          counter("bytes_written"),
		BatchDuration:         duration,
	})
}
