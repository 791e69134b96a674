package mapping

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// MapLogs maps the log records that carry GenAI events (deprecated per-message events,
// gen_ai.client.inference.operation.details) or agent.reasoning events, and the application logs a
// log dialect recognises (logdialect.go); other logs yield nothing and are counted in Unmatched.
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
				switch u := m.logUnit(lrs.At(k), sl.Scope().Name(), res, observed); {
				case u == nil:
					stats.Unmatched++
				case u.unmatched:
					stats.Unmatched++
					stats.Malformed++ // a broken JSON body: no event can be told from it
				default:
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
		return m.dialectLogUnit(lr, scope, res, observed)
	}
	u.name = name
	u.traceID = traceIDHex(lr.TraceID())
	u.spanID = spanIDHex(lr.SpanID())
	u.start = timeOf(lr.Timestamp())
	if u.start.IsZero() {
		u.start = timeOf(lr.ObservedTimestamp())
	}
	u.setLogTimes(lr, observed)
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

// setLogTimes sets the unit's observed time, and its start when the record has a time (a unit's
// start may be known already from its document: it is then kept when the record has none).
func (u *unit) setLogTimes(lr plog.LogRecord, observed time.Time) {
	if t := timeOf(lr.Timestamp()); !t.IsZero() {
		u.start = t
	}
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
}

// dialectLogUnit maps a log record that names no GenAI event through the log dialects; nil when
// none recognises it (the caller counts it as unmatched).
func (m *Mapper) dialectLogUnit(lr plog.LogRecord, scope string, res *resourceInfo, observed time.Time) *unit {
	u := &unit{signal: signalLogs, scope: scope, res: res, status: "unset"}
	doc := m.logDocument(lr, &u.probs)
	for _, d := range m.logDialects() {
		ev, name, typeKey := d.logs.recogniseLog(doc, lr.SeverityNumber())
		if ev == logNone {
			continue
		}
		u.view = m.newAttrView(doc, &u.probs)
		u.name = name
		u.traceID = traceIDHex(lr.TraceID())
		u.spanID = spanIDHex(lr.SpanID())
		if timeOf(lr.Timestamp()).IsZero() {
			u.start = logTime(u.view, d.logs.timeKeys)
		}
		u.setLogTimes(lr, observed)
		u.idExtra = []string{"log", strconv.FormatInt(u.start.UnixNano(), 10), m.logDigest(name, lr)}
		if typeKey != "" {
			u.view.consume(typeKey)
		}
		m.mapLogEvent(u, d, ev, typeKey)
		if sev := lr.SeverityText(); sev != "" {
			doc.PutStr("log.severity", sev)
		} else if lr.SeverityNumber() != plog.SeverityNumberUnspecified {
			doc.PutStr("log.severity", lr.SeverityNumber().String())
		}
		return u
	}
	if u.probs.malformed || looksLikeJSONObject(lr.Body()) {
		return &unit{unmatched: true}
	}
	return nil
}

// looksLikeJSONObject reports a string body that starts like a JSON object (after logDocument found
// it is none): an application's event line, broken or cut.
func looksLikeJSONObject(body pcommon.Value) bool {
	if body.Type() != pcommon.ValueTypeStr {
		return false
	}
	s := strings.TrimSpace(body.Str())
	return strings.HasPrefix(s, "{")
}

// mapLogEvent reads the event's fields from the document with the dialect's aliases; typeKey named
// the event and feeds no field.
func (m *Mapper) mapLogEvent(u *unit, d *dialect, ev logEvent, typeKey string) {
	f := &u.facts
	f.convention, f.recognised, f.operation = d.name, true, logEventNames[ev]
	switch ev {
	case logTool:
		f.kind = kindTool
	case logOutput:
		f.kind = kindLLM // the output carries model, tokens and cost; logs get no llm_call envelope
	case logError:
		f.kind = kindOther
	default:
		f.kind = kindStep
	}
	for fl := range numFields {
		for _, al := range d.fields[fl] {
			if !al.events.has(ev) || al.key == typeKey {
				continue
			}
			if readAlias(u.view, al, fl, f) {
				break // a log names each field once: the first present alias wins
			}
		}
	}
	u.id = lookupIdentity(u.view)
	if u.id.session == "" {
		u.id.session = firstKey(u.view, d.logs.sessionKeys)
	}
	if u.id.session == "" {
		u.id.session = firstAlias(u.view, d.logs.sessionAliases)
	}
	if u.id.user == "" {
		u.id.user = firstKey(u.view, d.logs.userKeys)
	}
	if u.id.user == "" {
		u.id.user = firstAlias(u.view, d.logs.userAliases)
	}
	u.agent = f.agent
	lf := f.log
	if lf == nil {
		lf = &logFacts{}
	}
	if lf.durationMS != nil && ev == logTool {
		u.end = u.start
		u.start = u.end.Add(-time.Duration(*lf.durationMS * float64(time.Millisecond)))
	}
	if ev == logReasoning && (lf.thought != "" || len(lf.plan) > 0 || lf.confidence != nil) {
		f.reasoning = append(f.reasoning, reasoningFact{at: u.endTime(), thought: lf.thought, plan: lf.plan, confidence: lf.confidence})
	}
	if ev == logError || f.errorType != "" || f.failedBy != "" || (ev == logTool && f.statusMessage != "") {
		u.exceptions = append(u.exceptions, exceptionFact{typ: f.errorType, message: f.statusMessage, stack: lf.stack, at: u.endTime()})
	}
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
