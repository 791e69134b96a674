package esstore

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/searchengine"
)

func TestCheckpointsOnSearchEngine(t *testing.T) { forEachEngine(t, testCheckpointsOnSearchEngine) }

// testCheckpointsOnSearchEngine: checkpoints land in the evidence index and the witness, signed and
// matching the documents' tree; a restarted writer resumes the tree from the newest checkpoint's
// frontier; the interval ticker checkpoints a stream that stopped growing; verify finds the chain
// whole, then a changed document.
func testCheckpointsOnSearchEngine(t *testing.T, url, flavor string) {
	ctx := context.Background()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer := objectstore.NewSigner(priv)
	trusted, _ := evidence.Verifiers(pub)
	cfg := testConfig(t, url, flavor)
	witness, err := filestore.NewBackend(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tags := range [][]string{{"a", "b"}, {"c", "d", "e"}} {
		s := startCheckpointed(t, cfg, signer, &objectstore.CheckpointOptions{EveryRecords: 4, Witnesses: []objectstore.Backend{witness}})
		for _, tag := range tags {
			write(t, s, recordfixture.Records(tag, 3))
		}
		if err := s.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	}
	s := startStore(t, cfg)
	// 6 (count), then 12 (count) and 15 (shutdown) after the restart.
	l := s.Ledger()
	var tree evidence.Log
	if err := l.ReadStream(ctx, "test-traces", true, func(r evidence.StoredRecord) error {
		leaf, err := evidence.LeafHash(r.Hash)
		if err != nil {
			return err
		}
		return tree.Append(leaf)
	}); err != nil {
		t.Fatal(err)
	}
	cps, err := l.Checkpoints(ctx, "test-traces")
	if err != nil || len(cps) != 3 || cps[0].Size != 6 || cps[1].Size != 12 || cps[2].Size != 15 {
		t.Fatalf("checkpoints %+v (%v), want sizes 6, 12, 15", cps, err)
	}
	for _, c := range cps {
		cp, err := evidence.Open(c.Signed, trusted)
		if err != nil {
			t.Fatal(err)
		}
		if root, _ := tree.Root(cp.Size); root != cp.Root || !strings.HasSuffix(cp.Origin, cfg.Index.Prefix+"/test-traces") {
			t.Errorf("checkpoint %d: origin %s root %x, tree root %x", cp.Size, cp.Origin, cp.Root, root)
		}
	}
	witnessed, err := objectstore.BackendSource{SourceName: "witness", Backend: witness, Layout: objectstore.Layout{Prefix: objectstore.DefaultPrefix}}.Checkpoints(ctx, "test-traces")
	if err != nil || len(witnessed) != 3 {
		t.Fatalf("witness holds %d checkpoints (%v), want 3", len(witnessed), err)
	}
	if keys, err := l.PublicKeys(ctx); err != nil || len(keys) != 1 || !keys[0].Key.Equal(pub) {
		t.Fatalf("published keys %+v (%v)", keys, err)
	}
	rep, err := s.Verify(ctx, url)
	if err != nil || !rep.OK || rep.Counts.Records != 15 || rep.Counts.Streams != 1 {
		t.Fatalf("verify: %+v (%v)", rep, err)
	}

	// One stored document changed in place: its hash no longer covers it.
	hits, err := s.searchStream(ctx, "test-traces", 4, 1, "asc", nil, false)
	if err != nil || len(hits) != 1 {
		t.Fatal(hits, err)
	}
	path := fmt.Sprintf("%s/%s/_update/%s?refresh=true", url, hits[0].Index, hits[0].Source.RecordID)
	if st := engineJSON(t, http.MethodPost, path, map[string]any{"doc": map[string]any{"session_id": "forged"}}, nil); st != http.StatusOK {
		t.Fatalf("update: status %d", st)
	}
	rep, _ = s.Verify(ctx, url)
	if rep.OK || len(rep.Findings) != 1 || rep.Findings[0].Kind != "modified_record" || rep.Findings[0].Seq != 5 {
		t.Errorf("after a change, findings %+v, want one modified_record at seq 5", rep.Findings)
	}
}

func TestCheckpointTickerOnSearchEngine(t *testing.T) {
	kind := searchengine.Kinds()[0]
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := startCheckpointed(t, testConfig(t, searchengine.SharedKind(t, kind), kind.StoreFlavor()), objectstore.NewSigner(priv), &objectstore.CheckpointOptions{EveryRecords: 1000, Interval: 50 * time.Millisecond})
	write(t, s, recordfixture.Records("tick", 2))
	deadline := time.Now().Add(15 * time.Second)
	for {
		cps, err := s.Ledger().Checkpoints(context.Background(), "test-traces")
		if err == nil && len(cps) == 1 && cps[0].Size == 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the ticker wrote no checkpoint for a stream that stopped growing: %+v %v", cps, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func startCheckpointed(t *testing.T, cfg Config, signer *objectstore.Signer, o *objectstore.CheckpointOptions) *Store {
	t.Helper()
	s, err := New(cfg, store.Settings{InstanceID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	s.SetCheckpoints(signer, o)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}
