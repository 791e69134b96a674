package mapping

import (
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// A tool span records a call's parameters and result only when the instrumentation captures
// content, which GenAI instrumentations leave off by default; the application's AgentLogger line
// for the same call has them. Both are one call (recordToolOnce), and the record that stands is the
// first mapped, so for a tool a service was seen reporting on both signals the exporter's wait
// for reasoning logs (ThoughtsAwaited, WaitForThoughts) also waits for the logged calls of its tool
// spans that lack parameters or result: the log's record, with them, is then the one kept. A wait
// that brings none of them stops the waiting until the service's calls are seen on both signals
// again, so a tool whose calls are logged only sometimes costs one wait per such sighting.

// toolOf names a tool of a service in joinCache.toolServices.
func toolOf(service, tool string) string { return service + "\x00" + tool }

// learnToolServiceLocked notes that u's service reports its calls of tool on both signals. Tools
// are learned one by one: an application that logs only some of its tools, or a failed call only as
// an error, is not waited for the others.
func (c *joinCache) learnToolServiceLocked(u *unit, tool string) {
	name := toolOf(serviceName(u), tool)
	if c.toolServices == nil {
		c.toolServices = map[string]bool{}
	}
	if _, known := c.toolServices[name]; known || len(c.toolServices) < maxReasoningServices {
		c.toolServices[name] = true
	}
}

// appendToolKeys adds the logged tool call that span would duplicate, when the span lacks the
// call's parameters or result and no log of it was mapped yet.
func (m *Mapper) appendToolKeys(keys []AwaitedThought, span ptrace.Span, scope string, res *resourceInfo) []AwaitedThought {
	traceHex := traceIDHex(span.TraceID())
	if traceHex == "" || !mayBeTool(span) {
		return keys
	}
	u := m.spanUnit(span, traceHex, scope, res, time.Time{})
	f := &u.facts
	if f.kind != kindTool || f.toolName == "" || (f.hasArgs && f.hasResult) {
		return keys
	}
	a := AwaitedThought{key: contentKey(traceHex, signalLogs, joinToolName, f.toolName), service: toolOf(serviceName(u), f.toolName), at: u.window(), tool: true}
	m.join.mu.Lock()
	defer m.join.mu.Unlock()
	if m.join.toolServices[a.service] && !m.join.overlapsLocked(a.key, a.at) {
		keys = append(keys, a)
	}
	return keys
}

// mayBeTool is the cheap test before reading a span twice: its name, an attribute key or a span
// kind value (OpenInference TOOL, OpenLLMetry tool) says tool.
func mayBeTool(span ptrace.Span) bool {
	if strings.Contains(span.Name(), "tool") {
		return true
	}
	for k, v := range span.Attributes().All() {
		if strings.Contains(k, "tool") || (v.Type() == pcommon.ValueTypeStr && strings.EqualFold(v.Str(), "tool")) {
			return true
		}
	}
	return false
}
