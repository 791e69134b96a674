package esstore

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Each stream (instance × signal) is hash-chained exactly as the other stores chain it
// (objectstore.AppendChained: integrity.stream/seq/prev_hash/hash in the document, the same
// canonical record hash). A document keeps _id = record_id and op_type create, so a record is
// stored once whatever retries. The chain stays deterministic because an assignment (record → seq,
// prev_hash) lives in memory until the engine holds every document of it: a bulk request that
// partially failed is resent with the same bodies (at the start of the next Write if this one gives
// up), never re-assigned, so it neither forks nor gaps the chain. Documents that turn out not to
// belong in the chain after all — rejected for good (dead letters) or already stored by an earlier
// run (409 on create) — are taken out and the rest of the assignment is chained again from there;
// those of its documents already stored are overwritten (op_type index): they are this writer's own,
// not yet part of a committed chain.

// pendingDoc is one record of a stream's assignment not yet known to be stored in this version.
type pendingDoc struct {
	rec        *auditrecord.Record
	index      string
	seq        uint64
	prev, hash string
	body       []byte
	done       bool     // the engine holds this version
	counted    bool     // counted as indexed (once, whatever re-chaining follows)
	overwrite  bool     // send with op_type index: an earlier version of ours is stored
	sent       []string // hashes of versions that may be stored (sent without a definite refusal)
}

// streamChain is a stream's chain as the writer keeps it: base is the head the engine holds whole,
// pending the assignment after it.
type streamChain struct {
	baseSeq  uint64
	baseHash string
	pending  []*pendingDoc
	ids      map[string]bool         // record ids in pending
	tree     *objectstore.StreamTree // nil until checkpoints need it
}

// last is the seq and hash the next record chains after.
func (c *streamChain) last() (uint64, string) {
	if n := len(c.pending); n > 0 {
		return c.pending[n-1].seq, c.pending[n-1].hash
	}
	return c.baseSeq, c.baseHash
}

// chain returns the stream's chain, reading its head from the engine the first time.
func (s *Store) chain(ctx context.Context, stream string) (*streamChain, error) {
	if c, ok := s.chains[stream]; ok {
		return c, nil
	}
	seq, hash, err := s.streamHead(ctx, stream)
	if err != nil {
		return nil, fmt.Errorf("read chain head of %s: %w", stream, err)
	}
	c := &streamChain{baseSeq: seq, baseHash: hash, ids: map[string]bool{}}
	s.chains[stream] = c
	return c, nil
}

// streamHead is the stream's stored document with the highest seq (refreshed first: another run
// may have written a moment ago).
func (s *Store) streamHead(ctx context.Context, stream string) (uint64, string, error) {
	if err := s.Refresh(ctx); err != nil {
		return 0, "", err
	}
	hits, err := s.searchStream(ctx, stream, 0, 1, "desc", nil, false)
	if err != nil || len(hits) == 0 {
		return 0, "", err
	}
	return hits[0].Source.Integrity.Seq, hits[0].Source.Integrity.Hash, nil
}

// assign chains the batch's records that are not pending already (a retried batch) onto the
// stream; a record that cannot be encoded is returned as a dead letter and gets no seq.
func (s *Store) assign(c *streamChain, stream, signal string, recs []*auditrecord.Record) []DeadLetter {
	var rejected []DeadLetter
	seq, prev := c.last()
	for _, r := range recs {
		if c.ids[r.RecordID] {
			continue
		}
		d := &pendingDoc{rec: r, index: indexName(s.cfg.Index.Prefix, s.cfg.Index.Period, indexTime(r, s.now()))}
		if err := s.encodeAt(d, stream, seq+1, prev); err != nil {
			rejected = append(rejected, newDeadLetter(signal, d.index, r, itemOutcome{ErrorType: "encode_error", Reason: err.Error()}))
			continue
		}
		c.pending = append(c.pending, d)
		c.ids[r.RecordID] = true
		seq, prev = d.seq, d.hash
	}
	return rejected
}

// encodeAt makes d the record's document at seq after prev.
func (s *Store) encodeAt(d *pendingDoc, stream string, seq uint64, prev string) error {
	rc := *d.rec
	rc.Integrity = nil
	line, hash, err := objectstore.AppendChained(make([]byte, 0, 1024), &rc, stream, seq, prev)
	if err != nil {
		return err
	}
	body, err := appendSearch(line, d.rec)
	if err != nil {
		return err
	}
	d.seq, d.prev, d.hash, d.body, d.done = seq, prev, hash, body, false
	return nil
}

