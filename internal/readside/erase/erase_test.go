package erase_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/erase"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/sessionfixture"
)

var erasedAt = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func newSigner(t *testing.T) (*objectstore.Signer, verify.PublicKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return objectstore.NewSigner(priv), verify.PublicKey{Key: pub, Source: "test"}
}

func signedFixture(t *testing.T) (objectstore.Backend, *objectstore.Signer, verify.PublicKey) {
	t.Helper()
	b, err := filestore.NewBackend(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	signer, pub := newSigner(t)
	if err := sessionfixture.Write(context.Background(), b, signer); err != nil {
		t.Fatal(err)
	}
	return b, signer, pub
}

func writer(b objectstore.Backend, signer *objectstore.Signer) *objectstore.Store {
	return objectstore.New(b, objectstore.Options{Gzip: true, Signer: signer, Now: func() time.Time { return erasedAt }},
		store.Settings{InstanceID: "auditctl-test"})
}

func scanAll(t *testing.T, s *objectstore.Store) []*auditrecord.Record {
	t.Helper()
	var out []*auditrecord.Record
	if err := s.Scan(context.Background(), store.Query{}, func(r *auditrecord.Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func verifyStore(t *testing.T, b objectstore.Backend, pub verify.PublicKey) verify.Report {
	t.Helper()
	rep, err := verify.Verify(context.Background(), b, objectstore.DefaultPrefix, verify.Options{PublicKeys: []verify.PublicKey{pub}, RequireSignature: true})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestForgetThenVerify(t *testing.T) {
	ctx := context.Background()
	b, signer, pub := signedFixture(t)
	s := writer(b, signer)
	before := scanAll(t, s)

	res, err := erase.Forget(ctx, s, erase.Options{Subject: sessionfixture.Alice, Requester: "dpo@example.com", Signer: signer, Now: func() time.Time { return erasedAt }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 14 || len(res.Objects) != 2 || res.RecordID == "" {
		t.Fatalf("result: %+v", res)
	}

	after := scanAll(t, s)
	if len(after) != len(before)+1 { // + the erasure record
		t.Fatalf("%d records after, %d before", len(after), len(before))
	}
	tombstones := 0
	for i, r := range after[:len(before)] {
		orig := before[i]
		if orig.UserID != sessionfixture.Alice {
			if r.Type == auditrecord.TypeTombstone || r.UserID != orig.UserID {
				t.Fatalf("record of %s changed", orig.UserID)
			}
			continue
		}
		tombstones++
		if err := auditrecord.Validate(r); err != nil {
			t.Fatalf("tombstone does not validate: %v", err)
		}
		if r.Type != auditrecord.TypeTombstone || r.RecordID != orig.RecordID || *r.Integrity != *orig.Integrity ||
			r.UserID != "" || r.SessionID != "" || r.Input != nil || r.ToolCall != nil || r.Output != nil ||
			r.Tombstone.OriginalType != orig.Type || r.Tombstone.ErasureID != res.ErasureID || !r.Tombstone.ErasedAt.Equal(erasedAt) {
			t.Fatalf("record %s was not replaced by a contentless tombstone keeping its id and integrity: %+v", orig.RecordID, r)
		}
	}
	if tombstones != 14 {
		t.Fatalf("%d tombstones, want 14", tombstones)
	}
	er := after[len(after)-1]
	if er.Type != auditrecord.TypeErasure || er.RecordID != res.RecordID || er.Integrity.Stream != "auditctl-test-erasure" || er.Erasure.Subject != sessionfixture.Alice || er.Erasure.Requester != "dpo@example.com" ||
		er.Erasure.Records != 14 || len(er.Erasure.Objects) != 2 {
		t.Fatalf("erasure record: %+v", er.Erasure)
	}

	rep := verifyStore(t, b, pub)
	if !rep.OK {
		t.Fatalf("verify after forget failed: %+v", rep.Findings)
	}
	var erased []verify.Finding
	for _, f := range rep.Findings {
		if f.Kind == verify.Erased {
			erased = append(erased, f)
		}
	}
	if len(erased) != 2 || erased[0].Seq != 1 || erased[0].LastSeq != 10 || erased[1].Seq != 16 || erased[1].LastSeq != 19 {
		t.Fatalf("erased findings: %+v", erased)
	}

	// A second request finds nothing left to erase.
	again, err := erase.Forget(ctx, s, erase.Options{Subject: sessionfixture.Alice, Requester: "dpo@example.com", Signer: signer})
	if err != nil || again.Records != 0 {
		t.Fatalf("second forget: %+v, %v", again, err)
	}
}

func TestForgetTwiceInOneObjectKeepsEarlierTombstones(t *testing.T) {
	ctx := context.Background()
	b, err := filestore.NewBackend(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	signer, pub := newSigner(t)
	sessions := sessionfixture.Sessions()
	mixed := slices.Concat(sessions[sessionfixture.Beta], sessions[sessionfixture.Gamma])
	if err := writer(b, signer).Write(ctx, store.Batch{Signal: "traces", Records: mixed}); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{sessionfixture.Bob, sessionfixture.Alice} {
		if _, err := erase.Forget(ctx, writer(b, signer), erase.Options{Subject: user, Requester: "dpo", Signer: signer}); err != nil {
			t.Fatal(err)
		}
	}
	if rep := verifyStore(t, b, pub); !rep.OK {
		t.Fatalf("verify after two erasures of one object: %+v", rep.Findings)
	}
	for _, r := range scanAll(t, writer(b, signer)) {
		if r.Type != auditrecord.TypeTombstone && r.Type != auditrecord.TypeErasure {
			t.Fatalf("record of %s survived", r.UserID)
		}
	}
}

func TestForgetRefusesUnsignedErasureOfSignedObjects(t *testing.T) {
	ctx := context.Background()
	b, _, pub := signedFixture(t)
	_, err := erase.Forget(ctx, writer(b, nil), erase.Options{Subject: sessionfixture.Bob, Requester: "dpo"})
	if !errors.Is(err, erase.ErrSigningKeyRequired) {
		t.Fatalf("unsigned erasure of a signed store: %v", err)
	}
	keys, _ := b.List(ctx, "audit/_manifests/")
	for _, k := range keys {
		if strings.Contains(k, "erasure") {
			t.Fatalf("refused erasure wrote %s", k)
		}
	}
	if rep := verifyStore(t, b, pub); !rep.OK || len(rep.Findings) != 0 {
		t.Fatalf("store changed: %+v", rep.Findings)
	}
}

func TestForgetDryRunChangesNothing(t *testing.T) {
	ctx := context.Background()
	b, signer, _ := signedFixture(t)
	keysBefore, _ := b.List(ctx, "")
	var progress []string
	res, err := erase.Forget(ctx, writer(b, signer), erase.Options{
		Subject: sessionfixture.Bob, Requester: "dpo", Signer: signer, DryRun: true,
		Progress: func(done, total int) { progress = append(progress, fmt.Sprintf("%d/%d", done, total)) },
	})
	if err != nil || res.Records != 5 || len(res.Objects) != 1 || res.Objects[0].ErasedSeqs[0] != 11 || res.ErasureID != "" {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	if strings.Join(progress, " ") != "0/3 1/3 2/3" {
		t.Fatalf("progress calls: %v", progress)
	}
	keysAfter, _ := b.List(ctx, "")
	if strings.Join(keysBefore, ",") != strings.Join(keysAfter, ",") {
		t.Fatal("dry run wrote to the store")
	}
}

// failObjectPuts is a fault-injecting fake (a disk cannot be told to fail one write): data object
// Puts fail, as in a crash between the erasure manifest and the object.
type failObjectPuts struct{ objectstore.Backend }

func (f failObjectPuts) Put(ctx context.Context, key string, data []byte) error {
	if objectstore.IsDataObject(key) {
		return errors.New("injected failure")
	}
	return f.Backend.Put(ctx, key, data)
}

func TestFakeInterruptedForgetLeavesAVerifiableStoreAndCompletesOnRetry(t *testing.T) {
	ctx := context.Background()
	b, signer, pub := signedFixture(t)
	if _, err := erase.Forget(ctx, writer(failObjectPuts{b}, signer), erase.Options{Subject: sessionfixture.Bob, Requester: "dpo", Signer: signer}); err == nil {
		t.Fatal("forget with failing object writes succeeded")
	}
	if rep := verifyStore(t, b, pub); !rep.OK {
		t.Fatalf("interrupted erasure left a store that does not verify: %+v", rep.Findings)
	}
	res, err := erase.Forget(ctx, writer(b, signer), erase.Options{Subject: sessionfixture.Bob, Requester: "dpo", Signer: signer})
	if err != nil || res.Records != 5 {
		t.Fatalf("retry: %+v, %v", res, err)
	}
	if rep := verifyStore(t, b, pub); !rep.OK {
		t.Fatalf("verify after the retried erasure: %+v", rep.Findings)
	}
}

// TestForgetErasesEveryCopyAndCountsEachRecordOnce: a store where retries wrote Alice's sessions
// twice. Every copy becomes a tombstone, the result counts each record_id once and names the copies,
// and verify stays clean.
func TestForgetErasesEveryCopyAndCountsEachRecordOnce(t *testing.T) {
	ctx := context.Background()
	b, signer, pub := signedFixture(t)
	if err := sessionfixture.Write(ctx, b, signer); err != nil { // the resend
		t.Fatal(err)
	}
	s := writer(b, signer)
	res, err := erase.Forget(ctx, s, erase.Options{Subject: sessionfixture.Alice, Requester: "dpo@example.com", Signer: signer, Now: func() time.Time { return erasedAt }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 14 || res.Copies != 14 || len(res.Objects) != 4 {
		t.Fatalf("result: %d records, %d copies in %d objects; want 14, 14 in 4", res.Records, res.Copies, len(res.Objects))
	}
	for _, r := range scanAll(t, s) {
		if r.UserID == sessionfixture.Alice {
			t.Fatalf("a copy of %s survived the erasure", r.RecordID)
		}
	}
	if rep := verifyStore(t, b, pub); !rep.OK || rep.Counts.DuplicateRecords != 19 {
		t.Fatalf("verify after forget: OK=%v, %d copies (want 19: every fixture record twice): %+v", rep.OK, rep.Counts.DuplicateRecords, rep.Findings)
	}
}
