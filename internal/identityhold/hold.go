// Package identityhold gives every audit record of a trace the trace's session and user, whatever
// batch its spans and logs arrive in. OTel SDKs export spans as they end, so a trace's child spans
// (model and tool calls) reach the collector before the root span that carries session.id or
// user.id. Records of a trace whose identity is not known yet are held, durably, until the identity
// arrives, the trace's root span arrives without one, the hold window passes, or the caps are
// reached; then they are released to be written. Records of traces whose identity is already known
// get it filled in at once from a bounded table of recent traces. Log events without trace context
// (an application's own agent logs) wait by session instead: their session is known, so they wait
// for its user (see holdKey).
//
// Durability: Admit appends the records it holds to a journal (Dir) and fsyncs before returning, so
// the exporter may acknowledge the batch; Open replays what was held and not released. A released
// record is marked in the journal after the store has it; a crash between the two writes it twice,
// with the same record id (readers count a record id once).
package identityhold

import (
	"container/list"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/mapping"
)

// Outcome says why held records were released.
type Outcome int

const (
	// Identified: the trace's session or user arrived; the records carry it.
	Identified Outcome = iota
	// Complete: the trace's root span arrived without an identity; none will come.
	Complete
	// Expired: the hold window passed without an identity.
	Expired
	// Evicted: the caps on held traces or bytes forced the oldest trace out without an identity.
	Evicted
	// Shutdown: the collector stopped; the records are written without an identity.
	Shutdown
	numOutcomes
)

// String names the outcome for metrics.
func (o Outcome) String() string {
	return [...]string{"identified", "complete", "expired", "evicted", "shutdown"}[o]
}

// Options configures a Hold.
type Options struct {
	// Dir is the journal directory; it is created if missing and locked against a second writer.
	Dir string
	// Window is how long records of a trace wait for its identity.
	Window time.Duration
	// MaxTraces and MaxBytes cap what is held; beyond them the oldest trace is released unidentified.
	MaxTraces int
	MaxBytes  int64
	// KnownTraces bounds the table of recent traces whose identity (or completion) is known.
	KnownTraces int
	Now         func() time.Time
}

// DefaultKnownTraces is the default size of the recent-trace table (BenchmarkKnownTraces: about
// 135 bytes an entry, plus the trace id string it keeps).
const DefaultKnownTraces = 50_000

// Hold holds records of traces whose identity is not yet known. It is safe for concurrent use.
type Hold struct {
	opts Options
	mu   sync.Mutex
	j    *journal
	// held are the traces waiting, oldest first in order.
	held  map[string]*heldTrace
	order *list.List
	// retry are released traces whose write failed; Due releases them again.
	retry []*heldTrace
	// ids are the record ids held (including released ones not yet written), so a retried batch
	// does not hold its records twice.
	ids map[string]struct{}
	// bytes counts every held record until written; waiting only those of traces still waiting.
	bytes, waiting int64
	known          *knownTraces
	// linkedFrom lists, per trace, the traces without an identity whose spans link to it (links.go).
	linkedFrom map[string][]string
}

type heldTrace struct {
	id      string
	since   time.Time
	entries []*entry
	bytes   int64
	elem    *list.Element
	outcome Outcome
}

type entry struct {
	rec  *auditrecord.Record
	size int64
	seg  *segment
}

// Release is a set of held records to write; pass it to Done afterwards.
type Release struct {
	Records []*auditrecord.Record
	// ByOutcome counts Records by why they were released.
	ByOutcome [numOutcomes]int
	traces    []*heldTrace
}

func (r *Release) add(t *heldTrace, o Outcome) {
	t.outcome = o
	r.traces = append(r.traces, t)
	for _, e := range t.entries {
		r.Records = append(r.Records, e.rec)
	}
	r.ByOutcome[o] += len(t.entries)
}

// Traces counts the traces released with outcome o.
func (r *Release) Traces(o Outcome) int {
	n := 0
	for _, t := range r.traces {
		if t.outcome == o {
			n++
		}
	}
	return n
}