// rechain takes the documents at the drop positions out of the assignment and chains the rest
// again from the first of them.
func (s *Store) rechain(c *streamChain, stream string, drop map[int]bool) error {
	first := len(c.pending)
	for i := range drop {
		first = min(first, i)
	}
	seq, prev := c.baseSeq, c.baseHash
	if first > 0 {
		seq, prev = c.pending[first-1].seq, c.pending[first-1].hash
	}
	kept := c.pending[:first]
	for i := first; i < len(c.pending); i++ {
		d := c.pending[i]
		if drop[i] {
			delete(c.ids, d.rec.RecordID)
			continue
		}
		if d.done {
			d.overwrite = true
		}
		if err := s.encodeAt(d, stream, seq+1, prev); err != nil {
			return err // it encoded a moment ago; only memory can fail here
		}
		seq, prev = d.seq, d.hash
		kept = append(kept, d)
	}
	c.pending = kept
	return nil
}

// commit moves the base over a fully stored assignment and returns the hashes it added, in seq
// order (the tree's new leaves).
func (c *streamChain) commit() (first uint64, hashes []string) {
	if len(c.pending) == 0 {
		return 0, nil
	}
	first = c.pending[0].seq
	hashes = make([]string, len(c.pending))
	for i, d := range c.pending {
		hashes[i] = d.hash
	}
	c.baseSeq, c.baseHash = c.last()
	c.pending, c.ids = nil, map[string]bool{}
	return first, hashes
}

// storedHashes reads the integrity.hash of documents in real time (GET, not search: a document
// written a moment ago is seen); "" for one that is not there.
func (s *Store) storedHashes(ctx context.Context, docs []*pendingDoc) ([]string, error) {
	type ref struct {
		Index  string   `json:"_index"`
		ID     string   `json:"_id"`
		Source []string `json:"_source"`
	}
	body := struct {
		Docs []ref `json:"docs"`
	}{}
	for _, d := range docs {
		body.Docs = append(body.Docs, ref{Index: d.index, ID: d.rec.RecordID, Source: []string{"integrity.hash"}})
	}
	var out struct {
		Docs []struct {
			Found  bool `json:"found"`
			Source struct {
				Integrity auditrecord.Integrity `json:"integrity"`
			} `json:"_source"`
		} `json:"docs"`
	}
	if err := s.do(ctx, http.MethodPost, "/_mget", body, &out); err != nil {
		return nil, err
	}
	if len(out.Docs) != len(docs) {
		return nil, fmt.Errorf("mget: %d answers for %d documents", len(out.Docs), len(docs))
	}
	hashes := make([]string, len(docs))
	for i, d := range out.Docs {
		if d.Found {
			hashes[i] = d.Source.Integrity.Hash
		}
	}
	return hashes, nil
}

// streamHit is a stored document of a stream as searchStream returns it.
type streamHit struct {
	Index  string          `json:"_index"`
	Raw    json.RawMessage `json:"_source"`
	Sort   []any           `json:"sort"`
	Source struct {
		RecordID  string                `json:"record_id"`
		Integrity auditrecord.Integrity `json:"integrity"`
	} `json:"-"`
}

// searchStream returns up to size documents of stream with seq > from, by seq (order asc or desc),
// after the sort key after. raw: whole sources (minus the search member, which the chain does
// not cover), else record_id and integrity only.
func (s *Store) searchStream(ctx context.Context, stream string, from uint64, size int, order string, after []any, raw bool) ([]streamHit, error) {
	filter := []any{
		map[string]any{"term": map[string]any{"integrity.stream": stream}},
		map[string]any{"range": map[string]any{"integrity.seq": map[string]any{"gt": from}}},
	}
	body := map[string]any{
		"size":             size,
		"query":            map[string]any{"bool": map[string]any{"filter": filter}},
		"sort":             []any{map[string]any{"integrity.seq": order}, map[string]any{"record_id": order}},
		"track_total_hits": false,
		"_source":          []string{"record_id", "integrity"},
	}
	if raw {
		body["_source"] = map[string]any{"excludes": []string{"search"}}
	}
	if after != nil {
		body["search_after"] = after
	}
	var page struct {
		Hits struct {
			Hits []streamHit `json:"hits"`
		} `json:"hits"`
	}
	path := "/" + url.PathEscape(s.indexPattern()) + "/_search?ignore_unavailable=true&allow_no_indices=true"
	if err := s.do(ctx, http.MethodPost, path, body, &page); err != nil {
		return nil, fmt.Errorf("search stream %s: %w", stream, err)
	}
	for i := range page.Hits.Hits {
		h := &page.Hits.Hits[i]
		if err := json.Unmarshal(h.Raw, &h.Source); err != nil {
			return nil, fmt.Errorf("search stream %s: decode document: %w", stream, err)
		}
	}
	return page.Hits.Hits, nil
}
