package esstore

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Retention notes. Indices are by record time, not by seq, so the documents an expired index takes
// with it need not be a prefix of a stream: a late record of an old day sits among newer seqs. Before
// indices are deleted, each stream they hold gets one note in the evidence index (replaced by the next
// run's): the contiguous expired prefix as a cut (the objectstore retention manifest: last seq, last
// hash, tree frontier after it, read back through objectstore.MarkerCut as on every store) and, for
// expired seqs beyond it (holes), one signed manifest per seq holding its record hash, so the chain
// link across the hole is still checked and the tree still rebuilt.

// ErrSigningKeyRequired: the stream's checkpoints are signed, so its retention note must be too.
var ErrSigningKeyRequired = errors.New("the expired indices hold streams with signed checkpoints: the retention note must be signed too; pass the collector's signing key (--signing-key)")

const kindRetention = objectstore.ManifestKindRetention

// retentionDoc is a stream's retention note as the evidence index holds it.
type retentionDoc struct {
	Kind   string   `json:"kind"`
	Stream string   `json:"stream"`
	Cut    string   `json:"cut,omitempty"`   // retention manifest of the expired prefix
	Holes  []string `json:"holes,omitempty"` // one manifest (first_seq = last_seq, last_hash) per expired seq past the cut
}

// retentionState is a note decoded: the cut and the holes' hashes.
type retentionState struct {
	cut      objectstore.Manifest
	frontier evidence.Frontier
	holes    map[uint64]string
	holeMs   []objectstore.Manifest // the holes as signed, for verify's signature check
	raw      retentionDoc
	cutErr   error // the cut's tree does not hold together: verify reports it (witness), retention refuses to build on it
}

func retentionDocID(stream string) string { return "retention-" + stream }

// noteRetention writes the retention note of every stream the indices hold, before they are deleted.
func (s *Store) noteRetention(ctx context.Context, indices []string, signer *objectstore.Signer, now time.Time) error {
	if len(indices) == 0 {
		return nil
	}
	if err := s.ensureEvidence(ctx); err != nil {
		return err
	}
	streams, err := s.terms(ctx, strings.Join(indices, ","), "integrity.stream", []any{})
	if err != nil {
		return fmt.Errorf("list the streams of the expired indices: %w", err)
	}
	for _, stream := range streams {
		if err := s.noteStream(ctx, indices, stream, signer, now); err != nil {
			return fmt.Errorf("retention note of stream %s (nothing deleted): %w", stream, err)
		}
	}
	return nil
}

