package agentauditexporter

import (
	"sync"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// recentRecords is a bounded window of the record ids this exporter wrote last. OTLP delivery is at
// least once: an SDK resends an export whose response it lost, a sidecar retries its gateway, a
// queue replays what it had not marked done. Record ids are deterministic, so a copy of a record
// written a moment ago is recognised and dropped before it reaches the store. Ids enter the window
// only once their write succeeded, so a failed write never hides a record from its retry. The
// window is a ring of 16-byte keys plus a set over it; what falls out of it, or arrives after a
// restart, is stored again and counted once by every reader.
type recentRecords struct {
	mu   sync.Mutex
	ring []auditrecord.RecordKey
	next int
	full bool
	set  map[auditrecord.RecordKey]struct{}
}

// newRecentRecords returns a window of size ids, or nil (no dedup) for size 0.
func newRecentRecords(size int) *recentRecords {
	if size <= 0 {
		return nil
	}
	return &recentRecords{ring: make([]auditrecord.RecordKey, size), set: make(map[auditrecord.RecordKey]struct{}, size)}
}

// dropWritten returns recs without the records whose id the window holds or that an earlier record
// of recs has (the exporter's batcher merges a request with its resend when both arrive within one
// flush interval; both copies then share this write, so dropping one cannot lose it), and how many
// it dropped. recs itself is returned (no copy) when nothing is dropped.
func (w *recentRecords) dropWritten(recs []*auditrecord.Record) ([]*auditrecord.Record, int) {
	if w == nil {
		return recs, 0
	}
	inBatch := make(map[auditrecord.RecordKey]struct{}, len(recs))
	w.mu.Lock()
	defer w.mu.Unlock()
	var kept []*auditrecord.Record
	for i, r := range recs {
		seen := false
		if r.RecordID != "" { // nothing tells copies of id-less records apart
			k := auditrecord.KeyOf(r.RecordID)
			_, written := w.set[k]
			_, repeated := inBatch[k]
			inBatch[k] = struct{}{}
			seen = written || repeated
		}
		switch {
		case seen && kept == nil:
			kept = append(make([]*auditrecord.Record, 0, len(recs)-1), recs[:i]...)
		case !seen && kept != nil:
			kept = append(kept, r)
		}
	}
	if kept == nil {
		return recs, 0
	}
	return kept, len(recs) - len(kept)
}

// remember adds the ids of records just written, evicting the oldest beyond the window's size.
func (w *recentRecords) remember(recs []*auditrecord.Record) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range recs {
		if r.RecordID == "" {
			continue
		}
		k := auditrecord.KeyOf(r.RecordID)
		if _, ok := w.set[k]; ok {
			continue
		}
		if w.full {
			delete(w.set, w.ring[w.next])
		}
		w.ring[w.next] = k
		w.set[k] = struct{}{}
		w.next++
		if w.next == len(w.ring) {
			w.next, w.full = 0, true
		}
	}
}
