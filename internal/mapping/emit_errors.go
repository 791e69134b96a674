package mapping

// The error records of a unit: one per failure, once per trace and across the two signals.

import (
	"encoding/json"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// errorMessage is the first exception message, else the span status message.
func (u *unit) errorMessage() string {
	for _, e := range u.exceptions {
		if e.message != "" {
			return e.message
		}
	}
	return u.statusMessage
}

// emitErrors records one error per exception event, or one for a failed span without exception
// events. A failure that propagates up (tool → model call → agent) is recorded once: spans that
// are not tools skip errors whose type and message the trace already recorded.
func (m *Mapper) emitErrors(u *unit, ts *traceState, related *auditrecord.Record) {
	f := &u.facts
	if !f.recognised || u.foldedInto != nil {
		// A plain HTTP or database span failing is the application's business, not the agent's:
		// the AI span above it records the failure if it mattered. A folded failure is recorded by
		// the span where it started.
		return
	}
	for _, e := range u.failuresOf() {
		typ := e.typ
		if typ == "" {
			typ = f.errorType
		}
		if typ == "" {
			typ = "error"
		}
		key := textKey{typ, e.message}
		if prev, seen := ts.seenErrors[key]; seen && f.kind != kindTool {
			if prev != nil && f.log != nil {
				// The same failure logged twice (an AgentLogger line beside logger.exception's record):
				// its record keeps what either says.
				m.fillError(prev, u, e)
			}
			continue
		}
		if ts.seenErrors == nil {
			ts.seenErrors = map[textKey]*auditrecord.Error{}
		}
		ts.seenErrors[key] = nil
		// A failure without a message says too little to be told the same as another one.
		if e.message != "" && !m.join.recordOnce(u, joinError, typ+"\x00"+e.message, u.window()) {
			u.counters.next(auditrecord.TypeError)
			continue
		}
		at := e.at
		if at.IsZero() {
			at = u.endTime()
		}
		r := u.newRecord(m, auditrecord.TypeError, at)
		r.Error = &auditrecord.Error{Type: m.cleanString(typ, &u.probs), Message: m.cleanString(e.message, &u.probs), StackTrace: m.cleanString(e.stack, &u.probs)}
		if f.kind == kindTool || f.toolName != "" { // a log's error event may name its tool
			r.Error.ToolName = m.toolName(f.toolName, &u.probs)
		}
		if f.log != nil {
			r.Error.RecoveryAction = m.cleanString(f.log.recovery, &u.probs)
		}
		if related != nil {
			r.Error.RelatedRecordID = related.RecordID
		}
		r.Error.PropagatedTo = u.propagatedTo
		ts.seenErrors[key] = r.Error
	}
}

// fillError gives dst what u's report e of the same failure says and dst lacks.
func (m *Mapper) fillError(dst *auditrecord.Error, u *unit, e exceptionFact) {
	fillString(&dst.StackTrace, m.cleanString(e.stack, &u.probs))
	fillString(&dst.RecoveryAction, m.cleanString(u.facts.log.recovery, &u.probs))
	if u.facts.toolName != "" {
		fillString(&dst.ToolName, m.toolName(u.facts.toolName, &u.probs))
	}
}

// resultErrorMessage is a failed tool's message: the status message, unless that only repeats the
// error type (Google ADK's status "TOOL_ERROR") while the result the model got names the failure
// ({"error": "permission denied: …"}, what ADK's on_tool_error_callback returns).
func resultErrorMessage(status string, f *facts) string {
	if f.kind != kindTool || (status != "" && status != f.errorType) {
		return status
	}
	if doc, ok := decodedDoc(f.toolResult); ok {
		if msg, ok := doc["error"].(string); ok && msg != "" {
			return msg
		}
	}
	return status
}

// decodedDoc is a tool value as a JSON object, decoded when it is JSON text.
func decodedDoc(v any) (map[string]any, bool) {
	if s, ok := v.(string); ok {
		var doc map[string]any
		if json.Unmarshal([]byte(s), &doc) == nil {
			return doc, true
		}
		return nil, false
	}
	doc, ok := v.(map[string]any)
	return doc, ok
}
