package retain_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/erase"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/retain"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/sessionfixture"
)

func TestExpireDeletesWholeOldPartitionsWithTheirManifests(t *testing.T) {
	ctx := context.Background()
	b, err := filestore.NewBackend(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := sessionfixture.Write(ctx, b, nil); err != nil {
		t.Fatal(err)
	}
	// Bob's object (the 21st) gets an erasure manifest, which must go with it.
	s := objectstore.New(b, objectstore.Options{Gzip: true}, store.Settings{InstanceID: "auditctl-test"})
	if _, err := erase.Forget(ctx, s, erase.Options{
		Subject: sessionfixture.Bob, Requester: "dpo",
		Now: func() time.Time { return time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC) },
	}); err != nil {
		t.Fatal(err)
	}
	before, _ := b.List(ctx, "")

	// Now 2026-11-25 12:00, older than 3.5 days: cutoff 2026-11-22 00:00 — the 20th and 21st go; the
	// 22nd (session gamma) and the erasure record (written today) stay.
	opts := retain.Options{OlderThan: 84 * time.Hour, Now: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }, DryRun: true}
	res, err := retain.Expire(ctx, b, objectstore.Layout{Prefix: "audit"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := "audit/year=2026/month=11/day=20/hour=09,audit/year=2026/month=11/day=21/hour=14"
	if strings.Join(res.Partitions, ",") != want || res.Objects != 2 || res.Manifests != 3 || res.Records != 15 {
		t.Fatalf("dry run: %+v", res)
	}
	if after, _ := b.List(ctx, ""); len(after) != len(before) {
		t.Fatal("dry run deleted something")
	}

	opts.DryRun = false
	if _, err := retain.Expire(ctx, b, objectstore.Layout{Prefix: "audit"}, opts); err != nil {
		t.Fatal(err)
	}
	after, _ := b.List(ctx, "")
	got := strings.Join(after, "\n")
	for _, gone := range []string{"day=20", "day=21", "gw-1-traces/00000000000000000001.json", "gw-1-traces/00000000000000000011"} {
		if strings.Contains(got, gone) {
			t.Errorf("%s survived retention:\n%s", gone, got)
		}
	}
	for _, kept := range []string{"day=22/hour=10/gw-1-traces-00000000000000000016", "gw-1-traces/00000000000000000016.json", "auditctl-test-erasure"} {
		if !strings.Contains(got, kept) {
			t.Errorf("%s was deleted:\n%s", kept, got)
		}
	}
	marker, err := b.Get(ctx, "audit/_retention/gw-1-traces.json")
	if err != nil {
		t.Fatalf("no retention marker: %v", err)
	}
	m, err := objectstore.DecodeManifest(marker)
	if err != nil || m.Kind != objectstore.ManifestKindRetention || m.Stream != "gw-1-traces" || m.LastSeq != 15 ||
		m.PreviousManifestKey != "audit/_manifests/gw-1-traces/00000000000000000011.json" || m.LastHash == "" {
		t.Fatalf("retention marker: %+v (%v)", m, err)
	}
	var recs int
	if err := s.Scan(ctx, store.Query{}, func(*auditrecord.Record) error { recs++; return nil }); err != nil {
		t.Fatal(err)
	}
	if recs != 5 { // gamma's 4 + the erasure record
		t.Fatalf("%d records readable after retention, want 5", recs)
	}
}

func TestExpireSignedStoreNeedsTheSigningKey(t *testing.T) {
	ctx := context.Background()
	b, err := filestore.NewBackend(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer := objectstore.NewSigner(priv)
	if err := sessionfixture.Write(ctx, b, signer); err != nil {
		t.Fatal(err)
	}
	before, _ := b.List(ctx, "")
	opts := retain.Options{OlderThan: time.Hour}
	if _, err := retain.Expire(ctx, b, objectstore.Layout{Prefix: "audit"}, opts); !errors.Is(err, retain.ErrSigningKeyRequired) {
		t.Fatalf("unsigned retention of a signed store: %v", err)
	}
	if after, _ := b.List(ctx, ""); len(after) != len(before) {
		t.Fatal("refused retention deleted something")
	}
	opts.Signer = signer
	if _, err := retain.Expire(ctx, b, objectstore.Layout{Prefix: "audit"}, opts); err != nil {
		t.Fatal(err)
	}
	raw, err := b.Get(ctx, objectstore.Layout{Prefix: "audit"}.RetentionMarkerKey("gw-1-traces"))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := objectstore.DecodeManifest(raw)
	sig, _ := base64.StdEncoding.DecodeString(m.Signature)
	in, err := m.SigningInput()
	if err != nil || !ed25519.Verify(priv.Public().(ed25519.PublicKey), in, sig) || m.LastSeq != 19 {
		t.Fatalf("retention marker not signed or wrong: %+v", m)
	}
}
