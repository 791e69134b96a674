package mapping

import (
	"time"
)

// spanKind says which envelope a span gets and how its content is treated.
type spanKind int

const (
	kindOther spanKind = iota // chains, tasks, retrievers: only errors and reasoning are mapped
	kindAgent                 // agent_run envelope; inputs/outputs deduplicated against the trace
	kindStep                  // an agent step (Vercel AI v7 "step N") or a log event: no envelope, content deduplicated
	kindLLM                   // llm_call envelope; inputs, outputs, reasoning, requested tool calls
	kindTool                  // tool_call record
)

const (
	convGenAI         = "gen_ai"
	convOpenInference = "openinference"
	convTraceloop     = "traceloop"
	convVercel        = "vercel_ai"
	convAgentAudit    = "agentaudit"
	convAgentLog      = "agent_log"
	convLangfuse      = "langfuse"
	convLangSmith     = "langsmith"
	convGenkit        = "genkit"
)

// facts is what one span (or one log event) says, whatever convention spelled it.
type facts struct {
	kind       spanKind
	recognised bool // an AI framework marked the span (kind other than plain "other", or a kind attribute)
	convention string
	operation  string

	requestModel, responseModel, provider string
	tokens                                tokenCounts
	cost                                  *float64

	system  []string  // system instructions
	inputs  []message // the input history sent to the model, or the agent's input
	outputs []message // model responses, or the agent's final answer
	finish  []string  // gen_ai.response.finish_reasons

	toolName, toolCallID string
	toolArgs, toolResult any
	hasArgs, hasResult   bool

	agent         agentInfo
	errorType     string
	failedBy      string // the attribute (a level or state) that says the span failed
	statusMessage string // the failure message an attribute gives

	reasoning []reasoningFact

	log *logFacts // what only log events say; nil for spans

	counts *countSlots // backs tokens' pointers (countSlot)
	// finishBuf and systemBuf back finish and system for the usual one finish reason and one
	// system text of a model call, in the unit's own allocation.
	finishBuf, systemBuf [1]string
}

// logFacts are the fields only log dialects feed.
type logFacts struct {
	durationMS      *float64
	stack, recovery string
	thought         string
	plan            []string
	confidence      *float64
}

func (f *facts) logExtra() *logFacts {
	if f.log == nil {
		f.log = &logFacts{}
	}
	return f.log
}

type tokenCounts struct{ in, out, total *int64 }

// countSlots holds the token counts a span's attributes give, one allocation for the usual two or
// three; a slot is handed out once, so a count once read never changes under whoever holds it.
type countSlots struct {
	n    [3]int64
	used uint8
}

// countSlot returns where to keep a count read for fl (fieldTokensIn, Out or Total).
func (f *facts) countSlot(fl field) *int64 {
	i := int(fl - fieldTokensIn)
	if i < 0 || i >= len(countSlots{}.n) {
		return new(int64)
	}
	if f.counts == nil {
		f.counts = &countSlots{}
	}
	if f.counts.used&(1<<i) != 0 {
		return new(int64)
	}
	f.counts.used |= 1 << i
	return &f.counts.n[i]
}

type agentInfo struct{ name, id, version string }

type reasoningFact struct {
	at         time.Time // the event's time; zero for span attributes (then the span start)
	thought    string
	plan       []string
	confidence *float64
}

// merge adds what an operation details event says to the facts of its span (or log): content is
// appended, scalars fill only what the span left empty.
func (f *facts) merge(o *facts) {
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&f.requestModel, o.requestModel)
	fill(&f.responseModel, o.responseModel)
	fill(&f.provider, o.provider)
	fill(&f.errorType, o.errorType)
	fill(&f.agent.name, o.agent.name)
	fill(&f.agent.id, o.agent.id)
	fill(&f.agent.version, o.agent.version)
	for _, p := range []struct{ dst, src **int64 }{{&f.tokens.in, &o.tokens.in}, {&f.tokens.out, &o.tokens.out}, {&f.tokens.total, &o.tokens.total}} {
		if *p.dst == nil {
			*p.dst = *p.src
		}
	}
	if f.cost == nil {
		f.cost = o.cost
	}
	if len(f.finish) == 0 {
		f.finish = o.finish
	}
	f.system = append(f.system, o.system...)
	f.inputs = append(f.inputs, o.inputs...)
	f.outputs = append(f.outputs, o.outputs...)
	f.reasoning = append(f.reasoning, o.reasoning...)
}

func (f *facts) model() string {
	if f.responseModel != "" {
		return f.responseModel
	}
	return f.requestModel
}

// structuredPresent wraps attrView.structured for callers that only need presence.
func (a *attrView) structuredPresent(key string) (any, bool) {
	v, ok, _ := a.structured(key)
	return v, ok
}

