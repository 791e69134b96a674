package mapping

import (
	"context"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// An agent that logs its reasoning (agent.reasoning, with plan and confidence) usually also returns
// the same thought as a reasoning part of the model call's output. The two arrive on different
// pipelines; the trail keeps one record, the log's, which is richer. When the log is mapped first the
// span's copy is skipped (emitThought). For the other order, the exporter asks ThoughtsAwaited
// before mapping spans and waits (WaitForThoughts) for those reasoning logs, bounded: only services
// whose thoughts have been seen on both signals before are waited for, and a thought no log brings
// is recorded from the span once the wait ends.

// maxReasoningServices bounds the services remembered as logging their reasoning.
const maxReasoningServices = 1024

// learnReasoningService notes that u's service reports its agent's thoughts on both signals.
func (c *joinCache) learnReasoningService(u *unit) {
	name := serviceName(u)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reasoningServices == nil {
		c.reasoningServices = map[string]bool{}
	}
	if len(c.reasoningServices) < maxReasoningServices {
		c.reasoningServices[name] = true
	}
}

func serviceName(u *unit) string {
	if u.res != nil && u.res.service != nil {
		return u.res.service.Name
	}
	return ""
}

// AwaitedThought is a reasoning log a span would duplicate: its content key and when it may be.
type AwaitedThought struct {
	key string
	at  window
}

// ThoughtsAwaited lists the reasoning logs that spans of td would duplicate and that this Mapper has
// not mapped yet: model-call reasoning parts of services that log their reasoning. Each span is read
// as MapTraces reads it.
func (m *Mapper) ThoughtsAwaited(td ptrace.Traces) []AwaitedThought {
	m.join.mu.Lock()
	anyService := len(m.join.reasoningServices) > 0
	m.join.mu.Unlock()
	if !anyService {
		return nil
	}
	var keys []AwaitedThought
	var p problems
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		res := m.readResource(rss.At(i).Resource(), &p)
		name := ""
		if res.service != nil {
			name = res.service.Name
		}
		m.join.mu.Lock()
		logs := m.join.reasoningServices[name]
		m.join.mu.Unlock()
		if !logs {
			continue
		}
		sss := rss.At(i).ScopeSpans()
		for j := range sss.Len() {
			spans := sss.At(j).Spans()
			for k := range spans.Len() {
				keys = m.appendThoughtKeys(keys, spans.At(k), sss.At(j).Scope().Name(), res)
			}
		}
	}
	return keys
}

func (m *Mapper) appendThoughtKeys(keys []AwaitedThought, span ptrace.Span, scope string, res *resourceInfo) []AwaitedThought {
	traceHex := traceIDHex(span.TraceID())
	if traceHex == "" {
		return keys
	}
	u := m.spanUnit(span, traceHex, scope, res, time.Time{})
	if u.facts.kind != kindLLM {
		return keys
	}
	m.join.mu.Lock()
	defer m.join.mu.Unlock()
	for _, msg := range u.facts.outputs {
		for _, p := range msg.parts {
			if p.kind != partReasoning || strings.TrimSpace(p.text) == "" {
				continue
			}
			a := AwaitedThought{key: contentKey(traceHex, signalLogs, joinRichThought, strings.TrimSpace(p.text)), at: u.window()}
			if !m.join.overlapsLocked(a.key, a.at) {
				keys = append(keys, a)
			}
		}
	}
	return keys
}

// WaitForThoughts blocks until every awaited reasoning log has been mapped, ctx ends or timeout
// passes, and reports whether all of them were.
func (m *Mapper) WaitForThoughts(ctx context.Context, awaited []AwaitedThought, timeout time.Duration) bool {
	return m.join.waitFor(ctx, timeout, func() int {
		missing := 0
		for _, a := range awaited {
			if !m.join.overlapsLocked(a.key, a.at) {
				missing++
			}
		}
		return missing
	})
}
