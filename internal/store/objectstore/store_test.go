package objectstore_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

func records(session string, n int, at time.Time) []*auditrecord.Record {
	out := make([]*auditrecord.Record, n)
	for i := range out {
		out[i] = &auditrecord.Record{
			SchemaVersion: auditrecord.SchemaVersion,
			RecordID:      auditrecord.NewRecordID(session, strconv.Itoa(i)),
			Type:          auditrecord.TypeInput,
			Timestamp:     at.Add(time.Duration(i) * time.Second),
			SessionID:     session,
			UserID:        "user_" + session,
			Input:         &auditrecord.Input{Content: fmt.Sprintf("message %d of %s", i, session), Role: "user"},
		}
	}
	return out
}

func newStore(t *testing.T, dir string, signer *objectstore.Signer, now time.Time) *objectstore.Store {
	t.Helper()
	b, err := filestore.NewBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := objectstore.New(b, objectstore.Options{Gzip: true, Signer: signer, Now: func() time.Time { return now }},
		store.Settings{InstanceID: "gw-1"})
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// readChain returns every stored line's integrity of one stream in object order, checking each hash.
func readChain(t *testing.T, s *objectstore.Store) []auditrecord.Integrity {
	t.Helper()
	ctx := context.Background()
	keys, err := s.DataObjects(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var chain []auditrecord.Integrity
	for _, k := range keys {
		data, err := s.Backend().Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := objectstore.ObjectLines(k, data)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if err := auditrecord.ValidateJSON(l); err != nil {
				t.Fatalf("stored record invalid: %v\n%s", err, l)
			}
			content, integ, err := objectstore.LineHashInput(l)
			if err != nil {
				t.Fatal(err)
			}
			h := sha256.Sum256(append([]byte(integ.PrevHash), content...))
			if got := hex.EncodeToString(h[:]); got != integ.Hash {
				t.Fatalf("seq %d: recomputed hash %s, stored %s", integ.Seq, got, integ.Hash)
			}
			chain = append(chain, *integ)
		}
	}
	return chain
}

func TestWriteChainsRecordsAcrossObjectsAndRestarts(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 26, 10, 30, 0, 0, time.UTC)
	ctx := context.Background()
	s := newStore(t, dir, nil, now)
	if err := s.Write(ctx, store.Batch{Signal: "traces", Records: records("a", 3, now)}); err != nil {
		t.Fatal(err)
	}
	// A new Store over the same directory (a restarted collector) must continue the chain.
	s = newStore(t, dir, nil, now.Add(time.Hour))
	if err := s.Write(ctx, store.Batch{Signal: "traces", Records: records("b", 2, now)}); err != nil {
		t.Fatal(err)
	}
	chain := readChain(t, s)
	if len(chain) != 5 {
		t.Fatalf("got %d records, want 5", len(chain))
	}
	for i, in := range chain {
		if in.Seq != uint64(i+1) || in.Stream != "gw-1-traces" {
			t.Fatalf("record %d: seq %d stream %s", i, in.Seq, in.Stream)
		}
		if i > 0 && in.PrevHash != chain[i-1].Hash {
			t.Fatalf("seq %d does not link to seq %d", in.Seq, i)
		}
	}
	if chain[0].PrevHash != "" {
		t.Fatal("first record has a prev_hash")
	}
	keys, _ := s.Backend().List(ctx, "audit/")
	want := []string{
		"audit/_manifests/gw-1-traces/00000000000000000001.json",
		"audit/_manifests/gw-1-traces/00000000000000000004.json",
		"audit/year=2026/month=11/day=26/hour=10/gw-1-traces-00000000000000000001.jsonl.gz",
		"audit/year=2026/month=11/day=26/hour=11/gw-1-traces-00000000000000000004.jsonl.gz",
	}
	if strings.Join(keys, "\n") != strings.Join(want, "\n") {
		t.Fatalf("keys:\n%s\nwant:\n%s", strings.Join(keys, "\n"), strings.Join(want, "\n"))
	}
	mb, _ := s.Backend().Get(ctx, want[1])
	m, err := objectstore.DecodeManifest(mb)
	if err != nil {
		t.Fatal(err)
	}
	if m.PreviousManifestKey != want[0] || m.FirstSeq != 4 || m.LastSeq != 5 || m.RecordCount != 2 || m.FirstPrevHash != chain[2].Hash {
		t.Fatalf("second manifest does not link: %+v", m)
	}
}

