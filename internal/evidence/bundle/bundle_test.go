package bundle_test

import (
	"context"
	"crypto/ed25519"
	"math/bits"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/bundle"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

// sessionBundle writes a session of n records (one stream, checkpointed at the end) to a file store
// and exports its bundle.
func sessionBundle(tb testing.TB, n int) (bundle.Result, ed25519.PublicKey) {
	tb.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	b, err := filestore.NewBackend(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	s := objectstore.New(b, objectstore.Options{
		Gzip: true, Signer: objectstore.NewSigner(priv),
		Checkpoints: &objectstore.CheckpointOptions{EveryRecords: uint64(n)},
	}, store.Settings{InstanceID: "gw-1"})
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < n; i += 100 {
		if err := s.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records("s", min(100, n-i))}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.Shutdown(ctx); err != nil {
		tb.Fatal(err)
	}
	res, err := bundle.Export(ctx, s.Ledger(), store.Query{SessionID: "session-s"}, "session session-s", "test", time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return res, pub
}

// proofLen is the RFC 9162 inclusion proof length of leaf index in a tree of size.
func proofLen(index, size uint64) int {
	inner := bits.Len64(index ^ (size - 1))
	return inner + bits.OnesCount64(index>>inner)
}

// TestBundleSizeForASessionInA10MStream measures a real 1,000-record session bundle, checks the
// proof-length formula against our proofs, and computes what the same session costs in a stream of
// 10M records: only the proofs grow (from ~10 to ~24 hashes each), logarithmically.
func TestBundleSizeForASessionInA10MStream(t *testing.T) {
	res, pub := sessionBundle(t, 1000)
	rep, err := bundle.Check(res.Data, []ed25519.PublicKey{pub})
	if err != nil || !rep.OK || rep.Proven != 1000 {
		t.Fatalf("check: %+v %v", rep, err)
	}
	want := 0
	for i := range uint64(1000) {
		want += proofLen(i, 1000)
	}
	if res.ProofHash != want {
		t.Fatalf("proof hashes %d, formula %d", res.ProofHash, want)
	}
	l := &evidence.Log{}
	for i := range 300 {
		leaf, _ := evidence.LeafHash(evidence.Hex(evidence.Hash{byte(i), byte(i >> 8)}))
		_ = l.Append(leaf)
	}
	for _, size := range []uint64{1, 2, 3, 100, 255, 256, 300} {
		for _, idx := range []uint64{0, size / 2, size - 1} {
			p, _ := l.InclusionProof(idx, size)
			if len(p) != proofLen(idx, size) {
				t.Fatalf("proof %d/%d has %d hashes, formula %d", idx, size, len(p), proofLen(idx, size))
			}
		}
	}
	// The session spread over a 10M-record stream (every 10,000th record): each proof is its own path.
	const big = 10_000_000
	bigHashes := 0
	for i := range uint64(1000) {
		bigHashes += proofLen(i*(big/1000), big)
	}
	// A hash is 44 base64 characters plus quotes, comma and indent in index.json (48 bytes); random
	// bytes deflate to about their binary size (32 bytes + 1/3 of base64 overhead stays ~33).
	extra := bigHashes - res.ProofHash
	t.Logf("1,000-record session: bundle %d bytes with %d proof hashes (stream of 1,000); in a 10M stream %d hashes: "+
		"~%d bytes (+%d hashes, +~%d KB uncompressed index, +~%d KB in the zip)",
		len(res.Data), res.ProofHash, bigHashes, len(res.Data)+extra*33, extra, extra*48/1024, extra*33/1024)
	if bigHashes > 1000*24 {
		t.Fatalf("%d hashes for 1,000 records in 10M: not logarithmic", bigHashes)
	}
}

// BenchmarkBundleCheck verifies a 1,000-record session bundle offline (one op = the whole bundle).
func BenchmarkBundleCheck(b *testing.B) {
	res, pub := sessionBundle(b, 1000)
	keys := []ed25519.PublicKey{pub}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := bundle.Check(res.Data, keys)
		if err != nil || !rep.OK {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteAndExport1000 writes a 1,000-record session and exports it with its proofs (one op = both).
func BenchmarkWriteAndExport1000(b *testing.B) {
	for b.Loop() {
		sessionBundle(b, 1000)
	}
}
