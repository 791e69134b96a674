package mapping

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// MapTraces maps every span of a batch. Spans are read in three passes: facts per span, then what
// each trace shares (identity, executed tool calls, tool results), then records in emitOrder.
func (m *Mapper) MapTraces(td ptrace.Traces, observed time.Time) ([]*auditrecord.Record, Stats) {
	stats := newStats()
	// Spans are grouped by trace and each trace is mapped on its own: everything the passes share
	// is per trace, and a trace's parsed conversation is garbage as soon as its records exist,
	// so a large batch never holds every span's parsed messages at once.
	type spanRef struct {
		span  ptrace.Span
		id    pcommon.TraceID
		scope string
		res   *resourceInfo
	}
	// One array of the batch's spans, sorted by trace id (stably: each trace's spans keep their
	// order), is cut into the traces: no map and no growing slice per trace.
	all := make([]spanRef, 0, td.SpanCount())
	var resProblems problems
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		rs := rss.At(i)
		res := m.readResource(rs.Resource(), &resProblems)
		sss := rs.ScopeSpans()
		for j := range sss.Len() {
			ss := sss.At(j)
			spans := ss.Spans()
			for k := range spans.Len() {
				all = append(all, spanRef{spans.At(k), spans.At(k).TraceID(), ss.Scope().Name(), res})
			}
		}
	}
	if resProblems.malformed {
		stats.Malformed++
	}
	// Byte order of trace ids is the order of their hex form, the order finish emits in.
	slices.SortStableFunc(all, func(a, b spanRef) int { return bytes.Compare(a.id[:], b.id[:]) })
	var byTrace [][]spanRef
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].id == all[i].id {
			j++
		}
		byTrace = append(byTrace, all[i:j:j])
		i = j
	}
	// Traces whose spans link to other traces are mapped after the others, so that a trace without
	// an identity of its own can take the one of the trace it links to (links.go).
	perTrace := make([][]*auditrecord.Record, len(byTrace))
	identities := map[string]identity{}
	var linked []int
	for pass := range 2 {
		for i, refs := range byTrace {
			id := refs[0].id
			hasLinks := slices.ContainsFunc(refs, func(r spanRef) bool { return r.span.Links().Len() > 0 })
			if hasLinks != (pass == 1) {
				continue
			}
			if hasLinks {
				linked = append(linked, i)
			}
			units := make([]*unit, len(refs))
			traceHex := traceIDHex(id) // once per trace: the trace's units share the string
			for j, r := range refs {
				units[j] = m.spanUnit(r.span, traceHex, r.scope, r.res, observed)
			}
			before := len(stats.Traces)
			perTrace[i], stats = m.finishTraces(units, stats, identities)
			for _, t := range stats.Traces[before:] {
				identities[t.TraceID] = identity{session: t.SessionID, user: t.UserID}
			}
		}
	}
	if len(linked) > 0 {
		slices.SortStableFunc(stats.Traces, func(a, b TraceIdentity) int { return strings.Compare(a.TraceID, b.TraceID) })
	}
	return slices.Concat(perTrace...), stats
}

// spanUnit reads one span; traceHex is traceIDHex(span.TraceID()).
func (m *Mapper) spanUnit(span ptrace.Span, traceHex, scope string, res *resourceInfo, observed time.Time) *unit {
	u := &unit{
		signal:   signalTraces,
		traceID:  traceHex,
		name:     span.Name(),
		scope:    scope,
		start:    timeOf(span.StartTimestamp()),
		end:      timeOf(span.EndTimestamp()),
		observed: observed,
		res:      res,
	}
	u.spanID, u.parentID = spanIDsHex(span.SpanID(), span.ParentSpanID())
	switch span.Status().Code() {
	case ptrace.StatusCodeError:
		u.status = "error"
	case ptrace.StatusCodeOk:
		u.status = "ok"
	default:
		u.status = "unset"
	}
	u.spanView = attrView{m: m, attrs: span.Attributes(), p: &u.probs}
	u.spanView.filterKeys() // the mapping reads span attributes, never changes them
	u.view = &u.spanView    // in the unit's own allocation
	u.view.spanName = u.name
	u.statusMessage = m.cleanString(span.Status().Message(), &u.probs)
	classify(u.view, u.name, span.ParentSpanID().IsEmpty(), &u.facts)
	extract(u.view, &u.facts)
	if u.statusMessage == "" {
		u.statusMessage = u.facts.statusMessage
	}
	u.statusMessage = resultErrorMessage(u.statusMessage, &u.facts)
	u.id = lookupIdentity(u.view)
	u.agent = u.facts.agent
	links := span.Links()
	for i := range links.Len() {
		l := links.At(i)
		if id := traceIDHex(l.TraceID()); id != "" && id != traceHex {
			u.links = append(u.links, spanLink{traceID: id, id: lookupIdentity(m.newAttrView(l.Attributes(), &u.probs))})
		}
	}
	events := span.Events()
	for i := range events.Len() {
		ev := events.At(i)
		m.applyEvent(u, ev.Name(), m.newAttrView(ev.Attributes(), &u.probs), pcommon.NewValueEmpty(), timeOf(ev.Timestamp()))
	}
	return u
}