// TestLargeBatchesSpanManyCompressionChunks writes batches far larger than the encoder's chunk
// (so lines are compressed piecewise and the line and object buffers are reused between batches
// of different sizes), compressed and not, then reads every record back in order with its chain
// intact and every object as its manifest describes it.
func TestLargeBatchesSpanManyCompressionChunks(t *testing.T) {
	for _, gz := range []bool{true, false} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			b, err := filestore.NewBackend(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 26, 10, 30, 0, 0, time.UTC)
			s := objectstore.New(b, objectstore.Options{Gzip: gz, Now: func() time.Time { return now }}, store.Settings{InstanceID: "gw-1"})
			ctx := context.Background()
			var want []string
			for batch, n := range []int{3000, 10, 2500} {
				recs := records(fmt.Sprint("s", batch), n, now)
				for i, r := range recs {
					r.Input.Content += strings.Repeat(" padding", i%40)
					want = append(want, r.RecordID)
				}
				if err := s.Write(ctx, store.Batch{Signal: "traces", Records: recs}); err != nil {
					t.Fatal(err)
				}
			}
			chain := readChain(t, s)
			if len(chain) != len(want) {
				t.Fatalf("read %d records, wrote %d", len(chain), len(want))
			}
			var got []string
			if err := s.Scan(ctx, store.Query{}, func(r *auditrecord.Record) error {
				got = append(got, r.RecordID)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatal("records read back differ from those written, or their order does")
			}
			checkObjectsMatchManifests(t, s, 3)
		})
	}
}

// checkObjectsMatchManifests: the stream has want manifests and each one's object is stored with
// the size and SHA-256 the manifest gives (a reused buffer overwritten too early would not be).
func checkObjectsMatchManifests(t *testing.T, s *objectstore.Store, want int) {
	t.Helper()
	ctx := context.Background()
	_, ms, err := objectstore.ObjectManifests(ctx, s.Backend(), s.Layout(), "gw-1-traces")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != want {
		t.Fatalf("%d manifests, want %d", len(ms), want)
	}
	for _, m := range ms {
		data, err := s.Backend().Get(ctx, m.ObjectKey)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(data)) != m.ObjectBytes || objectstore.ObjectDigest(data) != m.ObjectSHA256 {
			t.Fatalf("%s: stored object is not the one its manifest describes", m.ObjectKey)
		}
	}
}

