package esstore

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Ledger is the store as the evidence layer reads it: streams, heads and documents from the record
// indices (by integrity.stream and seq), checkpoints and keys from the evidence index. Documents keep
// no tree claims (no manifests): the checkpoints are the claims. Every read refreshes first, so
// what was written a moment ago is seen.
func (s *Store) Ledger() evidence.Ledger { return esLedger{s} }

type esLedger struct{ s *Store }

var _ evidence.Ledger = esLedger{}

func (l esLedger) Name() string { return "store" }

// refreshAll makes the records and the evidence searchable.
func (s *Store) refreshAll(ctx context.Context) error {
	path := "/" + url.PathEscape(s.indexPattern()) + "," + url.PathEscape(s.evidenceIndex()) + "/_refresh?ignore_unavailable=true&allow_no_indices=true"
	return s.do(ctx, http.MethodPost, path, nil, nil)
}

// terms lists the distinct values of a keyword field in the indices (up to 10,000: streams are
// instances × signals).
func (s *Store) terms(ctx context.Context, indices, field string, filter []any) ([]string, error) {
	if err := s.refreshAll(ctx); err != nil {
		return nil, err
	}
	body := map[string]any{
		"size": 0, "query": map[string]any{"bool": map[string]any{"filter": filter}},
		"aggs": map[string]any{"v": map[string]any{"terms": map[string]any{"field": field, "size": 10000}}},
	}
	var out struct {
		Aggregations struct {
			V struct {
				Buckets []struct {
					Key string `json:"key"`
				} `json:"buckets"`
			} `json:"v"`
		} `json:"aggregations"`
	}
	if err := s.do(ctx, http.MethodPost, "/"+url.PathEscape(indices)+"/_search?ignore_unavailable=true&allow_no_indices=true", body, &out); err != nil {
		return nil, err
	}
	vals := make([]string, 0, len(out.Aggregations.V.Buckets))
	for _, b := range out.Aggregations.V.Buckets {
		vals = append(vals, b.Key)
	}
	sort.Strings(vals)
	return vals, nil
}

func (l esLedger) Streams(ctx context.Context) ([]string, error) {
	return l.s.terms(ctx, l.s.indexPattern(), "integrity.stream", []any{})
}

func (l esLedger) CheckpointStreams(ctx context.Context) ([]string, error) {
	return l.s.terms(ctx, l.s.evidenceIndex(), "stream", []any{map[string]any{"term": map[string]any{"kind": "checkpoint"}}})
}

// Head is the highest seq stored: documents keep no record of how far a stream was written beyond
// themselves (the checkpoints and the witnesses do).
func (l esLedger) Head(ctx context.Context, stream string) (uint64, error) {
	seq, _, err := l.s.streamHead(ctx, stream)
	return seq, err
}

// ReadStream reads the stream's documents; not strict, it gives in their place the seqs retention
// deleted past the stream's cut (holes: late records of expired indices) with the hash the
// retention note holds and no line, so the tree is rebuilt across them.
func (l esLedger) ReadStream(ctx context.Context, stream string, strict bool, fn func(evidence.StoredRecord) error) error {
	if err := l.s.Refresh(ctx); err != nil {
		return err
	}
	if strict {
		return l.s.readStream(ctx, stream, 0, strict, fn)
	}
	note, err := l.s.retentionNote(ctx, stream)
	if err != nil {
		return err
	}
	holes := make([]uint64, 0, len(note.holes))
	for seq := range note.holes {
		holes = append(holes, seq)
	}
	sort.Slice(holes, func(i, j int) bool { return holes[i] < holes[j] })
	where := l.s.retentionWhere(stream)
	fill := func(before uint64) error {
		for len(holes) > 0 && holes[0] < before {
			if err := fn(evidence.StoredRecord{Seq: holes[0], Hash: note.holes[holes[0]], Where: where}); err != nil {
				return err
			}
			holes = holes[1:]
		}
		return nil
	}
	err = l.s.readStream(ctx, stream, 0, false, func(r evidence.StoredRecord) error {
		if err := fill(r.Seq); err != nil {
			return err
		}
		if len(holes) > 0 && holes[0] == r.Seq {
			holes = holes[1:] // still stored: the document counts
		}
		return fn(r)
	})
	if err != nil {
		return err
	}
	return fill(^uint64(0))
}

