package mapping

import (
	"slices"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Event names the mapping understands, on span events and on log records (EventName or the
// event.name attribute).
const (
	eventSystemMessage    = "gen_ai.system.message"
	eventUserMessage      = "gen_ai.user.message"
	eventAssistantMessage = "gen_ai.assistant.message"
	eventToolMessage      = "gen_ai.tool.message"
	eventChoice           = "gen_ai.choice"
	eventContentPrompt    = "gen_ai.content.prompt"
	eventContentComplete  = "gen_ai.content.completion"
	eventOperationDetails = "gen_ai.client.inference.operation.details"
	eventReasoning        = "agent.reasoning"
	eventException        = "exception"
)

// messageEventRoles gives the role of each deprecated per-message GenAI event.
var messageEventRoles = map[string]string{
	eventSystemMessage:    "system",
	eventUserMessage:      "user",
	eventAssistantMessage: "assistant",
	eventToolMessage:      "tool",
	eventChoice:           "assistant",
}

// isKnownEvent reports whether a log record with this event name is mapped at all. Exception logs
// are not: without their span they cannot be told apart from the application's own failures.
func isKnownEvent(name string) bool {
	switch name {
	case eventContentPrompt, eventContentComplete, eventOperationDetails, eventReasoning:
		return true
	}
	_, ok := messageEventRoles[name]
	return ok
}

// applyEvent folds one event (a span event, or the log record itself) into the unit's facts. a
// reads the event's attributes; body is the log body (empty for span events).
func (m *Mapper) applyEvent(u *unit, name string, a *attrView, body pcommon.Value, at time.Time) {
	f := &u.facts
	if role, ok := messageEventRoles[name]; ok {
		if f.convention == "" {
			f.convention = convGenAI
		}
		doc := eventDocument(a, body)
		msgs := parseMessages(doc, role)
		switch {
		case name == eventChoice:
			f.outputs = append(f.outputs, msgs...)
		case role == "system":
			for _, msg := range msgs {
				f.system = append(f.system, msg.text())
			}
		default:
			f.inputs = append(f.inputs, msgs...)
		}
		return
	}
	switch name {
	case eventContentPrompt:
		f.inputs = append(f.inputs, a.messages("gen_ai.prompt", "user", false)...)
	case eventContentComplete:
		f.outputs = append(f.outputs, a.messages("gen_ai.completion", "assistant", false)...)
	case eventOperationDetails:
		if f.convention == "" {
			f.convention = convGenAI
		}
		details := facts{kind: kindLLM}
		extract(a, &details)
		f.merge(&details)
	case eventReasoning:
		if f.convention == "" {
			f.convention = convAgentAudit
		}
		before := len(f.reasoning)
		extractReasoningAttrs(a, f)
		if len(f.reasoning) == before && body.Type() != pcommon.ValueTypeEmpty {
			if r, ok := reasoningFromBody(rawValue(body, 0), a.p); ok {
				f.reasoning = append(f.reasoning, r)
			}
		}
		for i := before; i < len(f.reasoning); i++ {
			f.reasoning[i].at = at
		}
	case eventException:
		e := exceptionFact{at: at}
		e.typ, _ = a.str("exception.type")
		e.message, _ = a.str("exception.message")
		e.stack, _ = a.str("exception.stacktrace")
		// One exception recorded twice on its span is one failure: Semantic Kernel records it where
		// the function raised and again as it leaves start_as_current_span. The first, whose stack
		// ends where it was raised, stays.
		if !slices.ContainsFunc(u.exceptions, func(p exceptionFact) bool { return p.typ == e.typ && p.message == e.message }) {
			u.exceptions = append(u.exceptions, e)
		}
	}
}

// eventDocument is the content of a deprecated message event: the log body when there is one (a map,
// or a string taken as the content), else the event's attributes.
func eventDocument(a *attrView, body pcommon.Value) any {
	switch body.Type() {
	case pcommon.ValueTypeMap:
		return rawValue(body, 0)
	case pcommon.ValueTypeStr:
		if j, ok := decodeJSON(body.Str()); ok {
			if _, isMap := j.(map[string]any); isMap {
				return j
			}
		}
		return map[string]any{"content": body.Str()}
	}
	doc := map[string]any{}
	for _, k := range []string{"content", "role", "id", "finish_reason", "index"} {
		if v, ok := a.get(k); ok {
			a.consume(k)
			doc[k] = rawValue(v, 0) // content is text even when it looks like JSON
		}
	}
	for _, k := range []string{"tool_calls", "message"} {
		if v, ok := a.structuredPresent(k); ok {
			doc[k] = v
		}
	}
	return doc
}
