package agentauditexporter

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// tracesRequest is a queue request of n spans, made the way the queue makes one (by decoding).
func tracesRequest(t *testing.T, enc xexporterhelper.QueueBatchSettings, n int, name string) xexporterhelper.Request {
	t.Helper()
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for i := range n {
		spans.AppendEmpty().SetName(fmt.Sprintf("%s-%d", name, i))
	}
	raw, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	if err != nil {
		t.Fatal(err)
	}
	_, req, err := enc.Encoding.Unmarshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestQueueGetsBackTheRequestItStoredWithItsContext: bytes the encoding just produced decode to the
// very request, with the context the plain decode restores (client metadata, which a
// metadata_keys partitioner batches by); the stored bytes are the plain encoding's.
func TestQueueGetsBackTheRequestItStoredWithItsContext(t *testing.T) {
	plain := xexporterhelper.NewTracesQueueBatchSettings()
	set, err := withRequestCache(xexporterhelper.NewTracesQueueBatchSettings())
	if err != nil {
		t.Fatal(err)
	}
	req := tracesRequest(t, plain, 3, "a")
	ctx := client.NewContext(context.Background(), client.Info{Metadata: client.NewMetadata(map[string][]string{"tenant": {"t1"}})})
	data, err := set.Encoding.Marshal(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := plain.Encoding.Marshal(ctx, req)
	if string(data) != string(want) {
		t.Fatal("the cache changed what the queue stores")
	}
	gotCtx, got, err := set.Encoding.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if got != req {
		t.Fatal("the queue decoded a copy instead of getting its request back")
	}
	if v := client.FromContext(gotCtx).Metadata.Get("tenant"); len(v) != 1 || v[0] != "t1" {
		t.Fatalf("client metadata %v, want [t1]", v)
	}
	// Read again (a redelivery after a failed export): decoded from the bytes, equal.
	_, again, err := set.Encoding.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if again == req || again.ItemsCount() != 3 {
		t.Fatalf("second read: same object %v, %d spans", again == req, again.ItemsCount())
	}
}

// TestQueueDecodesWhatItDidNotJustEncode: bytes that differ from a cached request's in one byte,
// bytes another encoder instance wrote (a restarted collector) and requests pushed out by newer ones
// are decoded from the bytes, never answered with a cached request.
func TestQueueDecodesWhatItDidNotJustEncode(t *testing.T) {
	plain := xexporterhelper.NewTracesQueueBatchSettings()
	set, err := withRequestCache(xexporterhelper.NewTracesQueueBatchSettings())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first := tracesRequest(t, plain, 2, "first")
	firstData, _ := set.Encoding.Marshal(ctx, first)
	cache := set.Encoding.(*cachingEncoding).cache

	altered := append([]byte(nil), firstData...)
	altered[bytes.Index(altered, []byte("first-1"))+6] = '9' // a span name: first-9
	if _, got, err := set.Encoding.Unmarshal(altered); err != nil || got == first {
		t.Fatalf("altered bytes: err %v, cached request returned %v", err, got == first)
	}

	restarted, _ := withRequestCache(xexporterhelper.NewTracesQueueBatchSettings())
	if _, got, err := restarted.Encoding.Unmarshal(firstData); err != nil || got == first || got.ItemsCount() != 2 {
		t.Fatalf("after a restart: err %v, spans %d", err, got.ItemsCount())
	}

	for i := range maxCachedRequests {
		if _, err := set.Encoding.Marshal(ctx, tracesRequest(t, plain, 1, fmt.Sprint("newer", i))); err != nil {
			t.Fatal(err)
		}
	}
	if n := cache.len(); n != maxCachedRequests {
		t.Fatalf("cache holds %d requests, bound %d", n, maxCachedRequests)
	}
	if _, got, err := set.Encoding.Unmarshal(firstData); err != nil || got == first || got.ItemsCount() != 2 {
		t.Fatalf("evicted request: err %v, cached %v", err, got == first)
	}
}
