package verify

import (
	"context"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/retain"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/sessionfixture"
)

// retainedStream is the session fixture's stream.
const retainedStream = sessionfixture.Instance + "-traces"

// retainedFixture is a store after retention: the kept manifests, objects and first seqs of its
// stream, the deleted manifests' keys, and the retention marker.
type retainedFixture struct {
	*fixture
	deleted []string // manifests retention deleted: seqs 1..10, 11..15
	marker  string
}

// retainedStore writes the session fixture (seqs 1..10, 11..15, 16..19 in the hours of 2026-11-20,
// 21 and 22), lets the real retention code expire everything before 2026-11-22 (seqs 1..15), and then
// writes two more batches (20..22, 23..25), so the kept part of the chain has a head and a middle.
func retainedStore(t *testing.T, signer *objectstore.Signer) *retainedFixture {
	t.Helper()
	ctx := context.Background()
	backend := fileBackend(t)
	if err := sessionfixture.Write(ctx, backend, signer); err != nil {
		t.Fatal(err)
	}
	layout := objectstore.Layout{Prefix: "audit"}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	res, err := retain.Expire(ctx, backend, layout, retain.Options{OlderThan: 84 * time.Hour, Now: func() time.Time { return now }, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 15 {
		t.Fatalf("retention deleted %d records, want seqs 1..15", res.Records)
	}
	s := objectstore.New(backend, objectstore.Options{Gzip: true, Signer: signer, Now: func() time.Time { return now }},
		store.Settings{InstanceID: sessionfixture.Instance})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"after-a", "after-b"} {
		if err := s.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records(tag, 3)}); err != nil {
			t.Fatal(err)
		}
	}
	f := &retainedFixture{
		fixture: &fixture{backend: backend, layout: layout, signer: signer, firstSeqs: []uint64{16, 20, 23}},
		deleted: []string{layout.ManifestKey(retainedStream, 1), layout.ManifestKey(retainedStream, 11)},
		marker:  layout.RetentionMarkerKey(retainedStream),
	}
	for _, seq := range f.firstSeqs {
		at := now
		if seq == 16 {
			at = sessionfixture.Starts[sessionfixture.Gamma]
		}
		f.manifests = append(f.manifests, layout.ManifestKey(retainedStream, seq))
		f.objects = append(f.objects, layout.ObjectKey(at, retainedStream, seq, true))
	}
	for _, k := range append(f.manifests, f.objects...) {
		f.get(t, k) // the keys above are where the writer put them
	}
	return f
}

func (f *retainedFixture) expired() want {
	return want{Kind: Expired, Stream: retainedStream, Seq: 1, LastSeq: 15, Manifest: f.marker}
}

// resignMarker rewrites the marker through edit and signs it again with the store's own key: what
// only the key holder could do.
func (f *retainedFixture) resignMarker(t *testing.T, edit func(m *objectstore.Manifest)) {
	t.Helper()
	m := f.manifest(t, f.marker)
	edit(&m)
	if err := f.signer.Sign(&m); err != nil {
		t.Fatal(err)
	}
	f.putManifest(t, f.marker, m)
}

