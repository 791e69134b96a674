package mapping

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// MapLogs maps the log records that carry GenAI events (deprecated per-message events,
// gen_ai.client.inference.operation.details) or agent.reasoning events; other logs yield nothing.
func (m *Mapper) MapLogs(ld plog.Logs, observed time.Time) ([]*auditrecord.Record, Stats) {
	stats := newStats()
	var units []*unit
	var resProblems problems
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		rl := rls.At(i)
		res := m.readResource(rl.Resource(), &resProblems)
		sls := rl.ScopeLogs()
		for j := range sls.Len() {
			sl := sls.At(j)
			lrs := sl.LogRecords()
			for k := range lrs.Len() {
				if u := m.logUnit(lrs.At(k), sl.Scope().Name(), res, observed); u != nil {
					units = append(units, u)
				}
			}
		}
	}
	if resProblems.malformed {
		stats.Malformed++
	}
	return m.finish(units, stats)
}

func (m *Mapper) logUnit(lr plog.LogRecord, scope string, res *resourceInfo, observed time.Time) *unit {
	u := &unit{signal: signalLogs, scope: scope, res: res, status: "unset"}
	u.view = m.newAttrView(lr.Attributes(), &u.probs)
	name := lr.EventName()
	if name == "" {
		name, _ = u.view.str("event.name")
	} else if v, ok := lr.Attributes().Get("event.name"); ok && v.Str() == name {
		u.view.consume("event.name")
	}
	if !isKnownEvent(name) {
		return nil
	}
	u.name = name
	u.traceID = traceIDHex(lr.TraceID())
	u.spanID = spanIDHex(lr.SpanID())
	u.start = timeOf(lr.Timestamp())
	if u.start.IsZero() {
		u.start = timeOf(lr.ObservedTimestamp())
	}
	u.observed = observed
	if ot := timeOf(lr.ObservedTimestamp()); !ot.IsZero() {
		u.observed = ot
	}
	if u.start.IsZero() {
		u.start = u.observed
	}
	// Several logs share one span, so the log's own identity joins the record id.
	u.idExtra = []string{"log", strconv.FormatInt(u.start.UnixNano(), 10), m.logDigest(name, lr)}
	classify(u.view, "", false, &u.facts)
	if name == eventReasoning {
		u.facts.convention = convAgentAudit
	}
	u.facts.kind = kindStep // no envelope; content deduplicated within the trace
	if name == eventOperationDetails || name == eventChoice || name == eventContentComplete {
		u.facts.kind = kindLLM // outputs carry model, tokens and cost; no llm_call envelope for logs
	}
	if name != eventOperationDetails {
		// applyEvent reads the operation details event; other events may still carry model,
		// tokens and identity as attributes.
		extract(u.view, &u.facts)
	}
	m.applyEvent(u, name, u.view, lr.Body(), u.start)
	u.id = lookupIdentity(u.view)
	u.agent = u.facts.agent
	if len(u.exceptions) > 0 {
		u.status = "error"
	}
	return u
}

// logDigest hashes what distinguishes two logs of the same span and time: the event name, the body
// and the attributes, in a form independent of attribute order.
func (m *Mapper) logDigest(name string, lr plog.LogRecord) string {
	var p problems
	doc := map[string]any{"name": name, "body": m.plainValue(lr.Body(), 0, &p), "attributes": m.plainValue(attrsValue(lr.Attributes()), 0, &p)}
	b, _ := json.Marshal(doc) // map keys are sorted; plain values always encode
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

func attrsValue(attrs pcommon.Map) pcommon.Value {
	v := pcommon.NewValueMap()
	attrs.CopyTo(v.Map())
	return v
}
