package query

import (
	"crypto/sha256"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// One event, one record, as readers see it (docs/audit-record.md, "One event, one record"). The
// mapping folds the copies of one event it sees together: a thought on the model span and in the
// agent.reasoning log, a tool call a model requested and its execution, the system prompt every
// model call resends, an error reported by a span and by a log. Which copies a collector sees
// together depends on its batches and on which gateway consumed which signal, and what it
// remembers is lost on restart; so the store may hold several records of one event. Every reader
// folds them here, by rules that look only at the records, so the answer does not depend on
// batching or gateway placement: copies share a trace, a type and a canonical content (the fold
// key) and meet the type's rule; they read as one record, the preferred copy with the fields only
// the others carry. The store keeps every record in its hash chain (verify checks them all);
// folding is a reader's view, and the kept record's id is chosen by content, not by scan order.

// foldWindow is the mapping's reportTimeWindow: a span's report lasts until this long after it
// ended (an agent logs what a model call said after it returned).
const foldWindow = 5 * time.Second

// agentLogConvention is the mapping's convention of an application's own log lines (AgentLogger):
// an answer stated there repeats the model's, like an agent span.
const agentLogConvention = "agent_log"

// folder buffers the records that may be copies (those with a trace and a fold key) until the scan
// ends; every other record passes straight through. It remembers the span of each envelope
// (llm_call, agent_run), the time a span's records report about.
type folder struct {
	fn      func(*auditrecord.Record) error
	wanted  map[auditrecord.Type]bool // nil: every type; else the types the caller asked for
	buf     []*auditrecord.Record
	buckets map[[16]byte][]int // fold key → indexes into buf
	spans   map[string]spanTime
	params  map[*auditrecord.Record]string // canonical tool parameters, computed once per record
	windows map[*auditrecord.Record][2]time.Time
	// Copies counts the records folded into another.
	Copies int
}

type spanTime struct {
	start, end time.Time
	model      bool // an llm_call: the span is a model call
}

func newFolder(types []auditrecord.Type, fn func(*auditrecord.Record) error) *folder {
	f := &folder{fn: fn, buckets: map[[16]byte][]int{}, spans: map[string]spanTime{}}
	if len(types) > 0 {
		f.wanted = map[auditrecord.Type]bool{}
		for _, t := range types {
			f.wanted[t] = true
		}
	}
	return f
}

// widenTypes returns the types a folded scan asks the store for: the caller's, plus the envelopes
// that say when a span's records report (nil stays nil: every type).
func widenTypes(types []auditrecord.Type) []auditrecord.Type {
	if len(types) == 0 {
		return types
	}
	out := slices.Clone(types)
	for _, t := range []auditrecord.Type{auditrecord.TypeLLMCall, auditrecord.TypeAgentRun} {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func (f *folder) add(r *auditrecord.Record) error {
	switch {
	case r.LLMCall != nil || r.AgentRun != nil:
		if r.TraceID != "" && r.SpanID != "" {
			start, end := TimeRange(r)
			k := r.TraceID + "/" + r.SpanID
			st := f.spans[k]
			st.start, st.end, st.model = start, end, st.model || r.LLMCall != nil
			f.spans[k] = st
		}
	case r.TraceID != "":
		if k, ok := foldKey(r); ok {
			f.buckets[k] = append(f.buckets[k], len(f.buf))
			f.buf = append(f.buf, r)
			return nil
		}
	}
	if f.wanted != nil && !f.wanted[r.Type] {
		return nil // an envelope only the fold asked for
	}
	return f.fn(r)
}

// flush folds the buffered records and hands the kept ones on, in scan order.
func (f *folder) flush() error {
	drop := make([]bool, len(f.buf))
	for _, idx := range f.buckets {
		if len(idx) > 1 {
			f.foldBucket(idx, drop)
		}
	}
	for i, r := range f.buf {
		if drop[i] {
			f.Copies++
			continue
		}
		if err := f.fn(r); err != nil {
			return err
		}
	}
	return nil
}

// foldBucket groups a bucket's records into events (copies by the type's rule, transitively) and
// keeps one record per event.
func (f *folder) foldBucket(idx []int, drop []bool) {
	parent := make([]int, len(idx))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	anchors := f.answerAnchors(idx)
	for i := range idx {
		for j := i + 1; j < len(idx); j++ {
			if anchors != nil && (anchors[i] || anchors[j]) != (anchors[i] && anchors[j]) {
				continue // a stated answer joins one model call's (below), never two
			}
			if find(i) != find(j) && f.copies(f.buf[idx[i]], f.buf[idx[j]]) {
				parent[find(j)] = find(i)
			}
		}
	}
	for i := range idx {
		if anchors != nil && !anchors[i] {
			parent[find(i)] = find(f.nearestAnchor(idx, anchors, i))
		}
	}
	groups := map[int][]int{}
	for i := range idx {
		groups[find(i)] = append(groups[find(i)], idx[i])
	}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		slices.SortFunc(g, func(a, b int) int { return preferred(f.buf[a], f.buf[b]) })
		kept := merged(f.buf[g[0]], g[1:], f.buf)
		// The kept record takes the first copy's place in scan order.
		first := slices.Min(g)
		f.buf[first] = kept
		for _, i := range g {
			drop[i] = i != first
		}
	}
}

// answerAnchors marks, in a bucket of outputs with both, the model calls' answers: an answer stated
// by an agent span, a step or a log folds into the model call's answer nearest in time (as the
// mapping folds it into the one it saw), and two model calls saying the same stay two. nil when the
// bucket is not outputs or has not both kinds.
func (f *folder) answerAnchors(idx []int) []bool {
	if f.buf[idx[0]].Type != auditrecord.TypeOutput {
		return nil
	}
	anchors, n := make([]bool, len(idx)), 0
	for i, k := range idx {
		if !f.stated(f.buf[k]) {
			anchors[i] = true
			n++
		}
	}
	if n == 0 || n == len(idx) {
		return nil
	}
	return anchors
}

func (f *folder) nearestAnchor(idx []int, anchors []bool, i int) int {
	best := -1
	var bestD time.Duration
	for j := range idx {
		if !anchors[j] {
			continue
		}
		d := f.buf[idx[j]].Timestamp.Sub(f.buf[idx[i]].Timestamp).Abs()
		if best < 0 || d < bestD || (d == bestD && preferred(f.buf[idx[j]], f.buf[idx[best]]) < 0) {
			best, bestD = j, d
		}
	}
	return best
}

// foldKey is the trace, the type and the canonical content a record's copies share; ok is false for
// records that are never copies (no content to tell an event by).
func foldKey(r *auditrecord.Record) (k [16]byte, ok bool) {
	var content string
	switch {
	case r.Type == auditrecord.TypeInput && r.Input != nil && r.Input.Content != "":
		content = r.Input.Role + "\x00" + r.Input.Content
	case r.Type == auditrecord.TypeReasoning && r.Reasoning != nil && strings.TrimSpace(r.Reasoning.Thought) != "":
		content = strings.TrimSpace(r.Reasoning.Thought)
	case r.Type == auditrecord.TypeOutput && r.Output != nil && strings.TrimSpace(r.Output.Content) != "":
		content = strings.TrimSpace(r.Output.Content)
	case r.Type == auditrecord.TypeToolCall && r.ToolCall != nil && r.ToolCall.ToolName != "" && r.ToolCall.ToolName != "unknown":
		content = r.ToolCall.ToolName // parameters and call ids are compared pairwise (toolCopies)
	case r.Type == auditrecord.TypeError && r.Error != nil && r.Error.Message != "":
		content = r.Error.Type + "\x00" + r.Error.Message // a failure without a message says too little
	default:
		return k, false
	}
	h := sha256.New()
	h.Write([]byte(r.TraceID))
	h.Write([]byte{0})
	h.Write([]byte(r.Type))
	h.Write([]byte{0})
	h.Write([]byte(content))
	copy(k[:], h.Sum(nil))
	return k, true
}

// copies reports whether a and b (same fold key, different ids) are reports of one event. The rules
// are the mapping's (internal/mapping, contentjoin.go and emit.go), decided on the records alone:
//   - input: the same role and text in a trace is one input (a model call resends the history);
//   - reasoning: the same thought reported at overlapping times by the two signals, or by a report
//     with plan or confidence beside the model's bare reasoning;
//   - output: the same answer from the two signals at overlapping times, or stated by an agent
//     span, a step or the application's log beside a model call's (two model calls may well say
//     the same thing: they stay two);
//   - tool_call: see toolCopies;
//   - error: the same type and message in a trace from one signal (a failure propagating up the
//     spans, remembered across batches), or from the two at overlapping times; two tool spans
//     failing alike are two failures.
//
// Records naming different sessions or users are never copies.
func (f *folder) copies(a, b *auditrecord.Record) bool {
	if differ(a.SessionID, b.SessionID) || differ(a.UserID, b.UserID) {
		return false // whoever wrote them, they say the trace is two people's: not one event
	}
	other := signal(a) != signal(b)
	switch a.Type {
	case auditrecord.TypeInput:
		return true
	case auditrecord.TypeReasoning:
		return (other || rich(a) != rich(b)) && f.overlap(a, b)
	case auditrecord.TypeOutput:
		return (other && f.overlap(a, b)) || f.stated(a) || f.stated(b)
	case auditrecord.TypeToolCall:
		return f.toolCopies(a, b)
	case auditrecord.TypeError:
		if other {
			return f.overlap(a, b)
		}
		return !toolFailure(a) || !toolFailure(b) || a.SpanID == b.SpanID
	}
	return false
}

// toolCopies: a request (status requested) is answered by an execution of it in the trace (the same
// call id, or an execution that reports no call id); two requests with one call id are one; two
// executions are one when the two signals report it at overlapping times with the same canonical
// parameters, or one of them gives none (GenAI spans record arguments only with content capture on).
func (f *folder) toolCopies(a, b *auditrecord.Record) bool {
	ta, tb := a.ToolCall, b.ToolCall
	ra, rb := ta.Status == auditrecord.ToolStatusRequested, tb.Status == auditrecord.ToolStatusRequested
	switch {
	case ra && rb:
		return ta.CallID != "" && ta.CallID == tb.CallID
	case ra || rb:
		req, exe := ta, tb
		if rb {
			req, exe = tb, ta
		}
		return exe.CallID == "" || exe.CallID == req.CallID
	}
	if signal(a) == signal(b) || !f.overlap(a, b) {
		return false
	}
	if ta.CallID != "" && tb.CallID != "" {
		return ta.CallID == tb.CallID
	}
	return ta.Parameters == nil || tb.Parameters == nil || f.canonicalParams(a) == f.canonicalParams(b)
}

func (f *folder) canonicalParams(r *auditrecord.Record) string {
	if f.params == nil {
		f.params = map[*auditrecord.Record]string{}
	}
	c, ok := f.params[r]
	if !ok {
		c = canonical(r.ToolCall.Parameters)
		f.params[r] = c
	}
	return c
}

// canonical renders tool parameters as compact JSON with sorted keys, decoding JSON text first (a
// span's gen_ai.tool.call.arguments beside a log's parameters object).
func canonical(v any) string {
	if s, ok := v.(string); ok {
		var j any
		if json.Unmarshal([]byte(s), &j) == nil {
			v = j
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func differ(a, b string) bool { return a != "" && b != "" && a != b }

func signal(r *auditrecord.Record) string {
	if r.Source == nil {
		return ""
	}
	return r.Source.Signal
}

func rich(r *auditrecord.Record) bool {
	return len(r.Reasoning.Plan) > 0 || r.Reasoning.Confidence != nil
}

func toolFailure(r *auditrecord.Record) bool {
	return r.Error.ToolName != "" && signal(r) == "traces"
}

// stated reports an answer not from a model call: an agent span's or a step's, or the application's
// log line.
func (f *folder) stated(r *auditrecord.Record) bool {
	if signal(r) == "logs" {
		return r.Source.Convention == agentLogConvention
	}
	return !f.spans[r.TraceID+"/"+r.SpanID].model
}

// overlap reports whether a and b report at overlapping times (the mapping's windows): a span's
// records from its start to foldWindow after its end, a log record at its instant (a logged tool
// call over its duration).
func (f *folder) overlap(a, b *auditrecord.Record) bool {
	af, at := f.window(a)
	bf, bt := f.window(b)
	return !af.After(bt) && !bf.After(at)
}

func (f *folder) window(r *auditrecord.Record) (from, to time.Time) {
	if w, ok := f.windows[r]; ok {
		return w[0], w[1]
	}
	if f.windows == nil {
		f.windows = map[*auditrecord.Record][2]time.Time{}
	}
	defer func() { f.windows[r] = [2]time.Time{from, to} }()
	from, to = TimeRange(r)
	if st, ok := f.spans[r.TraceID+"/"+r.SpanID]; ok && r.ToolCall == nil && signal(r) == "traces" {
		from, to = st.start, st.end
	}
	if signal(r) == "traces" {
		to = to.Add(foldWindow)
	}
	return from, to
}
