package store_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/storemetrics"
)

// TestMetricsCarryTheStoreKind records through every method and checks each point carries the
// store kind (and the signal where it has one); a nil *Metrics records nothing and does not panic.
func TestMetricsCarryTheStoreKind(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	meter := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)).Meter("test")
	m := storemetrics.New(t, meter, "postgres")
	ctx := context.Background()
	m.RecordsInserted(ctx, 3)
	m.RecordsAlreadyPresent(ctx, 2)
	m.RecordsDeadLettered(ctx, 1)
	m.ItemsRetried(ctx, 4)
	m.BytesWritten(ctx, "logs", 100)
	m.BatchDuration(ctx, 1500*time.Millisecond)
	var none *store.Metrics
	none.RecordsInserted(ctx, 1)
	none.BytesWritten(ctx, "traces", 1)
	none.BatchDuration(ctx, time.Second)

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	kind := attribute.String("store", "postgres")
	want := map[string]struct {
		value int64
		attrs attribute.Set
	}{
		"records_inserted":        {3, attribute.NewSet(kind)},
		"records_already_present": {2, attribute.NewSet(kind)},
		"records_dead_lettered":   {1, attribute.NewSet(kind)},
		"items_retried":           {4, attribute.NewSet(kind)},
		"bytes_written":           {100, attribute.NewSet(kind, attribute.String("signal", "logs"))},
	}
	seen := 0
	for _, got := range rm.ScopeMetrics[0].Metrics {
		switch d := got.Data.(type) {
		case metricdata.Sum[int64]:
			w := want[got.Name]
			if len(d.DataPoints) != 1 || d.DataPoints[0].Value != w.value || !d.DataPoints[0].Attributes.Equals(&w.attrs) {
				t.Errorf("%s: %+v, want one point %d with %v", got.Name, d.DataPoints, w.value, w.attrs.ToSlice())
			}
			seen++
		case metricdata.Histogram[float64]:
			if len(d.DataPoints) != 1 || d.DataPoints[0].Sum != 1.5 || d.DataPoints[0].Count != 1 {
				t.Errorf("%s: %+v, want one batch of 1.5 s", got.Name, d.DataPoints)
			}
			if v, _ := d.DataPoints[0].Attributes.Value("store"); v.AsString() != "postgres" {
				t.Errorf("%s: store=%q", got.Name, v.AsString())
			}
			seen++
		}
	}
	if seen != 6 {
		t.Errorf("%d metrics collected, want 6", seen)
	}
}