// readStream calls fn for the stream's documents after seq from, in seq order; strict stops with
// evidence.ErrStreamGap at the first seq that is not the next one.
func (s *Store) readStream(ctx context.Context, stream string, from uint64, strict bool, fn func(evidence.StoredRecord) error) error {
	next := from + 1
	var after []any
	for {
		hits, err := s.searchStream(ctx, stream, from, scanPageSize, "asc", after, true)
		if err != nil {
			return err
		}
		for _, h := range hits {
			seq := h.Source.Integrity.Seq
			if strict && seq != next {
				return fmt.Errorf("stream %s: seq %d where %d was due: %w", stream, seq, next, evidence.ErrStreamGap)
			}
			r := evidence.StoredRecord{Seq: seq, Hash: h.Source.Integrity.Hash, Line: h.Raw, Where: h.Index + "/" + h.Source.RecordID}
			if err := fn(r); err != nil {
				return err
			}
			next = seq + 1
		}
		if len(hits) < scanPageSize {
			return nil
		}
		after = hits[len(hits)-1].Sort
	}
}

func (l esLedger) TreeClaims(context.Context, string) ([]evidence.TreeClaim, error) { return nil, nil }

// checkpointDoc is a checkpoint as the evidence index holds it.
type checkpointDoc struct {
	Stream     string   `json:"stream"`
	Size       uint64   `json:"tree_size"`
	Checkpoint string   `json:"checkpoint"`
	Frontier   []string `json:"frontier"`
}

// checkpointDocs returns up to size of the stream's checkpoints by tree size (order asc or desc).
func (s *Store) checkpointDocs(ctx context.Context, stream string, size int, order string) ([]checkpointDoc, error) {
	if err := s.refreshAll(ctx); err != nil {
		return nil, err
	}
	body := map[string]any{
		"size": size,
		"query": map[string]any{"bool": map[string]any{"filter": []any{
			map[string]any{"term": map[string]any{"kind": "checkpoint"}},
			map[string]any{"term": map[string]any{"stream": stream}},
		}}},
		"sort": []any{map[string]any{"tree_size": order}},
	}
	var out struct {
		Hits struct {
			Hits []struct {
				Source checkpointDoc `json:"_source"`
			} `json:"hits"`
		} `json:"hits"`
	}
	if err := s.do(ctx, http.MethodPost, "/"+url.PathEscape(s.evidenceIndex())+"/_search?ignore_unavailable=true&allow_no_indices=true", body, &out); err != nil {
		return nil, err
	}
	docs := make([]checkpointDoc, len(out.Hits.Hits))
	for i, h := range out.Hits.Hits {
		docs[i] = h.Source
	}
	return docs, nil
}

// maxCheckpoints bounds how many checkpoints of one stream are read (one search page).
const maxCheckpoints = 10000

func (l esLedger) Checkpoints(ctx context.Context, stream string) ([]evidence.StoredCheckpoint, error) {
	docs, err := l.s.checkpointDocs(ctx, stream, maxCheckpoints, "asc")
	if err != nil {
		return nil, err
	}
	out := make([]evidence.StoredCheckpoint, len(docs))
	for i, d := range docs {
		out[i] = evidence.StoredCheckpoint{Size: d.Size, Where: fmt.Sprintf("%s tree_size=%d", l.s.evidenceIndex(), d.Size), Signed: []byte(d.Checkpoint)}
	}
	return out, nil
}

func (l esLedger) PublicKeys(ctx context.Context) ([]evidence.PublishedKey, error) {
	if err := l.s.refreshAll(ctx); err != nil {
		return nil, err
	}
	body := map[string]any{"size": 1000, "query": map[string]any{"term": map[string]any{"kind": "key"}}, "sort": []any{map[string]any{"fingerprint": "asc"}}}
	var out struct {
		Hits struct {
			Hits []struct {
				Source struct {
					Fingerprint string `json:"fingerprint"`
					PEM         string `json:"pem"`
				} `json:"_source"`
			} `json:"hits"`
		} `json:"hits"`
	}
	if err := l.s.do(ctx, http.MethodPost, "/"+url.PathEscape(l.s.evidenceIndex())+"/_search?ignore_unavailable=true&allow_no_indices=true", body, &out); err != nil {
		return nil, err
	}
	var keys []evidence.PublishedKey
	for _, h := range out.Hits.Hits {
		if k, err := objectstore.ParsePublicKey([]byte(h.Source.PEM)); err == nil {
			keys = append(keys, evidence.PublishedKey{Fingerprint: h.Source.Fingerprint, PEM: []byte(h.Source.PEM), Key: k})
		}
	}
	return keys, nil
}
