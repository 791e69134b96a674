// Package pgstore stores audit records in PostgreSQL (14+; tested on 15) through pgx: one row per
// record in a table partitioned by month on the record's timestamp, with typed columns for what
// queries filter and group on and the whole stored record as jsonb. Rows are chained per stream
// exactly as the object stores chain their lines (objectstore.AppendChained), written idempotently
// (record ids are unique across partitions through agentaudit.record_ids) in one transaction per
// batch: ids into record_ids first, then COPY of the rows. The schema is append-only: a trigger refuses
// UPDATE and DELETE except for auditctl's erasure and retention as agentaudit_admin.
// docs/postgres.md describes it.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/deadletter"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Store is the PostgreSQL store. It implements store.Store and store.Reader.
type Store struct {
	cfg    Config
	set    store.Settings
	logger *zap.Logger
	pool   *pgxpool.Pool
	dead   *deadletter.Store
	m      *store.Metrics
	now    func() time.Time

	migrateMu sync.Mutex
	migrated  bool

	mu         sync.Mutex // serialises writes: a stream's chain has one head
	heads      map[string]chainHead
	partitions map[string]bool // months ("2006-01") whose partition exists
	buf        []byte          // line scratch, guarded by mu

	// signer, ckpt, trees and ticker keep the streams' Merkle trees and their signed checkpoints
	// (evidence.go; nil ckpt: none). trees is guarded by mu.
	signer *objectstore.Signer
	ckpt   *objectstore.CheckpointOptions
	trees  map[string]*objectstore.StreamTree
	ticker *evidence.Ticker
}

type chainHead struct {
	seq  uint64
	hash string
}

var (
	_ store.Store  = (*Store)(nil)
	_ store.Reader = (*Store)(nil)
)

// recordsTable names where records go, for dead letters.
const recordsTable = "agentaudit.records"

// New builds the store from a validated configuration; it contacts nothing until Start.
func New(cfg Config, set store.Settings) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if set.Logger == nil {
		set.Logger = zap.NewNop()
	}
	return &Store{
		cfg: cfg, set: set, logger: set.Logger, m: set.Metrics, now: time.Now,
		dead:       deadletter.New(cfg.DeadLetter.Directory, "postgres"),
		heads:      map[string]chainHead{},
		partitions: map[string]bool{},
	}, nil
}

// Start opens the pool and brings the schema up to date. An unreachable database does not fail Start
// (the collector must come up during an outage; the queue holds the data): the schema is then
// migrated before the first write. A reachable database whose schema is missing or older and that
// this user may not migrate fails Start with what to do.
func (s *Store) Start(ctx context.Context) error {
	pc, err := s.cfg.poolConfig()
	if err != nil {
		return err
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, pc); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if err := s.dead.Prepare(); err != nil {
		return fmt.Errorf("postgres.dead_letter.directory: %w", err)
	}
	if err := s.pool.Ping(ctx); err != nil {
		s.logger.Warn("PostgreSQL not reachable; the schema is checked before the first write", zap.Error(err))
		s.startCheckpoints()
		return nil
	}
	if err := s.ensureMigrated(ctx); err != nil {
		return err
	}
	s.startCheckpoints()
	return nil
}

// Shutdown writes the checkpoints of streams that grew and closes the pool; every Write is complete
// when it returns.
func (s *Store) Shutdown(ctx context.Context) error {
	s.stopCheckpoints(ctx)
	if s.pool != nil {
		s.pool.Close()
	}
	return nil
}

// Pool is the store's connection pool (auditctl's maintenance commands use it).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

func (s *Store) ensureMigrated(ctx context.Context) error {
	s.migrateMu.Lock()
	defer s.migrateMu.Unlock()
	if s.migrated {
		return nil
	}
	if err := Migrate(ctx, s.pool); err != nil {
		return err
	}
	s.migrated = true
	if err := s.publishKey(ctx); err != nil {
		return err
	}
	return s.ensureAhead(ctx)
}

// ensureAhead creates the partitions of this month and the configured number of months after it.
func (s *Store) ensureAhead(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	month := monthStart(s.now())
	for i := 0; i <= s.cfg.PartitionsAhead; i++ {
		if err := s.ensurePartition(ctx, s.pool, month.AddDate(0, i, 0)); err != nil {
			return err
		}
	}
	return nil
}

