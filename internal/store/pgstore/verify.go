package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// Verify checks every row's hash against its stored record, every link of every stream's chain, that
// every seq the batches recorded is held by a row or explained by retention (expired_ranges), that
// every changed row is explained by an erasure (a tombstone noted in erasures), and that the typed
// columns agree with the stored record. It only reads. In the report batches count as manifests and
// partitions as objects.
func (s *Store) Verify(ctx context.Context, location string) (trail.Report, error) {
	rep := trail.Report{Store: location, Prefix: "agentaudit"}
	if err := s.ensureMigrated(ctx); err != nil {
		return rep, err
	}
	parts, err := s.partitionList(ctx, s.pool)
	if err != nil {
		return rep, err
	}
	rep.Counts.Objects = len(parts)
	maxSeq := map[string]int64{}
	streams := map[string]bool{}
	rows, err := s.pool.Query(ctx, `SELECT stream, max(last_seq), count(*) FROM agentaudit.batches GROUP BY stream`)
	if err != nil {
		return rep, err
	}
	for rows.Next() {
		var st string
		var last, n int64
		if err := rows.Scan(&st, &last, &n); err != nil {
			rows.Close()
			return rep, err
		}
		maxSeq[st], streams[st] = last, true
		rep.Counts.Manifests += int(n)
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	expired := map[string][]expiredRange{}
	rows, err = s.pool.Query(ctx, `SELECT stream, first_seq, last_seq, first_prev_hash, last_hash, partition_name FROM agentaudit.expired_ranges ORDER BY stream, first_seq`)
	if err != nil {
		return rep, err
	}
	for rows.Next() {
		var e expiredRange
		if err := rows.Scan(&e.stream, &e.first, &e.last, &e.firstPrev, &e.lastHash, &e.partition); err != nil {
			rows.Close()
			return rep, err
		}
		expired[e.stream] = append(expired[e.stream], e)
		streams[e.stream] = true
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	erased := map[string]map[int64]string{} // stream → seq → erasure id
	rows, err = s.pool.Query(ctx, `SELECT stream, seq, erasure_id FROM agentaudit.erasures`)
	if err != nil {
		return rep, err
	}
	for rows.Next() {
		var st, id string
		var seq int64
		if err := rows.Scan(&st, &seq, &id); err != nil {
			rows.Close()
			return rep, err
		}
		if erased[st] == nil {
			erased[st] = map[int64]string{}
		}
		erased[st][seq] = id
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}

	var cur *streamWalk
	finish := func() {
		if cur != nil {
			cur.end(maxSeq[cur.name])
			delete(streams, cur.name)
		}
	}
	rows, err = s.pool.Query(ctx, `SELECT stream, seq, prev_hash, hash, record_id, type, coalesce(session_id, ''), coalesce(user_id, ''),
  "timestamp", record::text FROM agentaudit.records ORDER BY stream, seq`)
	if err != nil {
		return rep, err
	}
	for rows.Next() {
		var r chainRow
		if err := rows.Scan(&r.stream, &r.seq, &r.prevHash, &r.hash, &r.recordID, &r.typ, &r.sessionID, &r.userID, &r.ts, &r.raw); err != nil {
			rows.Close()
			return rep, err
		}
		if cur == nil || cur.name != r.stream {
			finish()
			cur = &streamWalk{rep: &rep, name: r.stream, expired: expired[r.stream], erased: erased[r.stream], expect: 1}
		}
		cur.row(r)
		rep.Counts.Records++
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	finish()
	// Streams with batches or expired ranges but no row left.
	for _, st := range sortedKeys(streams) {
		w := &streamWalk{rep: &rep, name: st, expired: expired[st], erased: erased[st], expect: 1}
		w.end(maxSeq[st])
	}
	rep.Counts.Streams = len(maxSeq)
	for st := range expired {
		if _, ok := maxSeq[st]; !ok {
			rep.Counts.Streams++
		}
	}
	rep.Finish()
	return rep, nil
}

type expiredRange struct {
	stream, firstPrev, lastHash, partition string
	first, last                            int64
}

type chainRow struct {
	stream, prevHash, hash, recordID, typ, sessionID, userID string
	seq                                                      int64
	ts                                                       time.Time
	raw                                                      []byte
}

// streamWalk checks one stream's rows in seq order, with its expired ranges merged in.
type streamWalk struct {
	rep       *trail.Report
	name      string
	expired   []expiredRange
	erased    map[int64]string
	expect    int64  // next seq
	prev      string // hash of the previous seq
	prevKnown bool
	erasedN   int
	erasedLo  int64
	erasedHi  int64
}

func (w *streamWalk) add(kind trail.Kind, sev trail.Severity, seq, last int64, detail string) {
	f := trail.Finding{Kind: kind, Severity: sev, Stream: w.name, Seq: uint64(seq), Detail: detail}
	if last > seq {
		f.LastSeq = uint64(last)
	}
	w.rep.Findings = append(w.rep.Findings, f)
}

// link checks that an element starting at seq with prevHash follows what came before.
func (w *streamWalk) link(seq int64, prevHash string) {
	switch {
	case seq > w.expect:
		w.add(trail.MissingSeq, trail.Failure, w.expect, seq-1, "no row holds these seqs and no retention explains them (rows deleted)")
	case seq < w.expect:
		w.add(trail.ReorderedSeq, trail.Failure, seq, 0, fmt.Sprintf("seq %d appears again after seq %d", seq, w.expect-1))
	default:
		if w.prevKnown && prevHash != w.prev {
			w.add(trail.BrokenChain, trail.Failure, seq, 0, "prev_hash does not match the hash of the previous seq (rows reordered, replaced or deleted)")
		}
	}
}

// expiredUpTo walks the expired ranges that start before seq.
func (w *streamWalk) expiredUpTo(seq int64) {
	for len(w.expired) > 0 && w.expired[0].first < seq {
		e := w.expired[0]
		w.expired = w.expired[1:]
		w.link(e.first, e.firstPrev)
		w.add(trail.Expired, trail.Info, e.first, e.last, fmt.Sprintf("dropped by retention with partition %s, as agentaudit.expired_ranges records", e.partition))
		w.expect, w.prev, w.prevKnown = e.last+1, e.lastHash, true
	}
}

func (w *streamWalk) row(r chainRow) {
	w.expiredUpTo(r.seq)
	content, integ, err := objectstore.LineHashInput(r.raw)
	if err != nil || integ == nil {
		w.add(trail.ModifiedRecord, trail.Failure, r.seq, 0, "stored record is not a chained record")
		w.expect, w.prev, w.prevKnown = r.seq+1, r.hash, true
		return
	}
	w.link(r.seq, r.prevHash)
	switch {
	case int64(integ.Seq) != r.seq || integ.Stream != r.stream:
		w.add(trail.ReorderedSeq, trail.Failure, r.seq, 0, fmt.Sprintf("the row's stream/seq columns differ from its record's (%s seq %d)", integ.Stream, integ.Seq))
	case integ.PrevHash != r.prevHash || integ.Hash != r.hash:
		w.add(trail.ModifiedRecord, trail.Failure, r.seq, 0, "the row's hash columns differ from its record's integrity")
	}
	var doc struct {
		RecordID  string    `json:"record_id"`
		Type      string    `json:"type"`
		SessionID string    `json:"session_id"`
		UserID    string    `json:"user_id"`
		Timestamp time.Time `json:"timestamp"`
	}
	_ = json.Unmarshal(r.raw, &doc)
	if _, ok := w.erased[r.seq]; ok && doc.Type == "tombstone" {
		w.erasedN++
		if w.erasedLo == 0 || r.seq < w.erasedLo {
			w.erasedLo = r.seq
		}
		w.erasedHi = max(w.erasedHi, r.seq)
	} else if objectstore.LinkHash(integ.PrevHash, content) != integ.Hash {
		w.add(trail.ModifiedRecord, trail.Failure, r.seq, 0, fmt.Sprintf("record %s no longer hashes to its integrity.hash (changed after it was written)", r.recordID))
	}
	if doc.RecordID != r.recordID || doc.Type != r.typ || doc.SessionID != r.sessionID || doc.UserID != r.userID ||
		doc.Timestamp.Sub(r.ts).Abs() >= time.Microsecond { // the column holds the record's time rounded to µs
		w.add(trail.ModifiedRecord, trail.Failure, r.seq, 0, "the row's typed columns (record_id, type, session_id, user_id, timestamp) differ from its stored record")
	}
	w.expect, w.prev, w.prevKnown = r.seq+1, r.hash, true
}

// end closes the stream: the batches said seqs up to maxSeq were written.
func (w *streamWalk) end(maxSeq int64) {
	w.expiredUpTo(1 << 62)
	if w.expect <= maxSeq {
		w.add(trail.MissingSeq, trail.Failure, w.expect, maxSeq, "the batches record these seqs but no row holds them (rows deleted)")
	}
	if w.erasedN > 0 {
		w.add(trail.Erased, trail.Info, w.erasedLo, w.erasedHi, fmt.Sprintf("%d records replaced by tombstones, as agentaudit.erasures records", w.erasedN))
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