// messages reads a message-list attribute; one that yields no message (a number, an unrelated
// object) is released to the attributes and counts as malformed. mustBeJSON marks the GenAI
// attributes whose plain-text value is itself malformed.
func (a *attrView) messages(key, defaultRole string, mustBeJSON bool) []message {
	var v any
	var ok bool
	if mustBeJSON {
		v, ok = a.document(key)
	} else {
		v, ok = a.structuredPresent(key)
	}
	if !ok {
		return nil
	}
	msgs := parseMessages(v, defaultRole)
	if len(msgs) == 0 {
		a.release(key)
		a.p.malformed = true
	}
	return msgs
}

// unwrapEntity reduces OpenLLMetry's {"args":["question"],"kwargs":{}} and similar single-value
// wrappers to the value; anything else is kept whole (as JSON text when it is not a message list).
func unwrapEntity(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if args, ok := m["args"].([]any); ok && len(args) == 1 {
		if kw, _ := m["kwargs"].(map[string]any); len(kw) == 0 {
			if s, ok := args[0].(string); ok {
				return s
			}
		}
	}
	if _, isMsg := m["role"]; isMsg {
		return m
	}
	if _, isWrapped := m["message"].(map[string]any); isWrapped { // Genkit's ModelResponse
		return m
	}
	if _, isCompletion := m["choices"].([]any); isCompletion {
		return m
	}
	if _, isList := m["messages"]; isList {
		return m
	}
	for _, k := range []string{"input", "question", "query", "output", "answer", "result", "text", "content"} {
		if s, ok := m[k].(string); ok && len(m) == 1 {
			return s
		}
	}
	for _, form := range entityForms {
		if len(m) == len(form.members) && hasAll(m, form.members) {
			s, _ := m[form.text].(string)
			return s
		}
	}
	if s, ok := entryText(m); ok {
		return s
	}
	return literalText(canonicalText(v))
}

func hasAll(m map[string]any, keys []string) bool {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

// systemTexts reads gen_ai.system_instructions: a list of parts, or plain text.
func systemTexts(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		msg := message{}
		for _, p := range t {
			msg.parts = appendPart(msg.parts, p)
		}
		if s := msg.text(); s != "" {
			return []string{s}
		}
	case map[string]any:
		msg := message{parts: appendPart(nil, t)}
		if s := msg.text(); s != "" {
			return []string{s}
		}
	}
	return nil
}

// kwargsEnvelope are the members of a recorded Python call ({"args":[],"kwargs":{…}}: OpenLLMetry,
// LlamaIndex without args, smolagents with its own call flag beside them); a map with any other
// member is a tool's own parameters.
var kwargsEnvelope = map[string]bool{"args": true, "kwargs": true, "sanitize_inputs_outputs": true}

// unwrapToolInput turns a recorded call without positional arguments into its keyword arguments.
func unwrapToolInput(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	kw, ok := m["kwargs"].(map[string]any)
	if args, _ := m["args"].([]any); !ok || len(args) > 0 {
		return v
	}
	for k := range m {
		if !kwargsEnvelope[k] {
			return v
		}
	}
	return kw
}

// extractReasoningAttrs reads our agent.reasoning.* attributes (see docs/audit-record.md).
func extractReasoningAttrs(a *attrView, f *facts) {
	if a.reasoningRead {
		return
	}
	a.reasoningRead = true
	var r reasoningFact
	found := false
	if s, ok := a.str("agent.reasoning.thought"); ok {
		r.thought, found = s, true
	}
	if v, ok := a.structuredPresent("agent.reasoning.plan"); ok {
		r.plan, found = planSteps(v), true
	}
	if a.has("agent.reasoning.confidence") {
		if c, ok := a.number("agent.reasoning.confidence"); ok && c <= 1 {
			r.confidence, found = &c, true
		} else {
			a.p.malformed = true
		}
	}
	if found {
		f.reasoning = append(f.reasoning, r)
	}
}

func planSteps(v any) []string {
	switch t := v.(type) {
	case string:
		if t == "" {
			return nil
		}
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			if s, ok := asString(e); ok {
				out = append(out, s)
			} else {
				out = append(out, canonicalText(e))
			}
		}
		return out
	}
	return []string{canonicalText(v)}
}

// reasoningFromBody reads an agent.reasoning event body {thought, plan[], confidence}.
func reasoningFromBody(v any, p *problems) (reasoningFact, bool) {
	switch t := v.(type) {
	case string:
		if t == "" {
			return reasoningFact{}, false
		}
		return reasoningFact{thought: t}, true
	case map[string]any:
		r := reasoningFact{thought: getStr(t, "thought", "content", "text")}
		if plan, ok := t["plan"]; ok {
			r.plan = planSteps(plan)
		}
		if c, ok := t["confidence"]; ok {
			if f, ok := asFloat(c); ok && f >= 0 && f <= 1 {
				r.confidence = &f
			} else {
				p.malformed = true
			}
		}
		return r, r.thought != "" || len(r.plan) > 0 || r.confidence != nil
	}
	return reasoningFact{}, false
}
