package objectstore_test

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

func checkpointStore(t *testing.T, dir, witnessDir string, signer *objectstore.Signer, every uint64) *objectstore.Store {
	t.Helper()
	b, err := filestore.NewBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	w, err := filestore.NewBackend(witnessDir)
	if err != nil {
		t.Fatal(err)
	}
	s := objectstore.New(b, objectstore.Options{
		Gzip: true, Signer: signer,
		Checkpoints: &objectstore.CheckpointOptions{EveryRecords: every, Origin: "acme/audit", Witnesses: []objectstore.Backend{w}},
	},
		store.Settings{InstanceID: "gw-1", Logger: zap.NewNop()})
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// streamLog rebuilds the stream's tree from what is stored, as a verifier would.
func streamLog(t *testing.T, s *objectstore.Store, stream string) *evidence.Log {
	t.Helper()
	l := &evidence.Log{}
	err := objectstore.ReadStream(context.Background(), s.Backend(), s.Layout(), stream, func(r objectstore.StreamRecord) error {
		leaf, err := evidence.LeafHash(r.Hash)
		if err != nil {
			return err
		}
		return l.Append(leaf)
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestManifestsCarryTreeAndCheckpointsReachStoreAndWitness: every manifest's tree_size/tree_root is
// the tree of the stored records up to it, also across a restart (the writer resumes from the
// manifest's frontier); a checkpoint is written each time the stream grew by EveryRecords, and at
// shutdown, identically into the store and the witness, signed so that sumdb/note verifies it.
func TestManifestsCarryTreeAndCheckpointsReachStoreAndWitness(t *testing.T) {
	ctx := context.Background()
	dir, wdir := t.TempDir(), t.TempDir()
	pub, priv, _ := ed25519.GenerateKey(nil)
	signer := objectstore.NewSigner(priv)
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	s := checkpointStore(t, dir, wdir, signer, 5)
	for i := range 3 { // 3+3+3: checkpoints at 6 (grew by ≥5), then at shutdown 9
		if err := s.Write(ctx, store.Batch{Signal: "traces", Records: records("a", 3, now.Add(time.Duration(i)*time.Minute))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	s = checkpointStore(t, dir, wdir, signer, 5) // a restart resumes the tree from the last manifest
	if err := s.Write(ctx, store.Batch{Signal: "traces", Records: records("b", 4, now.Add(time.Hour))}); err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	const stream = "gw-1-traces"
	l := streamLog(t, s, stream)
	if l.Size() != 13 {
		t.Fatalf("tree size %d, want 13", l.Size())
	}
	_, ms, err := objectstore.ObjectManifests(ctx, s.Backend(), s.Layout(), stream)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		root, _ := l.Root(m.LastSeq)
		if m.TreeSize != m.LastSeq || m.TreeRoot != evidence.Hex(root) {
			t.Fatalf("manifest %d..%d: tree %d %s, want %d %s", m.FirstSeq, m.LastSeq, m.TreeSize, m.TreeRoot, m.LastSeq, evidence.Hex(root))
		}
	}
	trusted, _ := evidence.Verifiers(pub)
	wb, _ := filestore.NewBackend(wdir)
	var sizes []uint64
	keys, _ := s.Backend().List(ctx, s.Layout().CheckpointsRoot())
	for _, k := range keys {
		inStore, _ := s.Backend().Get(ctx, k)
		inWitness, err := wb.Get(ctx, k)
		if err != nil || string(inWitness) != string(inStore) {
			t.Fatalf("witness copy of %s: %v", k, err)
		}
		cp, err := evidence.Open(inStore, trusted)
		if err != nil {
			t.Fatal(err)
		}
		root, _ := l.Root(cp.Size)
		if cp.Origin != "acme/audit/"+stream || cp.Root != root {
			t.Fatalf("checkpoint %s: %+v, want root %x", k, cp, root)
		}
		sizes = append(sizes, cp.Size)
	}
	if len(sizes) != 3 || sizes[0] != 6 || sizes[1] != 9 || sizes[2] != 13 {
		t.Fatalf("checkpoint sizes %v, want [6 9 13]", sizes)
	}
}

// TestTreeIsRebuiltForAStreamWrittenBeforeTrees: a stream whose manifests carry no tree (written
// by an older release) gets its frontier rebuilt from its records, so the next manifest's root is
// the tree over all of them.
func TestTreeIsRebuiltForAStreamWrittenBeforeTrees(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	s := newStore(t, dir, nil, now)
	if err := s.Write(ctx, store.Batch{Signal: "traces", Records: records("a", 3, now)}); err != nil {
		t.Fatal(err)
	}
	// Strip the tree fields, as an older writer left them.
	keys, ms, _ := objectstore.ObjectManifests(ctx, s.Backend(), s.Layout(), "gw-1-traces")
	m := ms[0]
	m.TreeSize, m.TreeRoot, m.TreeFrontier = 0, "", nil
	raw, _ := m.Encode()
	if err := s.Backend().Put(ctx, keys[0], raw); err != nil {
		t.Fatal(err)
	}
	s = newStore(t, dir, nil, now)
	if err := s.Write(ctx, store.Batch{Signal: "traces", Records: records("b", 2, now)}); err != nil {
		t.Fatal(err)
	}
	_, ms, _ = objectstore.ObjectManifests(ctx, s.Backend(), s.Layout(), "gw-1-traces")
	root, _ := streamLog(t, s, "gw-1-traces").Root(5)
	if ms[1].TreeSize != 5 || ms[1].TreeRoot != evidence.Hex(root) {
		t.Fatalf("rebuilt tree: %d %s, want 5 %s", ms[1].TreeSize, ms[1].TreeRoot, evidence.Hex(root))
	}
}
