package main

import (
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/pgstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/postgres"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

// writeCheckpointedPG writes one batch of 3 records per tag to the PostgreSQL store at dsn as the
// exporter does with a signing key: checkpoints every 3 records into agentaudit.checkpoints and the
// witness directory (none when ""), and a final one at shutdown.
func writeCheckpointedPG(t *testing.T, dsn, witnessDir string, signer *objectstore.Signer, tags ...string) {
	t.Helper()
	batches := make([][]*auditrecord.Record, len(tags))
	for i, tag := range tags {
		batches[i] = recordfixture.Records(tag, 3)
	}
	writeCheckpointedPGBatches(t, dsn, witnessDir, signer, batches...)
}

// writeCheckpointedPGBatches is writeCheckpointedPG of the given batches.
func writeCheckpointedPGBatches(t *testing.T, dsn, witnessDir string, signer *objectstore.Signer, batches ...[]*auditrecord.Record) {
	t.Helper()
	cfg := pgstore.NewDefaultConfig()
	cfg.DSN = configopaque.String(dsn)
	cfg.DeadLetter.Directory = t.TempDir()
	s, err := pgstore.New(cfg, store.Settings{InstanceID: "gw-1"})
	if err != nil {
		t.Fatal(err)
	}
	o := &objectstore.CheckpointOptions{EveryRecords: 3}
	if witnessDir != "" {
		w, err := filestore.NewBackend(witnessDir)
		if err != nil {
			t.Fatal(err)
		}
		o.Witnesses = []objectstore.Backend{w}
	}
	s.SetCheckpoints(signer, o)
	writeBatches(t, s, batches...)
}

// TestEvidenceOnPostgres: the attacks of TestVerifyCheckpointsCatchesTruncationAndKeyHolderRewrite
// on PostgreSQL (done as the table owner, past the append-only trigger), and a bundle of its rows
// that verifies offline.
func TestEvidenceOnPostgres(t *testing.T) {
	srv := postgres.Start(t)
	signer, privFile, pubFile := signingKeys(t)
	const stream = "gw-1-traces"
	setup := func(db string) (dsn, witnessURL string) {
		dsn, wdir := srv.CreateDatabase(t, db), t.TempDir()
		writeCheckpointedPG(t, dsn, wdir, signer, "a", "b", "c")
		return dsn, "file://" + filepath.ToSlash(wdir)
	}

	t.Run("head truncation", func(t *testing.T) {
		dsn, witnessURL := setup("truncation")
		expectRun(t, exitOK, "verify", "--store", dsn, "--pubkey", pubFile, "--checkpoints", witnessURL)
		// The newest batch removed with its rows, ids and the store's newest checkpoint.
		srv.Psql(t, "truncation", `SET agentaudit.maintenance = 'on';
DELETE FROM agentaudit.record_ids WHERE record_id IN (SELECT record_id FROM agentaudit.records WHERE stream = '`+stream+`' AND seq > 6);
DELETE FROM agentaudit.records WHERE stream = '`+stream+`' AND seq > 6;
DELETE FROM agentaudit.batches WHERE stream = '`+stream+`' AND first_seq > 6;
DELETE FROM agentaudit.checkpoints WHERE stream = '`+stream+`' AND tree_size > 6`)
		expectRun(t, exitOK, "verify", "--store", dsn, "--pubkey", pubFile) // what the chain alone cannot see
		out := expectRun(t, exitFindings, "verify", "--store", dsn, "--pubkey", pubFile, "--checkpoints", witnessURL)
		if !strings.Contains(out, "FAIL truncated_head") || !strings.Contains(out, "seq=7..9") {
			t.Fatalf("truncation:\n%s", out)
		}
	})

	t.Run("rewrite with the key", func(t *testing.T) {
		dsn, witnessURL := setup("rewrite")
		// The stream written again, as long, with other records, and re-checkpointed in the store
		// with the same key (the witness is out of the attacker's reach).
		srv.Psql(t, "rewrite", `SET agentaudit.maintenance = 'on';
DELETE FROM agentaudit.record_ids WHERE record_id IN (SELECT record_id FROM agentaudit.records WHERE stream = '`+stream+`');
DELETE FROM agentaudit.records WHERE stream = '`+stream+`';
DELETE FROM agentaudit.batches WHERE stream = '`+stream+`';
DELETE FROM agentaudit.checkpoints WHERE stream = '`+stream+`'`)
		writeCheckpointedPG(t, dsn, "", signer, "a", "x", "c")
		expectRun(t, exitOK, "verify", "--store", dsn, "--pubkey", pubFile)
		out := expectRun(t, exitFindings, "verify", "--store", dsn, "--pubkey", pubFile, "--checkpoints", witnessURL)
		if !strings.Contains(out, "FAIL rewritten_history") || strings.Contains(out, "truncated_head") {
			t.Fatalf("rewrite:\n%s", out)
		}
	})

	t.Run("retention after a checkpoint", func(t *testing.T) { pgRetentionAfterCheckpoint(t, srv, signer, privFile, pubFile) })
	t.Run("writer resumes from the cut", func(t *testing.T) { pgWriterResumesFromCut(t, srv, signer, privFile, pubFile) })
	t.Run("legal holds", func(t *testing.T) { pgLegalHolds(t, srv, signer, privFile) })
	t.Run("retention floor", func(t *testing.T) { pgRetentionFloor(t, srv, signer, privFile) })

	t.Run("bundle verifies offline", func(t *testing.T) {
		dsn, _ := setup("bundle")
		file := filepath.Join(t.TempDir(), "bundle.zip")
		out := expectRun(t, exitOK, "export", "--store", dsn, "--session", "session-b", "-o", file, "--as", "auditor@example.com")
		if !strings.Contains(out, "3 records (0 without a covering checkpoint)") {
			t.Fatalf("export: %s", out)
		}
		if log := expectRun(t, exitOK, "access-log", "--store", dsn); !strings.Contains(log, "evidence bundle of session session-b") {
			t.Fatalf("access log:\n%s", log)
		}
		srv.Psql(t, "postgres", "DROP DATABASE bundle WITH (FORCE)") // offline: the store is gone
		rep := expectRun(t, exitOK, "verify", "--bundle", file, "--pubkey", pubFile)
		if !strings.Contains(rep, "3 checked, 3 proven") {
			t.Fatalf("bundle report:\n%s", rep)
		}
		if rep := expectRun(t, exitOK, "verify", "--bundle", file); !strings.Contains(rep, "WARNING") {
			t.Fatalf("the bundle's own keys (published in agentaudit.public_keys) are not used:\n%s", rep)
		}
	})
}
