package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// Maintenance for auditctl: erasure by tombstones and retention by dropping partitions. Both run as a
// member of agentaudit_admin that announces maintenance, the one path the append-only trigger lets
// change rows.

// ErrNotAdmin: the user is not an agentaudit_admin member, so the append-only trigger refused.
var ErrNotAdmin = errors.New("this PostgreSQL user may not change the audit trail: connect as a member of agentaudit_admin (see docs/postgres.md)")

func (s *Store) maintenance(ctx context.Context, dryRun bool, fn func(tx pgx.Tx) error) error {
	if err := s.ensureMigrated(ctx); err != nil {
		return err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	if _, err := tx.Exec(ctx, `SET LOCAL agentaudit.maintenance = 'on'`); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42501" {
			return fmt.Errorf("%w: %s", ErrNotAdmin, pgErr.Message)
		}
		return err
	}
	if dryRun {
		return nil
	}
	return tx.Commit(ctx)
}

// Tombstone replaces every record of the request's subject by its tombstone (same record id,
// timestamps and integrity, no content), clears its typed columns and notes the erased seqs in
// agentaudit.erasures, all in one transaction; records a legal hold covers are kept and counted by
// hold id. Implements erase.Tombstoner (readside/erase).
func (s *Store) Tombstone(ctx context.Context, req trail.TombstoneRequest) ([]trail.ErasedObject, map[string]int, error) {
	byStream := map[string]*trail.ErasedObject{}
	var order []string
	held := map[string]int{}
	err := s.maintenance(ctx, req.DryRun, func(tx pgx.Tx) error {
		all, err := subjectRows(ctx, tx, req)
		if err != nil {
			return err
		}
		batch := &pgx.Batch{}
		for i := range all {
			e := &all[i]
			if req.Held != nil {
				if id := req.Held(&e.rec); id != "" {
					held[id]++
					continue
				}
			}
			integ := e.rec.Integrity
			o, ok := byStream[integ.Stream]
			if !ok {
				o = &trail.ErasedObject{Key: recordsTable + " stream " + integ.Stream, Stream: integ.Stream}
				byStream[integ.Stream] = o
				order = append(order, integ.Stream)
			}
			o.ErasedSeqs = append(o.ErasedSeqs, integ.Seq)
			line, err := auditrecord.MarshalRecord(trail.NewTombstone(&e.rec, req.ErasureID, req.ErasedAt))
			if err != nil {
				return err
			}
			batch.Queue(`UPDATE agentaudit.records SET type = 'tombstone', session_id = NULL, user_id = NULL, agent = NULL,
  trace_id = NULL, span_id = NULL, tool_name = NULL, tool_status = NULL, duration_ms = NULL, model = NULL,
  input_tokens = NULL, output_tokens = NULL, cost_usd = NULL, record = $3::text::jsonb
WHERE record_id = $1 AND "timestamp" = $2`, e.rec.RecordID, e.ts, string(line))
			batch.Queue(`INSERT INTO agentaudit.erasures (erasure_id, stream, seq, record_id, requester, erased_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				req.ErasureID, integ.Stream, int64(integ.Seq), e.rec.RecordID, req.Requester, req.ErasedAt)
		}
		if batch.Len() == 0 {
			return nil
		}
		return tx.SendBatch(ctx, batch).Close()
	})
	out := make([]trail.ErasedObject, 0, len(order))
	for _, st := range order {
		out = append(out, *byStream[st])
	}
	return out, held, err
}

// erasedRow is a row of the subject's, with its stored record.
type erasedRow struct {
	ts  time.Time
	rec auditrecord.Record
}

// subjectRows reads the subject's rows (and those without a user id of the subject's traces), by
// stream and seq.
func subjectRows(ctx context.Context, tx pgx.Tx, req trail.TombstoneRequest) ([]erasedRow, error) {
	traceIDs := make([]string, 0, len(req.Traces))
	for id := range req.Traces {
		traceIDs = append(traceIDs, id)
	}
	rows, err := tx.Query(ctx, `SELECT "timestamp", record::text FROM agentaudit.records
	WHERE (user_id = $1 OR (coalesce(user_id, '') = '' AND trace_id = ANY($2))) AND type <> 'tombstone' ORDER BY stream, seq`, req.Subject, traceIDs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []erasedRow
	for rows.Next() {
		var e erasedRow
		var raw []byte
		if err := rows.Scan(&e.ts, &raw); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &e.rec); err != nil {
			return nil, fmt.Errorf("decode record: %w", err)
		}
		if e.rec.Integrity == nil {
			return nil, fmt.Errorf("record %s has no integrity; refusing to rewrite a row the store did not chain", e.rec.RecordID)
		}
		all = append(all, e)
	}
	return all, rows.Err()
}

// partition is one monthly partition of agentaudit.records.
type partition struct {
	name     string
	from, to time.Time
}

func (s *Store) partitionList(ctx context.Context, q querier) ([]partition, error) {
	rows, err := q.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'agentaudit.records'::regclass ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	var out []partition
	for _, n := range names {
		t, err := time.Parse("records_2006_01", n)
		if err != nil {
			continue // not one of ours
		}
		out = append(out, partition{name: n, from: t, to: t.AddDate(0, 1, 0)})
	}
	return out, nil
}

// Expire drops every monthly partition whose whole month lies before now minus opts.OlderThan. Before
// a partition goes, the chain runs it held are recorded in agentaudit.expired_ranges (first seq, last
// seq, the hash before and the last hash), so verify reports them as expired and still checks that the
// next kept row links to them; the run of each stream's last dropped row carries the signed retention
// marker of the cut (cut.go). Each partition goes in its own transaction, oldest first; the first
// holding a record under legal hold (opts.HeldRecord) is kept, and so are all after it.
func (s *Store) Expire(ctx context.Context, opts trail.RetainOptions) (trail.RetainResult, error) {
	if opts.OlderThan <= 0 {
		return trail.RetainResult{}, errors.New("retention age must be > 0")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	res := trail.RetainResult{Cutoff: opts.Now().UTC().Add(-opts.OlderThan), DryRun: opts.DryRun, Partitions: []string{}}
	if err := s.ensureMigrated(ctx); err != nil {
		return res, err
	}
	parts, err := s.partitionList(ctx, s.pool)
	if err != nil {
		return res, err
	}
	for _, p := range parts {
		if p.to.After(res.Cutoff) {
			break
		}
		held, err := s.partitionHeld(ctx, p, opts.HeldRecord)
		if err != nil {
			return res, fmt.Errorf("expire %s: %w", p.name, err)
		}
		if held != "" {
			res.Held = map[string]string{recordsTable + "/" + p.name: held}
			break
		}
		n := 0
		err = s.maintenance(ctx, opts.DryRun, func(tx pgx.Tx) error {
			var err error
			if n, err = recordExpiredRuns(ctx, tx, p, opts); err != nil || opts.DryRun {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM agentaudit.record_ids WHERE "timestamp" >= $1 AND "timestamp" < $2`, p.from, p.to); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `SELECT agentaudit.drop_partition($1)`, p.name)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("expire %s: %w", p.name, err)
		}
		res.Partitions = append(res.Partitions, recordsTable+"/"+p.name)
		res.Records += n
	}
	s.mu.Lock()
	s.partitions = map[string]bool{} // dropped months are no longer known to exist
	s.mu.Unlock()
	return res, nil
}

