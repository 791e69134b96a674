package esstore

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/witness"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

func TestBackgroundRetentionNotesTheCut(t *testing.T) {
	forEachEngine(t, testBackgroundRetentionNotesTheCut)
}

// testBackgroundRetentionNotesTheCut: the collector's retention loop deletes the first day's index
// (seqs 1-2 and the late seq 5) after its note: verify reports them expired, the checkpoints still
// verify against the tree rebuilt from the cut and the hole's hash.
func testBackgroundRetentionNotesTheCut(t *testing.T, url, flavor string) {
	ctx := context.Background()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, url, flavor)
	cfg.Retention = "400d" // the run at start (real time) deletes nothing
	cfg.RetentionCheckInterval = time.Hour
	s := startCheckpointed(t, cfg, objectstore.NewSigner(priv), &objectstore.CheckpointOptions{EveryRecords: 2})
	day := recordfixture.Base.Truncate(24 * time.Hour)
	at := func(tag string, n, d int) []*auditrecord.Record {
		recs := recordfixture.Records(tag, n)
		for i, r := range recs {
			r.Timestamp = day.AddDate(0, 0, d).Add(time.Hour + time.Duration(i)*time.Second)
		}
		return recs
	}
	write(t, s, at("a", 2, 0))
	write(t, s, at("b", 2, 1))
	write(t, s, append(at("c", 1, 0), at("d", 1, 1)...))
	deleted, err := s.ApplyRetention(ctx, day.AddDate(0, 0, 401).Add(time.Hour))
	if err != nil || len(deleted) != 1 {
		t.Fatalf("retention deleted %v (%v), want the first day's index", deleted, err)
	}
	rep, err := s.Verify(ctx, url)
	if err != nil || !rep.OK || rep.Counts.Records != 3 {
		t.Fatalf("verify after retention: %+v (%v)", rep, err)
	}
	expired := false
	for _, f := range rep.Findings {
		expired = expired || f.Kind == trail.Expired && f.LastSeq == 2
	}
	if !expired {
		t.Errorf("no expired finding for seqs 1..2: %+v", rep.Findings)
	}
	findings, _, err := witness.Check(ctx, s.Ledger(), nil, []ed25519.PublicKey{pub})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if f.Severity != "info" || f.Kind == witness.Unverifiable {
			t.Errorf("checkpoints after retention: %+v", f)
		}
	}
}
