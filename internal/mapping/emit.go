package mapping

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// unit is one span, or one log record, on its way to records.
type unit struct {
	signal                    string
	traceID, spanID, parentID string
	name, scope               string
	start, end                time.Time
	observed                  time.Time
	status, statusMessage     string // ok | error | unset
	idExtra                   []string

	view     *attrView
	spanView attrView // a span's view lives here (view points to it): one allocation less per span
	facts    facts
	probs    problems
	res      *resourceInfo

	exceptions []exceptionFact
	links      []spanLink
	// foldedInto is the unit that records this unit's failure (see foldErrors); propagatedTo lists
	// the spans whose failure this unit records as its own.
	foldedInto   *unit
	propagatedTo []string
	id           identity
	agent        agentInfo

	// unmatched: a log record no dialect recognised whose body was malformed (counted, not mapped).
	unmatched bool

	counters   typeCounters
	counterBuf [4]typeCount // counters' first backing array, in the unit's own allocation
	records    []*auditrecord.Record
	recordBuf  [4]*auditrecord.Record // records' first backing array
	usage      usage                  // callUsage
}

// typeCounters numbers a unit's records per type. A unit emits a few types, so a short list
// scanned linearly (backed by unit.counterBuf) replaces a map and its two allocations per unit.
type typeCounters []typeCount

type typeCount struct {
	typ auditrecord.Type
	n   int
}

// next returns how many records of typ were numbered before and counts one more.
func (c *typeCounters) next(typ auditrecord.Type) int {
	for i := range *c {
		if (*c)[i].typ == typ {
			(*c)[i].n++
			return (*c)[i].n - 1
		}
	}
	*c = append(*c, typeCount{typ, 1})
	return 0
}

type exceptionFact struct {
	typ, message, stack string
	at                  time.Time
}

// traceState is what one trace's units share within a batch: inherited identity and the sets that
// keep a trace from recording the same thing twice.
type traceState struct {
	id            identity         // the first of each id any unit of the trace carries
	seenInputs    map[textKey]bool // (role, content)
	seenOutputs   map[string]keptOutput
	seenErrors    map[textKey]*auditrecord.Error // (type, message): the record, nil when none was made
	richThoughts  map[string][]window            // thoughts an agent.reasoning report (with plan or confidence) carries, and when
	requested     map[string]bool
	executedIDs   map[string]bool
	executedNames map[string]bool // tools executed by spans that carry no call id
	toolResults   map[string]any
	// silentCall is the trace's last-ending model call whose span carries no response (Semantic
	// Kernel writes it as a gen_ai.choice log record): the call an agent's stated answer came from.
	silentCall *unit
}

// keptOutput is an answer the trace recorded (out nil: it recorded none for it) and whether an agent,
// step or application log stated it (rather than a model call).
type keptOutput struct {
	out    *auditrecord.Output
	stated bool
}

// textKey is a pair of strings as a map key: a struct hashes both without building their
// concatenation (a copy of the whole content per lookup).
type textKey struct{ first, second string }

// newTraceState returns an empty state. Its sets are made on first use (setTrue): most traces of
// a batch need only a few of them, and reading a nil map is fine.
func newTraceState() *traceState { return &traceState{} }

// setTrue adds k to the set *m, making the set first when it is nil.
func setTrue[K comparable](m *map[K]bool, k K) {
	if *m == nil {
		*m = map[K]bool{}
	}
	(*m)[k] = true
}

// index records what the other units of the trace need to know before any unit emits: which tool
// calls were executed, and the tool results the model was given back.
func (ts *traceState) index(u *unit) {
	f := &u.facts
	if f.kind == kindTool {
		if f.toolCallID != "" {
			setTrue(&ts.executedIDs, f.toolCallID)
		}
		if f.toolCallID == "" && f.toolName != "" {
			// An execution without a call id (OpenLLMetry tool spans) answers requests by tool name.
			setTrue(&ts.executedNames, f.toolName)
		}
	}
	for _, r := range f.reasoning {
		if key := strings.TrimSpace(r.thought); key != "" && (len(r.plan) > 0 || r.confidence != nil) {
			at := r.at
			if at.IsZero() {
				at = u.start
			}
			if ts.richThoughts == nil {
				ts.richThoughts = map[string][]window{}
			}
			ts.richThoughts[key] = append(ts.richThoughts[key], instant(at))
		}
	}
	for _, msg := range f.inputs {
		for _, p := range msg.parts {
			if p.kind == partToolResult && p.id != "" {
				if _, dup := ts.toolResults[p.id]; !dup {
					if ts.toolResults == nil {
						ts.toolResults = map[string]any{}
					}
					ts.toolResults[p.id] = p.result
				}
			}
		}
	}
}

