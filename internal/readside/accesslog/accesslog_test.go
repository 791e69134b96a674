package accesslog_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/accesslog"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

func TestAccessRecordsAreChainedListedAndVerified(t *testing.T) {
	ctx := context.Background()
	b, err := filestore.NewBackend(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := objectstore.New(b, objectstore.Options{Gzip: true}, store.Settings{InstanceID: "auditctl-host1"})
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	for i, target := range []string{"session s-alpha", "user u-bob 2026-11-01..2026-11-08"} {
		rec := accesslog.NewRecord("alice@host1", []string{"timeline", "user"}[i], target, 10-i, at.Add(time.Duration(i)*time.Minute))
		if err := auditrecord.Validate(rec); err != nil {
			t.Fatalf("access record does not validate: %v", err)
		}
		if err := accesslog.Append(ctx, s, rec); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := accesslog.List(ctx, s, store.Query{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := accesslog.Table(accesslog.Entries(recs)).Write(&buf); err != nil {
		t.Fatal(err)
	}
	want := `TIME                  VIEWER       COMMAND   TARGET                             RECORDS
2026-11-26T09:00:00Z  alice@host1  timeline  session s-alpha                    10
2026-11-26T09:01:00Z  alice@host1  user      user u-bob 2026-11-01..2026-11-08  9
`
	if buf.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
	if recs[1].Integrity == nil || recs[1].Integrity.Stream != "auditctl-host1-access" || recs[1].Integrity.Seq != 2 {
		t.Fatalf("access records are not chained in their own stream: %+v", recs[1].Integrity)
	}
	rep, err := verify.Verify(ctx, b, objectstore.DefaultPrefix, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Counts.Records != 2 {
		t.Fatalf("verify over the access stream: ok=%v counts=%+v findings=%+v", rep.OK, rep.Counts, rep.Findings)
	}
}

func TestViewerPrefersTheExplicitIdentity(t *testing.T) {
	if got := accesslog.Viewer("auditor@example.com"); got != "auditor@example.com" {
		t.Fatalf("Viewer(--as) = %q", got)
	}
	if got := accesslog.Viewer(""); got == "" || !strings.Contains(got, "@") {
		t.Fatalf("Viewer() = %q, want user@host", got)
	}
}