func (s *Store) noteStream(ctx context.Context, indices []string, stream string, signer *objectstore.Signer, now time.Time) error {
	if signer == nil {
		cps, err := s.checkpointDocs(ctx, stream, 1, "desc")
		if err != nil {
			return err
		}
		if len(cps) > 0 {
			return ErrSigningKeyRequired
		}
	}
	prev, err := s.retentionNote(ctx, stream)
	if err != nil {
		return err
	}
	if prev.cutErr != nil {
		return prev.cutErr
	}
	if prev.raw.Cut != "" && !trustedBy(prev.cut, signer) {
		return errors.New("the stream's earlier retention note is not signed by this key: refusing to extend it")
	}
	expiring, err := s.seqsIn(ctx, strings.Join(indices, ","), stream)
	if err != nil {
		return err
	}
	gone := prev.holes
	for seq := range expiring {
		gone[seq] = ""
	}
	// The hashes of the seqs past the earlier cut, as stored now (before the deletion).
	hashes, err := s.seqsIn(ctx, s.indexPattern(), stream)
	if err != nil {
		return err
	}
	for seq, h := range prev.holes {
		if h != "" {
			hashes[seq] = h
		}
	}
	cut, f := prev.cut, prev.frontier
	for seq := cut.LastSeq + 1; ; seq++ {
		_, expired := gone[seq]
		leaf, lerr := evidence.LeafHash(hashes[seq])
		if !expired || lerr != nil {
			break
		}
		f.Append(leaf)
		cut.LastSeq, cut.LastHash = seq, hashes[seq]
	}
	doc := retentionDoc{Kind: kindRetention, Stream: stream}
	if cut.LastSeq > 0 {
		cut = objectstore.Manifest{
			ManifestVersion: 1, Kind: kindRetention, Stream: stream, LastSeq: cut.LastSeq, LastHash: cut.LastHash, CreatedAt: now,
			TreeSize: f.Size, TreeRoot: evidence.Hex(f.Root()), TreeFrontier: f.Encode(),
		}
		if doc.Cut, err = encodeSigned(cut, signer); err != nil {
			return err
		}
	}
	seqs := make([]uint64, 0, len(gone))
	for seq := range gone {
		if seq > cut.LastSeq {
			seqs = append(seqs, seq)
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	for _, seq := range seqs {
		hole := objectstore.Manifest{ManifestVersion: 1, Kind: kindRetention, Stream: stream, FirstSeq: seq, LastSeq: seq, LastHash: hashes[seq], CreatedAt: now}
		enc, err := encodeSigned(hole, signer)
		if err != nil {
			return err
		}
		doc.Holes = append(doc.Holes, enc)
	}
	return s.do(ctx, http.MethodPut, "/"+url.PathEscape(s.evidenceIndex())+"/_doc/"+url.PathEscape(retentionDocID(stream))+"?refresh=true", doc, nil)
}

// trustedBy: m is signed by signer's key (or unsigned, when there is no signer).
func trustedBy(m objectstore.Manifest, signer *objectstore.Signer) bool {
	if signer == nil {
		return m.Signature == ""
	}
	return m.SignedBy([]ed25519.PublicKey{signer.PublicKey()})
}

func encodeSigned(m objectstore.Manifest, signer *objectstore.Signer) (string, error) {
	if signer != nil {
		if err := signer.Sign(&m); err != nil {
			return "", err
		}
	}
	enc, err := m.Encode()
	return string(enc), err
}

// seqsIn maps the stream's seqs stored in the indices to their hashes.
func (s *Store) seqsIn(ctx context.Context, indices, stream string) (map[uint64]string, error) {
	out := map[uint64]string{}
	var after []any
	for {
		body := map[string]any{
			"size":  scanPageSize,
			"query": map[string]any{"bool": map[string]any{"filter": []any{map[string]any{"term": map[string]any{"integrity.stream": stream}}}}},
			"sort":  []any{map[string]any{"integrity.seq": "asc"}, map[string]any{"record_id": "asc"}}, "track_total_hits": false,
			"_source": []string{"record_id", "integrity"},
		}
		if after != nil {
			body["search_after"] = after
		}
		var page struct {
			Hits struct {
				Hits []streamHit `json:"hits"`
			} `json:"hits"`
		}
		if err := s.do(ctx, http.MethodPost, "/"+indices+"/_search?ignore_unavailable=true&allow_no_indices=true", body, &page); err != nil {
			return nil, fmt.Errorf("read the seqs of stream %s: %w", stream, err)
		}
		for i := range page.Hits.Hits {
			h := &page.Hits.Hits[i]
			if err := json.Unmarshal(h.Raw, &h.Source); err != nil {
				return nil, fmt.Errorf("read the seqs of stream %s: %w", stream, err)
			}
			if h.Source.Integrity.Hash != "" {
				out[h.Source.Integrity.Seq] = h.Source.Integrity.Hash
			}
		}
		if len(page.Hits.Hits) < scanPageSize {
			return out, nil
		}
		after = page.Hits.Hits[len(page.Hits.Hits)-1].Sort
	}
}

// retentionNote reads the stream's note (the zero state when there is none); a note that does not
// decode is an error.
func (s *Store) retentionNote(ctx context.Context, stream string) (retentionState, error) {
	st := retentionState{holes: map[uint64]string{}}
	var out struct {
		Found  bool         `json:"found"`
		Source retentionDoc `json:"_source"`
	}
	err := s.do(ctx, http.MethodGet, "/"+url.PathEscape(s.evidenceIndex())+"/_doc/"+url.PathEscape(retentionDocID(stream)), nil, &out)
	var ee *engineError
	if errors.As(err, &ee) && ee.Status == http.StatusNotFound || err == nil && !out.Found {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	st.raw = out.Source
	if st.raw.Cut != "" {
		if st.cut, err = objectstore.DecodeManifest([]byte(st.raw.Cut)); err != nil {
			return st, fmt.Errorf("retention note of stream %s: %w", stream, err)
		}
		if c := objectstore.MarkerCut(s.retentionWhere(stream), []byte(st.raw.Cut)); c == nil || c.Err != nil {
			st.cutErr = fmt.Errorf("retention note of stream %s has no valid cut", stream)
		} else {
			st.frontier = c.Frontier
		}
	}
	for _, raw := range st.raw.Holes {
		m, err := objectstore.DecodeManifest([]byte(raw))
		if err != nil || m.FirstSeq != m.LastSeq {
			return st, fmt.Errorf("retention note of stream %s: malformed hole", stream)
		}
		st.holes[m.LastSeq] = m.LastHash
		st.holeMs = append(st.holeMs, m)
	}
	return st, nil
}

func (s *Store) retentionWhere(stream string) string {
	return s.evidenceIndex() + "/" + retentionDocID(stream)
}

// RetentionCut is the cut the stream's retention note states (nil when none).
func (l esLedger) RetentionCut(ctx context.Context, stream string) (*evidence.Cut, error) {
	if err := l.s.refreshAll(ctx); err != nil {
		return nil, err
	}
	var out struct {
		Found  bool         `json:"found"`
		Source retentionDoc `json:"_source"`
	}
	err := l.s.do(ctx, http.MethodGet, "/"+url.PathEscape(l.s.evidenceIndex())+"/_doc/"+url.PathEscape(retentionDocID(stream)), nil, &out)
	var ee *engineError
	if errors.As(err, &ee) && ee.Status == http.StatusNotFound || err == nil && (!out.Found || out.Source.Cut == "") {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return objectstore.MarkerCut(l.s.retentionWhere(stream), []byte(out.Source.Cut)), nil
}
