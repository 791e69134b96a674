package esstore

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/hold"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

func TestBackgroundRetentionKeepsHeldIndices(t *testing.T) {
	forEachEngine(t, testBackgroundRetentionKeepsHeldIndices)
}

// testBackgroundRetentionKeepsHeldIndices: the collector's retention loop keeps the first expired
// index holding a held record and every later one; once no hold covers them, they go.
func testBackgroundRetentionKeepsHeldIndices(t *testing.T, url, flavor string) {
	cfg := testConfig(t, url, flavor)
	cfg.Retention = "90d"
	cfg.RetentionCheckInterval = time.Hour
	s := startStore(t, cfg)
	ctx := context.Background()
	day := func(d int) []*auditrecord.Record {
		recs := recordfixture.Records("day"+string(rune('a'+d)), 2)
		for _, r := range recs {
			r.Timestamp = recordfixture.Base.AddDate(0, 0, d)
			r.SessionID = "session-day" + string(rune('a'+d))
		}
		return recs
	}
	write(t, s, append(append(day(0), day(1)...), day(2)...))
	h, err := hold.New("session-dayb", "", time.Time{}, time.Time{}, "case 1", "legal@example.com", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := hold.Put(ctx, s, h, nil); err != nil {
		t.Fatal(err)
	}
	now := recordfixture.Base.AddDate(0, 0, 200)
	deleted, err := s.ApplyRetention(ctx, now)
	if err != nil || len(deleted) != 1 || deleted[0] != cfg.Index.Prefix+"-"+recordfixture.Base.Format("2006.01.02") {
		t.Fatalf("retention under hold deleted %v (%v), want only the first day's index", deleted, err)
	}
	for _, d := range []int{1, 2} {
		name := cfg.Index.Prefix + "-" + recordfixture.Base.AddDate(0, 0, d).Format("2006.01.02")
		if status := engineJSON(t, http.MethodHead, url+"/"+name, nil, nil); status != http.StatusOK {
			t.Errorf("%s deleted under the hold (status %d)", name, status)
		}
	}
	// The hold's marker is gone (as an administrator could remove it): the rest expires.
	engineJSON(t, http.MethodDelete, url+"/"+s.evidenceIndex(), nil, nil)
	s.evidenceIdx = false
	if deleted, err := s.ApplyRetention(ctx, now); err != nil || len(deleted) != 2 {
		t.Fatalf("retention without hold deleted %v (%v), want the 2 remaining indices", deleted, err)
	}
}