// TestScanPrefilterNeverDropsAMatch: Scan skips lines without the query's bytes before decoding
// them; for ids that need escaping, ids that are prefixes of others and ids that also appear in
// content, it must return exactly what decoding everything and filtering would.
func TestScanPrefilterNeverDropsAMatch(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	s := newStore(t, t.TempDir(), nil, now)
	ids := []string{"u", "u1", `quote"d`, "back\\slash", "<html>&", "line\u2028sep", "tab\tnew\nline", "é😀", ""}
	var recs []*auditrecord.Record
	for i, id := range ids {
		for j, other := range ids {
			r := records(fmt.Sprint(i, "-", j), 1, now)[0]
			r.SessionID, r.UserID = id, other
			r.Input.Content = "mentions session_id " + other // content must not fake a match
			if j%2 == 1 {
				r.Type, r.Input = auditrecord.TypeOutput, nil
				r.Output = &auditrecord.Output{Content: `"type":"input"`}
			}
			recs = append(recs, r)
		}
	}
	if err := s.Write(ctx, store.Batch{Signal: "traces", Records: recs}); err != nil {
		t.Fatal(err)
	}
	all := func(q store.Query) (want []string) {
		for _, r := range recs {
			if q.Matches(r) {
				want = append(want, r.RecordID)
			}
		}
		return want
	}
	for _, id := range ids {
		for _, q := range []store.Query{
			{SessionID: id},
			{UserID: id},
			{SessionID: id, UserID: "u"},
			{UserID: id, Types: []auditrecord.Type{auditrecord.TypeInput}},
			{SessionID: id, Types: []auditrecord.Type{auditrecord.TypeOutput, auditrecord.TypeInput}},
		} {
			var got []string
			if err := s.Scan(ctx, q, func(r *auditrecord.Record) error {
				got = append(got, r.RecordID)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if want := all(q); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("query %+v: got %d records, want %d", q, len(got), len(want))
			}
		}
	}
}

func TestScanFiltersAndPrunesPartitions(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := newStore(t, dir, nil, old)
	if err := s.Write(ctx, store.Batch{Signal: "logs", Records: records("old", 2, old)}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	s = newStore(t, dir, nil, now)
	if err := s.Write(ctx, store.Batch{Signal: "logs", Records: append(records("x", 2, now), records("y", 3, now)...)}); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := s.Scan(ctx, store.Query{SessionID: "y"}, func(r *auditrecord.Record) error {
		got = append(got, r.Input.Content)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != "message 0 of y" {
		t.Fatalf("session scan: %v", got)
	}
	keys, _ := s.DataObjects(ctx, now.Add(-time.Hour))
	if len(keys) != 1 || !strings.Contains(keys[0], "month=11") {
		t.Fatalf("pruned listing: %v", keys)
	}
}

func TestSignedManifestsPublishTheKeyAndVerify(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	signer := objectstore.NewSigner(priv)
	dir := t.TempDir()
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	s := newStore(t, dir, signer, now)
	for i := range 2 {
		if err := s.Write(ctx, store.Batch{Signal: "traces", Records: records(strconv.Itoa(i), 2, now)}); err != nil {
			t.Fatal(err)
		}
	}
	pemBytes, err := s.Backend().Get(ctx, "audit/_keys/"+objectstore.Fingerprint(pub)+".pub")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := objectstore.ParsePublicKey(pemBytes)
	if err != nil || !stored.Equal(pub) {
		t.Fatalf("published key differs: %v", err)
	}
	keys, _ := s.Backend().List(ctx, "audit/_manifests/")
	var prevSig string
	for _, k := range keys {
		b, _ := s.Backend().Get(ctx, k)
		m, _ := objectstore.DecodeManifest(b)
		if !signatureVerifies(m, pub) {
			t.Fatalf("%s: signature does not verify", k)
		}
		if m.PreviousManifestSignature != prevSig {
			t.Fatalf("%s: previous signature link broken", k)
		}
		prevSig = m.Signature
		m.RecordCount++
		if signatureVerifies(m, pub) {
			t.Fatal("signature still verifies after the manifest changed")
		}
	}
}

// faultyManifestBackend is a fault-injecting fake (a real disk cannot be told to fail one write):
// it fails the first manifest Put.
type faultyManifestBackend struct {
	objectstore.Backend
	failed bool
}

func (f *faultyManifestBackend) Put(ctx context.Context, key string, data []byte) error {
	if strings.Contains(key, "_manifests") && !f.failed {
		f.failed = true
		return errors.New("injected manifest failure")
	}
	return f.Backend.Put(ctx, key, data)
}

func TestFakeFailingManifestPutLeavesNoOrphanAndRetryReusesSeq(t *testing.T) {
	dir := t.TempDir()
	b, _ := filestore.NewBackend(dir)
	fb := &faultyManifestBackend{Backend: b}
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	s := objectstore.New(fb, objectstore.Options{Gzip: true, Now: func() time.Time { return now }}, store.Settings{InstanceID: "gw"})
	ctx := context.Background()
	batch := store.Batch{Signal: "traces", Records: records("a", 2, now)}
	if err := s.Write(ctx, batch); err == nil {
		t.Fatal("write with failing manifest succeeded")
	}
	if keys, _ := b.List(ctx, "audit/year="); len(keys) != 0 {
		t.Fatalf("orphan object left: %v", keys)
	}
	if batch.Records[0].Integrity != nil {
		t.Fatal("failed write changed the caller's records")
	}
	if err := s.Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
	chain := readChain(t, s)
	if len(chain) != 2 || chain[0].Seq != 1 {
		t.Fatalf("retry did not reuse seq 1: %+v", chain)
	}
}

func TestFileBackendHidesTempFilesAndRejectsEscapingKeys(t *testing.T) {
	b, _ := filestore.NewBackend(t.TempDir())
	ctx := context.Background()
	if err := b.Put(ctx, "../x", []byte("a")); err == nil {
		t.Fatal("key escaping the root accepted")
	}
	if err := b.Put(ctx, "audit/a.json", []byte("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, "audit/missing"); !errors.Is(err, objectstore.ErrNotExist) {
		t.Fatalf("missing key: %v", err)
	}
	if err := b.Put(ctx, "audit/.tmp-crashed", []byte("half")); err != nil {
		t.Fatal(err)
	}
	keys, _ := b.List(ctx, "audit/")
	if len(keys) != 1 || keys[0] != "audit/a.json" {
		t.Fatalf("list shows %v", keys)
	}
	// A temp file from before the cut-off (a crash) goes; one written since (a Put in flight) stays.
	if err := b.Put(ctx, "audit/.tmp-in-flight", []byte("half")); err != nil {
		t.Fatal(err)
	}
	crashed := filepath.Join(b.Root, "audit", ".tmp-crashed")
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(crashed, old, old); err != nil {
		t.Fatal(err)
	}
	if n, err := b.RemoveStaleTemp(ctx, time.Now().Add(-time.Minute)); err != nil || n != 1 {
		t.Fatalf("RemoveStaleTemp = %d, %v", n, err)
	}
	if _, err := os.Stat(crashed); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale temp file kept: %v", err)
	}
	if _, err := os.Stat(filepath.Join(b.Root, "audit", ".tmp-in-flight")); err != nil {
		t.Fatalf("recent temp file removed: %v", err)
	}
}

// signatureVerifies checks m's signature over its signing input with pub.
func signatureVerifies(m objectstore.Manifest, pub ed25519.PublicKey) bool {
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return false
	}
	in, err := m.SigningInput()
	return err == nil && ed25519.Verify(pub, in, sig)
}
