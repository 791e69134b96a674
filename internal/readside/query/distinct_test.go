package query_test

import (
	"context"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/sessionfixture"
)

// TestEveryQueryCountsARecordIDOnce writes the fixture sessions three times into one store, as an
// SDK resending an export, a sidecar retrying and a queue replayed after a crash would, and checks
// that sessions, timeline, user and every statistic equal those of the store written once.
func TestEveryQueryCountsARecordIDOnce(t *testing.T) {
	ctx := context.Background()
	once, _ := fixtureStore(t)
	b, err := filestore.NewBackend(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := sessionfixture.Write(ctx, b, nil); err != nil {
			t.Fatal(err)
		}
	}
	thrice := objectstore.New(b, objectstore.Options{}, store.Settings{InstanceID: "reader"})

	var stored int
	if err := thrice.Scan(ctx, store.Query{}, func(*auditrecord.Record) error { stored++; return nil }); err != nil {
		t.Fatal(err)
	}
	if stored != 3*19 {
		t.Fatalf("the store holds %d records, want 3 copies of the fixture's 19", stored)
	}

	queries := map[string]func(store.Reader) (query.Table, error){
		"sessions": func(r store.Reader) (query.Table, error) {
			ss, err := query.Sessions(ctx, r, store.Query{}, nil)
			return query.SessionsTable(ss), err
		},
		"timeline": func(r store.Reader) (query.Table, error) {
			recs, err := query.Records(ctx, r, store.Query{SessionID: sessionfixture.Alpha}, nil)
			return query.TimelineTable(recs, false), err
		},
		"user": func(r store.Reader) (query.Table, error) {
			recs, err := query.Records(ctx, r, store.Query{UserID: sessionfixture.Alice}, nil)
			return query.TimelineTable(recs, true), err
		},
		"stats tools": func(r store.Reader) (query.Table, error) {
			st, err := query.ToolStats(ctx, r, store.Query{}, nil)
			return query.ToolStatsTable(st), err
		},
		"stats errors": func(r store.Reader) (query.Table, error) {
			st, err := query.ErrorStats(ctx, r, store.Query{}, query.ByDay, nil)
			return query.ErrorStatsTable(st), err
		},
		"stats volume": func(r store.Reader) (query.Table, error) {
			st, err := query.VolumeStats(ctx, r, store.Query{}, query.ByDay, query.DefaultSpikeFactor, nil)
			return query.VolumeStatsTable(st), err
		},
	}
	for name, query := range queries {
		t.Run(name, func(t *testing.T) {
			want, err := query(once)
			if err != nil {
				t.Fatal(err)
			}
			got, err := query(thrice)
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Rows) == 0 {
				t.Fatal("the query found nothing in the fixture")
			}
			assertText(t, render(t, got), render(t, want))
		})
	}
}

func TestDistinctKeysRecordIDsIn16Bytes(t *testing.T) {
	d := query.NewDistinct()
	id := auditrecord.NewRecordID("trace", "span", "input", "0")
	if !d.First(id) || d.First(id) || d.First(id) {
		t.Fatal("a record id must be first exactly once")
	}
	if !d.First(auditrecord.NewRecordID("trace", "span", "input", "1")) {
		t.Fatal("another id is new")
	}
	if !d.First("not-hex") || d.First("not-hex") {
		t.Fatal("ids that are not 32 hex digits are keyed by their hash")
	}
	// Twice on purpose: the second empty id must not count as a copy of the first.
	if first, second := d.First(""), d.First(""); !first || !second {
		t.Fatal("records without an id are never taken for copies")
	}
	if d.Copies != 3 {
		t.Fatalf("copies = %d, want 3", d.Copies)
	}
	if auditrecord.KeyOf(id) == auditrecord.KeyOf(auditrecord.NewRecordID("trace", "span", "input", "1")) {
		t.Fatal("distinct ids share a key")
	}
}
