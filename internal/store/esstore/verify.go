package esstore

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// Verify checks every chained document's hash against its stored record and every link of every
// stream's chain, in seq order from 1. It only reads. A search engine keeps no signed manifests and
// no record of how far a stream was written, so a cut-off head is not visible here: the witnessed
// checkpoints catch it (`verify --checkpoints`). Indices count as objects in the report. Retention
// notes must be signed with one of trusted (none given: the keys the evidence index publishes).
func (s *Store) Verify(ctx context.Context, location string, trusted ...ed25519.PublicKey) (trail.Report, error) {
	rep := trail.Report{Store: location, Prefix: s.cfg.Index.Prefix}
	if err := s.Refresh(ctx); err != nil {
		return rep, err
	}
	var indices []struct {
		Index string `json:"index"`
	}
	if err := s.do(ctx, http.MethodGet, "/_cat/indices/"+url.PathEscape(s.indexPattern())+"?format=json&h=index", nil, &indices); err != nil {
		return rep, err
	}
	rep.Counts.Objects = len(indices)
	streams, err := s.Ledger().Streams(ctx)
	if err != nil {
		return rep, err
	}
	rep.Counts.Streams = len(streams)
	erased, err := s.erasedSeqs(ctx)
	if err != nil {
		return rep, err
	}
	keys := trusted
	if len(keys) == 0 {
		if keys, err = s.publishedKeys(ctx); err != nil {
			return rep, err
		}
	}
	for _, stream := range streams {
		note, err := s.retentionNote(ctx, stream)
		if err != nil {
			return rep, err
		}
		rep.Findings = append(rep.Findings, noteSignatureFindings(stream, note, keys)...)
		w := &chainWalk{
			rep: &rep, stream: stream, expect: note.cut.LastSeq + 1, prev: note.cut.LastHash, prevKnown: true,
			seen: map[string]bool{}, erased: erased[stream], cut: note.cut.LastSeq, holes: note.holes,
		}
		if err := s.readStream(ctx, stream, 0, false, w.doc); err != nil {
			return rep, err
		}
		w.end()
	}
	if err := s.countUnchained(ctx, &rep); err != nil {
		return rep, err
	}
	rep.Finish()
	return rep, nil
}

// publishedKeys are the signing keys the evidence index publishes (none: an unsigned store).
func (s *Store) publishedKeys(ctx context.Context) ([]ed25519.PublicKey, error) {
	pub, err := s.Ledger().PublicKeys(ctx)
	if err != nil {
		return nil, err
	}
	keys := make([]ed25519.PublicKey, 0, len(pub))
	for _, k := range pub {
		keys = append(keys, k.Key)
	}
	return keys, nil
}

// noteSignatureFindings: on a signed store (trusted or published keys), a retention note explains missing
// seqs only when its cut and every hole are signed with one of them, as the object stores'
// retention markers must be; an edited or re-made note is bad_signature (the chain walk still
// steps over what it claims, so the failure names the note, not every seq).
func noteSignatureFindings(stream string, note retentionState, keys []ed25519.PublicKey) []trail.Finding {
	if len(keys) == 0 {
		return nil
	}
	var out []trail.Finding
	if note.raw.Cut != "" && !note.cut.SignedBy(keys) {
		out = append(out, trail.Finding{
			Kind: trail.BadSignature, Severity: trail.Failure, Stream: stream, Seq: note.cut.LastSeq,
			Detail: "the retention note's cut is not signed with a trusted key",
		})
	}
	for _, m := range note.holeMs {
		if !m.SignedBy(keys) {
			out = append(out, trail.Finding{
				Kind: trail.BadSignature, Severity: trail.Failure, Stream: stream, Seq: m.LastSeq,
				Detail: "the retention note's entry for this expired seq is not signed with a trusted key",
			})
		}
	}
	return out
}

// countUnchained reports documents without integrity (written before the store chained them, or
// injected): nothing vouches for them.
func (s *Store) countUnchained(ctx context.Context, rep *trail.Report) error {
	var out struct {
		Count int `json:"count"`
	}
	body := map[string]any{"query": map[string]any{"bool": map[string]any{"must_not": []any{map[string]any{"exists": map[string]any{"field": "integrity.stream"}}}}}}
	if err := s.do(ctx, http.MethodPost, "/"+url.PathEscape(s.indexPattern())+"/_count?ignore_unavailable=true&allow_no_indices=true", body, &out); err != nil {
		return err
	}
	if out.Count > 0 {
		rep.Findings = append(rep.Findings, trail.Finding{
			Kind: trail.ModifiedRecord, Severity: trail.Failure,
			Detail: fmt.Sprintf("%d documents carry no integrity: in no stream's chain (written before the store chained records, or added since)", out.Count),
		})
	}
	return nil
}