// Empty reports whether there is nothing to write.
func (r *Release) Empty() bool { return r == nil || len(r.Records) == 0 }

// Open opens (creating if needed) the journal in opts.Dir and holds again what it kept.
func Open(opts Options) (*Hold, error) {
	if opts.Dir == "" {
		return nil, errors.New("no journal directory")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.KnownTraces <= 0 {
		opts.KnownTraces = DefaultKnownTraces
	}
	h := &Hold{
		opts:       opts,
		held:       map[string]*heldTrace{},
		order:      list.New(),
		ids:        map[string]struct{}{},
		known:      newKnownTraces(opts.KnownTraces),
		linkedFrom: map[string][]string{},
	}
	j, replayed, err := openJournal(opts.Dir, opts.Window)
	if err != nil {
		return nil, err
	}
	h.j = j
	for _, e := range replayed {
		h.attach(e.entry, e.since)
	}
	return h, nil
}

// Close closes the journal; what is still held stays in it for the next Open.
func (h *Hold) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.j.close()
}

// Held reports how many traces, records and bytes are held.
func (h *Hold) Held() (traces, records int, bytes int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.held), len(h.ids), h.bytes
}

// Admitted is what Admit decided about a batch.
type Admitted struct {
	// Write are the batch's records to write now (identity filled in where the trace's is known),
	// plus identity records for traces whose identity came on spans that made no record.
	Write []*auditrecord.Record
	// Filled counts records of Write that got their identity from an earlier batch.
	Filled int
	// Held counts records of the batch now held.
	Held int
	// Release are held records (of earlier batches) to write with this batch.
	Release *Release
}

// Admit takes a mapped batch: recs and what the mapping saw of each trace's identity. Records of
// traces with an unknown identity are journaled (fsynced) and held; the rest are returned to be
// written, together with held records the batch released. An error means nothing was held: the
// batch must be retried.
func (h *Hold) Admit(recs []*auditrecord.Record, traces []mapping.TraceIdentity, observed time.Time) (Admitted, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := Admitted{Write: make([]*auditrecord.Record, 0, len(recs))}
	learned := h.learnTraces(&out, recs, traces, observed)
	var hold []*auditrecord.Record
	for _, r := range recs {
		key := holdKey(r)
		if key == "" {
			out.Write = append(out.Write, r)
			continue
		}
		session := explicitSession(r)
		if r.TraceID == "" {
			session = "" // the session is the key: only a user makes its identity known
		}
		if session != "" || r.UserID != "" {
			if h.known.learn(key, session, r.UserID, false) {
				learned = append(learned, key)
			}
		}
		if r.Agent != nil {
			h.known.learnAgent(key, r.Agent)
		}
	}
	learned = h.learnLinked(learned)
	for _, r := range recs {
		key := holdKey(r)
		if key == "" {
			continue
		}
		k := h.known.get(key)
		switch {
		case k != nil && (k.session != "" || k.user != ""):
			if fill(r, k) {
				out.Filled++
			}
			out.Write = append(out.Write, r)
		case k != nil && k.root:
			fill(r, k)
			out.Write = append(out.Write, r)
		default:
			if _, dup := h.ids[r.RecordID]; !dup {
				hold = append(hold, r)
			}
		}
	}
	if len(hold) > 0 {
		entries, err := h.j.append(hold, observed)
		if err != nil {
			return Admitted{}, fmt.Errorf("journal held records: %w", err)
		}
		for _, e := range entries {
			h.attach(e, observed)
		}
		out.Held = len(hold)
	}
	out.Release = h.releaseLearned(learned, recs)
	return out, nil
}

