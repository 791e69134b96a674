package production

import (
	"context"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
)

// benchSpansPerRequest is the size of one OTLP request in the Kafka benchmark (an SDK's batch).
const benchSpansPerRequest = 100

// BenchmarkKafkaTopologyVsDirect measures spans stored per second through sidecar → Kafka →
// gateway (config/kafka-sidecar.yaml, config/kafka-gateway.yaml, the package's real broker) and
// through OTLP straight to one collector on the same store type (config/local.yaml), in the same run:
// b.N spans are sent over OTLP/gRPC and the clock stops once the store's exporter has written all of
// them (its otelcol_exporter_sent_spans).
//
//	go test ./test/e2e/production -run '^$' -bench BenchmarkKafkaTopologyVsDirect -benchtime 20000x
func BenchmarkKafkaTopologyVsDirect(b *testing.B) {
	b.Run("direct", func(b *testing.B) {
		c := collectortest.Start(b, collectortest.Options{})
		benchSpans(b, c.GRPCEndpoint, c)
	})
	b.Run("kafka", func(b *testing.B) {
		k := newKafkaTopology(b)
		sc := k.sidecar(nil)
		// Create the topic before the gateway's group starts on it.
		if err := exportGRPC(context.Background(), dialGRPC(b, sc.GRPCEndpoint, nil), "", chatTraces(0, 1)); err != nil {
			b.Fatal(err)
		}
		g := k.gateway("gateway-1", nil)
		waitSent(b, g, 1)
		benchSpans(b, sc.GRPCEndpoint, g, 1)
	})
}

// benchSpans sends b.N spans to endpoint and waits until writer's agentaudit exporter sent them
// (plus already, sent before the timer).
func benchSpans(b *testing.B, endpoint string, writer *collectortest.Collector, already ...int) {
	b.Helper()
	before := 0
	for _, n := range already {
		before += n
	}
	conn := dialGRPC(b, endpoint, nil)
	requests := (b.N + benchSpansPerRequest - 1) / benchSpansPerRequest
	b.ResetTimer()
	start := time.Now()
	for i := range requests {
		if err := exportGRPC(context.Background(), conn, "", chatTraces(i+1, benchSpansPerRequest)); err != nil {
			b.Fatalf("request %d: %v", i, err)
		}
	}
	waitSent(b, writer, before+requests*benchSpansPerRequest)
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(requests*benchSpansPerRequest)/elapsed.Seconds(), "spans/s")
}

func waitSent(b *testing.B, c *collectortest.Collector, spans int) {
	b.Helper()
	deadline := time.Now().Add(10 * time.Minute)
	for metricSum(b, c.Metrics(), "otelcol_exporter_sent_spans", `exporter="agentaudit"`) < float64(spans) {
		if time.Now().After(deadline) {
			b.Fatalf("%d spans not written after 10 min\n%s", spans, c.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