// recordBlock allocates a record together with the sections every mapped record carries, one
// allocation instead of four; each record still has sections of its own.
type recordBlock struct {
	record  auditrecord.Record
	source  auditrecord.Source
	agent   auditrecord.Agent
	service auditrecord.Service
}

// The blocks below allocate a record together with its typed section (and the duration it
// points to): one allocation per record instead of two or three.
type (
	agentRunBlock struct {
		recordBlock
		run      auditrecord.AgentRun
		duration float64
	}
	llmCallBlock struct {
		recordBlock
		call     auditrecord.LLMCall
		duration float64
		usage    usageBlock
	}
	inputBlock struct {
		recordBlock
		input auditrecord.Input
	}
	outputBlock struct {
		recordBlock
		output auditrecord.Output
	}
	reasoningBlock struct {
		recordBlock
		reasoning auditrecord.Reasoning
	}
	toolCallBlock struct {
		recordBlock
		call     auditrecord.ToolCall
		duration float64
	}
)

func (u *unit) newRecord(m *Mapper, typ auditrecord.Type, ts time.Time) *auditrecord.Record {
	return u.newRecordIn(m, &recordBlock{}, typ, ts)
}

// newRecordIn is newRecord in a block the caller allocated (inside one of the typed blocks).
func (u *unit) newRecordIn(m *Mapper, block *recordBlock, typ auditrecord.Type, ts time.Time) *auditrecord.Record {
	idx := u.counters.next(typ)
	if len(u.records) == 0 {
		// The unit's first record: its name and scope are cleaned once, for all its records (not
		// again: cleanString's truncation marker would be cut anew).
		u.name, u.scope = m.cleanString(u.name, &u.probs), m.cleanString(u.scope, &u.probs)
	}
	// A fixed-size array keeps the id's parts on the stack for the usual handful of them.
	var partsArr [8]string
	parts := append(partsArr[:0], u.traceID, u.spanID, string(typ), strconv.Itoa(idx))
	parts = append(parts, u.idExtra...)
	*block = recordBlock{
		record: auditrecord.Record{
			SchemaVersion:     auditrecord.SchemaVersion,
			RecordID:          auditrecord.NewRecordID(parts...),
			Type:              typ,
			Timestamp:         ts.UTC(),
			ObservedTimestamp: u.observed.UTC(),
			SessionID:         u.id.sessionID(),
			ConversationID:    u.id.conversationID(),
			UserID:            u.id.user,
			TraceID:           u.traceID,
			SpanID:            u.spanID,
			ParentSpanID:      u.parentID,
		},
		source: auditrecord.Source{Signal: u.signal, Convention: u.facts.convention, Name: u.name, Scope: u.scope},
	}
	r := &block.record
	r.Source = &block.source
	if u.agent != (agentInfo{}) {
		block.agent = auditrecord.Agent{Name: u.agent.name, ID: u.agent.id, Version: u.agent.version}
		r.Agent = &block.agent
	}
	if u.res != nil && u.res.service != nil {
		block.service = *u.res.service
		r.Service = &block.service
	}
	if u.records == nil {
		u.records = u.recordBuf[:0] // a model call's records, in the unit's own allocation
	}
	u.records = append(u.records, r)
	return r
}

// durationOf sets *d to the unit's duration in milliseconds and returns d, or nil when the unit
// has no duration (d then lives in the record's block, see agentRunBlock).
func (u *unit) durationOf(d *float64) *float64 {
	if u.start.IsZero() || u.end.IsZero() || u.end.Before(u.start) {
		return nil
	}
	*d = float64(u.end.Sub(u.start).Nanoseconds()) / 1e6
	return d
}

