package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/bundle"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

// writeCheckpointed writes one batch of 3 records per tag (sessions "session-<tag>") to the file
// store in dir as the exporter does with checkpoints every 3 records into the store and the
// witness directory, and stops the writer (a final checkpoint).
func writeCheckpointed(t *testing.T, dir, witnessDir string, signer *objectstore.Signer, tags ...string) *objectstore.Store {
	t.Helper()
	b, err := filestore.NewBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	var witness objectstore.Backend
	if witnessDir != "" {
		if witness, err = filestore.NewBackend(witnessDir); err != nil {
			t.Fatal(err)
		}
	}
	return writeCheckpointedOn(t, b, witness, signer, tags...)
}

// writeCheckpointedOn is writeCheckpointed on any backends (witness nil: none).
func writeCheckpointedOn(t *testing.T, b, witness objectstore.Backend, signer *objectstore.Signer, tags ...string) *objectstore.Store {
	t.Helper()
	// Written in March (the hour partitions are the write time), so that retention can expire them.
	at := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	opts := objectstore.Options{
		Gzip: true, Signer: signer, Checkpoints: &objectstore.CheckpointOptions{EveryRecords: 3},
		Now: func() time.Time { return at },
	}
	if witness != nil {
		opts.Checkpoints.Witnesses = []objectstore.Backend{witness}
	}
	s := objectstore.New(b, opts, store.Settings{InstanceID: "gw-1"})
	writeTagged(t, s, tags...)
	return s
}

