package mapping

import (
	"sync"
)

// joinCache lets log events borrow from spans the same Mapper mapped earlier. The OTel JS OpenAI
// instrumentation, for one, puts model and token counts on the chat span but the response text
// in a gen_ai.choice log, and the tool executions in spans; the exporter maps the two signals in
// separate calls. The cache is bounded (oldest entries go first) and best-effort: when the logs
// arrive before their spans, the log records simply lack what the span would have added.
type joinCache struct {
	mu       sync.Mutex
	calls    map[string]modelCall // trace id + span id of a model-call span
	executed map[string]bool      // trace id + "\x00" + tool call id of an executed tool
	order    []string             // insertion order of both maps' keys, for eviction
	next     int
}

type modelCall struct {
	requestModel, responseModel, provider string
	tokens                                tokenCounts
	cost                                  *float64
}

const joinCacheSize = 8192

func newJoinCache() *joinCache {
	return &joinCache{calls: map[string]modelCall{}, executed: map[string]bool{}, order: make([]string, 0, joinCacheSize)}
}

func (c *joinCache) add(key string, set func()) {
	if len(c.order) < joinCacheSize {
		c.order = append(c.order, key)
	} else {
		old := c.order[c.next]
		delete(c.calls, old)
		delete(c.executed, old)
		c.order[c.next] = key
		c.next = (c.next + 1) % joinCacheSize
	}
	set()
}

// rememberSpans records what later log batches may need from a batch of spans.
func (c *joinCache) rememberSpans(units []*unit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, u := range units {
		if u.signal != signalTraces || u.traceID == "" {
			continue
		}
		f := &u.facts
		switch f.kind {
		case kindLLM:
			key := u.traceID + u.spanID
			if _, dup := c.calls[key]; !dup {
				c.add(key, func() {
					c.calls[key] = modelCall{requestModel: f.requestModel, responseModel: f.responseModel, provider: f.provider, tokens: f.tokens, cost: f.cost}
				})
			}
		case kindTool:
			if f.toolCallID != "" {
				key := u.traceID + "\x00" + f.toolCallID
				if !c.executed[key] {
					c.add(key, func() { c.executed[key] = true })
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
	call, ok := c.calls[u.traceID+u.spanID]
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
	return c.executed[traceID+"\x00"+callID]
}
