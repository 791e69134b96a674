package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/postgres"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

// recordsAt are fixture records of tag (session "session-<tag>") moved to start at at.
func recordsAt(tag string, at time.Time) []*auditrecord.Record {
	recs := recordfixture.Records(tag, 3)
	for i, r := range recs {
		r.Timestamp = at.Add(time.Duration(i) * time.Second)
		r.ObservedTimestamp = r.Timestamp.Add(time.Millisecond)
	}
	return recs
}

// pgRetentionAfterCheckpoint: retention drops the partition of a checkpointed stream's first batch
// (March; the rest is this month's); the cut's signed marker in agentaudit.expired_ranges lets
// verify --checkpoints rebuild the kept rows' tree (no checkpoints_unverifiable), a marker whose
// frontier was edited is bad_frontier (exit 1), and retention without the key refuses.
func pgRetentionAfterCheckpoint(t *testing.T, srv *postgres.Server, signer *objectstore.Signer, privFile, pubFile string) {
	dsn, wdir := srv.CreateDatabase(t, "cut"), t.TempDir()
	now := time.Now().UTC()
	writeCheckpointedPGBatches(t, dsn, wdir, signer, recordsAt("a", recordfixture.Base), recordsAt("b", now), recordsAt("c", now.Add(time.Minute)))
	witnessURL := "file://" + filepath.ToSlash(wdir)

	code, _, errOut := runCLI("retention", "--older-than", "1h", "--store", dsn)
	if code != exitUsage || !strings.Contains(errOut, "--signing-key") {
		t.Fatalf("retention of a checkpointed stream without the key: exit %d, %s", code, errOut)
	}
	out := expectRun(t, exitOK, "retention", "--older-than", "1h", "--store", dsn, "--signing-key", privFile)
	if !strings.Contains(out, "deleted 1 partitions") || !strings.Contains(out, ": 3 records") {
		t.Fatalf("retention:\n%s", out)
	}
	if got := srv.Psql(t, "cut", `SELECT last_seq, marker IS NOT NULL FROM agentaudit.expired_ranges`); got != "3|t" {
		t.Fatalf("expired range and its marker: %q", got)
	}
	verifyCheckpoints := func(code int) string {
		return expectRun(t, code, "verify", "--store", dsn, "--pubkey", pubFile, "--checkpoints", witnessURL)
	}
	if out := verifyCheckpoints(exitOK); strings.Contains(out, "checkpoints_unverifiable") || !strings.Contains(out, "info expired") {
		t.Fatalf("after retention the stream should verify from the cut's frontier:\n%s", out)
	}

	// The marker's frontier edited (past the trigger, as the table owner): its signature no longer holds.
	marker := srv.Psql(t, "cut", `SELECT marker FROM agentaudit.expired_ranges`)
	edited := regexp.MustCompile(`"tree_frontier":\["[0-9a-f]{64}"`).ReplaceAllString(marker, `"tree_frontier":["`+strings.Repeat("0", 64)+`"`)
	if edited == marker {
		t.Fatalf("marker carries no frontier: %s", marker)
	}
	srv.Psql(t, "cut", `SET agentaudit.maintenance = 'on'; UPDATE agentaudit.expired_ranges SET marker = '`+edited+`'`)
	if out := verifyCheckpoints(exitFindings); !strings.Contains(out, "FAIL bad_frontier") {
		t.Fatalf("edited frontier:\n%s", out)
	}
}

// pgLegalHolds: holds on PostgreSQL are rows of agentaudit.markers; held records survive forget and
// retention (both report them), --override-hold erases and expires them and leaves an access-log
// entry, and a signed release ends a hold.
func pgLegalHolds(t *testing.T, srv *postgres.Server, signer *objectstore.Signer, privFile string) {
	dsn := srv.CreateDatabase(t, "holds")
	now := time.Now().UTC()
	writeCheckpointedPGBatches(t, dsn, "", signer, recordsAt("a", recordfixture.Base), recordsAt("b", recordfixture.Base.Add(time.Hour)), recordsAt("c", now))
	with := func(args ...string) []string {
		return append(args, "--store", dsn, "--signing-key", privFile, "--as", "legal@example.com")
	}
	holdID := regexp.MustCompile(`^hold (hold-\S+):`)
	add := func(session string) string {
		out := expectRun(t, exitOK, with("hold", "add", "--session", session, "--reason", "case 7")...)
		m := holdID.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("hold add: %s", out)
		}
		return m[1]
	}
	h1, h2 := add("session-a"), add("session-c")
	if list := expectRun(t, exitOK, with("hold", "list")...); !strings.Contains(list, h1) || !strings.Contains(list, "session session-c") {
		t.Fatalf("hold list:\n%s", list)
	}
	live := func(session string) string {
		return srv.Psql(t, "holds", `SELECT count(*) FROM agentaudit.records WHERE session_id = '`+session+`' AND type <> 'tombstone'`)
	}

	out := expectRun(t, exitOK, with("forget", "--user", "user-1")...)
	if !strings.Contains(out, "replaced 3 records") || !strings.Contains(out, "kept 3 records under legal hold "+h1) ||
		!strings.Contains(out, "kept 3 records under legal hold "+h2) || live("session-a") != "3" || live("session-b") != "0" {
		t.Fatalf("forget under holds:\n%s", out)
	}
	out = expectRun(t, exitOK, with("retention", "--older-than", "1h")...)
	if !strings.Contains(out, "deleted 0 partitions") || !strings.Contains(out, "records_2026_03") || !strings.Contains(out, h1) || live("session-a") != "3" {
		t.Fatalf("retention under a hold:\n%s", out)
	}

	out = expectRun(t, exitOK, with("retention", "--older-than", "1h", "--override-hold")...)
	if !strings.Contains(out, "deleted 1 partitions") || live("session-a") != "0" {
		t.Fatalf("retention with --override-hold:\n%s", out)
	}
	out = expectRun(t, exitOK, with("forget", "--user", "user-1", "--override-hold")...)
	if !strings.Contains(out, "replaced 3 records") || live("session-c") != "0" {
		t.Fatalf("forget with --override-hold:\n%s", out)
	}
	log := expectRun(t, exitOK, "access-log", "--store", dsn)
	for _, want := range []string{"override of legal holds " + h1 + " " + h2 + " for retention older than 1h", "for forget user user-1"} {
		if !strings.Contains(log, want) {
			t.Fatalf("access log lacks %q:\n%s", want, log)
		}
	}

	expectRun(t, exitOK, with("hold", "release", h1)...)
	if list := expectRun(t, exitOK, with("hold", "list")...); strings.Contains(list, h1) || !strings.Contains(list, h2) {
		t.Fatalf("hold list after release:\n%s", list)
	}
	expectRun(t, exitOK, "verify", "--store", dsn)
}

