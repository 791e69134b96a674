package service_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/accesslog"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/trailstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/fixturestores"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/postgres"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/s3server"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/searchengine"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/sessionfixture"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// failingWrites is a fault injector: reads go to the store, every write (the access record) fails.
type failingWrites struct{ service.Store }

func (failingWrites) Write(context.Context, store.Batch) error {
	return errors.New("injected: the access log cannot be written")
}

// aRead is one read of the service: what it asks and how many records the access record must count.
type aRead struct {
	target  string
	records int
	run     func(ctx context.Context, s *service.Service, a service.Actor) (rows int, err error)
}

// lastVerify is the access-log target the last successful verify of reads wrote.
var lastVerify string

func count[T any](v []T, err error) (int, error) { return len(v), err }

// reads covers every read the service offers on the session fixture (19 agent records, 3 sessions).
func reads(verifier trail.Verifier) []aRead {
	beta := store.Query{SessionID: sessionfixture.Beta}
	bob := store.Query{UserID: sessionfixture.Bob}
	out := []aRead{
		{"sessions", 19, func(ctx context.Context, s *service.Service, a service.Actor) (int, error) {
			return count(s.Sessions(ctx, a, store.Query{}, nil))
		}},
		{"session s-beta", 5, func(ctx context.Context, s *service.Service, a service.Actor) (int, error) {
			return count(s.Timeline(ctx, a, beta, nil))
		}},
		{"user u-bob", 5, func(ctx context.Context, s *service.Service, a service.Actor) (int, error) {
			return count(s.User(ctx, a, bob, nil))
		}},
		{"report of session s-beta", 5, func(ctx context.Context, s *service.Service, a service.Actor) (int, error) {
			return count(s.Report(ctx, a, beta, nil))
		}},
		{"export of user u-bob", 5, func(ctx context.Context, s *service.Service, a service.Actor) (int, error) {
			return count(s.Export(ctx, a, bob, nil))
		}},
		{"stats tools", 5, func(ctx context.Context, s *service.Service, a service.Actor) (int, error) {
			return count(s.ToolStats(ctx, a, store.Query{}, nil))
		}},
		{"stats errors by day", 19, func(ctx context.Context, s *service.Service, a service.Actor) (int, error) {
			return count(s.ErrorStats(ctx, a, store.Query{}, query.ByDay, nil))
		}},
		{"stats volume by day", 19, func(ctx context.Context, s *service.Service, a service.Actor) (int, error) {
			return count(s.VolumeStats(ctx, a, store.Query{}, query.ByDay, query.DefaultSpikeFactor, nil))
		}},
	}
	if verifier != nil {
		out = append(out, aRead{"verify", -1, func(ctx context.Context, s *service.Service, a service.Actor) (int, error) {
			rep, err := s.Verify(ctx, a, verifier, trail.VerifyOptions{})
			if err == nil {
				// The access record names the findings; the row count is the records checked.
				lastVerify = fmt.Sprintf("verify: %d findings, %d failures", len(rep.Findings), rep.Failures())
			}
			return rep.Counts.Records, err
		}})
	}
	return out
}

// readsAreLoggedBeforeTheyAnswer opens the store at url and checks every read: its access record
// (viewer, role, command, target, record count) is in the store when the read returns, and a read
// whose access record cannot be written returns no answer, only ErrNotLogged.
func readsAreLoggedBeforeTheyAnswer(t *testing.T, url string, o registry.OpenOptions) {
	ctx := context.Background()
	o.InstanceID = "console-test"
	h, err := trailstore.Open(url, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = h.Close() }()
	verifier, _ := h.(trail.Verifier)
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	svc := service.New(h, func() time.Time { now = now.Add(time.Second); return now })
	broken := service.New(failingWrites{h}, nil)
	for i, r := range reads(verifier) {
		a := service.Actor{Viewer: fmt.Sprintf("reader-%d@example.com", i), Role: "auditor", Command: "test " + r.target}
		rows, err := r.run(ctx, svc, a)
		if err != nil || rows == 0 {
			t.Fatalf("%s: %d rows, %v", r.target, rows, err)
		}
		e := lastAccess(t, h)
		want := accesslog.Entry{Time: now, Viewer: a.Viewer, Role: "auditor", Command: a.Command, Target: r.target, Records: r.records}
		if r.records < 0 {
			want.Records = rows // verify counts the records it checked, access records included
			want.Target = lastVerify
		}
		if e != want {
			t.Errorf("%s: access record %+v, want %+v", r.target, e, want)
		}
		rows, err = r.run(ctx, broken, a)
		if !errors.Is(err, service.ErrNotLogged) || rows != 0 {
			t.Errorf("%s with the access log failing: %d rows, %v; want no answer and ErrNotLogged", r.target, rows, err)
		}
	}
}