func TestRetentionThenVerifyIsCleanWithExpired(t *testing.T) {
	t.Run("signed, explicit key", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		rep := f.verify(t, f.trusted())
		assertFindings(t, rep, true, f.expired())
		if !rep.OK {
			t.Fatal("store after retention not OK")
		}
		if want := (Counts{Streams: 1, Manifests: 4, Objects: 3, Records: 10}); rep.Counts != want {
			t.Errorf("counts %+v, want %+v (3 kept manifests and the marker)", rep.Counts, want)
		}
		if len(rep.Keys) != 1 || rep.Keys[0].Manifests != 4 {
			t.Errorf("keys %+v, want the explicit key used for 3 manifests and the marker", rep.Keys)
		}
	})
	t.Run("signed, key from the store", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		rep := f.verify(t, Options{})
		assertFindings(t, rep, true, f.expired())
		if !rep.TrustedFromStore() {
			t.Error("the store's key was used without the report saying so")
		}
	})
	t.Run("unsigned", func(t *testing.T) {
		f := retainedStore(t, nil)
		rep := f.verify(t, Options{})
		assertFindings(t, rep, true, f.expired(),
			want{Kind: Unsigned, Stream: retainedStream, Seq: 1, LastSeq: 15, Manifest: f.marker},
			want{Kind: Unsigned, Stream: retainedStream, Seq: 16, Manifest: f.manifests[0]})
		if !rep.OK {
			t.Fatal("unsigned store after retention failed without RequireSignature")
		}
		if rep = f.verify(t, Options{RequireSignature: true}); rep.OK || rep.Failures() != 2 {
			t.Fatalf("RequireSignature: OK=%v failures=%d, want the marker and the manifests unsigned", rep.OK, rep.Failures())
		}
	})
	t.Run("whole stream expired", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		for i := range f.manifests {
			for _, k := range []string{f.objects[i], f.manifests[i]} {
				if err := f.backend.Delete(context.Background(), k); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Indistinguishable from a retention that took everything: the head-truncation limit.
		assertFindings(t, f.verify(t, f.trusted()), true, f.expired())
	})
}

// chainFailuresWithoutMarker are the failures the first kept manifest gets when no marker vouches for it.
func (f *retainedFixture) chainFailuresWithoutMarker() []want {
	return []want{
		{Kind: BrokenChain, Stream: retainedStream, Seq: 16, Object: f.objects[0], Manifest: f.manifests[0]},
		{Kind: MissingSeq, Stream: retainedStream, Seq: 1, LastSeq: 15, Manifest: f.manifests[0]},
	}
}

func TestTamperedRetentionMarker(t *testing.T) {
	t.Run("corrupted signature", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		m := f.manifest(t, f.marker)
		sig := []byte(m.Signature)
		sig[10] ^= 1
		m.Signature = string(sig)
		f.putManifest(t, f.marker, m)
		assertFindings(t, f.verify(t, f.trusted()), true, append(f.chainFailuresWithoutMarker(),
			want{Kind: BadSignature, Stream: retainedStream, Manifest: f.marker})...)
	})
	t.Run("range widened without re-signing", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		m := f.manifest(t, f.marker)
		m.LastSeq = 19
		f.putManifest(t, f.marker, m)
		assertFindings(t, f.verify(t, f.trusted()), true, append(f.chainFailuresWithoutMarker(),
			want{Kind: BadSignature, Stream: retainedStream, Manifest: f.marker})...)
	})
	t.Run("signature removed on a signed stream", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		m := f.manifest(t, f.marker)
		m.Signature, m.KeyFingerprint = "", ""
		f.putManifest(t, f.marker, m)
		assertFindings(t, f.verify(t, f.trusted()), true, append(f.chainFailuresWithoutMarker(),
			want{Kind: BadSignature, Stream: retainedStream, Manifest: f.marker})...)
	})
	t.Run("marker for another stream", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		f.resignMarker(t, func(m *objectstore.Manifest) { m.Stream = "gw-2-traces" })
		assertFindings(t, f.verify(t, f.trusted()), true, append(f.chainFailuresWithoutMarker(),
			want{Kind: BrokenChain, Stream: retainedStream, Manifest: f.marker})...)
	})
}

