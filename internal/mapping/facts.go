package mapping

import (
	"strings"
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

	agent     agentInfo
	errorType string

	reasoning []reasoningFact
}

type tokenCounts struct{ in, out, total *int64 }

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

// vercelOperations are the Vercel AI SDK (v4–v6) top-level span names; "<op>.doGenerate" and
// "<op>.doStream" children are the provider calls.
var vercelOperations = map[string]bool{
	"ai.generateText": true, "ai.streamText": true, "ai.generateObject": true, "ai.streamObject": true,
}

// classify decides kind and convention from the operation attributes and the span name.
func classify(a *attrView, name string, f *facts) {
	op, _ := a.str("gen_ai.operation.name")
	f.operation = op
	oiKind, _ := a.str("openinference.span.kind")
	tlKind, _ := a.str("traceloop.span.kind")
	vercelOp, _ := a.str("ai.operationId")
	if vercelOp == "" && strings.HasPrefix(name, "ai.") {
		vercelOp = name
	}
	defer func() {
		f.recognised = f.kind != kindOther || op != "" || oiKind != "" || tlKind != "" || f.convention == convVercel
	}()
	switch {
	case oiKind != "":
		f.convention = convOpenInference
	case vercelOp != "" && (a.has("ai.model.id") || a.has("ai.toolCall.name") || vercelOperations[vercelOp] || strings.HasPrefix(vercelOp, "ai.")):
		f.convention = convVercel
	case tlKind != "" || a.has("llm.request.type") || a.has("gen_ai.prompt.0.role") || a.has("gen_ai.completion.0.role") || a.has("gen_ai.prompt.0.content"):
		f.convention = convTraceloop
	default:
		f.convention = convGenAI
	}
	switch strings.ToLower(op) {
	case "invoke_agent", "create_agent":
		f.kind = kindAgent
		return
	case "agent_step":
		f.kind = kindStep
		return
	case "chat", "text_completion", "generate_content", "embeddings", "responses":
		f.kind = kindLLM
		return
	case "execute_tool":
		f.kind = kindTool
		return
	}
	switch strings.ToUpper(oiKind) {
	case "AGENT":
		f.kind, f.operation = kindAgent, "agent"
		return
	case "LLM", "EMBEDDING":
		f.kind, f.operation = kindLLM, strings.ToLower(oiKind)
		return
	case "TOOL":
		f.kind, f.operation = kindTool, "tool"
		return
	case "":
	default:
		f.kind, f.operation = kindOther, strings.ToLower(oiKind)
		return
	}
	switch strings.ToLower(tlKind) {
	case "workflow", "agent":
		f.kind, f.operation = kindAgent, strings.ToLower(tlKind)
		return
	case "tool":
		f.kind, f.operation = kindTool, "tool"
		return
	case "":
	default:
		f.kind, f.operation = kindOther, strings.ToLower(tlKind)
		return
	}
	if f.convention == convVercel {
		f.operation = vercelOp
		switch {
		case vercelOperations[vercelOp]:
			f.kind = kindAgent
		case strings.HasSuffix(vercelOp, ".doGenerate") || strings.HasSuffix(vercelOp, ".doStream") || strings.HasSuffix(vercelOp, ".doEmbed"):
			f.kind = kindLLM
		case vercelOp == "ai.toolCall":
			f.kind = kindTool
		}
		return
	}
	if t, ok := a.str("llm.request.type"); ok {
		f.kind, f.operation = kindLLM, t
		return
	}
	if a.has("gen_ai.request.model") || a.has("gen_ai.system") || a.has("gen_ai.provider.name") {
		f.kind = kindLLM
		if f.operation == "" {
			f.operation = "chat"
		}
	}
}

