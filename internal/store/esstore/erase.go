package esstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// Erasure on the search engine, as on PostgreSQL: each of the subject's documents is replaced, under
// its own index and id, by the record's tombstone (trail.NewTombstone: record id, timestamps and
// integrity kept, no content), so its chain position and its tree leaf (the record hash) stay and
// proofs still verify. Which seqs an erasure replaced is noted in the evidence index ("erasure"
// documents, outside the records' template, so retention never removes them) before the documents
// are replaced: Verify accepts a tombstone in place of a record only at a seq noted there.

// erasurePage is how many of the subject's documents one search round reads.
const erasurePage = 1000

// subjectDoc is one of the subject's documents as stored.
type subjectDoc struct {
	index string
	rec   auditrecord.Record
}

// Tombstone replaces every record of the request's subject by its tombstone and records the erased
// seqs per stream in the evidence index; records a legal hold covers are kept and counted by hold
// id. With DryRun it only reports. Implements erase.Tombstoner (readside/erase).
func (s *Store) Tombstone(ctx context.Context, req trail.TombstoneRequest) ([]trail.ErasedObject, map[string]int, error) {
	docs, err := s.subjectDocs(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	byStream := map[string]*trail.ErasedObject{}
	var order []string
	held := map[string]int{}
	var bulk bytes.Buffer
	indices := map[string]bool{}
	for i := range docs {
		d := &docs[i]
		if req.Held != nil {
			if id := req.Held(&d.rec); id != "" {
				held[id]++
				continue
			}
		}
		integ := d.rec.Integrity
		if integ == nil {
			return nil, nil, fmt.Errorf("document %s/%s has no integrity; refusing to rewrite a document the store did not chain", d.index, d.rec.RecordID)
		}
		o, ok := byStream[integ.Stream]
		if !ok {
			o = &trail.ErasedObject{Key: s.cfg.Index.Prefix + " stream " + integ.Stream, Stream: integ.Stream}
			byStream[integ.Stream] = o
			order = append(order, integ.Stream)
		}
		o.ErasedSeqs = append(o.ErasedSeqs, integ.Seq)
		body, err := encodeDocument(trail.NewTombstone(&d.rec, req.ErasureID, req.ErasedAt))
		if err != nil {
			return nil, nil, err
		}
		action, _ := json.Marshal(map[string]any{"index": map[string]string{"_index": d.index, "_id": d.rec.RecordID}})
		bulk.Write(action)
		bulk.WriteByte('\n')
		bulk.Write(body)
		bulk.WriteByte('\n')
		indices[d.index] = true
	}
	out := make([]trail.ErasedObject, 0, len(order))
	for _, st := range order {
		out = append(out, *byStream[st])
	}
	if req.DryRun || len(out) == 0 {
		return out, held, nil
	}
	if err := s.noteErasure(ctx, req, out); err != nil {
		return out, held, err
	}
	if err := s.bulkReplace(ctx, bulk.Bytes()); err != nil {
		return out, held, fmt.Errorf("replace documents by tombstones: %w (the erasure is noted; run forget again to finish)", err)
	}
	return out, held, s.expungeReplaced(ctx, indices)
}

// subjectDocs reads the subject's documents (and those without a user id of the subject's traces)
// that are not tombstones yet, by stream and seq.
func (s *Store) subjectDocs(ctx context.Context, req trail.TombstoneRequest) ([]subjectDoc, error) {
	if err := s.Refresh(ctx); err != nil {
		return nil, err
	}
	query := map[string]any{"bool": map[string]any{
		"filter":   queryFilters(store.Query{UserID: req.Subject, TraceIDs: req.Traces}),
		"must_not": []any{map[string]any{"term": map[string]any{"type": string(auditrecord.TypeTombstone)}}},
	}}
	var out []subjectDoc
	var after []any
	for {
		body := map[string]any{
			"size": erasurePage, "query": query, "track_total_hits": false,
			"_source": map[string]any{"excludes": []string{"search"}},
			"sort":    []any{map[string]any{"integrity.stream": "asc"}, map[string]any{"integrity.seq": "asc"}, map[string]any{"record_id": "asc"}},
		}
		if after != nil {
			body["search_after"] = after
		}
		var page struct {
			Hits struct {
				Hits []struct {
					Index  string             `json:"_index"`
					Source auditrecord.Record `json:"_source"`
					Sort   []any              `json:"sort"`
				} `json:"hits"`
			} `json:"hits"`
		}
		if err := s.do(ctx, http.MethodPost, "/"+url.PathEscape(s.indexPattern())+"/_search?ignore_unavailable=true&allow_no_indices=true", body, &page); err != nil {
			return nil, fmt.Errorf("search the subject's documents: %w", err)
		}
		for _, h := range page.Hits.Hits {
			out = append(out, subjectDoc{index: h.Index, rec: h.Source})
		}
		if len(page.Hits.Hits) < erasurePage {
			return out, nil
		}
		after = page.Hits.Hits[len(page.Hits.Hits)-1].Sort
	}
}

// erasureDoc is an erasure's note in the evidence index: which seqs of one stream it replaced.
type erasureDoc struct {
	Kind      string    `json:"kind"`
	ErasureID string    `json:"erasure_id"`
	Stream    string    `json:"stream"`
	Seqs      []uint64  `json:"seqs"`
	Requester string    `json:"requester"`
	ErasedAt  time.Time `json:"erased_at"`
}

const kindErasure = "erasure"

// noteErasure stores one erasure document per stream (before any document is replaced: until then
// the originals still verify, and a second run of forget completes the erasure).
func (s *Store) noteErasure(ctx context.Context, req trail.TombstoneRequest, objs []trail.ErasedObject) error {
	if err := s.ensureEvidence(ctx); err != nil {
		return err
	}
	for _, o := range objs {
		doc := erasureDoc{Kind: kindErasure, ErasureID: req.ErasureID, Stream: o.Stream, Seqs: o.ErasedSeqs, Requester: req.Requester, ErasedAt: req.ErasedAt}
		id := "erasure-" + req.ErasureID + "-" + o.Stream
		if err := s.do(ctx, http.MethodPut, "/"+url.PathEscape(s.evidenceIndex())+"/_doc/"+url.PathEscape(id)+"?refresh=true", doc, nil); err != nil {
			return fmt.Errorf("note the erasure in %s: %w", s.evidenceIndex(), err)
		}
	}
	return nil
}

// bulkReplace sends index actions (replace whole documents) and fails unless every one was applied.
func (s *Store) bulkReplace(ctx context.Context, body []byte) error {
	var out struct {
		Items []map[string]struct {
			Status int `json:"status"`
		} `json:"items"`
	}
	if err := s.do(ctx, http.MethodPost, "/_bulk?refresh=true", ndjson(body), &out); err != nil {
		return err
	}
	failed := 0
	for _, item := range out.Items {
		if st := item["index"].Status; st != http.StatusOK && st != http.StatusCreated {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d documents not replaced", failed, len(out.Items))
	}
	return nil
}

// expungeReplaced merges away the replaced versions of the documents: until segments merge, the
// engine keeps a replaced document's old _source on disk (no longer searchable, but readable by
// someone with the data files).
func (s *Store) expungeReplaced(ctx context.Context, indices map[string]bool) error {
	names := make([]string, 0, len(indices))
	for ix := range indices {
		names = append(names, url.PathEscape(ix))
	}
	sort.Strings(names)
	if err := s.do(ctx, http.MethodPost, "/"+strings.Join(names, ",")+"/_forcemerge?only_expunge_deletes=true", nil, nil); err != nil {
		return fmt.Errorf("documents are replaced by tombstones, but their old versions could not be merged away (run forget again): %w", err)
	}
	return nil
}

// erasedSeqs reads the erasure notes: stream → seq → erasure id.
func (s *Store) erasedSeqs(ctx context.Context) (map[string]map[uint64]string, error) {
	out := map[string]map[uint64]string{}
	err := s.evidenceOfKind(ctx, kindErasure, func(_ string, source json.RawMessage) error {
		var e erasureDoc
		if err := json.Unmarshal(source, &e); err != nil {
			return err
		}
		if out[e.Stream] == nil {
			out[e.Stream] = map[uint64]string{}
		}
		for _, seq := range e.Seqs {
			out[e.Stream][seq] = e.ErasureID
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read erasure notes: %w", err)
	}
	return out, nil
}

// evidenceOfKind calls fn with the id and source of every evidence-index document of kind, a page
// at a time (erasure notes and hold markers are read this way).
func (s *Store) evidenceOfKind(ctx context.Context, kind string, fn func(id string, source json.RawMessage) error) error {
	var after []any
	for {
		body := map[string]any{
			"size": erasurePage, "query": map[string]any{"term": map[string]any{"kind": kind}},
			"sort": []any{"_doc"}, "track_total_hits": false, // one shard: _doc order pages
		}
		if after != nil {
			body["search_after"] = after
		}
		var page struct {
			Hits struct {
				Hits []struct {
					ID     string          `json:"_id"`
					Source json.RawMessage `json:"_source"`
					Sort   []any           `json:"sort"`
				} `json:"hits"`
			} `json:"hits"`
		}
		if err := s.do(ctx, http.MethodPost, "/"+url.PathEscape(s.evidenceIndex())+"/_search?ignore_unavailable=true&allow_no_indices=true", body, &page); err != nil {
			return err
		}
		for _, h := range page.Hits.Hits {
			if err := fn(h.ID, h.Source); err != nil {
				return err
			}
		}
		if len(page.Hits.Hits) < erasurePage {
			return nil
		}
		after = page.Hits.Hits[len(page.Hits.Hits)-1].Sort
	}
}