// A marker, even one signed with the right key, only vouches for exactly the cut it names.
func TestRetentionMarkerNotMatchingTheCut(t *testing.T) {
	t.Run("past the deleted range", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		kept := f.manifest(t, f.manifests[0])
		f.resignMarker(t, func(m *objectstore.Manifest) {
			m.LastSeq, m.LastHash = kept.LastSeq, kept.LastHash
			m.PreviousManifestKey, m.PreviousManifestSignature = f.manifests[0], kept.Signature
		})
		assertFindings(t, f.verify(t, f.trusted()), true, append(f.chainFailuresWithoutMarker(),
			want{Kind: BrokenChain, Stream: retainedStream, Seq: 16, Manifest: f.marker})...)
	})
	t.Run("short of the deleted range", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		f.resignMarker(t, func(m *objectstore.Manifest) {
			m.LastSeq, m.LastHash, m.PreviousManifestKey = 10, sha([]byte("seq 10")), f.deleted[0]
		})
		// The marker vouches for 1..10 only; 11..15 are missing like any deletion.
		assertFindings(t, f.verify(t, f.trusted()), true,
			want{Kind: Expired, Stream: retainedStream, Seq: 1, LastSeq: 10, Manifest: f.marker},
			want{Kind: BrokenChain, Stream: retainedStream, Seq: 16, Object: f.objects[0], Manifest: f.manifests[0]},
			want{Kind: MissingSeq, Stream: retainedStream, Seq: 11, LastSeq: 15, Manifest: f.manifests[0]})
	})
	t.Run("other last hash", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		f.resignMarker(t, func(m *objectstore.Manifest) { m.LastHash = sha([]byte("other")) })
		assertFindings(t, f.verify(t, f.trusted()), true, f.expired(),
			want{Kind: BrokenChain, Stream: retainedStream, Seq: 16, Object: f.objects[0], Manifest: f.manifests[0]})
	})
	t.Run("other manifest signature", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		f.resignMarker(t, func(m *objectstore.Manifest) { m.PreviousManifestSignature = f.manifest(t, f.manifests[1]).Signature })
		assertFindings(t, f.verify(t, f.trusted()), true, f.expired(),
			want{Kind: BrokenChain, Stream: retainedStream, Seq: 16, Object: f.objects[0], Manifest: f.manifests[0]})
	})
}

// Deleting anything after the marker's range is reported as it would be without retention.
func TestDeletionAfterRetentionIsStillReported(t *testing.T) {
	deleteKeys := func(t *testing.T, f *retainedFixture, keys ...string) {
		t.Helper()
		for _, k := range keys {
			if err := f.backend.Delete(context.Background(), k); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Run("middle object", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		deleteKeys(t, f, f.objects[1])
		assertFindings(t, f.verify(t, f.trusted()), true, f.expired(),
			want{Kind: DeletedObject, Stream: retainedStream, Seq: 20, LastSeq: 22, Object: f.objects[1], Manifest: f.manifests[1]})
	})
	t.Run("middle object and manifest", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		deleteKeys(t, f, f.objects[1], f.manifests[1])
		assertFindings(t, f.verify(t, f.trusted()), true, f.expired(),
			want{Kind: BrokenChain, Stream: retainedStream, Seq: 23, Object: f.objects[2], Manifest: f.manifests[2]},
			want{Kind: MissingSeq, Stream: retainedStream, Seq: 20, LastSeq: 22, Manifest: f.manifests[2]})
	})
	t.Run("first kept object and manifest", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		deleteKeys(t, f, f.objects[0], f.manifests[0])
		assertFindings(t, f.verify(t, f.trusted()), true, f.expired(),
			want{Kind: BrokenChain, Stream: retainedStream, Seq: 20, Object: f.objects[1], Manifest: f.manifests[1]},
			want{Kind: MissingSeq, Stream: retainedStream, Seq: 16, LastSeq: 19, Manifest: f.manifests[1]})
	})
	t.Run("first kept manifest", func(t *testing.T) {
		f := retainedStore(t, newSigner(t))
		deleteKeys(t, f, f.manifests[0])
		assertFindings(t, f.verify(t, f.trusted()), true, f.expired(),
			want{Kind: UnmanifestedObject, Stream: retainedStream, Seq: 16, Object: f.objects[0]},
			want{Kind: BrokenChain, Stream: retainedStream, Seq: 20, Object: f.objects[1], Manifest: f.manifests[1]},
			want{Kind: MissingSeq, Stream: retainedStream, Seq: 16, LastSeq: 19, Manifest: f.manifests[1]})
	})
}
