package mapping

import (
	"context"
	"encoding/binary"
	"hash/maphash"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
)

// joinCache lets log events borrow from spans the same Mapper mapped earlier. The OTel JS OpenAI
// instrumentation, for one, puts model and token counts on the chat span but the response text
// in a gen_ai.choice log, and the tool executions in spans; the exporter maps the two signals in
// separate calls. The cache is bounded (oldest entries go first) and best-effort: when the logs
// arrive before their spans, the log records simply lack what the span would have added.
type joinCache struct {
	mu sync.Mutex
	// The maps are keyed by joinKeyOf their key strings, named here.
	calls    map[joinKey]modelCall // trace id + span id of a model-call span
	executed map[joinKey]bool      // trace id + "\x00" + tool call id of an executed tool
	// contents holds, by digest of the answers and thoughts each signal recorded per trace, when
	// they were reported (see rememberContent): the other signal's copy of one is the same record.
	contents map[joinKey][]window
	// spans are the spans of traces with failures (errorfold_batches.go), by trace id + "\x00s" + span id.
	spans map[joinKey]failedSpan
	// reasoningServices are the services whose thoughts this Mapper saw on both signals.
	reasoningServices map[string]bool
	// toolServices are the services whose tool calls this Mapper saw on both signals (false: a wait
	// for their logged tool calls brought none), see toolwait.go.
	toolServices map[string]bool
	order        []cachedKey // insertion order of the maps' keys, for eviction
	next         int
	// changed is closed (and replaced) whenever spans or contents are remembered while someone
	// waits (waiters), waking waitFor; with nobody waiting a remember costs no new channel.
	changed chan struct{}
	waiters int
}

type modelCall struct {
	requestModel, responseModel, provider string
	tokens                                tokenCounts
	cost                                  *float64
}

// joinCacheSize bounds the cache's keys (each about 100 bytes with its entry on agentsim traffic,
// 3.2 MB full). A trace takes a few per model call, tool call, input, answer, thought and error,
// twice for tool calls and errors of spans that name a session (contentjoin.go), so this keeps the
// traces of several seconds of busy traffic, the log_span_wait horizon, within a few MB.
const joinCacheSize = 32768

func newJoinCache() *joinCache {
	return &joinCache{calls: map[joinKey]modelCall{}, executed: map[joinKey]bool{}, contents: map[joinKey][]window{}, spans: map[joinKey]failedSpan{}, order: make([]cachedKey, 0, joinCacheSize), changed: make(chan struct{})}
}

// joinKey stands for a cache key string: its 128-bit hash under seeds drawn per process. The
// strings (trace and span ids in hex, content keys) took 48 to 64 bytes each in their own
// allocations, a third of the full cache's 5.6 MB; a collision of two keys, which would join what
// does not belong together, is as likely as one of two random 128-bit values.
type joinKey [16]byte

var joinSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func joinKeyOf(s string) joinKey {
	var k joinKey
	binary.LittleEndian.PutUint64(k[:8], maphash.String(joinSeeds[0], s))
	binary.LittleEndian.PutUint64(k[8:], maphash.String(joinSeeds[1], s))
	return k
}

func joinKeyOfBytes(b []byte) joinKey {
	var k joinKey
	binary.LittleEndian.PutUint64(k[:8], maphash.Bytes(joinSeeds[0], b))
	binary.LittleEndian.PutUint64(k[8:], maphash.Bytes(joinSeeds[1], b))
	return k
}

// cachedKey is a key of the cache and the map that holds it: a full cache evicts on every add, and
// deleting the oldest key from the one map that holds it, rather than from all four, was most of
// what remembering a batch cost.
type cachedKey struct {
	key joinKey
	in  cacheMap
}

type cacheMap uint8

const (
	inCalls cacheMap = iota
	inExecuted
	inContents
	inSpans
)

func (c *joinCache) add(key joinKey, in cacheMap, set func()) {
	if len(c.order) < joinCacheSize {
		c.order = append(c.order, cachedKey{key, in})
	} else {
		old := c.order[c.next]
		switch old.in {
		case inCalls:
			delete(c.calls, old.key)
		case inExecuted:
			delete(c.executed, old.key)
		case inContents:
			delete(c.contents, old.key)
		case inSpans:
			delete(c.spans, old.key)
		}
		c.order[c.next] = cachedKey{key, in}
		c.next = (c.next + 1) % joinCacheSize
	}
	set()
}

