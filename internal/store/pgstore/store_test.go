package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/erase"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/retain"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/deadletter"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/pgstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/postgres"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

func openStore(t testing.TB, dsn string) *pgstore.Store {
	t.Helper()
	cfg := pgstore.NewDefaultConfig()
	cfg.DSN = configopaque.String(dsn)
	cfg.DeadLetter.Directory = t.TempDir()
	s, err := pgstore.New(cfg, store.Settings{InstanceID: "gw-1"})
	require.NoError(t, err)
	require.NoError(t, s.Start(context.Background()))
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}

func verifyFindings(t *testing.T, s *pgstore.Store) verify.Report {
	t.Helper()
	rep, err := s.Verify(context.Background(), "test")
	require.NoError(t, err)
	return rep
}

func kinds(rep verify.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, string(f.Severity)+":"+string(f.Kind))
	}
	return out
}

// One cluster serves the subtests; each gets a database of its own.
func TestPostgresStore(t *testing.T) {
	srv := postgres.Start(t)
	ctx := context.Background()

	t.Run("records land with typed columns and the stored record as jsonb", func(t *testing.T) {
		dsn := srv.CreateDatabase(t, "columns")
		s := openStore(t, dsn)
		recs := recordfixture.Records("cols", 3)
		cost, in, out := 0.25, int64(100), int64(40)
		recs = append(recs, &auditrecord.Record{
			SchemaVersion: auditrecord.SchemaVersion, RecordID: "out-1", Type: auditrecord.TypeOutput,
			Timestamp: recordfixture.Base.Add(time.Minute), SessionID: "session-cols", UserID: "user-1",
			Output: &auditrecord.Output{Content: "hi", Model: "gpt-4o", Cost: &cost, Tokens: &auditrecord.Tokens{Input: &in, Output: &out}},
		})
		require.NoError(t, s.Write(ctx, store.Batch{Signal: "traces", Records: recs}))
		got := srv.Psql(t, "columns", `SELECT type, session_id, user_id, agent, tool_name, tool_status, stream, seq, record->>'record_id' = record_id,
  record->'integrity'->>'hash' = hash FROM agentaudit.records WHERE record_id = '`+recs[1].RecordID+`'`)
		assert.Equal(t, "tool_call|session-cols|user-1|fixture-agent|lookup|success|gw-1-traces|2|t|t", got)
		assert.Equal(t, "output|gpt-4o|100|40|0.25", srv.Psql(t, "columns", `SELECT type, model, input_tokens, output_tokens, cost_usd FROM agentaudit.records WHERE record_id = 'out-1'`))
		assert.Equal(t, `{"hits": 1}`, srv.Psql(t, "columns", `SELECT record->'tool_call'->'result' FROM agentaudit.records WHERE record_id = '`+recs[1].RecordID+`'`))
		assert.Equal(t, "records_2026_03", srv.Psql(t, "columns", `SELECT tableoid::regclass::text FROM agentaudit.records LIMIT 1`)[len("agentaudit."):])
		// The shipped views answer the document's queries.
		assert.Equal(t, "lookup|3", srv.Psql(t, "columns", `SELECT tool_name, call_count FROM agentaudit.tool_usage`))
		assert.Equal(t, "2026-03-14|0|4|0", srv.Psql(t, "columns", `SELECT day, error_count, total_count, error_rate FROM agentaudit.error_rate_by_day`))
		assert.Equal(t, "4", srv.Psql(t, "columns", `SELECT count(*) FROM agentaudit.session_timeline WHERE session_id = 'session-cols'`))

		var read []*auditrecord.Record
		require.NoError(t, s.Scan(ctx, store.Query{SessionID: "session-cols", Types: []auditrecord.Type{auditrecord.TypeToolCall}}, func(r *auditrecord.Record) error {
			read = append(read, r)
			return nil
		}))
		require.Len(t, read, 3)
		assert.Equal(t, recordfixture.IDs(recs[:3]), recordfixture.IDs(read))
		assert.Equal(t, uint64(1), read[0].Integrity.Seq)
		assert.True(t, verifyFindings(t, s).OK)
	})

	t.Run("records stored without identity join their trace's session and user; forget erases them", func(t *testing.T) {
		dsn := srv.CreateDatabase(t, "tracejoin")
		s := openStore(t, dsn)
		recs, traces := recordfixture.TraceJoin()
		require.NoError(t, s.Write(ctx, store.Batch{Signal: "traces", Records: recs}))
		scanIDs := func(q store.Query) []string {
			var ids []string
			require.NoError(t, s.Scan(ctx, q, func(r *auditrecord.Record) error {
				ids = append(ids, r.RecordID)
				return nil
			}))
			return ids
		}
		assert.ElementsMatch(t, recordfixture.IDs(recs[:3]), scanIDs(store.Query{SessionID: "session-join", TraceIDs: map[string]bool{traces[0]: true}}),
			"a record without a session joins the session of its trace, in SQL")
		assert.ElementsMatch(t, []string{recs[1].RecordID, recs[3].RecordID}, scanIDs(store.Query{TraceIDs: map[string]bool{traces[1]: true}}))

		res, err := erase.ForgetInPlace(ctx, s, s, erase.Options{Subject: "user-1", Traces: map[string]bool{traces[0]: true, traces[1]: true}, Requester: "dpo"})
		require.NoError(t, err)
		assert.Equal(t, 4, res.Records, "the user's 2 records and the 2 joined to the user's traces")
		assert.Equal(t, "4", srv.Psql(t, "tracejoin", `SELECT count(*) FROM agentaudit.records WHERE type = 'tombstone'`))
		assert.Equal(t, "user-2", srv.Psql(t, "tracejoin", `SELECT user_id FROM agentaudit.records WHERE record_id = '`+recs[4].RecordID+`'`))
		rep := verifyFindings(t, s)
		assert.True(t, rep.OK, "%v", rep.Findings)
	})

	t.Run("the same batch twice leaves no duplicate and keeps the chain whole", func(t *testing.T) {
		dsn := srv.CreateDatabase(t, "twice")
		s := openStore(t, dsn)
		recs := recordfixture.Records("twice", 50)
		require.NoError(t, s.Write(ctx, store.Batch{Signal: "traces", Records: recs}))
		require.NoError(t, s.Write(ctx, store.Batch{Signal: "traces", Records: recs}))
		// A second store (a restarted collector) retries a batch that overlaps.
		s2 := openStore(t, dsn)
		more := slices.Concat(recs[40:], recordfixture.Records("twice-more", 5))
		require.NoError(t, s2.Write(ctx, store.Batch{Signal: "traces", Records: append(more, more[0])}))
		assert.Equal(t, "55|55|55", srv.Psql(t, "twice", `SELECT count(*), count(DISTINCT record_id), max(seq) FROM agentaudit.records`))
		// The first store's cached head is now stale (the second moved the stream): it chains after
		// what the other wrote instead of forking the stream.
		require.NoError(t, s.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records("twice-again", 3)}))
		assert.Equal(t, "58|58|58", srv.Psql(t, "twice", `SELECT count(*), count(DISTINCT record_id), max(seq) FROM agentaudit.records`))
		rep := verifyFindings(t, s)
		assert.True(t, rep.OK, "%v", rep.Findings)
		assert.Equal(t, 58, rep.Counts.Records)
	})

	t.Run("the writer role cannot update or delete; verify reports what a superuser changed", func(t *testing.T) {
		dsn := srv.CreateDatabase(t, "tamper")
		s := openStore(t, dsn)
		recs := recordfixture.Records("tamper", 10)
		require.NoError(t, s.Write(ctx, store.Batch{Signal: "traces", Records: recs}))
		srv.Psql(t, "tamper", `CREATE ROLE collector LOGIN IN ROLE agentaudit_writer`)
		w := openStore(t, srv.DSN("tamper", "collector"))
		require.NoError(t, w.Write(ctx, store.Batch{Signal: "logs", Records: recordfixture.Records("by-writer", 2)}), "the writer role inserts")
		for _, stmt := range []string{
			`UPDATE agentaudit.records SET user_id = 'mallory'`,
			`DELETE FROM agentaudit.records`,
			`SET agentaudit.maintenance = 'on'; DELETE FROM agentaudit.records`,
			`TRUNCATE agentaudit.records`,
			`DROP TABLE agentaudit.records_2026_03`,
		} {
			_, err := w.Pool().Exec(ctx, stmt)
			require.Error(t, err, stmt)
		}
		require.True(t, verifyFindings(t, s).OK)

		srv.Psql(t, "tamper", `SET agentaudit.maintenance = 'on'; UPDATE agentaudit.records SET record = jsonb_set(record, '{tool_call,result}', '{"hits": 99}') WHERE seq = 3 AND stream = 'gw-1-traces'`)
		rep := verifyFindings(t, s)
		assert.False(t, rep.OK)
		assert.Contains(t, kinds(rep), "failure:modified_record")

		srv.Psql(t, "tamper", `SET agentaudit.maintenance = 'on'; DELETE FROM agentaudit.records WHERE seq IN (5, 10) AND stream = 'gw-1-traces'`)
		rep = verifyFindings(t, s)
		assert.Contains(t, kinds(rep), "failure:missing_seq")
		var missing []uint64
		for _, f := range rep.Findings {
			if f.Kind == verify.MissingSeq {
				missing = append(missing, f.Seq)
			}
		}
		assert.Equal(t, []uint64{5, 10}, missing, "a deleted middle row and a deleted last row")

		// Reordering: two rows swap places (their seq columns and records' integrity).
		srv.Psql(t, "tamper", `SET agentaudit.maintenance = 'on'; UPDATE agentaudit.records SET seq = CASE seq WHEN 1 THEN 2 ELSE 1 END WHERE stream = 'gw-1-logs'`)
		rep = verifyFindings(t, s)
		assert.Contains(t, kinds(rep), "failure:reordered_seq")
	})

	t.Run("forget and retention keep verify green", func(t *testing.T) {
		dsn := srv.CreateDatabase(t, "maint")
		s := openStore(t, dsn)
		old := recordfixture.Records("old", 5)
		recent := recordfixture.Records("recent", 5)
		for _, r := range recent {
			r.Timestamp = r.Timestamp.AddDate(0, 2, 0)
		}
		recent[1].UserID, recent[3].UserID = "alice", "alice"
		require.NoError(t, s.Write(ctx, store.Batch{Signal: "traces", Records: append(old, recent...)}))
		// A late record of the old month written after the recent ones: dropping its month leaves a
		// hole in the middle of the chain that expired_ranges must explain.
		late := recordfixture.Records("late", 1)
		require.NoError(t, s.Write(ctx, store.Batch{Signal: "traces", Records: late}))
		require.NoError(t, s.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records("after", 1)[:0]}))
		tail := recordfixture.Records("tail", 1)
		tail[0].Timestamp = tail[0].Timestamp.AddDate(0, 2, 0)
		require.NoError(t, s.Write(ctx, store.Batch{Signal: "traces", Records: tail}))

		res, err := erase.ForgetInPlace(ctx, s, s, erase.Options{Subject: "alice", Requester: "dpo"})
		require.NoError(t, err)
		assert.Equal(t, 2, res.Records)
		assert.Equal(t, "0", srv.Psql(t, "maint", `SELECT count(*) FROM agentaudit.records WHERE user_id = 'alice' OR record::text LIKE '%alice%' AND type <> 'erasure'`))
		rep := verifyFindings(t, s)
		assert.True(t, rep.OK, "%v", rep.Findings)
		assert.Contains(t, kinds(rep), "info:erased")

		now := func() time.Time { return recordfixture.Base.AddDate(0, 2, 0) }
		exp, err := s.Expire(ctx, retain.Options{OlderThan: 24 * time.Hour, Now: now})
		require.NoError(t, err)
		assert.Equal(t, []string{"agentaudit.records/records_2026_03"}, exp.Partitions)
		assert.Equal(t, 6, exp.Records)
		rep = verifyFindings(t, s)
		assert.True(t, rep.OK, "%v", rep.Findings)
		var expired []string
		for _, f := range rep.Findings {
			if f.Kind == verify.Expired {
				expired = append(expired, f.Stream+":"+strings.TrimSpace(strings.Join([]string{itoa(f.Seq), itoa(f.LastSeq)}, "-")))
			}
		}
		assert.Equal(t, []string{"gw-1-traces:1-5", "gw-1-traces:11-0"}, expired)

		// A kept row changed after retention is still caught.
		srv.Psql(t, "maint", `SET agentaudit.maintenance = 'on'; UPDATE agentaudit.records SET record = jsonb_set(record, '{session_id}', '"x"') WHERE seq = 12`)
		assert.False(t, verifyFindings(t, s).OK)
	})

	t.Run("a record the database rejects is dead-lettered with the reason, the rest written", func(t *testing.T) {
		dsn := srv.CreateDatabase(t, "reject")
		cfg := pgstore.NewDefaultConfig()
		cfg.DSN = configopaque.String(dsn)
		cfg.DeadLetter.Directory = t.TempDir()
		s, err := pgstore.New(cfg, store.Settings{InstanceID: "gw-1"})
		require.NoError(t, err)
		require.NoError(t, s.Start(ctx))
		defer func() { _ = s.Shutdown(ctx) }()
		recs := recordfixture.Records("reject", 8)
		recs[2].ToolCall.Result = map[string]any{"text": "nul \x00 byte"} // jsonb refuses \u0000
		recs[4].SessionID = "session\x00with-nul"                         // text refuses NUL
		noise := make([]byte, 15000)
		_, _ = rand.Read(noise)
		recs[5].SessionID = base64.StdEncoding.EncodeToString(noise) // too big for a btree index entry
		require.NoError(t, s.Write(ctx, store.Batch{Signal: "traces", Records: recs}))
		assert.Equal(t, "5|5", srv.Psql(t, "reject", `SELECT count(*), max(seq) FROM agentaudit.records`))
		letters, err := deadletter.Read(cfg.DeadLetter.Directory)
		require.NoError(t, err)
		require.Len(t, letters, 3)
		got := map[string]string{}
		for _, l := range letters {
			got[l.RecordID] = l.ErrorType
			assert.NotEmpty(t, l.Reason)
			assert.Equal(t, "agentaudit.records", l.Index)
		}
		assert.Equal(t, map[string]string{recs[2].RecordID: "22P05", recs[4].RecordID: "22021", recs[5].RecordID: "54000"}, got)
		rep, err := s.Verify(ctx, "test")
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Findings)
	})

	t.Run("a user without rights cannot create the schema and is told so", func(t *testing.T) {
		srv.CreateDatabase(t, "norights")
		srv.Psql(t, "norights", `CREATE ROLE nobody_special LOGIN`)
		cfg := pgstore.NewDefaultConfig()
		cfg.DSN = configopaque.String(srv.DSN("norights", "nobody_special"))
		cfg.DeadLetter.Directory = t.TempDir()
		s, err := pgstore.New(cfg, store.Settings{InstanceID: "gw-1"})
		require.NoError(t, err)
		err = s.Start(ctx)
		_ = s.Shutdown(ctx)
		require.ErrorIs(t, err, pgstore.ErrSchema)
		assert.Contains(t, err.Error(), "schema is missing")
		assert.Contains(t, err.Error(), `"nobody_special"`)
	})
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }

// TestPostgresStoreOverTLSWithPasswordFile: TLS configured in the DSN (verify-full against a private
// CA) and the password read from password_file; a CA that did not sign the server's certificate is
// refused, and so is a wrong password, without the password showing in the error.
func TestPostgresStoreOverTLSWithPasswordFile(t *testing.T) {
	srv := postgres.Start(t)
	ctx := context.Background()
	// The schema (and its roles) must exist for the writer: the owner creates it first.
	openStore(t, srv.CreateDatabase(t, "tls"))
	srv.Psql(t, "tls", `CREATE ROLE collector LOGIN PASSWORD 's3cret-pw' IN ROLE agentaudit_writer`)
	caFile := srv.EnableTLS(t, "collector")

	dsn := func(ca string) string {
		return strings.Replace(srv.DSN("tls", "collector"), "sslmode=disable", "sslmode=verify-full&sslrootcert="+ca, 1)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(pwFile, []byte("s3cret-pw\n"), 0o600))
	open := func(dsn, pw string) (*pgstore.Store, error) {
		cfg := pgstore.NewDefaultConfig()
		cfg.DSN, cfg.PasswordFile = configopaque.String(dsn), pw
		cfg.DeadLetter.Directory = t.TempDir()
		s, err := pgstore.New(cfg, store.Settings{InstanceID: "gw-tls"})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Shutdown(ctx) })
		return s, s.Start(ctx)
	}

	s, err := open(dsn(caFile), pwFile)
	require.NoError(t, err)
	require.NoError(t, s.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records("tls", 3)}))
	var ssl bool
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&ssl))
	assert.True(t, ssl, "the connection is encrypted")

	other, err := open(dsn(postgres.NewCA(t)), pwFile)
	require.NoError(t, err, "the collector starts while the database cannot be reached")
	err = other.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records("tls-bad-ca", 1)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")

	badPW := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(badPW, []byte("wrong-pw"), 0o600))
	wrong, _ := open(dsn(caFile), badPW)
	err = wrong.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records("tls-bad-pw", 1)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "password authentication failed")
	assert.NotContains(t, err.Error(), "wrong-pw")
	assert.Equal(t, "3", srv.Psql(t, "tls", `SELECT count(*) FROM agentaudit.records`))
}