// pgWriterResumesFromCut: a cut past the stream's newest checkpoint (rows 4..6 written without
// checkpoints, then dropped with 1..3) is computed from that checkpoint's frontier and the rows
// after it; a writer started afterwards resumes its tree from the cut's marker, so it checkpoints
// again (at 9) and verify --checkpoints proves the kept rows from the cut. The checkpoint at 3,
// older than the cut at 6 = 4+2 and not one of its subtrees' sizes, is the info finding for a root
// the frontier does not determine.
func pgWriterResumesFromCut(t *testing.T, srv *postgres.Server, signer *objectstore.Signer, privFile, pubFile string) {
	dsn, wdir := srv.CreateDatabase(t, "resume"), t.TempDir()
	writeCheckpointedPGBatches(t, dsn, wdir, signer, recordsAt("a", recordfixture.Base))
	writeCheckpointedPGBatches(t, dsn, "", nil, recordsAt("b", recordfixture.Base.Add(time.Hour))) // no checkpoints
	expectRun(t, exitOK, "retention", "--older-than", "1h", "--store", dsn, "--signing-key", privFile)
	if got := srv.Psql(t, "resume", `SELECT max(last_seq), count(marker) FROM agentaudit.expired_ranges`); got != "6|1" {
		t.Fatalf("cut at 6 with its marker: %q", got)
	}
	writeCheckpointedPGBatches(t, dsn, wdir, signer, recordsAt("c", time.Now().UTC()))
	if got := srv.Psql(t, "resume", `SELECT max(tree_size) FROM agentaudit.checkpoints`); got != "9" {
		t.Fatalf("the writer did not checkpoint after the cut: newest checkpoint %q", got)
	}
	out := expectRun(t, exitOK, "verify", "--store", dsn, "--pubkey", pubFile, "--checkpoints", "file://"+filepath.ToSlash(wdir))
	if strings.Contains(out, "do not run from seq 1") || strings.Contains(out, "unwitnessed") ||
		!strings.Contains(out, "tree_size=3: this checkpoint is older than the retention cut at 6 records") {
		t.Fatalf("verify after the resumed writer:\n%s", out)
	}
}

// pgRetentionFloor: the retention floor on PostgreSQL is a signed row of agentaudit.markers;
// retention below it refuses (exit 2) and deletes nothing, at or above it runs, and a floor row
// planted without the key stops retention instead of being ignored.
func pgRetentionFloor(t *testing.T, srv *postgres.Server, signer *objectstore.Signer, privFile string) {
	dsn := srv.CreateDatabase(t, "floor")
	writeCheckpointedPGBatches(t, dsn, "", signer, recordsAt("a", recordfixture.Base), recordsAt("b", time.Now().UTC()))
	with := func(args ...string) []string {
		return append(args, "--store", dsn, "--signing-key", privFile, "--as", "dpo@example.com")
	}
	if code, _, errOut := runCLI("retention", "--set-min-age", "4380h", "--store", dsn); code != exitUsage || !strings.Contains(errOut, "--signing-key") {
		t.Fatalf("an unsigned floor: exit %d, %s", code, errOut)
	}
	expectRun(t, exitOK, with("retention", "--set-min-age", "4380h")...)
	code, _, errOut := runCLI(with("retention", "--older-than", "1h")...)
	if code != exitUsage || !strings.Contains(errOut, "below the store's retention floor min_age 4380h") {
		t.Fatalf("retention below the floor: exit %d, %s", code, errOut)
	}
	if got := srv.Psql(t, "floor", `SELECT count(*) FROM agentaudit.expired_ranges`); got != "0" {
		t.Fatalf("retention below the floor deleted: %s expired ranges", got)
	}
	if log := expectRun(t, exitOK, "access-log", "--store", dsn); !strings.Contains(log, "retention floor set to 4380h") {
		t.Fatalf("setting the floor is not in the access log:\n%s", log)
	}
	if out := expectRun(t, exitOK, with("retention", "--older-than", "4400h")...); !strings.Contains(out, "deleted 1 partitions") {
		t.Fatalf("retention above the floor:\n%s", out)
	}
	srv.Psql(t, "floor", `INSERT INTO agentaudit.markers (kind, marker_id, marker) VALUES ('retention_policy', 'retention', '{"kind":"retention_policy","min_age":"1h"}')`)
	if code, _, errOut := runCLI(with("retention", "--older-than", "4400h")...); code != exitUsage || !strings.Contains(errOut, "not signed") {
		t.Fatalf("a planted unsigned floor: exit %d, %s", code, errOut)
	}
}