type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// ensurePartition creates the partition holding t unless it is known to exist. Caller holds s.mu.
func (s *Store) ensurePartition(ctx context.Context, q querier, t time.Time) error {
	key := t.UTC().Format("2006-01")
	if s.partitions[key] {
		return nil
	}
	if _, err := q.Exec(ctx, `SELECT agentaudit.ensure_partition($1::date)`, monthStart(t)); err != nil {
		return fmt.Errorf("create partition for %s: %w", key, err)
	}
	s.partitions[key] = true
	return nil
}

// Write chains the batch's new records onto the stream of (instance, signal) and stores them in one
// transaction. Records already stored (a retried batch) are skipped before chaining, so the chain
// has no holes. A batch the database refuses for its data is split in halves until the records it
// refuses are alone: those go to the dead-letter store with its reason, the rest are written.
func (s *Store) Write(ctx context.Context, b store.Batch) error {
	if len(b.Records) == 0 {
		return nil
	}
	if err := s.ensureMigrated(ctx); err != nil {
		return err
	}
	stream := objectstore.StreamName(s.set.InstanceID, b.Signal)
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	err := s.writeOrSplit(ctx, stream, b.Signal, b.Records)
	// Another writer on the same stream (two auditctl runs on one host) or with the same records got
	// there first: read the head and the stored ids again and chain after what it wrote.
	for attempt := 0; attempt < 3 && errors.Is(err, errLostRace); attempt++ {
		delete(s.heads, stream)
		err = s.writeOrSplit(ctx, stream, b.Signal, b.Records)
	}
	if err != nil {
		// The head may have moved in a commit whose answer was lost: read it again next time.
		delete(s.heads, stream)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23514" {
			// No partition for a row: retention dropped a month this process still believed in.
			s.partitions = map[string]bool{}
		}
		return err
	}
	s.m.BatchDuration(ctx, time.Since(start))
	return nil
}

// writeOrSplit writes recs in one transaction; if the database refuses their data, it writes each
// half on its own, down to single records, which it dead-letters. A batch with one bad record costs
// about 2·log2(n) transactions, and only then. Caller holds s.mu.
func (s *Store) writeOrSplit(ctx context.Context, stream, signal string, recs []*auditrecord.Record) error {
	err := s.writeBatch(ctx, stream, recs)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || !isDataError(pgErr) {
		return err
	}
	if len(recs) == 1 {
		return s.deadLetter(ctx, signal, recs[0], pgErr)
	}
	mid := len(recs) / 2
	if err := s.writeOrSplit(ctx, stream, signal, recs[:mid]); err != nil {
		return err
	}
	return s.writeOrSplit(ctx, stream, signal, recs[mid:])
}

// errLostRace: a concurrent writer stored some of the records or moved the stream's head between our
// reads and our writes; the transaction rolled back and can be redone at once on fresh reads.
var errLostRace = errors.New("lost a race with another writer")

// isDataError: the database refused a value (bad encoding, \u0000 in jsonb, a too-large value), not
// the connection or the schema; retrying the same batch would fail the same way.
func isDataError(e *pgconn.PgError) bool {
	return len(e.Code) == 5 && (e.Code[:2] == "22" || e.Code[:2] == "54")
}

// recordColumns are the columns COPY fills, in rowValues order.
var recordColumns = []string{
	"record_id", "timestamp", "observed_timestamp", "type", "session_id", "user_id", "agent",
	"trace_id", "span_id", "tool_name", "tool_status", "duration_ms", "model", "input_tokens", "output_tokens", "cost_usd",
	"stream", "seq", "prev_hash", "hash", "record",
}