// lastAccess reads the newest access record directly from the store (not through the service,
// which would log this read too).
func lastAccess(t *testing.T, h registry.Handle) accesslog.Entry {
	t.Helper()
	ctx := context.Background()
	if r, ok := h.(trail.Refresher); ok {
		if err := r.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := accesslog.List(ctx, h, store.Query{}, nil)
	if err != nil || len(recs) == 0 {
		t.Fatalf("access log: %d records, %v", len(recs), err)
	}
	es := accesslog.Entries(recs)
	e := es[len(es)-1]
	e.Time = e.Time.UTC()
	return e
}

func TestReadsAreLoggedOnTheFileStore(t *testing.T) {
	readsAreLoggedBeforeTheyAnswer(t, fixturestores.File(t, nil), registry.OpenOptions{})
}

func TestReadsAreLoggedOnS3(t *testing.T) {
	srv := s3server.Start(t)
	url, o := fixturestores.S3(t, srv, "service", nil)
	readsAreLoggedBeforeTheyAnswer(t, url, o)
}

func TestReadsAreLoggedOnASearchEngine(t *testing.T) {
	engine, _, _ := searchengine.Start(t)
	url, o := fixturestores.Search(t, engine, "service-reads")
	readsAreLoggedBeforeTheyAnswer(t, url, o)
}

func TestReadsAreLoggedOnPostgres(t *testing.T) {
	srv := postgres.Start(t)
	readsAreLoggedBeforeTheyAnswer(t, fixturestores.Postgres(t, srv, "service"), registry.OpenOptions{})
}

// A cached Sessions answer is still logged on every read, and an answer older than the TTL is
// computed again (the session written after the first read shows up).
func TestCachedSessionsAreLoggedAndExpire(t *testing.T) {
	ctx := context.Background()
	h, err := trailstore.Open(fixturestores.File(t, nil), registry.OpenOptions{InstanceID: "cache-test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	svc := service.New(h, nil)
	svc.CacheSessions(time.Hour)
	a := service.Actor{Viewer: "pager", Role: "auditor", Command: "console sessions"}
	first, err := svc.Sessions(ctx, a, store.Query{}, nil)
	if err != nil || len(first) != 3 {
		t.Fatalf("%d sessions, %v", len(first), err)
	}
	extra := *sessionfixture.Sessions()[sessionfixture.Beta][0]
	extra.RecordID, extra.SessionID, extra.Integrity = "extra-1", "s-extra", nil
	if err := h.Write(ctx, store.Batch{Signal: "traces", Records: []*auditrecord.Record{&extra}}); err != nil {
		t.Fatal(err)
	}
	second, err := svc.Sessions(ctx, a, store.Query{}, nil)
	if err != nil || len(second) != 3 {
		t.Fatalf("within the TTL: %d sessions, %v; want the cached 3", len(second), err)
	}
	recs, err := accesslog.List(ctx, h, store.Query{}, nil)
	if err != nil || len(recs) != 2 {
		t.Fatalf("two reads left %d access records, %v", len(recs), err)
	}
	broken := service.New(failingWrites{h}, nil)
	broken.CacheSessions(time.Hour)
	for range 2 { // the second read would come from the cache: it is refused all the same
		if ss, err := broken.Sessions(ctx, a, store.Query{}, nil); !errors.Is(err, service.ErrNotLogged) || ss != nil {
			t.Fatalf("failing access log: %d sessions, %v", len(ss), err)
		}
	}
	svc.CacheSessions(time.Nanosecond)
	third, err := svc.Sessions(ctx, a, store.Query{}, nil)
	if err != nil || len(third) != 4 {
		t.Fatalf("after the TTL: %d sessions, %v; want 4", len(third), err)
	}
}