// endTime is when outputs and tool results happened: the span end, or the start when no end is known.
func (u *unit) endTime() time.Time {
	if u.end.IsZero() || u.end.Before(u.start) {
		return u.start
	}
	return u.end
}

func (u *unit) failed() bool {
	return u.status == "error" || u.facts.errorType != "" || u.facts.failedBy != "" || len(u.exceptions) > 0
}

// emit turns a unit's facts into records. Units of a trace must be emitted in emitOrder.
func (m *Mapper) emit(u *unit, ts *traceState) {
	if u.counters == nil {
		u.counters = u.counterBuf[:0]
	}
	f := &u.facts
	var envelope *auditrecord.Record
	switch {
	case f.kind == kindAgent:
		b := &agentRunBlock{}
		envelope = u.newRecordIn(m, &b.recordBlock, auditrecord.TypeAgentRun, u.start)
		b.run = auditrecord.AgentRun{Operation: m.cleanString(f.operation, &u.probs), Status: u.status, DurationMS: u.durationOf(&b.duration)}
		envelope.AgentRun = &b.run
	case f.kind == kindLLM && u.signal == signalTraces:
		b := &llmCallBlock{}
		envelope = u.newRecordIn(m, &b.recordBlock, auditrecord.TypeLLMCall, u.start)
		usage := u.callUsage(m, &b.usage)
		b.call = auditrecord.LLMCall{
			Operation: f.operation, Model: f.model(), Provider: f.provider, Status: u.status,
			DurationMS: u.durationOf(&b.duration), Tokens: usage.tokens, Cost: usage.cost, CostSource: usage.costSource,
		}
		envelope.LLMCall = &b.call
	}

	var firstOutput *auditrecord.Record
	if f.kind != kindOther { // chains, tasks, retrievers: their input/output is the app's plumbing
		m.emitInputs(u, ts)
		firstOutput = m.emitOutputs(u, ts)
	}

	var toolRecord *auditrecord.Record
	if f.kind == kindTool {
		toolRecord = m.emitToolCall(u)
	}
	for _, r := range f.reasoning {
		when := r.at
		if when.IsZero() {
			when = u.start
		}
		if rec := m.emitThought(u, ts, r.thought, true, when); rec != nil {
			*rec.Reasoning = m.reasoningRecord(r, &u.probs)
		}
	}

	related := envelope
	switch {
	case toolRecord != nil:
		related = toolRecord
	case firstOutput != nil:
		related = firstOutput
	}
	m.emitErrors(u, ts, related)
}

// emitThought returns a new reasoning record for thought (its Reasoning set, empty, for the caller
// to fill), or nil when the thought is recorded
// elsewhere, by the richer report of it. A model's reasoning part and the agent's agent.reasoning
// event (with plan and confidence) at an overlapping time are one thought: the event's record keeps
// it when both are in the batch (rich says this is such a report), and a thought the other signal
// already recorded is not recorded again. A skipped thought still takes its index.
func (m *Mapper) emitThought(u *unit, ts *traceState, thought string, rich bool, at time.Time) *auditrecord.Record {
	key := strings.TrimSpace(thought)
	if key == "" {
		return u.newReasoningRecord(m, at)
	}
	w, own, other := u.window(), joinThought, joinRichThought
	if rich {
		w, own, other = instant(at), joinRichThought, joinThought
	}
	inBatch := !rich && overlapsAny(ts.richThoughts[key], w)
	if inBatch || m.join.recordedByOtherSignal(u, other, key, w) {
		if !inBatch {
			// The service reports its thoughts on both signals: its spans will wait for such logs.
			m.join.learnReasoningService(u)
		}
		u.counters.next(auditrecord.TypeReasoning)
		return nil
	}
	m.join.rememberContent(u, own, key, w)
	return u.newReasoningRecord(m, at)
}

func (u *unit) newReasoningRecord(m *Mapper, at time.Time) *auditrecord.Record {
	b := &reasoningBlock{}
	r := u.newRecordIn(m, &b.recordBlock, auditrecord.TypeReasoning, at)
	r.Reasoning = &b.reasoning
	return r
}

func overlapsAny(ws []window, w window) bool {
	for _, o := range ws {
		if o.overlaps(w) {
			return true
		}
	}
	return false
}

