package kafkabroker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestRoundTrip produces one record to an auto-created topic and reads it back through a consumer
// group, which needs the broker's group coordinator and its single-replica offsets topic.
func TestRoundTrip(t *testing.T) {
	bootstrap := Start(t)
	const topic = "kafkabroker-roundtrip"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	producer, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatalf("producer: %v", err)
	}
	defer producer.Close()
	sent := &kgo.Record{Topic: topic, Key: []byte("session-1"), Value: []byte(`{"event":"tool_call"}`)}
	if err := producer.ProduceSync(ctx, sent).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}

	consumer, err := kgo.NewClient(
		kgo.SeedBrokers(bootstrap),
		kgo.ConsumerGroup("kafkabroker-test"),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	defer consumer.Close()
	var got []*kgo.Record
	for len(got) == 0 {
		fetches := consumer.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("no record consumed before the deadline: %v", err)
		}
		for _, fe := range fetches.Errors() {
			t.Fatalf("fetch %s/%d: %v", fe.Topic, fe.Partition, fe.Err)
		}
		got = append(got, fetches.Records()...)
	}
	if len(got) != 1 {
		t.Fatalf("consumed %d records, want 1", len(got))
	}
	if string(got[0].Key) != string(sent.Key) || string(got[0].Value) != string(sent.Value) {
		t.Fatalf("consumed key=%q value=%q, want key=%q value=%q", got[0].Key, got[0].Value, sent.Key, sent.Value)
	}
	if err := consumer.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatalf("commit offsets: %v", err)
	}
}

// TestMissingNamesTools checks that a machine without the toolchain is told what to install.
func TestMissingNamesTools(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("JAVA_HOME", "")
	got := Missing()
	for _, tool := range []string{"java", "mvn"} {
		if !strings.Contains(got, tool) {
			t.Errorf("Missing() = %q, want it to name %s", got, tool)
		}
	}
}

// TestExcerptKeepsTheCause checks that a failed start's message shows the error that caused it,
// which Kafka logs long before the many lines of its shutdown.
func TestExcerptKeepsTheCause(t *testing.T) {
	var log strings.Builder
	log.WriteString("[2026-01-01 00:00:00,000] INFO starting (kafka.server.BrokerServer)\n")
	log.WriteString("[2026-01-01 00:00:01,000] ERROR Unable to start acceptor for PLAINTEXT (kafka.network.DataPlaneAcceptor)\n")
	log.WriteString("Caused by: java.net.BindException: Address already in use\n")
	for range 2 * logTailLines {
		log.WriteString("[2026-01-01 00:00:02,000] INFO shutting down (kafka.server.KafkaRequestHandlerPool)\n")
	}
	log.WriteString("[2026-01-01 00:00:03,000] INFO shut down completely (kafka.server.KafkaRaftServer)\n")
	got := excerpt(log.String())
	for _, want := range []string{"Unable to start acceptor", "BindException", "shut down completely"} {
		if !strings.Contains(got, want) {
			t.Errorf("excerpt lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "INFO starting") {
		t.Errorf("excerpt kept the log's head instead of only its errors and tail:\n%s", got)
	}
}