// emitOrder is the order units of one trace emit in: tool executions first (so errors that propagate
// up are recorded where they happened), then model calls (which own the conversation content), then
// agent steps and agents (whose input and final answer only add what the model calls did not carry).
func emitOrder(k spanKind) int {
	switch k {
	case kindTool:
		return 0
	case kindLLM:
		return 1
	case kindStep, kindOther:
		return 2
	default:
		return 3
	}
}

// finish resolves identity across each trace, emits records and fills attributes and stats.
func (m *Mapper) finish(units []*unit, stats Stats) ([]*auditrecord.Record, Stats) {
	return m.finishTraces(units, stats, nil)
}

// finishTraces is finish with the identities of other traces of the batch, for span links.
func (m *Mapper) finishTraces(units []*unit, stats Stats, others map[string]identity) ([]*auditrecord.Record, Stats) {
	// slices' stable sort gives the same order as sort.SliceStable without its reflection allocations.
	slices.SortStableFunc(units, func(a, b *unit) int {
		if c := strings.Compare(a.traceID, b.traceID); c != 0 {
			return c
		}
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return strings.Compare(a.spanID, b.spanID)
	})
	traces := map[string]*traceState{}
	untraced := map[*unit]*traceState{}
	stateOf := func(u *unit) *traceState {
		if u.traceID == "" { // no trace context: the unit stands alone
			if untraced[u] == nil {
				untraced[u] = newTraceState()
			}
			return untraced[u]
		}
		if traces[u.traceID] == nil {
			traces[u.traceID] = newTraceState()
		}
		return traces[u.traceID]
	}
	bySpan := make(map[spanKey]*unit, len(units))
	sessions := sessionIdentities{}
	for _, u := range units {
		stats.UnknownReprs += decodeFrameworkValues(u)
		ts := stateOf(u)
		if u.res != nil {
			u.id.fill(u.res.id)
		}
		sessions.learn(u)
		ts.id.fill(u.id)
		ts.index(u)
		if u.spanID != "" && u.signal == signalTraces {
			bySpan[spanKey{u.traceID, u.spanID}] = u
		}
	}
	linkIdentities(units, traces, others)
	foldErrors(units, bySpan)
	for _, u := range units {
		if u.signal == signalTraces && u.foldedInto == nil && u.recordsErrors() && u.facts.kind != kindTool {
			m.join.foldIntoEarlier(u, bySpan)
		}
	}
	m.join.rememberFailures(units)
	stats.Traces = appendTraceIdentities(stats.Traces, units, traces)
	m.join.rememberSpans(units)
	order := make([]*unit, len(units))
	copy(order, units)
	slices.SortStableFunc(order, func(a, b *unit) int {
		if c := strings.Compare(a.traceID, b.traceID); c != 0 {
			return c
		}
		return cmp.Compare(emitOrder(a.facts.kind), emitOrder(b.facts.kind))
	})
	for _, u := range order {
		ts := stateOf(u)
		if u.traceID != "" {
			// An explicit session on any span of the trace wins over a conversation id (identity.sessionID).
			u.id.fill(ts.id)
		}
		sessions.fill(u)
		if u.agent == (agentInfo{}) {
			u.agent = inheritedAgent(u, bySpan)
		}
		if u.signal == signalLogs {
			m.join.enrichLog(u)
		}
		m.emit(u, ts)
		if len(u.records) == 0 {
			continue
		}
		// The unit's records share one read-only map of its remaining attributes: they describe
		// the same span, and nothing writes into a record's attributes after mapping.
		attrs := u.view.remaining()
		for _, r := range u.records {
			r.Attributes = attrs
			stats.Records[r.Type]++
		}
	}
	out := recordsOf(order)
	for _, u := range units {
		if u.probs.malformed {
			stats.Malformed++
		}
		if u.probs.truncated {
			stats.Truncated++
		}
	}
	slices.SortStableFunc(out, func(a, b *auditrecord.Record) int {
		if c := strings.Compare(a.TraceID, b.TraceID); c != 0 {
			return c
		}
		return a.Timestamp.Compare(b.Timestamp)
	})
	return out, stats
}

