package verify

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

const (
	traces = "gw-1-traces"
	logs   = "gw-1-logs"
)

var writtenAt = time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)

// batchSizes of the traces stream: seqs 1..3, 4..5, 6..9.
var batchSizes = []int{3, 2, 4}

// fixture is a store written by the real object store writer, with the keys tests tamper with.
type fixture struct {
	backend   objectstore.Backend
	layout    objectstore.Layout
	signer    *objectstore.Signer
	manifests []string // traces stream, one per batch
	objects   []string
	firstSeqs []uint64
}

func newSigner(t testing.TB) *objectstore.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return objectstore.NewSigner(priv)
}

func fileBackend(t testing.TB) objectstore.Backend {
	t.Helper()
	b, err := filestore.NewBackend(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeStore writes three traces batches and one logs batch through objectstore.Store.
func writeStore(t testing.TB, backend objectstore.Backend, signer *objectstore.Signer) *fixture {
	t.Helper()
	ctx := context.Background()
	s := objectstore.New(backend, objectstore.Options{Gzip: true, Signer: signer, Now: func() time.Time { return writtenAt }},
		store.Settings{InstanceID: "gw-1"})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{backend: backend, layout: s.Layout(), signer: signer}
	seq := uint64(1)
	for i, n := range batchSizes {
		if err := s.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records(fmt.Sprintf("batch%d", i), n)}); err != nil {
			t.Fatal(err)
		}
		f.firstSeqs = append(f.firstSeqs, seq)
		f.manifests = append(f.manifests, f.layout.ManifestKey(traces, seq))
		f.objects = append(f.objects, f.layout.ObjectKey(writtenAt, traces, seq, true))
		seq += uint64(n)
	}
	if err := s.Write(ctx, store.Batch{Signal: "logs", Records: recordfixture.Records("logs", 2)}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) verify(t testing.TB, opts Options) Report {
	t.Helper()
	rep, err := Verify(context.Background(), f.backend, f.layout.Prefix, opts)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep
}

func (f *fixture) trusted() Options {
	return Options{PublicKeys: []PublicKey{publicKey(f.signer)}}
}

func publicKey(s *objectstore.Signer) PublicKey {
	pemKey, err := s.PublicKeyPEM()
	if err != nil {
		panic(err)
	}
	k, err := objectstore.ParsePublicKey(pemKey)
	if err != nil {
		panic(err)
	}
	return PublicKey{Key: k, Source: "test key " + s.Fingerprint()}
}

func (f *fixture) get(t testing.TB, key string) []byte {
	t.Helper()
	b, err := f.backend.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) put(t testing.TB, key string, data []byte) {
	t.Helper()
	if err := f.backend.Put(context.Background(), key, data); err != nil {
		t.Fatal(err)
	}
}

// rewriteObject replaces an object's lines (re-gzipped) without touching its manifest.
func (f *fixture) rewriteObject(t testing.TB, key string, edit func(lines [][]byte) [][]byte) []byte {
	t.Helper()
	lines, err := objectstore.ObjectLines(key, f.get(t, key))
	if err != nil {
		t.Fatal(err)
	}
	data, err := objectstore.EncodeObject(edit(lines), strings.HasSuffix(key, ".gz"))
	if err != nil {
		t.Fatal(err)
	}
	f.put(t, key, data)
	return data
}

func (f *fixture) manifest(t testing.TB, key string) objectstore.Manifest {
	t.Helper()
	m, err := objectstore.DecodeManifest(f.get(t, key))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *fixture) putManifest(t testing.TB, key string, m objectstore.Manifest) {
	t.Helper()
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	f.put(t, key, b)
}

// editLine changes one JSON line, keeping everything else (including integrity) as stored.
func editLine(t testing.TB, line []byte, edit func(doc map[string]any)) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	out, err := auditrecord.Canonical(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func changeToolResult(doc map[string]any) {
	doc["tool_call"].(map[string]any)["result"] = map[string]any{"hits": 999}
}

func sha(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// want is the part of a finding a test pins: kind, place, and severity.
type want struct {
	Kind     Kind
	Stream   string
	Seq      uint64
	LastSeq  uint64
	Object   string
	Manifest string
}

func (w want) String() string {
	return fmt.Sprintf("%s stream=%s seq=%d..%d object=%s manifest=%s", w.Kind, w.Stream, w.Seq, w.LastSeq, w.Object, w.Manifest)
}

// assertFindings compares the report's failures (and, when info is set, its informational findings)
// with exactly the expected ones.
func assertFindings(t *testing.T, rep Report, withInfo bool, expected ...want) {
	t.Helper()
	var got []string
	for _, f := range rep.Findings {
		if f.Severity == Info && !withInfo {
			continue
		}
		got = append(got, want{f.Kind, f.Stream, f.Seq, f.LastSeq, f.ObjectKey, f.ManifestKey}.String())
	}
	var exp []string
	for _, w := range expected {
		exp = append(exp, w.String())
	}
	slices.Sort(got)
	slices.Sort(exp)
	if !slices.Equal(got, exp) {
		var details strings.Builder
		_ = rep.WriteText(&details)
		t.Fatalf("findings:\n  %s\nwant:\n  %s\nreport:\n%s", strings.Join(got, "\n  "), strings.Join(exp, "\n  "), details.String())
	}
	if rep.OK != (rep.Failures() == 0) {
		t.Errorf("OK=%v with %d failures", rep.OK, rep.Failures())
	}
}

func TestCleanSignedStoreHasNoFindings(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	rep := f.verify(t, f.trusted())
	assertFindings(t, rep, true)
	if !rep.OK {
		t.Fatal("clean store not OK")
	}
	if want := (Counts{Streams: 2, Manifests: 4, Objects: 4, Records: 11}); rep.Counts != want {
		t.Errorf("counts %+v, want %+v", rep.Counts, want)
	}
	if len(rep.Keys) != 1 || rep.Keys[0].Trust != TrustExplicit || rep.Keys[0].Manifests != 4 {
		t.Errorf("keys %+v, want the explicit key used for 4 manifests", rep.Keys)
	}
	if rep.TrustedFromStore() {
		t.Error("explicit key reported as trusted from store")
	}
}

func TestKeyFromTheStoreIsTrustedButTheReportSaysSo(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	rep := f.verify(t, Options{})
	assertFindings(t, rep, true)
	if !rep.TrustedFromStore() || rep.Keys[0].Trust != TrustStore || rep.Keys[0].Fingerprint != f.signer.Fingerprint() {
		t.Fatalf("keys %+v, want the store key trusted from store", rep.Keys)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "trusted from store") || !strings.Contains(text.String(), "WARNING") {
		t.Errorf("text report does not warn about the store key:\n%s", text.String())
	}
}

func TestUnsignedStoreIsInformationalUnlessSignaturesAreRequired(t *testing.T) {
	f := writeStore(t, fileBackend(t), nil)
	rep := f.verify(t, Options{})
	assertFindings(t, rep, true,
		want{Kind: Unsigned, Stream: logs, Seq: 1, Manifest: f.layout.ManifestKey(logs, 1)},
		want{Kind: Unsigned, Stream: traces, Seq: 1, Manifest: f.manifests[0]})
	if !rep.OK {
		t.Fatal("unsigned store failed without RequireSignature")
	}
	rep = f.verify(t, Options{RequireSignature: true})
	if rep.OK || rep.Failures() != 2 {
		t.Fatalf("RequireSignature: OK=%v failures=%d, want 2 failures", rep.OK, rep.Failures())
	}
}

func TestModifiedRecordInsideAnObject(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	f.rewriteObject(t, f.objects[1], func(lines [][]byte) [][]byte {
		lines[1] = editLine(t, lines[1], changeToolResult) // seq 5
		return lines
	})
	assertFindings(t, f.verify(t, f.trusted()), true,
		want{Kind: ModifiedObject, Stream: traces, Seq: 4, LastSeq: 5, Object: f.objects[1], Manifest: f.manifests[1]},
		want{Kind: ModifiedRecord, Stream: traces, Seq: 5, Object: f.objects[1], Manifest: f.manifests[1]})
}

func TestReplacedObjectWithRechainedRecords(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	m := f.manifest(t, f.manifests[1])
	// A careful forger rebuilds the chain from the manifest's first_prev_hash with other records.
	prev := m.FirstPrevHash
	var lines [][]byte
	for i, r := range recordfixture.Records("forged", 2) {
		content, err := auditrecord.ContentHashInput(r)
		if err != nil {
			t.Fatal(err)
		}
		h := objectstore.LinkHash(prev, content)
		r.Integrity = &auditrecord.Integrity{Stream: traces, Seq: 4 + uint64(i), PrevHash: prev, Hash: h}
		line, err := auditrecord.MarshalRecord(r)
		if err != nil {
			t.Fatal(err)
		}
		lines, prev = append(lines, line), h
	}
	f.rewriteObject(t, f.objects[1], func([][]byte) [][]byte { return lines })
	assertFindings(t, f.verify(t, f.trusted()), true,
		want{Kind: ModifiedObject, Stream: traces, Seq: 4, LastSeq: 5, Object: f.objects[1], Manifest: f.manifests[1]},
		want{Kind: BrokenChain, Stream: traces, Seq: 4, Object: f.objects[1], Manifest: f.manifests[1]},
		want{Kind: BrokenChain, Stream: traces, Seq: 5, Object: f.objects[1], Manifest: f.manifests[1]})
}

func TestDeletedObject(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	if err := f.backend.Delete(context.Background(), f.objects[1]); err != nil {
		t.Fatal(err)
	}
	assertFindings(t, f.verify(t, f.trusted()), true,
		want{Kind: DeletedObject, Stream: traces, Seq: 4, LastSeq: 5, Object: f.objects[1], Manifest: f.manifests[1]})
}

func TestDeletedManifest(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	if err := f.backend.Delete(context.Background(), f.manifests[1]); err != nil {
		t.Fatal(err)
	}
	assertFindings(t, f.verify(t, f.trusted()), true,
		want{Kind: UnmanifestedObject, Stream: traces, Seq: 4, Object: f.objects[1]},
		want{Kind: BrokenChain, Stream: traces, Seq: 6, Object: f.objects[2], Manifest: f.manifests[2]},
		want{Kind: MissingSeq, Stream: traces, Seq: 4, LastSeq: 5, Manifest: f.manifests[2]})
}

func TestDeletedFirstManifest(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	if err := f.backend.Delete(context.Background(), f.manifests[0]); err != nil {
		t.Fatal(err)
	}
	assertFindings(t, f.verify(t, f.trusted()), true,
		want{Kind: UnmanifestedObject, Stream: traces, Seq: 1, Object: f.objects[0]},
		want{Kind: BrokenChain, Stream: traces, Seq: 4, Object: f.objects[1], Manifest: f.manifests[1]},
		want{Kind: MissingSeq, Stream: traces, Seq: 1, LastSeq: 3, Manifest: f.manifests[1]})
}

func TestInjectedObject(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	injected := f.layout.ObjectKey(writtenAt, traces, 10, true)
	f.put(t, injected, f.get(t, f.objects[2]))
	assertFindings(t, f.verify(t, f.trusted()), true,
		want{Kind: UnmanifestedObject, Stream: traces, Seq: 10, Object: injected})
}

func TestSwappedObjectContents(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	first, second := f.get(t, f.objects[0]), f.get(t, f.objects[1])
	f.put(t, f.objects[0], second)
	f.put(t, f.objects[1], first)
	assertFindings(t, f.verify(t, f.trusted()), true,
		want{Kind: ModifiedObject, Stream: traces, Seq: 1, LastSeq: 3, Object: f.objects[0], Manifest: f.manifests[0]},
		want{Kind: ReorderedSeq, Stream: traces, Seq: 4, Object: f.objects[0], Manifest: f.manifests[0]},
		want{Kind: ModifiedObject, Stream: traces, Seq: 4, LastSeq: 5, Object: f.objects[1], Manifest: f.manifests[1]},
		want{Kind: ReorderedSeq, Stream: traces, Seq: 1, Object: f.objects[1], Manifest: f.manifests[1]})
}

func TestReorderedRecordsInsideAnObject(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	f.rewriteObject(t, f.objects[2], func(lines [][]byte) [][]byte {
		lines[1], lines[2] = lines[2], lines[1] // seqs 6,8,7,9
		return lines
	})
	assertFindings(t, f.verify(t, f.trusted()), true,
		want{Kind: ModifiedObject, Stream: traces, Seq: 6, LastSeq: 9, Object: f.objects[2], Manifest: f.manifests[2]},
		want{Kind: ReorderedSeq, Stream: traces, Seq: 7, Object: f.objects[2], Manifest: f.manifests[2]})
}

func TestRecordRemovedFromAnObject(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	f.rewriteObject(t, f.objects[2], func(lines [][]byte) [][]byte {
		return slices.Delete(lines, 1, 2) // seq 7
	})
	assertFindings(t, f.verify(t, f.trusted()), true,
		want{Kind: ModifiedObject, Stream: traces, Seq: 6, LastSeq: 9, Object: f.objects[2], Manifest: f.manifests[2]},
		want{Kind: MissingSeq, Stream: traces, Seq: 7, LastSeq: 7, Object: f.objects[2], Manifest: f.manifests[2]})
}

func TestBrokenPreviousManifestLink(t *testing.T) {
	t.Run("unsigned", func(t *testing.T) {
		f := writeStore(t, fileBackend(t), nil)
		m := f.manifest(t, f.manifests[2])
		m.PreviousManifestKey = f.manifests[0]
		f.putManifest(t, f.manifests[2], m)
		assertFindings(t, f.verify(t, Options{}), false,
			want{Kind: BrokenChain, Stream: traces, Seq: 6, Object: f.objects[2], Manifest: f.manifests[2]})
	})
	t.Run("signed, not re-signed", func(t *testing.T) {
		f := writeStore(t, fileBackend(t), newSigner(t))
		m := f.manifest(t, f.manifests[2])
		m.PreviousManifestSignature = "AAAA" + m.PreviousManifestSignature[4:]
		f.putManifest(t, f.manifests[2], m)
		assertFindings(t, f.verify(t, f.trusted()), true,
			want{Kind: BadSignature, Stream: traces, Seq: 6, Object: f.objects[2], Manifest: f.manifests[2]},
			want{Kind: BrokenChain, Stream: traces, Seq: 6, Object: f.objects[2], Manifest: f.manifests[2]})
	})
}

func TestCorruptedSignature(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	m := f.manifest(t, f.manifests[1])
	sig := []byte(m.Signature)
	sig[10] ^= 1
	m.Signature = string(sig)
	f.putManifest(t, f.manifests[1], m)
	assertFindings(t, f.verify(t, f.trusted()), true,
		want{Kind: BadSignature, Stream: traces, Seq: 4, Object: f.objects[1], Manifest: f.manifests[1]})
}

// forgeWithOtherKey changes record seq 5, fixes up manifest 2 and re-signs it with the attacker's key,
// which the attacker also publishes under _keys.
func forgeWithOtherKey(t *testing.T, f *fixture) {
	t.Helper()
	data := f.rewriteObject(t, f.objects[1], func(lines [][]byte) [][]byte {
		lines[1] = editLine(t, lines[1], changeToolResult)
		return lines
	})
	m := f.manifest(t, f.manifests[1])
	m.ObjectSHA256, m.ObjectBytes = sha(data), int64(len(data))
	attacker := newSigner(t)
	if err := attacker.Sign(&m); err != nil {
		t.Fatal(err)
	}
	f.putManifest(t, f.manifests[1], m)
	pemKey, err := attacker.PublicKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	f.put(t, f.layout.PublicKeyKey(attacker.Fingerprint()), pemKey)
}

func TestSignedWithADifferentKey(t *testing.T) {
	t.Run("explicit key", func(t *testing.T) {
		f := writeStore(t, fileBackend(t), newSigner(t))
		forgeWithOtherKey(t, f)
		assertFindings(t, f.verify(t, f.trusted()), true,
			want{Kind: BadSignature, Stream: traces, Seq: 4, Object: f.objects[1], Manifest: f.manifests[1]},
			want{Kind: ModifiedRecord, Stream: traces, Seq: 5, Object: f.objects[1], Manifest: f.manifests[1]})
	})
	t.Run("keys from the store", func(t *testing.T) {
		f := writeStore(t, fileBackend(t), newSigner(t))
		forgeWithOtherKey(t, f)
		rep := f.verify(t, Options{})
		// The forged manifest verifies with the planted key, but the next manifest still links to the
		// genuine signature, and the record hash still fails.
		assertFindings(t, rep, true,
			want{Kind: ModifiedRecord, Stream: traces, Seq: 5, Object: f.objects[1], Manifest: f.manifests[1]},
			want{Kind: BrokenChain, Stream: traces, Seq: 6, Object: f.objects[2], Manifest: f.manifests[2]})
		if len(rep.Keys) != 2 || !rep.TrustedFromStore() {
			t.Errorf("keys %+v, want two keys trusted from store", rep.Keys)
		}
	})
}

// erase replaces record seq 5 by a tombstone that keeps its id, type and integrity, and writes an
// erasure manifest signed by signer.
func erase(t *testing.T, f *fixture, signer *objectstore.Signer) string {
	t.Helper()
	data := f.rewriteObject(t, f.objects[1], func(lines [][]byte) [][]byte {
		lines[1] = editLine(t, lines[1], func(doc map[string]any) {
			tomb := map[string]any{
				"schema_version": doc["schema_version"], "record_id": doc["record_id"], "type": "tombstone",
				"timestamp": doc["timestamp"], "observed_timestamp": doc["observed_timestamp"], "integrity": doc["integrity"],
				"tombstone": map[string]any{"erased_at": "2026-04-01T00:00:00Z", "original_type": doc["type"], "erasure_id": "e1"},
			}
			clear(doc)
			for k, v := range tomb {
				doc[k] = v
			}
		})
		return lines
	})
	e := objectstore.Manifest{
		ManifestVersion: 1, Kind: objectstore.ManifestKindErasure, Stream: traces, ErasureID: "e1",
		ManifestKey: f.manifests[1], ObjectKey: f.objects[1], ObjectSHA256: sha(data), ObjectBytes: int64(len(data)),
		RecordCount: 2, ErasedSeqs: []uint64{5}, Requester: "dpo@example.com", CreatedAt: writtenAt.Add(time.Hour),
	}
	if err := signer.Sign(&e); err != nil {
		t.Fatal(err)
	}
	key := f.layout.ErasureManifestKey(traces, 4, "e1")
	f.putManifest(t, key, e)
	return key
}

func TestValidErasureIsInformational(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	erasureKey := erase(t, f, f.signer)
	rep := f.verify(t, f.trusted())
	assertFindings(t, rep, true,
		want{Kind: Erased, Stream: traces, Seq: 5, LastSeq: 5, Object: f.objects[1], Manifest: erasureKey})
	if !rep.OK {
		t.Fatal("valid erasure failed verification")
	}
}

func TestErasureSignedByAnotherKeyDoesNotExplainTheChange(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	erasureKey := erase(t, f, newSigner(t))
	assertFindings(t, f.verify(t, f.trusted()), true,
		want{Kind: BadSignature, Stream: traces, Object: f.objects[1], Manifest: erasureKey},
		want{Kind: ModifiedObject, Stream: traces, Seq: 4, LastSeq: 5, Object: f.objects[1], Manifest: f.manifests[1]},
		want{Kind: ModifiedRecord, Stream: traces, Seq: 5, Object: f.objects[1], Manifest: f.manifests[1]})
}

func TestJSONReportRoundTrips(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	if err := f.backend.Delete(context.Background(), f.objects[0]); err != nil {
		t.Fatal(err)
	}
	rep := f.verify(t, f.trusted())
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.OK || len(back.Findings) != 1 || back.Findings[0].Kind != DeletedObject || back.Findings[0].ObjectKey != f.objects[0] {
		t.Fatalf("JSON report %s", buf.String())
	}
}

func TestUndecodableObject(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	f.put(t, f.objects[2], []byte("not gzip"))
	assertFindings(t, f.verify(t, f.trusted()), true,
		want{Kind: ModifiedObject, Stream: traces, Seq: 6, LastSeq: 9, Object: f.objects[2], Manifest: f.manifests[2]})
}

// A field added to a signed manifest is caught even though the manifest struct does not know it.
func TestFieldAddedToASignedManifest(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	raw := f.get(t, f.manifests[1])
	f.put(t, f.manifests[1], append([]byte(`{"note":"approved",`), raw[1:]...))
	assertFindings(t, f.verify(t, f.trusted()), true,
		want{Kind: BadSignature, Stream: traces, Seq: 4, Object: f.objects[1], Manifest: f.manifests[1]})
}

func TestErasureManifestWithoutItsManifest(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	erasureKey := erase(t, f, f.signer)
	if err := f.backend.Delete(context.Background(), f.manifests[1]); err != nil {
		t.Fatal(err)
	}
	assertFindings(t, f.verify(t, f.trusted()), true,
		want{Kind: BrokenChain, Manifest: erasureKey},
		want{Kind: UnmanifestedObject, Stream: traces, Seq: 4, Object: f.objects[1]},
		want{Kind: BrokenChain, Stream: traces, Seq: 6, Object: f.objects[2], Manifest: f.manifests[2]},
		want{Kind: MissingSeq, Stream: traces, Seq: 4, LastSeq: 5, Manifest: f.manifests[2]})
}