// chainWalk checks one stream's documents in seq order.
type chainWalk struct {
	rep       *trail.Report
	stream    string
	expect    uint64 // next seq
	prev      string // hash of the previous seq
	prevKnown bool
	seen      map[string]bool
	erased    map[uint64]string // seq → erasure id, from the erasure notes
	erasedN   int
	erasedLo  uint64
	erasedHi  uint64
	cut       uint64            // seqs up to here expired (the retention note's cut)
	holes     map[uint64]string // expired seqs past the cut → their record hash, from the note
	expiredN  int               // holes passed
}

func (w *chainWalk) add(kind trail.Kind, seq, last uint64, detail string) {
	f := trail.Finding{Kind: kind, Severity: trail.Failure, Stream: w.stream, Seq: seq, Detail: detail}
	if last > seq {
		f.LastSeq = last
	}
	w.rep.Findings = append(w.rep.Findings, f)
}

func (w *chainWalk) doc(r evidence.StoredRecord) error {
	w.rep.Counts.Records++
	if r.Seq <= w.cut {
		return nil // kept past its note (a deletion that failed after it): inside the cut's frontier
	}
	delete(w.holes, r.Seq) // a noted hole still stored: checked as any record
	w.skipHoles(r.Seq)
	content, integ, id, err := objectstore.SplitLine(r.Line)
	if err != nil || integ == nil {
		w.add(trail.ModifiedRecord, r.Seq, 0, fmt.Sprintf("document %s is not a chained record", r.Where))
		w.expect, w.prev, w.prevKnown = r.Seq+1, r.Hash, true
		return nil
	}
	if w.seen[id] {
		w.rep.Counts.DuplicateRecords++
	}
	w.seen[id] = true
	switch {
	case r.Seq > w.expect:
		w.add(trail.MissingSeq, w.expect, r.Seq-1, "no document holds these seqs (deleted: by hand, by erasure or with an expired index)")
	case r.Seq < w.expect:
		w.add(trail.ReorderedSeq, r.Seq, 0, fmt.Sprintf("seq %d is held by a second document (%s): the chain forks", r.Seq, r.Where))
	case w.prevKnown && integ.PrevHash != w.prev:
		w.add(trail.BrokenChain, r.Seq, 0, "prev_hash does not match the hash of the previous seq (documents replaced or deleted)")
	}
	if w.erasedTombstone(r) {
		w.erasedN++
		if w.erasedLo == 0 {
			w.erasedLo = r.Seq
		}
		w.erasedHi = r.Seq
	} else if objectstore.LinkHash(integ.PrevHash, content) != integ.Hash {
		w.add(trail.ModifiedRecord, r.Seq, 0, fmt.Sprintf("record %s no longer hashes to its integrity.hash (changed after it was written)", id))
	}
	w.expect, w.prev, w.prevKnown = max(w.expect, r.Seq+1), integ.Hash, true
	return nil
}

// erasedTombstone: r is a tombstone at a seq an erasure note names (a tombstone anywhere else is a
// record whose content was removed without an erasure, and fails its hash).
func (w *chainWalk) erasedTombstone(r evidence.StoredRecord) bool {
	if _, ok := w.erased[r.Seq]; !ok {
		return false
	}
	var doc struct {
		Type      auditrecord.Type       `json:"type"`
		Tombstone *auditrecord.Tombstone `json:"tombstone"`
	}
	return json.Unmarshal(r.Line, &doc) == nil && doc.Type == auditrecord.TypeTombstone && doc.Tombstone != nil
}

// skipHoles passes the noted expired seqs from the next one due up to before seq: the chain goes on
// from each one's noted hash.
func (w *chainWalk) skipHoles(before uint64) {
	for w.expect < before {
		h, ok := w.holes[w.expect]
		if !ok {
			return
		}
		w.prev, w.prevKnown = h, true
		w.expect++
		w.expiredN++
	}
}

// end reports the stream's expired and erased records (informational).
func (w *chainWalk) end() {
	w.skipHoles(^uint64(0))
	if w.cut > 0 || w.expiredN > 0 {
		w.rep.Findings = append(w.rep.Findings, trail.Finding{
			Kind: trail.Expired, Severity: trail.Info, Stream: w.stream, Seq: 1, LastSeq: max(w.cut, 1),
			Detail: fmt.Sprintf("seqs 1..%d and %d later seqs (late records of expired indices) were deleted by retention, "+
				"as the stream's retention note in the evidence index records", w.cut, w.expiredN),
		})
	}
	if w.erasedN > 0 {
		w.rep.Findings = append(w.rep.Findings, trail.Finding{
			Kind: trail.Erased, Severity: trail.Info, Stream: w.stream, Seq: w.erasedLo, LastSeq: w.erasedHi,
			Detail: fmt.Sprintf("%d records replaced by tombstones, as the erasure notes in the evidence index record", w.erasedN),
		})
	}
}