// recordsOf concatenates the units' records into one array allocated at its final size.
func recordsOf(units []*unit) []*auditrecord.Record {
	n := 0
	for _, u := range units {
		n += len(u.records)
	}
	if n == 0 {
		return nil
	}
	out := make([]*auditrecord.Record, 0, n)
	for _, u := range units {
		out = append(out, u.records...)
	}
	return out
}

// appendTraceIdentities appends the traces of units (sorted by trace id) that have an identity or
// their root span.
func appendTraceIdentities(out []TraceIdentity, units []*unit, traces map[string]*traceState) []TraceIdentity {
	for i, u := range units {
		if u.traceID == "" || (i > 0 && units[i-1].traceID == u.traceID) {
			continue
		}
		t := TraceIdentity{TraceID: u.traceID, SessionID: traces[u.traceID].id.session, UserID: traces[u.traceID].id.user}
		for _, v := range units[i:] {
			if v.traceID != u.traceID {
				break
			}
			t.Root = t.Root || (v.signal == signalTraces && v.parentID == "")
			for _, l := range v.links {
				if !slices.Contains(t.Links, l.traceID) {
					t.Links = append(t.Links, l.traceID)
				}
			}
		}
		if t.Root || t.SessionID != "" || t.UserID != "" || len(t.Links) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// inheritedAgent walks up the span's ancestors in the batch to the nearest one naming an agent.
func inheritedAgent(u *unit, bySpan map[spanKey]*unit) agentInfo {
	seen := 0
	for p := bySpan[spanKey{u.traceID, u.parentID}]; p != nil && seen < 64; p = bySpan[spanKey{p.traceID, p.parentID}] {
		if p.facts.agent != (agentInfo{}) {
			return p.facts.agent
		}
		seen++
	}
	return agentInfo{}
}

// spanKey finds a unit by trace and span id without concatenating them.
type spanKey struct{ traceID, spanID string }

func timeOf(ts pcommon.Timestamp) time.Time {
	if ts == 0 {
		return time.Time{}
	}
	return ts.AsTime().UTC()
}

// traceIDHex and spanIDHex give the ids' String() form (lower-case hex) encoded through an array:
// one allocation per id instead of two.
func traceIDHex(id pcommon.TraceID) string {
	if id.IsEmpty() {
		return ""
	}
	var digits [2 * len(id)]byte
	hex.Encode(digits[:], id[:])
	return string(digits[:])
}

func spanIDHex(id pcommon.SpanID) string {
	if id.IsEmpty() {
		return ""
	}
	var digits [2 * len(id)]byte
	hex.Encode(digits[:], id[:])
	return string(digits[:])
}

// spanIDsHex is spanIDHex of a span's id and its parent's, both cut from one string when both are
// set: one allocation per span instead of two.
func spanIDsHex(id, parent pcommon.SpanID) (string, string) {
	if id.IsEmpty() || parent.IsEmpty() {
		return spanIDHex(id), spanIDHex(parent)
	}
	var digits [4 * len(id)]byte
	hex.Encode(digits[:2*len(id)], id[:])
	hex.Encode(digits[2*len(id):], parent[:])
	both := string(digits[:])
	return both[:2*len(id)], both[2*len(id):]
}