// extract reads everything the mapping understands from the attributes. Keys of every convention are
// tried; they are namespaced, so a span only ever matches its own.
func extract(a *attrView, f *facts) {
	f.requestModel = a.firstStr("gen_ai.request.model", "ai.model.id", "llm.request.model")
	f.responseModel = a.firstStr("gen_ai.response.model", "ai.response.model", "llm.model_name", "llm.response.model")
	f.provider = a.firstStr("gen_ai.provider.name", "gen_ai.system", "ai.model.provider", "llm.provider", "llm.system")

	f.agent = agentInfo{
		name:    a.firstStr("gen_ai.agent.name", "agent.name"),
		id:      a.firstStr("gen_ai.agent.id", "agent.id"),
		version: a.firstStr("gen_ai.agent.version", "agent.version"),
	}
	if f.agent.name == "" && f.kind == kindAgent {
		f.agent.name = a.firstStr("ai.telemetry.functionId", "traceloop.entity.name")
	}
	f.errorType, _ = a.str("error.type")

	if fr, ok := a.structuredPresent("gen_ai.response.finish_reasons"); ok {
		switch t := fr.(type) {
		case []any:
			for _, e := range t {
				if s, ok := asString(e); ok {
					f.finish = append(f.finish, s)
				}
			}
		case string:
			f.finish = []string{t}
		default:
			a.release("gen_ai.response.finish_reasons")
			a.p.malformed = true
		}
	}
	if fr := a.firstStr("ai.response.finishReason"); fr != "" {
		f.finish = []string{fr}
	}

	if f.kind == kindLLM {
		// Agent spans often repeat the summed usage of their model calls; that stays in attributes
		// rather than being counted twice.
		f.tokens.in = a.firstCount("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt", "ai.usage.inputTokens", "ai.usage.promptTokens", "llm.usage.prompt_tokens")
		f.tokens.out = a.firstCount("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion", "ai.usage.outputTokens", "ai.usage.completionTokens", "llm.usage.completion_tokens")
		f.tokens.total = a.firstCount("gen_ai.usage.total_tokens", "llm.token_count.total", "llm.usage.total_tokens", "ai.usage.totalTokens")
		for _, k := range []string{"gen_ai.usage.cost", "llm.cost.total"} {
			if c, ok := a.number(k); ok {
				f.cost = &c
				break
			}
		}
		if f.cost == nil && a.has("llm.cost.prompt") && a.has("llm.cost.completion") {
			in, okIn := a.number("llm.cost.prompt")
			out, okOut := a.number("llm.cost.completion")
			if okIn && okOut {
				c := in + out
				f.cost = &c
			} else { // keep both in attributes rather than half a cost
				a.release("llm.cost.prompt")
				a.release("llm.cost.completion")
			}
		}
	}
	extractMessages(a, f)
	if f.kind == kindTool {
		extractTool(a, f)
	}
	extractReasoningAttrs(a, f)
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

func extractMessages(a *attrView, f *facts) {
	// GenAI semconv 1.37+: JSON strings or structured AnyValues.
	if v, ok := a.document("gen_ai.system_instructions"); ok {
		f.system = append(f.system, systemTexts(v)...)
	}
	f.inputs = append(f.inputs, a.messages("gen_ai.input.messages", "user", true)...)
	f.outputs = append(f.outputs, a.messages("gen_ai.output.messages", "assistant", true)...)
	// Deprecated single-attribute forms (JSON message lists or plain text).
	f.inputs = append(f.inputs, a.messages("gen_ai.prompt", "user", false)...)
	f.outputs = append(f.outputs, a.messages("gen_ai.completion", "assistant", false)...)
	// OpenLLMetry flattened gen_ai.prompt.N.* / gen_ai.completion.N.*.
	if g := a.group("gen_ai.prompt."); g != nil {
		f.inputs = append(f.inputs, parseMessages(g, "user")...)
	}
	if g := a.group("gen_ai.completion."); g != nil {
		f.outputs = append(f.outputs, parseMessages(g, "assistant")...)
	}
	// OpenInference flattened llm.input_messages.N.message.*.
	if g := a.group("llm.input_messages."); g != nil {
		f.inputs = append(f.inputs, parseMessages(g, "user")...)
	}
	if g := a.group("llm.output_messages."); g != nil {
		f.outputs = append(f.outputs, parseMessages(g, "assistant")...)
	}
	// Vercel AI SDK.
	f.inputs = append(f.inputs, a.messages("ai.prompt.messages", "user", false)...)
	if v, ok := a.structuredPresent("ai.prompt"); ok {
		f.inputs = append(f.inputs, vercelPrompt(v, f)...)
	}
	var vercelOut message
	if s, ok := a.str("ai.response.text"); ok {
		vercelOut.parts = append(vercelOut.parts, part{kind: partText, text: s})
	}
	if s, ok := a.str("ai.response.reasoning"); ok && s != "" {
		vercelOut.parts = append(vercelOut.parts, part{kind: partReasoning, text: s})
	}
	if v, ok := a.structuredPresent("ai.response.toolCalls"); ok {
		if list, ok := v.([]any); ok {
			for _, c := range list {
				vercelOut.parts = appendPart(vercelOut.parts, withType(c, "tool_call"))
			}
		} else {
			a.release("ai.response.toolCalls")
			a.p.malformed = true
		}
	}
	if len(vercelOut.parts) > 0 {
		vercelOut.role = "assistant"
		f.outputs = append(f.outputs, vercelOut)
	}
	// Generic input.value / output.value (OpenInference) and traceloop.entity.input/output: the
	// agent's (or tool's) input and output. For model spans they are only a fallback.
	if f.kind == kindTool {
		return
	}
	if len(f.inputs) == 0 {
		if v, ok := a.structuredPresent("input.value"); ok {
			f.inputs = append(f.inputs, parseMessages(unwrapEntity(v), "user")...)
		} else if v, ok := a.structuredPresent("traceloop.entity.input"); ok {
			f.inputs = append(f.inputs, parseMessages(unwrapEntity(v), "user")...)
		}
	}
	if len(f.outputs) == 0 {
		if v, ok := a.structuredPresent("output.value"); ok {
			f.outputs = append(f.outputs, parseMessages(unwrapEntity(v), "assistant")...)
		} else if v, ok := a.structuredPresent("traceloop.entity.output"); ok {
			f.outputs = append(f.outputs, parseMessages(unwrapEntity(v), "assistant")...)
		}
	}
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
	if _, isList := m["messages"]; isList {
		return m
	}
	for _, k := range []string{"input", "question", "query", "output", "answer", "result", "text", "content"} {
		if s, ok := m[k].(string); ok && len(m) == 1 {
			return s
		}
	}
	return literalText(canonicalText(v))
}

// vercelPrompt reads ai.prompt: {"system": …, "prompt": "…"} or {"system": …, "messages": […]}.
func vercelPrompt(v any, f *facts) []message {
	m, ok := v.(map[string]any)
	if !ok {
		return parseMessages(v, "user")
	}
	if s := getStr(m, "system"); s != "" {
		f.system = append(f.system, s)
	}
	var out []message
	switch p := m["prompt"].(type) {
	case string:
		out = append(out, message{role: "user", parts: []part{{kind: partText, text: p}}})
	case []any:
		out = append(out, parseMessages(p, "user")...)
	}
	if msgs, ok := m["messages"]; ok {
		out = append(out, parseMessages(msgs, "user")...)
	}
	return out
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

func extractTool(a *attrView, f *facts) {
	f.toolName = a.firstStr("gen_ai.tool.name", "ai.toolCall.name", "tool.name", "tool_call.function.name", "traceloop.entity.name")
	f.toolCallID = a.firstStr("gen_ai.tool.call.id", "ai.toolCall.id", "tool_call.id")
	for _, k := range []string{"gen_ai.tool.call.arguments", "ai.toolCall.args", "ai.toolCall.input", "tool_call.function.arguments", "input.value", "traceloop.entity.input", "tool.parameters"} {
		if v, ok := a.structuredPresent(k); ok {
			if k == "traceloop.entity.input" {
				v = unwrapToolInput(v)
			}
			f.toolArgs, f.hasArgs = v, true
			break
		}
	}
	for _, k := range []string{"gen_ai.tool.call.result", "ai.toolCall.result", "ai.toolCall.output", "output.value", "traceloop.entity.output"} {
		if v, ok := a.structuredPresent(k); ok {
			f.toolResult, f.hasResult = v, true
			break
		}
	}
}

// unwrapToolInput turns OpenLLMetry's {"args":[],"kwargs":{…}} into the keyword arguments.
func unwrapToolInput(v any) any {
	if m, ok := v.(map[string]any); ok {
		if kw, ok := m["kwargs"].(map[string]any); ok {
			if args, _ := m["args"].([]any); len(args) == 0 {
				return kw
			}
		}
	}
	return v
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