// partitionHeld returns the id of a legal hold covering a row of p ("" for none). Holds select by
// session, user and time, which the typed columns hold: the rows' records need not be decoded.
func (s *Store) partitionHeld(ctx context.Context, p partition, held func(*auditrecord.Record) string) (string, error) {
	if held == nil {
		return "", nil
	}
	rows, err := s.pool.Query(ctx, `SELECT coalesce(session_id, ''), coalesce(user_id, ''), "timestamp" FROM agentaudit.records
WHERE "timestamp" >= $1 AND "timestamp" < $2`, p.from, p.to)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var r auditrecord.Record
		if err := rows.Scan(&r.SessionID, &r.UserID, &r.Timestamp); err != nil {
			return "", err
		}
		if id := held(&r); id != "" {
			return id, nil
		}
	}
	return "", rows.Err()
}

// expiredRun is a run of consecutive seqs of one stream in a partition about to be dropped.
type expiredRun struct {
	stream           string
	first, last      int64
	firstPrev, lastH string
}

// recordExpiredRuns stores the runs of consecutive seqs per stream that partition p holds, the last
// run of each stream with the marker of its cut, and returns how many rows p holds.
func recordExpiredRuns(ctx context.Context, tx pgx.Tx, p partition, opts trail.RetainOptions) (int, error) {
	runs, n, err := expiredRuns(ctx, tx, p)
	if err != nil || opts.DryRun {
		return n, err
	}
	markers, err := cutMarkers(ctx, tx, runs, opts)
	if err != nil {
		return 0, err
	}
	now := opts.Now().UTC()
	batch := &pgx.Batch{}
	for i, r := range runs {
		var marker *string
		if m, ok := markers[r.stream]; ok && (i == len(runs)-1 || runs[i+1].stream != r.stream) {
			marker = &m
		}
		batch.Queue(`INSERT INTO agentaudit.expired_ranges (stream, first_seq, last_seq, first_prev_hash, last_hash, partition_name, expired_at, marker)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.stream, r.first, r.last, r.firstPrev, r.lastH, p.name, now, marker)
	}
	if batch.Len() > 0 {
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// expiredRuns reads the runs of p, by stream and seq.
func expiredRuns(ctx context.Context, tx pgx.Tx, p partition) ([]expiredRun, int, error) {
	rows, err := tx.Query(ctx, `SELECT stream, seq, prev_hash, hash FROM agentaudit.records
WHERE "timestamp" >= $1 AND "timestamp" < $2 ORDER BY stream, seq`, p.from, p.to)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var runs []expiredRun
	n := 0
	for rows.Next() {
		var stream, prev, hash string
		var seq int64
		if err := rows.Scan(&stream, &seq, &prev, &hash); err != nil {
			return nil, 0, err
		}
		n++
		if k := len(runs) - 1; k >= 0 && runs[k].stream == stream && runs[k].last == seq-1 {
			runs[k].last, runs[k].lastH = seq, hash
			continue
		}
		runs = append(runs, expiredRun{stream: stream, first: seq, last: seq, firstPrev: prev, lastH: hash})
	}
	return runs, n, rows.Err()
}

// cutMarkers are the retention markers of the cuts the runs make, by stream: for each stream whose
// last run ends past its previous cut. Without a signer there are none, and a stream with signed
// checkpoints refuses (its marker must be signed).
func cutMarkers(ctx context.Context, tx pgx.Tx, runs []expiredRun, opts trail.RetainOptions) (map[string]string, error) {
	last := map[string]int64{}
	var streams []string
	for _, r := range runs {
		if _, ok := last[r.stream]; !ok {
			streams = append(streams, r.stream)
		}
		last[r.stream] = r.last
	}
	out := map[string]string{}
	if opts.Signer == nil {
		ok, err := anyCheckpointed(ctx, tx, streams)
		if err == nil && ok {
			err = ErrSigningKeyRequired
		}
		return out, err
	}
	for _, st := range streams {
		prev, err := markerAt(ctx, tx, st, 0)
		if err != nil {
			return nil, err
		}
		if cut := objectstore.MarkerCut("", []byte(prev)); prev != "" && cut != nil && cut.Err == nil && cut.Frontier.Size >= uint64(last[st]) {
			continue // an earlier cut already lies past these rows
		}
		m, err := cutMarker(ctx, tx, opts.Signer, st, last[st], opts.Now().UTC())
		if err != nil {
			return nil, err
		}
		if m != "" {
			out[st] = m
		}
	}
	return out, nil
}

// DescribeExpiry is the one-line summary auditctl prints.
func DescribeExpiry(verb string, res trail.RetainResult) string {
	return fmt.Sprintf("%s %d partitions older than %s: %d records", verb, len(res.Partitions), res.Cutoff.Format(time.RFC3339), res.Records)
}