// rememberSpans records what later log batches may need from a batch of spans.
func (c *joinCache) rememberSpans(units []*unit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.notifyLocked()
	for _, u := range units {
		if u.signal != signalTraces || u.traceID == "" {
			continue
		}
		f := &u.facts
		switch f.kind {
		case kindLLM:
			key := joinKeyOf(u.traceID + u.spanID)
			if _, dup := c.calls[key]; !dup {
				c.add(key, inCalls, func() {
					c.calls[key] = modelCall{requestModel: f.requestModel, responseModel: f.responseModel, provider: f.provider, tokens: f.tokens, cost: f.cost}
				})
			}
		case kindTool:
			if f.toolCallID != "" {
				key := joinKeyOf(u.traceID + "\x00" + f.toolCallID)
				if !c.executed[key] {
					c.add(key, inExecuted, func() { c.executed[key] = true })
				}
			}
		}
	}
}

// enrichLog fills a log unit's model, provider, tokens and cost from its span when the log does
// not say them itself.
func (c *joinCache) enrichLog(u *unit) {
	if u.traceID == "" || u.spanID == "" {
		return
	}
	c.mu.Lock()
	call, ok := c.calls[joinKeyOf(u.traceID+u.spanID)]
	c.mu.Unlock()
	if !ok {
		return
	}
	f := &u.facts
	f.merge(&facts{requestModel: call.requestModel, responseModel: call.responseModel, provider: call.provider, tokens: call.tokens, cost: call.cost})
}

func (c *joinCache) wasExecuted(traceID, callID string) bool {
	if traceID == "" || callID == "" {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.executed[joinKeyOf(traceID+"\x00"+callID)]
}

// SpansAwaited lists the model-call spans (trace id + span id) that log records of ld would take
// model, tokens and cost from (gen_ai.choice and operation-details events) and that this Mapper has
// not mapped yet. The collector's traces and logs pipelines run independently, so an
// instrumentation's logs often reach the exporter before their spans.
func (m *Mapper) SpansAwaited(ld plog.Logs) []string {
	var keys []string
	m.join.mu.Lock()
	defer m.join.mu.Unlock()
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		sls := rls.At(i).ScopeLogs()
		for j := range sls.Len() {
			lrs := sls.At(j).LogRecords()
			for k := range lrs.Len() {
				lr := lrs.At(k)
				if lr.TraceID().IsEmpty() || lr.SpanID().IsEmpty() {
					continue
				}
				name := lr.EventName()
				if name == "" {
					if v, ok := lr.Attributes().Get("event.name"); ok {
						name = v.AsString()
					}
				}
				if name != eventChoice && name != eventContentComplete && name != eventOperationDetails {
					continue
				}
				key := traceIDHex(lr.TraceID()) + spanIDHex(lr.SpanID())
				if _, ok := m.join.calls[joinKeyOf(key)]; !ok {
					keys = append(keys, key)
				}
			}
		}
	}
	return keys
}

// WaitForSpans blocks until every span in keys has been mapped, ctx ends or timeout passes, and
// reports whether all of them arrived.
func (m *Mapper) WaitForSpans(ctx context.Context, keys []string, timeout time.Duration) bool {
	return m.join.waitFor(ctx, timeout, func() int {
		missing := 0
		for _, k := range keys {
			if _, ok := m.join.calls[joinKeyOf(k)]; !ok {
				missing++
			}
		}
		return missing
	})
}

// waitFor blocks until missing (called with the cache locked) reports 0, ctx ends or timeout
// passes, and reports whether nothing was missing.
func (c *joinCache) waitFor(ctx context.Context, timeout time.Duration, missing func() int) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		c.mu.Lock()
		if missing() == 0 {
			c.mu.Unlock()
			return true
		}
		changed := c.changed
		c.waiters++
		c.mu.Unlock()
		var woken bool
		select {
		case <-changed:
			woken = true
		case <-timer.C:
		case <-ctx.Done():
		}
		c.mu.Lock()
		c.waiters--
		c.mu.Unlock()
		if !woken {
			return false
		}
	}
}

// notifyLocked wakes the waiters after a remember.
func (c *joinCache) notifyLocked() {
	if c.waiters > 0 {
		close(c.changed)
		c.changed = make(chan struct{})
	}
}