// writeBatch writes recs in one transaction. Caller holds s.mu.
func (s *Store) writeBatch(ctx context.Context, stream string, recs []*auditrecord.Record) error {
	if len(recs) == 0 {
		return nil
	}
	// Partitions are created in transactions of their own, so that a rolled-back batch cannot leave
	// one remembered that does not exist.
	for _, r := range recs {
		if err := s.ensurePartition(ctx, s.pool, r.Timestamp); err != nil {
			return err
		}
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	head, err := s.head(ctx, tx, stream)
	if err != nil {
		return err
	}
	fresh, err := newRecords(ctx, tx, recs)
	if err != nil {
		return err
	}
	if already := len(recs) - len(fresh); already > 0 {
		s.m.RecordsAlreadyPresent(ctx, int64(already))
	}
	if len(fresh) == 0 {
		return tx.Commit(ctx)
	}
	rows := make([][]any, len(fresh))
	var hashes []string // for the stream's tree (checkpoints on)
	if s.checkpointsOn() {
		hashes = make([]string, 0, len(fresh))
	}
	seq, prev := head.seq, head.hash
	firstPrev := prev
	for i, r := range fresh {
		seq++
		rc := *r
		rc.Integrity = nil
		var hash string
		if s.buf, hash, err = objectstore.AppendChained(s.buf[:0], &rc, stream, seq, prev); err != nil {
			return fmt.Errorf("encode record: %w", err)
		}
		rows[i] = rowValues(r, stream, seq, prev, hash, string(s.buf))
		prev = hash
		if hashes != nil {
			hashes = append(hashes, hash)
		}
	}
	// The ids go first: once they are in, no row of this batch can collide, so the rows are copied
	// straight into the partitioned table (no staging copy of the records themselves).
	ids, times := make([]string, len(fresh)), make([]time.Time, len(fresh))
	for i, r := range fresh {
		ids[i], times[i] = r.RecordID, r.Timestamp.UTC()
	}
	tag, err := tx.Exec(ctx, `INSERT INTO agentaudit.record_ids (record_id, "timestamp") SELECT * FROM unnest($1::text[], $2::timestamptz[]) ON CONFLICT (record_id) DO NOTHING`, ids, times)
	if err != nil {
		return err
	}
	if int(tag.RowsAffected()) != len(fresh) {
		// Another writer stored some of these records since we looked; chaining them would leave holes.
		return fmt.Errorf("%w: %d of %d records were stored by another writer meanwhile", errLostRace, len(fresh)-int(tag.RowsAffected()), len(fresh))
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"agentaudit", "records"}, recordColumns, pgx.CopyFromRows(rows)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO agentaudit.batches (stream, first_seq, last_seq, first_prev_hash, last_hash, record_count) VALUES ($1, $2, $3, $4, $5, $6)`,
		stream, int64(head.seq+1), int64(seq), firstPrev, prev, len(fresh)); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return fmt.Errorf("%w: another writer extended stream %s from seq %d meanwhile", errLostRace, stream, head.seq+1)
		}
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	s.heads[stream] = chainHead{seq: seq, hash: prev}
	s.m.RecordsInserted(ctx, int64(len(fresh)))
	s.extendTree(ctx, stream, head.seq+1, hashes)
	return nil
}

// head returns the stream's chain head, read from its last batch the first time.
func (s *Store) head(ctx context.Context, q querier, stream string) (chainHead, error) {
	if h, ok := s.heads[stream]; ok {
		return h, nil
	}
	var h chainHead
	var seq int64
	err := q.QueryRow(ctx, `SELECT last_seq, last_hash FROM agentaudit.batches WHERE stream = $1 ORDER BY first_seq DESC LIMIT 1`, stream).Scan(&seq, &h.hash)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return h, fmt.Errorf("read chain head of %s: %w", stream, err)
	}
	h.seq = uint64(seq)
	return h, nil
}

// newRecords drops records already stored and repeats within the batch, keeping batch order.
func newRecords(ctx context.Context, q querier, recs []*auditrecord.Record) ([]*auditrecord.Record, error) {
	ids := make([]string, 0, len(recs))
	seen := make(map[string]bool, len(recs))
	for _, r := range recs {
		if !seen[r.RecordID] {
			seen[r.RecordID] = true
			ids = append(ids, r.RecordID)
		}
	}
	rows, err := q.Query(ctx, `SELECT record_id FROM agentaudit.record_ids WHERE record_id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	existing := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		existing[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*auditrecord.Record, 0, len(recs))
	for _, r := range recs {
		if existing[r.RecordID] {
			continue
		}
		existing[r.RecordID] = true
		out = append(out, r)
	}
	return out, nil
}

// deadLetter keeps a record the database refused, with its SQLSTATE and message, durably.
func (s *Store) deadLetter(ctx context.Context, signal string, r *auditrecord.Record, pgErr *pgconn.PgError) error {
	if err := s.dead.Write([]deadletter.Letter{letter(signal, r, pgErr.Code, pgErr.Message)}); err != nil {
		return err
	}
	// The database's message can quote values, so only the code goes to the log.
	s.logger.Warn("A record rejected by PostgreSQL was written to the dead-letter store",
		zap.String("sqlstate", pgErr.Code), zap.String("directory", s.cfg.DeadLetter.Directory))
	s.m.RecordsDeadLettered(ctx, 1)
	return nil
}

func letter(signal string, r *auditrecord.Record, code, reason string) deadletter.Letter {
	return deadletter.Letter{
		Time: time.Now().UTC(), Signal: signal, Index: recordsTable, RecordID: r.RecordID,
		ErrorType: code, Reason: reason, Record: r,
	}
}