func (m *Mapper) reasoningRecord(r reasoningFact, p *problems) auditrecord.Reasoning {
	out := auditrecord.Reasoning{Thought: m.cleanString(r.thought, p), Confidence: r.confidence}
	for _, s := range r.plan {
		out.Plan = append(out.Plan, m.cleanString(s, p))
	}
	return out
}

// callUsage is the unit's tokens and cost as records carry them, made once: a model call's envelope
// and its first output share them (records are read-only once mapped, as FillFrom's sharing
// already assumes).
// block, when not nil, is where they are kept (the envelope's own block); else one is allocated
// when there is anything to keep.
func (u *unit) callUsage(m *Mapper, block *usageBlock) *usage {
	if u.usage.made {
		return &u.usage
	}
	u.usage.made = true
	f := &u.facts
	cost, src, priced := m.costOf(f)
	if !priced && f.tokens == (tokenCounts{}) {
		return &u.usage
	}
	if block == nil {
		block = &usageBlock{}
	}
	u.usage.tokens = f.tokens.recordIn(block)
	if priced {
		block.cost = cost
		u.usage.cost, u.usage.costSource = &block.cost, src
	}
	return &u.usage
}

// usageBlock holds what a record's tokens and cost point to, in one allocation.
type usageBlock struct {
	tokens auditrecord.Tokens
	sum    int64 // the total when the telemetry gives none
	cost   float64
}

type usage struct {
	tokens     *auditrecord.Tokens
	cost       *float64
	costSource string
	made       bool
}

func (t tokenCounts) record() *auditrecord.Tokens {
	if t.in == nil && t.out == nil && t.total == nil {
		return nil
	}
	return t.recordIn(&usageBlock{}) // the tokens and a computed total share one allocation
}

// recordIn is record kept in block.
func (t tokenCounts) recordIn(block *usageBlock) *auditrecord.Tokens {
	if t.in == nil && t.out == nil && t.total == nil {
		return nil
	}
	block.tokens = auditrecord.Tokens{Input: t.in, Output: t.out, Total: t.total}
	out := &block.tokens
	if out.Total == nil {
		if t.in != nil {
			block.sum += *t.in
		}
		if t.out != nil {
			block.sum += *t.out
		}
		out.Total = &block.sum
	}
	return out
}

// cost is the telemetry's own cost when it reports one, else the price table's.
func (m *Mapper) cost(f *facts) (*float64, string) {
	if c, src, ok := m.costOf(f); ok {
		return &c, src
	}
	return nil, ""
}

// costOf is cost's value; ok is false when there is none.
func (m *Mapper) costOf(f *facts) (float64, string, bool) {
	if f.cost != nil {
		return *f.cost, costTelemetry, true
	}
	if f.tokens.in == nil && f.tokens.out == nil {
		return 0, "", false
	}
	var in, out int64
	if f.tokens.in != nil {
		in = *f.tokens.in
	}
	if f.tokens.out != nil {
		out = *f.tokens.out
	}
	if c, ok := m.prices.cost(f.model(), in, out); ok {
		return c, costPriceTable, true
	}
	return 0, "", false
}

const (
	costTelemetry  = "telemetry"
	costPriceTable = "price_table"
	signalTraces   = "traces"
	signalLogs     = "logs"
)

func isSystemRole(r string) bool { return r == "system" || r == "developer" }
func isUserRole(r string) bool   { return r == "user" || r == "human" || r == "" }

// emitInputs records system instructions and the user messages the unit adds to the conversation.
// A model call re-sends the whole history, so only the user messages after the last assistant or
// tool message are new; and each (role, content) is recorded once per trace.
func (m *Mapper) emitInputs(u *unit, ts *traceState) {
	f := &u.facts
	addInput := func(role, source, content string) {
		if content == "" {
			return
		}
		key := textKey{role, content}
		if ts.seenInputs[key] {
			return
		}
		setTrue(&ts.seenInputs, key)
		kind := joinInput
		if role == "system" {
			kind = joinSystemInput
		}
		if !m.join.recordOnce(u, kind, content, u.window().widen(reportTimeWindow)) {
			u.counters.next(auditrecord.TypeInput) // the other signal recorded it; ids stay what they were
			return
		}
		b := &inputBlock{}
		r := u.newRecordIn(m, &b.recordBlock, auditrecord.TypeInput, u.start)
		b.input = auditrecord.Input{Content: m.cleanString(content, &u.probs), Role: role, Source: source}
		r.Input = &b.input
	}
	for _, s := range f.system {
		addInput("system", "system_instructions", s)
	}
	lastTurnEnd := -1
	for i, msg := range f.inputs {
		if !isSystemRole(msg.role) && !isUserRole(msg.role) {
			lastTurnEnd = i
		}
	}
	for i, msg := range f.inputs {
		switch {
		case isSystemRole(msg.role):
			addInput("system", "system_instructions", msg.text())
		case isUserRole(msg.role) && i > lastTurnEnd:
			addInput("user", "user_message", msg.text())
		}
	}
}

