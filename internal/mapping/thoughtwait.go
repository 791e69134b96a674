package mapping

import (
	"context"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// An agent that logs its reasoning (agent.reasoning, with plan and confidence) usually also returns
// the same thought as a reasoning part of the model call's output. The two arrive on different
// pipelines; the trail keeps one record, the log's, which is richer. When the log is mapped first the
// span's copy is skipped (emitThought). For the other order, the exporter asks ThoughtsAwaited
// before mapping spans and waits (WaitForThoughts) for those reasoning logs, bounded. A service is
// waited for until it is known not to log its thoughts: a wait for it that ended without any of the
// awaited logs (NoThoughtsLogged) marks it, unless its thoughts were seen on both signals, which
// marks it for good. So each service costs at most one full wait; a thought no log brings is
// recorded from the span once the wait ends.

// maxReasoningServices bounds the services remembered as logging their reasoning.
const maxReasoningServices = 1024

// learnReasoningService notes that u's service reports its agent's thoughts on both signals.
func (c *joinCache) learnReasoningService(u *unit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.markServiceLocked(serviceName(u), true)
}

// markServiceLocked records whether a service logs its thoughts; true is final.
func (c *joinCache) markServiceLocked(name string, logs bool) {
	if c.reasoningServices == nil {
		c.reasoningServices = map[string]bool{}
	}
	if _, known := c.reasoningServices[name]; known || len(c.reasoningServices) < maxReasoningServices {
		c.reasoningServices[name] = c.reasoningServices[name] || logs
	}
}

// NoThoughtsLogged tells the Mapper that a wait for awaited ended without the logs: the services
// that did not deliver a single one are not waited for again (unless later seen logging them).
func (m *Mapper) NoThoughtsLogged(awaited []AwaitedThought) {
	m.join.mu.Lock()
	defer m.join.mu.Unlock()
	type kindOf struct {
		service string
		tool    bool
	}
	delivered := map[kindOf]bool{}
	for _, a := range awaited {
		if m.join.overlapsLocked(a.key, a.at) {
			delivered[kindOf{a.service, a.tool}] = true
		}
	}
	for _, a := range awaited {
		switch {
		case delivered[kindOf{a.service, a.tool}]:
		case a.tool:
			m.join.toolServices[a.service] = false // waited for again once its tool calls are seen on both signals
		default:
			m.join.markServiceLocked(a.service, false)
		}
	}
}

func serviceName(u *unit) string {
	if u.res != nil && u.res.service != nil {
		return u.res.service.Name
	}
	return ""
}

// AwaitedThought is a reasoning log a span would duplicate (or, tool set, a logged tool call; see
// toolwait.go): its content key and when it may be.
type AwaitedThought struct {
	key, service string
	at           window
	tool         bool
}

// ThoughtsAwaited lists the reasoning logs that spans of td would duplicate and that this Mapper has
// not mapped yet: model-call reasoning parts of services that log their reasoning. Each span is read
// as MapTraces reads it.
func (m *Mapper) ThoughtsAwaited(td ptrace.Traces) []AwaitedThought {
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
		logs, known := m.join.reasoningServices[name]
		tools := len(m.join.toolServices) > 0 // appendToolKeys asks for the span's tool
		m.join.mu.Unlock()
		thoughts := !known || logs
		if !thoughts && !tools {
			continue
		}
		sss := rss.At(i).ScopeSpans()
		for j := range sss.Len() {
			spans := sss.At(j).Spans()
			for k := range spans.Len() {
				if thoughts {
					keys = m.appendThoughtKeys(keys, spans.At(k), sss.At(j).Scope().Name(), res)
				}
				if tools {
					keys = m.appendToolKeys(keys, spans.At(k), sss.At(j).Scope().Name(), res)
				}
			}
		}
	}
	return keys
}

func (m *Mapper) appendThoughtKeys(keys []AwaitedThought, span ptrace.Span, scope string, res *resourceInfo) []AwaitedThought {
	traceHex := traceIDHex(span.TraceID())
	if traceHex == "" || !mayHoldReasoning(span.Attributes()) {
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
			a := AwaitedThought{key: contentKey(traceHex, signalLogs, joinRichThought, strings.TrimSpace(p.text)), service: serviceName(u), at: u.window()}
			if !m.join.overlapsLocked(a.key, a.at) {
				keys = append(keys, a)
			}
		}
	}
	return keys
}

// mayHoldReasoning is the cheap test before reading a span twice: a string attribute mentions
// reasoning (a part type, Vercel's ai.response.reasoning), or a structured one may.
func mayHoldReasoning(attrs pcommon.Map) bool {
	for k, v := range attrs.All() {
		switch v.Type() {
		case pcommon.ValueTypeStr:
			if s := v.Str(); strings.Contains(s, "reasoning") || strings.Contains(s, "thinking") || strings.Contains(k, "reasoning") {
				return true
			}
		case pcommon.ValueTypeMap, pcommon.ValueTypeSlice:
			return true
		}
	}
	return false
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