func removeNewest(t *testing.T, b objectstore.Backend, prefix string) {
	t.Helper()
	keys, err := b.List(context.Background(), prefix)
	if err != nil || len(keys) == 0 {
		t.Fatalf("list %s: %v %v", prefix, keys, err)
	}
	if err := b.Delete(context.Background(), keys[len(keys)-1]); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyCheckpointsCatchesTruncationAndKeyHolderRewrite: the two attacks docs/integrity.md
// lists as limits pass a plain verify and fail `verify --checkpoints` against the witness; a
// checkpoint forged with another key in the witness is bad_checkpoint.
func TestVerifyCheckpointsCatchesTruncationAndKeyHolderRewrite(t *testing.T) {
	signer, privFile, pubFile := signingKeys(t)
	t.Setenv(signingKeyEnv, privFile) // each verify signs its access record, as on a signed store it must
	const stream = "gw-1-traces"
	setup := func() (dir, url, witnessURL string, s *objectstore.Store) {
		dir, wdir := t.TempDir(), t.TempDir()
		s = writeCheckpointed(t, dir, wdir, signer, "a", "b", "c")
		return dir, "file://" + filepath.ToSlash(dir), "file://" + filepath.ToSlash(wdir), s
	}

	_, url, witnessURL, s := setup()
	expectRun(t, exitOK, "verify", "--store", url, "--pubkey", pubFile, "--checkpoints", witnessURL)

	// Head truncation: the newest object, its manifest and the store's newest checkpoint removed.
	keys, ms, _ := objectstore.ObjectManifests(context.Background(), s.Backend(), s.Layout(), stream)
	if err := s.Backend().Delete(context.Background(), ms[len(ms)-1].ObjectKey); err != nil {
		t.Fatal(err)
	}
	if err := s.Backend().Delete(context.Background(), keys[len(keys)-1]); err != nil {
		t.Fatal(err)
	}
	removeNewest(t, s.Backend(), s.Layout().CheckpointPrefix(stream))
	expectRun(t, exitOK, "verify", "--store", url, "--pubkey", pubFile) // what the chain alone cannot see
	out := expectRun(t, exitFindings, "verify", "--store", url, "--pubkey", pubFile, "--checkpoints", witnessURL)
	if !strings.Contains(out, "FAIL truncated_head") || !strings.Contains(out, "seq=7..9") {
		t.Fatalf("truncation:\n%s", out)
	}

	// A rewrite with the key: the stream is written again, as long, with other records, re-signed
	// and re-checkpointed in the store (the witness is out of the attacker's reach).
	dir, url, witnessURL, _ := setup()
	if err := os.RemoveAll(filepath.Join(dir, "audit")); err != nil {
		t.Fatal(err)
	}
	writeCheckpointed(t, dir, "", signer, "a", "x", "c")
	expectRun(t, exitOK, "verify", "--store", url, "--pubkey", pubFile)
	out = expectRun(t, exitFindings, "verify", "--store", url, "--pubkey", pubFile, "--checkpoints", witnessURL)
	if !strings.Contains(out, "FAIL rewritten_history") || strings.Contains(out, "seq=1..3") {
		t.Fatalf("rewrite (records 1..3 are unchanged, so only the checkpoints of 6 and 9 fail):\n%s", out)
	}

	// A checkpoint forged with another key, planted in the witness.
	_, url, witnessURL, _ = setup()
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	forged, err := objectstore.NewSigner(other).SignCheckpoint(evidence.Checkpoint{Origin: "x/" + stream, Size: 2, Root: evidence.Hash{7}})
	if err != nil {
		t.Fatal(err)
	}
	wdir := strings.TrimPrefix(witnessURL, "file://")
	if err := os.WriteFile(filepath.Join(wdir, "audit", "_checkpoints", stream, "00000000000000000002.checkpoint"), forged, 0o600); err != nil {
		t.Fatal(err)
	}
	out = expectRun(t, exitFindings, "verify", "--store", url, "--pubkey", pubFile, "--checkpoints", witnessURL)
	if !strings.Contains(out, "FAIL bad_checkpoint") {
		t.Fatalf("forged witness checkpoint:\n%s", out)
	}
	// An empty witness proves nothing: that is a failure, not a pass.
	out = expectRun(t, exitFindings, "verify", "--store", url, "--pubkey", pubFile, "--checkpoints", "file://"+filepath.ToSlash(t.TempDir()))
	if !strings.Contains(out, "no checkpoints found") {
		t.Fatalf("empty witness:\n%s", out)
	}
}

// editBundle rewrites one file of a bundle (nil content removes nothing; edit gets the old bytes).
func editBundle(t *testing.T, src, dst, name string, edit func([]byte) []byte) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		_ = rc.Close()
		if f.Name == name {
			b = edit(b)
		}
		w, _ := zw.Create(f.Name)
		_, _ = w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestExportedBundleVerifiesOfflineAndAttacksFail: a session's bundle verifies with nothing but
// the file and the public key, its export is in the access log; a record removed from it, a proof
// for another checkpoint and a forged checkpoint signature each give their finding and exit 1.
func TestExportedBundleVerifiesOfflineAndAttacksFail(t *testing.T) {
	signer, _, pubFile := signingKeys(t)
	dir := t.TempDir()
	s := writeCheckpointed(t, dir, "", signer, "a", "b", "c")
	url := "file://" + filepath.ToSlash(dir)
	file := filepath.Join(t.TempDir(), "bundle.zip")
	out := expectRun(t, exitOK, "export", "--store", url, "--session", "session-b", "-o", file, "--as", "auditor@example.com")
	if !strings.Contains(out, "3 records (0 without a covering checkpoint)") {
		t.Fatalf("export: %s", out)
	}
	log := expectRun(t, exitOK, "access-log", "--store", url)
	if !strings.Contains(log, "auditor@example.com") || !strings.Contains(log, "evidence bundle of session session-b") {
		t.Fatalf("access log:\n%s", log)
	}
	// The stream's older checkpoint (size 6, validly signed), kept for the attack below.
	older, err := s.Backend().Get(context.Background(), s.Layout().CheckpointKey("gw-1-traces", 6))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil { // offline: the store is gone
		t.Fatal(err)
	}
	rep := expectRun(t, exitOK, "verify", "--bundle", file, "--pubkey", pubFile)
	if !strings.Contains(rep, "3 checked, 3 proven") || !strings.Contains(rep, "It does not prove") {
		t.Fatalf("bundle report:\n%s", rep)
	}
	if rep := expectRun(t, exitOK, "verify", "--bundle", file); !strings.Contains(rep, "WARNING: checkpoints were checked with the keys the bundle itself carries") {
		t.Fatalf("without --pubkey:\n%s", rep)
	}

	bad := filepath.Join(t.TempDir(), "bad.zip")
	editBundle(t, file, bad, bundle.RecordsFile, func(b []byte) []byte {
		lines := strings.SplitAfter(string(b), "\n")
		return []byte(lines[0] + lines[2])
	})
	if out := expectRun(t, exitFindings, "verify", "--bundle", bad, "--pubkey", pubFile); !strings.Contains(out, "FAIL bundle_missing_record") {
		t.Fatalf("removed record:\n%s", out)
	}

	// A proof for another checkpoint: the bundle's checkpoint (size 9) replaced by the stream's
	// older one (size 6), which is validly signed.
	var ix bundle.Index
	editBundle(t, file, bad, bundle.IndexFile, func(b []byte) []byte {
		if err := json.Unmarshal(b, &ix); err != nil {
			t.Fatal(err)
		}
		return b
	})
	if ix.Records[0].TreeSize != 9 {
		t.Fatalf("proof against tree size %d, want the newest checkpoint's 9", ix.Records[0].TreeSize)
	}
	editBundle(t, file, bad, ix.Records[0].Checkpoint, func([]byte) []byte { return older })
	if out := expectRun(t, exitFindings, "verify", "--bundle", bad, "--pubkey", pubFile); !strings.Contains(out, "FAIL bundle_bad_proof") {
		t.Fatalf("proof for another checkpoint:\n%s", out)
	}

	editBundle(t, file, bad, ix.Records[0].Checkpoint, func(b []byte) []byte {
		return bytes.Replace(b, []byte("\n9\n"), []byte("\n8\n"), 1)
	})
	if out := expectRun(t, exitFindings, "verify", "--bundle", bad, "--pubkey", pubFile); !strings.Contains(out, "FAIL bundle_bad_signature") {
		t.Fatalf("forged checkpoint:\n%s", out)
	}
}

// TestErasureAfterCheckpointKeepsProofsValid: after `forget` replaced every record of the stream by
// tombstones, verify --checkpoints still passes (a tombstone keeps its leaf), and a bundle of the
// time range proves the tombstones and says when and by which erasure each record was erased.
func TestErasureAfterCheckpointKeepsProofsValid(t *testing.T) {
	signer, privFile, pubFile := signingKeys(t)
	t.Setenv(signingKeyEnv, privFile) // verify signs its access record, as on a signed store it must
	dir, wdir := t.TempDir(), t.TempDir()
	writeCheckpointed(t, dir, wdir, signer, "a", "b", "c")
	url, witnessURL := "file://"+filepath.ToSlash(dir), "file://"+filepath.ToSlash(wdir)
	expectRun(t, exitOK, "forget", "--store", url, "--user", "user-1", "--signing-key", privFile)
	expectRun(t, exitOK, "verify", "--store", url, "--pubkey", pubFile, "--checkpoints", witnessURL)

	file := filepath.Join(t.TempDir(), "bundle.zip")
	expectRun(t, exitOK, "export", "--store", url, "--from", "2000-01-01", "-o", file, "--signing-key", privFile)
	rep := expectRun(t, exitOK, "verify", "--bundle", file, "--pubkey", pubFile)
	if strings.Count(rep, "info erased") != 9 || !strings.Contains(rep, "by erasure ") || !strings.Contains(rep, "9 proven") {
		t.Fatalf("bundle after erasure:\n%s", rep)
	}
}

// TestLegalHoldSurvivesForgetAndRetention: records under a hold survive forget and retention, which
// report them; an override erases them and leaves an access-log entry; a signed release ends it.
func TestLegalHoldSurvivesForgetAndRetention(t *testing.T) {
	signer, privFile, pubFile := signingKeys(t)
	t.Setenv(signingKeyEnv, privFile) // verify signs its access record, as on a signed store it must
	dir := t.TempDir()
	writeCheckpointed(t, dir, "", signer, "a", "b", "c")
	url := "file://" + filepath.ToSlash(dir)
	with := func(args ...string) []string { return append(args, "--store", url, "--signing-key", privFile) }

	out := expectRun(t, exitOK, with("hold", "add", "--session", "session-b", "--reason", "case 2026-17", "--as", "legal@example.com")...)
	id := strings.Fields(out)[1]
	id = strings.TrimSuffix(id, ":")
	if list := expectRun(t, exitOK, with("hold", "list")...); !strings.Contains(list, id) || !strings.Contains(list, "session session-b") {
		t.Fatalf("hold list:\n%s", list)
	}
	out = expectRun(t, exitOK, with("forget", "--user", "user-1")...)
	if !strings.Contains(out, "replaced 6 records") || !strings.Contains(out, "kept 3 records under legal hold "+id) {
		t.Fatalf("forget under hold:\n%s", out)
	}
	if tl := expectRun(t, exitOK, with("timeline", "session-b")...); strings.Count(tl, "\n") != 4 {
		t.Fatalf("held session after forget:\n%s", tl)
	}
	out = expectRun(t, exitOK, with("retention", "--older-than", "1h")...)
	if !strings.Contains(out, "1 objects") || !strings.Contains(out, "legal hold "+id) {
		t.Fatalf("retention under hold:\n%s", out)
	}
	expectRun(t, exitOK, "verify", "--store", url, "--pubkey", pubFile)

	out = expectRun(t, exitOK, with("retention", "--older-than", "1h", "--override-hold", "--as", "cto@example.com")...)
	if !strings.Contains(out, "2 objects") {
		t.Fatalf("retention with override:\n%s", out)
	}
	if log := expectRun(t, exitOK, with("access-log")...); !strings.Contains(log, "override of legal holds "+id+" for retention") ||
		!strings.Contains(log, "cto@example.com") {
		t.Fatalf("access log after override:\n%s", log)
	}
	expectRun(t, exitOK, with("hold", "release", id)...)
	if list := expectRun(t, exitOK, with("hold", "list")...); strings.Contains(list, id) {
		t.Fatalf("released hold still listed:\n%s", list)
	}
}

// TestRetentionFloorRefusesShorterRuns: a signed min_age floor makes retention refuse a shorter
// age with a clear error (exit 2); an age above it runs; setting the floor is in the access log.
func TestRetentionFloorRefusesShorterRuns(t *testing.T) {
	signer, privFile, _ := signingKeys(t)
	dir := t.TempDir()
	writeCheckpointed(t, dir, "", signer, "a")
	url := "file://" + filepath.ToSlash(dir)
	expectRun(t, exitOK, "retention", "--set-min-age", "4380h", "--store", url, "--signing-key", privFile)
	code, _, errOut := runCLI("retention", "--older-than", "90d", "--store", url, "--signing-key", privFile)
	if code != exitUsage || !strings.Contains(errOut, "below the store's retention floor min_age 4380h") {
		t.Fatalf("retention under the floor: exit %d %s", code, errOut)
	}
	expectRun(t, exitOK, "retention", "--older-than", "5000h", "--store", url, "--signing-key", privFile)
	if log := expectRun(t, exitOK, "access-log", "--store", url); !strings.Contains(log, "retention floor set to 4380h") {
		t.Fatalf("access log:\n%s", log)
	}
	// A floor marker nobody signed (or edited) stops retention rather than being ignored.
	key := filepath.Join(dir, "audit", "_policy", "retention.json")
	raw, _ := os.ReadFile(key)
	if err := os.WriteFile(key, []byte(strings.Replace(string(raw), "4380h", "1h", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI("retention", "--older-than", "2h", "--store", url, "--signing-key", privFile); code != exitUsage ||
		!strings.Contains(errOut, "not signed") {
		t.Fatalf("edited floor: exit %d %s", code, errOut)
	}
}

// writeTagged starts s, writes one traces batch of three fixture records per tag and shuts it
// down (the checkpoint written at shutdown included).
func writeTagged(t *testing.T, s store.Store, tags ...string) {
	t.Helper()
	batches := make([][]*auditrecord.Record, len(tags))
	for i, tag := range tags {
		batches[i] = recordfixture.Records(tag, 3)
	}
	writeBatches(t, s, batches...)
}

// writeBatches starts s, writes each batch as a traces batch and shuts it down.
func writeBatches(t *testing.T, s store.Store, batches ...[]*auditrecord.Record) {
	t.Helper()
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if err := s.Write(ctx, store.Batch{Signal: "traces", Records: b}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}