// emitOutputs records each model response (text, reasoning parts, requested tool calls) and returns
// the first output record, the one errors of a model call link to.
func (m *Mapper) emitOutputs(u *unit, ts *traceState) *auditrecord.Record {
	f := &u.facts
	var first *auditrecord.Record
	at := u.endTime()
	if f.kind == kindLLM && u.signal == signalTraces && len(f.outputs) == 0 && (ts.silentCall == nil || !u.endTime().Before(ts.silentCall.endTime())) {
		ts.silentCall = u
	}
	for i, msg := range f.outputs {
		if msg.role != "assistant" && msg.role != "model" && msg.role != "" {
			continue
		}
		content := msg.text()
		key := strings.TrimSpace(content)
		// A model response is an output unless it only asks for tools (its tool_call records say
		// what it asked) or another span or signal of the trace already recorded the same answer:
		// an agent's final answer is usually the last model response, already recorded.
		// Two model calls of a trace may well give the same text; an agent or step repeating it, or
		// the other signal reporting it again (a gen_ai.choice log beside the span), is the same answer.
		emitOutput := key != "" || (f.kind == kindLLM && !msg.has(partToolCall))
		// The application's own statement of the answer (an agent_log line) repeats it like an agent span.
		stated := f.kind != kindLLM || f.convention == convAgentLog
		prev, seen := ts.seenOutputs[key]
		copied := key != "" && seen && (stated || prev.stated)
		if copied || (key != "" && m.join.recordedByOtherSignal(u, joinOutput, key, u.window())) {
			emitOutput = false
		}
		var block *outputBlock // the record's, allocated with its output
		var out *auditrecord.Output
		if emitOutput {
			block = &outputBlock{}
			out = &block.output
		} else {
			out = new(auditrecord.Output) // still read: the same answer's earlier record takes its fields
		}
		*out = auditrecord.Output{Content: m.cleanString(content, &u.probs), Model: f.model(), Provider: f.provider}
		finish := msg.finish
		if finish == "" && i < len(f.finish) {
			finish = f.finish[i]
		}
		out.FinishReason = m.cleanString(finish, &u.probs)
		if first == nil && f.kind == kindLLM {
			usage := u.callUsage(m, nil)
			out.Tokens, out.Cost, out.CostSource = usage.tokens, usage.cost, usage.costSource
		}
		if copied && prev.out != nil {
			prev.out.FillFrom(out) // one answer reported twice in the batch: its record has the fields of both
		}
		if stated && !seen && ts.silentCall != nil && !ts.silentCall.endTime().After(at) {
			m.fillFromCall(out, &ts.silentCall.facts) // no model span told the answer: the call that ended last made it
		}
		if !emitOutput {
			u.counters.next(auditrecord.TypeOutput) // the span's other output ids stay what they were
		}
		if key != "" && !seen {
			if ts.seenOutputs == nil {
				ts.seenOutputs = map[string]keptOutput{}
			}
			ts.seenOutputs[key] = keptOutput{stated: stated}
		}
		if emitOutput {
			r := u.newRecordIn(m, &block.recordBlock, auditrecord.TypeOutput, at)
			r.Output = out
			if key != "" {
				m.join.rememberContent(u, joinOutput, key, u.window())
				if !seen {
					ts.seenOutputs[key] = keptOutput{out: out, stated: stated}
				}
			}
			if first == nil {
				first = r
			}
		}
		for _, p := range msg.parts {
			switch p.kind {
			case partReasoning:
				if p.text == "" {
					continue
				}
				if rec := m.emitThought(u, ts, p.text, false, at); rec != nil {
					rec.Reasoning.Thought = m.cleanString(p.text, &u.probs)
				}
			case partToolCall:
				m.emitRequestedTool(u, ts, p, at)
			}
		}
	}
	return first
}

