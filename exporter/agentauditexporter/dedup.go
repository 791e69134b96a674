package agentauditexporter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// recentRecords is a bounded window of the record ids this exporter wrote last. OTLP delivery is at
// least once: an SDK resends an export whose response it lost, a sidecar retries its gateway, a
// queue replays what it had not marked done. Record ids are deterministic, so a copy of a record
// written a moment ago is recognised and dropped before it reaches the store. Ids enter the window
// only once their write succeeded, so a failed write never hides a record from its retry. The
// window is a ring of 16-byte keys plus a set over it (keySet: fixed size, one cache line a look-up), seeded at start from the store's last objects
// (seed); what falls out of it is stored again and counted once by every reader.
type recentRecords struct {
	mu   sync.Mutex
	ring []auditrecord.RecordKey
	next int
	full bool
	set  *keySet
	// inBatch is dropWritten's set of the ids earlier in its batch, reused under mu.
	inBatch *keySet
}

// newRecentRecords returns a window of size ids, or nil (no dedup) for size 0.
func newRecentRecords(size int) *recentRecords {
	if size <= 0 {
		return nil
	}
	return &recentRecords{ring: make([]auditrecord.RecordKey, size), set: newKeySet(size), inBatch: newKeySet(0)}
}

// dropWritten returns recs without the records whose id the window holds or that an earlier record
// of recs has (the exporter's batcher merges a request with its resend when both arrive within one
// flush interval; both copies then share this write, so dropping one cannot lose it), and how many
// it dropped. recs itself is returned (no copy) when nothing is dropped.
func (w *recentRecords) dropWritten(recs []*auditrecord.Record) ([]*auditrecord.Record, int) {
	if w == nil {
		return recs, 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inBatch.reset(len(recs))
	var kept []*auditrecord.Record
	for i, r := range recs {
		seen := false
		if r.RecordID != "" { // nothing tells copies of id-less records apart
			k := auditrecord.KeyOf(r.RecordID)
			repeated := !w.inBatch.add(k)
			seen = repeated || w.set.has(k)
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
		if w.set.has(k) {
			continue
		}
		if w.full {
			w.set.remove(w.ring[w.next])
		}
		w.ring[w.next] = k
		w.set.add(k)
		w.next++
		if w.next == len(w.ring) {
			w.next, w.full = 0, true
		}
	}
}

// seedObjects is how many of a stream's last objects the window is seeded from at start: more than
// the batches a queue's consumers write at once, so every batch a crash left written but not yet
// marked done in the persistent queue is among them.
const seedObjects = 16

// seed fills the window from the last objects of this instance's streams, so that what a persistent
// queue replays after a crash (a batch written, then the process killed before the queue marked it
// done) is recognised and not stored a second time. The objects' own order is kept: the newest ids
// stay in the window. It reads at most seedObjects objects per stream and stops when the window is
// full.
func (w *recentRecords) seed(ctx context.Context, s *objectstore.Store, streams []string) (int, error) {
	if w == nil {
		return 0, nil
	}
	seeded := 0
	for _, stream := range streams {
		keys, err := s.Backend().List(ctx, s.Layout().ManifestPrefix(stream))
		if err != nil {
			return seeded, err
		}
		var manifests []string
		for i := len(keys) - 1; i >= 0 && len(manifests) < seedObjects; i-- {
			if strings.HasSuffix(keys[i], ".json") && !strings.Contains(keys[i], ".erasure-") {
				manifests = append(manifests, keys[i])
			}
		}
		for i := len(manifests) - 1; i >= 0 && seeded < len(w.ring); i-- {
			raw, err := s.Backend().Get(ctx, manifests[i])
			if err != nil {
				return seeded, err
			}
			m, err := objectstore.DecodeManifest(raw)
			if err != nil {
				return seeded, fmt.Errorf("%s: %w", manifests[i], err)
			}
			data, err := s.Backend().Get(ctx, m.ObjectKey)
			if errors.Is(err, objectstore.ErrNotExist) {
				continue // removed by retention
			}
			if err != nil {
				return seeded, err
			}
			recs, err := objectstore.DecodeRecords(m.ObjectKey, data)
			if err != nil {
				return seeded, err
			}
			w.remember(recs)
			seeded += len(recs)
		}
	}
	return seeded, nil
}
