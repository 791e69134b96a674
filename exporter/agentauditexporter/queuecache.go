package agentauditexporter

import (
	"bytes"
	"context"
	"hash/maphash"
	"sync"

	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"
)

// The persistent queue (sending_queue.storage) encodes every request to bytes on the receiver's
// goroutine, stores them, and on its reader's goroutine reads the bytes back and decodes them
// into a new copy of the very data it was given a moment before: in the durable default that
// decode, and the allocations it makes, were about a tenth of the collector's CPU and a quarter
// of its allocated bytes (bench-pipeline's profiles). recentRequests keeps the last few requests
// the queue encoded, with their bytes, so the reader gets the request itself back when the bytes
// it read are byte for byte those. What is stored is unchanged, so what acknowledgement means is
// unchanged: a request is acknowledged once its bytes are on disk, and a restarted collector
// decodes them from there as before. A request the cache no longer holds (a backlog longer than
// the cache, a restart) is decoded as before.

// maxCachedRequests and maxCachedBytes bound what recentRequests holds (bytes counts the encoded
// requests; the data they stand for takes a few times more): a queue read as fast as it is
// written needs only a handful, and a backlog must not turn into memory.
const (
	maxCachedRequests = 16
	maxCachedBytes    = 8 << 20
)

// cachingEncoding is the queue encoding of one signal with recentRequests in front of it.
type cachingEncoding struct {
	inner  xexporterhelper.QueueBatchSettings
	cache  *recentRequests
	noData xexporterhelper.Request // an empty request, to encode a request's context alone
}

// withRequestCache returns settings whose encoding hands back the requests it just encoded.
func withRequestCache(set xexporterhelper.QueueBatchSettings) (xexporterhelper.QueueBatchSettings, error) {
	_, empty, err := set.Encoding.Unmarshal(nil)
	if err != nil {
		return set, err
	}
	enc := &cachingEncoding{inner: set, cache: newRecentRequests(set), noData: empty}
	set.Encoding = enc
	return set, nil
}

func (c *cachingEncoding) Marshal(ctx context.Context, req xexporterhelper.Request) ([]byte, error) {
	data, err := c.inner.Encoding.Marshal(ctx, req)
	if err != nil {
		return nil, err
	}
	// The request's context (client metadata, span context) as the queue would restore it.
	ctxOnly, err := c.inner.Encoding.Marshal(ctx, c.noData)
	if err == nil {
		c.cache.put(data, ctxOnly, req)
	}
	return data, nil
}

func (c *cachingEncoding) Unmarshal(data []byte) (context.Context, xexporterhelper.Request, error) {
	if ctxOnly, req, ok := c.cache.take(data); ok {
		if ctx, _, err := c.inner.Encoding.Unmarshal(ctxOnly); err == nil {
			return ctx, req, nil
		}
	}
	return c.inner.Encoding.Unmarshal(data)
}

// recentRequests is a small FIFO of encoded requests and the requests themselves.
type recentRequests struct {
	set     xexporterhelper.QueueBatchSettings
	seed    maphash.Seed
	mu      sync.Mutex
	entries []cachedRequest // oldest first
	bytes   int
}

type cachedRequest struct {
	sum           uint64
	data, ctxOnly []byte
	req           xexporterhelper.Request
}

func newRecentRequests(set xexporterhelper.QueueBatchSettings) *recentRequests {
	return &recentRequests{set: set, seed: maphash.MakeSeed()}
}

// put remembers req as encoded to data. The request is referenced so that pooled data (pdata's
// reference counting) is not reused while the cache holds it; one evicted unused is released.
func (r *recentRequests) put(data, ctxOnly []byte, req xexporterhelper.Request) {
	if len(data) > maxCachedBytes {
		return
	}
	if r.set.ReferenceCounter != nil {
		r.set.ReferenceCounter.Ref(req)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.entries) >= maxCachedRequests || (len(r.entries) > 0 && r.bytes+len(data) > maxCachedBytes) {
		r.evictOldest()
	}
	r.entries = append(r.entries, cachedRequest{sum: maphash.Bytes(r.seed, data), data: data, ctxOnly: ctxOnly, req: req})
	r.bytes += len(data)
}

// take returns and forgets the request encoded to exactly data (compared byte for byte: a hash
// only finds the candidate).
func (r *recentRequests) take(data []byte) (ctxOnly []byte, req xexporterhelper.Request, ok bool) {
	sum := maphash.Bytes(r.seed, data)
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, e := range r.entries {
		if e.sum != sum || !bytes.Equal(e.data, data) {
			continue
		}
		r.entries = append(r.entries[:i], r.entries[i+1:]...)
		r.bytes -= len(e.data)
		return e.ctxOnly, e.req, true
	}
	return nil, nil, false
}

func (r *recentRequests) evictOldest() {
	e := r.entries[0]
	r.entries[0] = cachedRequest{}
	r.entries = r.entries[1:]
	r.bytes -= len(e.data)
	if r.set.ReferenceCounter != nil {
		r.set.ReferenceCounter.Unref(e.req)
	}
}

// len is how many requests are cached (tests).
func (r *recentRequests) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.entries)
}