// learnTraces learns the identities the mapping saw for the batch's traces and returns the keys it
// learned something new about. An identity that came on spans that made no record here (an
// application's own request span) is kept in the store as an identity record, so readers can join
// the trace's records to it.
func (h *Hold) learnTraces(out *Admitted, recs []*auditrecord.Record, traces []mapping.TraceIdentity, observed time.Time) []string {
	var learned []string
	var inBatch map[string]bool
	if len(traces) > 0 {
		inBatch = make(map[string]bool, len(traces))
		for _, r := range recs {
			inBatch[holdKey(r)] = true
		}
	}
	for _, t := range h.followLinks(traces) {
		if !h.known.learn(t.TraceID, t.SessionID, t.UserID, t.Root) {
			continue
		}
		learned = append(learned, t.TraceID)
		if (t.SessionID != "" || t.UserID != "") && !inBatch[t.TraceID] && h.held[t.TraceID] == nil {
			out.Write = append(out.Write, identityRecord(t, observed))
		}
	}
	return learned
}

// releaseLearned releases the held traces whose identity was just learned, then the oldest held
// traces while the hold is over its limits.
func (h *Hold) releaseLearned(learned []string, recs []*auditrecord.Record) *Release {
	var rel *Release
	release := func(t *heldTrace, o Outcome) {
		if rel == nil {
			rel = &Release{}
		}
		h.detach(t)
		rel.add(t, o)
	}
	for _, id := range learned {
		t := h.held[id]
		if t == nil {
			continue
		}
		k := h.known.get(id)
		o := Complete
		if k != nil && (k.session != "" || k.user != "") {
			o = Identified
			for _, e := range t.entries {
				fill(e.rec, k)
			}
		}
		fillAgents(t.entries, recs, k)
		release(t, o)
	}
	for len(h.held) > 0 && ((h.opts.MaxTraces > 0 && len(h.held) > h.opts.MaxTraces) || (h.opts.MaxBytes > 0 && h.waiting > h.opts.MaxBytes)) {
		t := h.order.Front().Value.(*heldTrace)
		fillAgents(t.entries, recs, h.known.get(t.id))
		release(t, Evicted)
	}
	return rel
}

// Due releases the traces whose window has passed, and released traces whose write failed.
func (h *Hold) Due() *Release {
	return h.release(Expired, h.opts.Now().Add(-h.opts.Window))
}

// All releases everything held, for shutdown.
func (h *Hold) All() *Release {
	return h.release(Shutdown, time.Time{})
}

// release takes the traces whose write failed, and the waiting traces held since before `before`
// (all of them when it is zero) with outcome o.
func (h *Hold) release(o Outcome, before time.Time) *Release {
	h.mu.Lock()
	defer h.mu.Unlock()
	rel := &Release{}
	for _, t := range h.retry {
		rel.add(t, t.outcome)
	}
	h.retry = nil
	for e := h.order.Front(); e != nil; e = h.order.Front() {
		t := e.Value.(*heldTrace)
		if !before.IsZero() && t.since.After(before) {
			break
		}
		h.detach(t)
		fillAgents(t.entries, nil, h.known.get(t.id))
		rel.add(t, o)
	}
	if rel.Empty() {
		return nil
	}
	return rel
}

// Done settles a Release: written records are marked in the journal and forgotten; records whose
// write failed are released again by the next Due.
func (h *Hold) Done(rel *Release, written bool) {
	if rel == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !written {
		h.retry = append(h.retry, rel.traces...)
		return
	}
	var entries []*entry
	for _, t := range rel.traces {
		for _, e := range t.entries {
			delete(h.ids, e.rec.RecordID)
			h.bytes -= e.size
		}
		entries = append(entries, t.entries...)
	}
	h.j.released(entries)
}

func (h *Hold) attach(e *entry, since time.Time) {
	t := h.held[holdKey(e.rec)]
	if t == nil {
		t = &heldTrace{id: holdKey(e.rec), since: since}
		h.held[t.id] = t
		t.elem = h.order.PushBack(t)
	}
	t.entries = append(t.entries, e)
	t.bytes += e.size
	h.ids[e.rec.RecordID] = struct{}{}
	h.bytes += e.size
	h.waiting += e.size
}

// detach takes a trace out of the waiting set; its records stay counted until Done.
func (h *Hold) detach(t *heldTrace) {
	delete(h.held, t.id)
	h.order.Remove(t.elem)
	h.waiting -= t.bytes
}