// emitRequestedTool records a tool call the model asked for when no execution of it is in the batch
// (or, for logs, among the spans this Mapper saw). A suppressed request still takes its index, so
// the ids of the other records of the span do not depend on what else was in the batch.
func (m *Mapper) emitRequestedTool(u *unit, ts *traceState, p part, at time.Time) {
	executed := ts.executedNames[p.name]
	if p.id != "" {
		executed = executed || ts.executedIDs[p.id] || ts.requested[p.id] || (u.signal == signalLogs && m.join.wasExecuted(u.traceID, p.id))
		setTrue(&ts.requested, p.id)
	}
	// An execution the application logged answers a span's request too (a request is never
	// remembered: the execution logged after it is still recorded). A log's request is matched to
	// the spans' executions by call id above.
	executed = executed || (u.signal == signalTraces && m.join.toolRecordedByOtherSignal(u, p.name, p.args, p.hasArgs, u.window()))
	if executed {
		u.counters.next(auditrecord.TypeToolCall)
		return
	}
	b := &toolCallBlock{}
	r := u.newRecordIn(m, &b.recordBlock, auditrecord.TypeToolCall, at)
	b.call = auditrecord.ToolCall{ToolName: m.toolName(p.name, &u.probs), CallID: m.cleanString(p.id, &u.probs), Status: auditrecord.ToolStatusRequested}
	tc := &b.call
	if p.hasArgs {
		tc.Parameters = m.cleanPlain(p.args, 0, &u.probs)
	}
	if res, ok := ts.toolResults[p.id]; ok && p.id != "" {
		// No execution was reported, but the result was handed back to the model. Whether the tool
		// succeeded the result alone does not say, so the status stays requested.
		tc.Result = m.cleanPlain(resultValue(res), 0, &u.probs)
	}
	r.ToolCall = tc
}

func (m *Mapper) toolName(name string, p *problems) string {
	if name == "" {
		return "unknown"
	}
	return m.cleanString(name, p)
}

// emitToolCall records the executed tool call, or returns nil when the other signal recorded it.
func (m *Mapper) emitToolCall(u *unit) *auditrecord.Record {
	f := &u.facts
	if !m.join.recordToolOnce(u, f.toolName, f.toolArgs, f.hasArgs, u.window()) {
		u.counters.next(auditrecord.TypeToolCall)
		return nil
	}
	b := &toolCallBlock{}
	r := u.newRecordIn(m, &b.recordBlock, auditrecord.TypeToolCall, u.endTime())
	b.call = auditrecord.ToolCall{ToolName: m.toolName(f.toolName, &u.probs), CallID: m.cleanString(f.toolCallID, &u.probs), Status: auditrecord.ToolStatusSuccess, DurationMS: u.durationOf(&b.duration)}
	tc := &b.call
	if f.hasArgs {
		tc.Parameters = m.cleanPlain(f.toolArgs, 0, &u.probs)
	}
	if f.hasResult {
		tc.Result = m.cleanPlain(f.toolResult, 0, &u.probs)
	}
	if u.failed() {
		tc.Status = auditrecord.ToolStatusError
		if !f.hasResult {
			if msg := u.errorMessage(); msg != "" {
				tc.Result = m.cleanString(msg, &u.probs)
			}
		}
	}
	r.ToolCall = tc
	return r
}

// fillFromCall gives an answer the model, tokens and cost of the model call that produced it.
func (m *Mapper) fillFromCall(dst *auditrecord.Output, call *facts) {
	src := &auditrecord.Output{Model: call.model(), Provider: call.provider, Tokens: call.tokens.record()}
	src.Cost, src.CostSource = m.cost(call)
	dst.FillFrom(src)
}

func fillString(dst *string, src string) {
	if *dst == "" {
		*dst = src
	}
}

// canonicalText renders a structured value as compact JSON text for a content field.
func canonicalText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // content is text for people, not HTML
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSpace(b.String())
}