// fillAgents gives held records without an agent the agent of their nearest ancestor span among the
// trace's records (held, or in the batch that released them), else the trace's agent when it has
// exactly one: child spans end, and are exported, before the invoke_agent span that names the
// agent, so the mapping could not inherit it.
func fillAgents(entries []*entry, batch []*auditrecord.Record, k *knownTrace) {
	agents := map[string]*auditrecord.Agent{}
	parents := map[string]string{}
	note := func(r *auditrecord.Record) {
		if r.SpanID == "" || r.Source == nil || r.Source.Signal != "traces" {
			return
		}
		if r.Agent != nil && agents[r.SpanID] == nil {
			agents[r.SpanID] = r.Agent
		}
		if r.ParentSpanID != "" {
			parents[r.SpanID] = r.ParentSpanID
		}
	}
	trace := holdKey(entries[0].rec)
	for _, e := range entries {
		note(e.rec)
	}
	for _, r := range batch {
		if holdKey(r) == trace {
			note(r)
		}
	}
	for _, e := range entries {
		r := e.rec
		if r.Agent != nil {
			continue
		}
		// A log event belongs to its span, which may name the agent itself; a span's record
		// looks at its ancestors.
		node := r.ParentSpanID
		if r.Source != nil && r.Source.Signal == "logs" {
			node = r.SpanID
		}
		for depth := 0; node != "" && depth < 64; depth++ {
			if a := agents[node]; a != nil {
				agent := *a
				r.Agent = &agent
				break
			}
			node = parents[node]
		}
		if a := k.soleAgent(); r.Agent == nil && a != nil {
			agent := *a
			r.Agent = &agent
		}
	}
}

// fill gives r the session and user it lacks, and the trace's agent when the trace has one; it
// reports whether it changed the session or user.
func fill(r *auditrecord.Record, k *knownTrace) bool {
	changed := false
	if explicitSession(r) == "" && k.session != "" && r.SessionID != k.session {
		r.SessionID, changed = k.session, true
	}
	if r.UserID == "" && k.user != "" {
		r.UserID, changed = k.user, true
	}
	if a := k.soleAgent(); r.Agent == nil && a != nil {
		agent := *a
		r.Agent = &agent
	}
	return changed
}

// holdKey is what a record waits with: its trace, or for a log event without trace context its
// session (application logs carry no trace, yet name their session on every event and the user on
// one): such events join their session as spans join their trace, and wait for its user. "" means
// the record has neither and is written as it is.
func holdKey(r *auditrecord.Record) string {
	if r.TraceID != "" {
		return r.TraceID
	}
	if r.SessionID != "" && r.Source != nil && r.Source.Signal == "logs" {
		return "session\x00" + r.SessionID
	}
	return ""
}

// explicitSession is r's session unless the mapping took it from the framework's conversation id
// alone (session_id equal to conversation_id): such a session does not make the trace's identity
// known, and the application's explicit session replaces it when it arrives (docs/audit-record.md,
// session precedence).
func explicitSession(r *auditrecord.Record) string {
	if r.ConversationID != "" && r.SessionID == r.ConversationID {
		return ""
	}
	return r.SessionID
}

// identityRecord says which session and user a trace belongs to, for traces whose identity came on a
// span that made no record of its own.
func identityRecord(t mapping.TraceIdentity, observed time.Time) *auditrecord.Record {
	return &auditrecord.Record{
		SchemaVersion:     auditrecord.SchemaVersion,
		RecordID:          auditrecord.NewRecordID("identity", t.TraceID, t.SessionID, t.UserID),
		Type:              auditrecord.TypeIdentity,
		Timestamp:         observed.UTC(),
		ObservedTimestamp: observed.UTC(),
		SessionID:         t.SessionID,
		UserID:            t.UserID,
		TraceID:           t.TraceID,
		Source:            &auditrecord.Source{Signal: "traces", Name: "identity"},
	}
}
