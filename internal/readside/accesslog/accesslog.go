// Package accesslog records who read the audit trail (SOC 2 asks that access to audit logs is itself
// logged) and lists those records. An access record is an ordinary audit record of type access,
// written through the store's own writer, so on the file and S3 stores it is hash-chained, manifested
// and signed like everything else and `auditctl verify` covers it.
package accesslog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// Signal is the batch signal access records are written under: on the object stores they form the
// stream "<instance>-access".
const Signal = "access"

// Writer is where access records go: the store's writer (objectstore.Store, the Elasticsearch store).
type Writer interface {
	Write(ctx context.Context, b store.Batch) error
}

// Viewer is who reads: the explicit identity when given, else the OS user at this host.
func Viewer(as string) string {
	if as != "" {
		return as
	}
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "uid-" + strconv.Itoa(os.Getuid())
	}
	if host, err := os.Hostname(); err == nil && host != "" {
		name += "@" + host
	}
	return name
}

// NewRecord describes one read: who, with which command, what (a session, a user, a time range) and
// how many records it returned.
func NewRecord(viewer, command, target string, records int, now time.Time) *auditrecord.Record {
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	now = now.UTC()
	return &auditrecord.Record{
		SchemaVersion:     auditrecord.SchemaVersion,
		RecordID:          auditrecord.NewRecordID("access", viewer, command, target, now.Format(time.RFC3339Nano), hex.EncodeToString(nonce)),
		Type:              auditrecord.TypeAccess,
		Timestamp:         now,
		ObservedTimestamp: now,
		Source:            &auditrecord.Source{Signal: "auditctl", Name: command},
		Access:            &auditrecord.Access{Viewer: viewer, Command: command, Target: target, Records: records},
	}
}

// Append writes rec to w.
func Append(ctx context.Context, w Writer, rec *auditrecord.Record) error {
	if err := w.Write(ctx, store.Batch{Signal: Signal, Records: []*auditrecord.Record{rec}}); err != nil {
		return fmt.Errorf("record the access in the audit trail: %w", err)
	}
	return nil
}

// List returns the access records matching q (its types are replaced), oldest first.
func List(ctx context.Context, r store.Reader, q store.Query, p *query.Progress) ([]*auditrecord.Record, error) {
	q.Types = []auditrecord.Type{auditrecord.TypeAccess}
	return query.Records(ctx, r, q, p)
}

// Entry is an access record as `auditctl access-log --json` prints it.
type Entry struct {
	Time    time.Time `json:"time"`
	Viewer  string    `json:"viewer"`
	Role    string    `json:"role,omitempty"`
	Command string    `json:"command"`
	Target  string    `json:"target,omitempty"`
	Records int       `json:"records"`
}

// Entries flattens access records.
func Entries(recs []*auditrecord.Record) []Entry {
	out := make([]Entry, 0, len(recs))
	for _, r := range recs {
		if r.Access == nil {
			continue
		}
		out = append(out, Entry{Time: r.Timestamp, Viewer: r.Access.Viewer, Role: r.Access.Role, Command: r.Access.Command, Target: r.Access.Target, Records: r.Access.Records})
	}
	return out
}

// Table renders access entries.
func Table(entries []Entry) query.Table {
	t := query.Table{Header: []string{"TIME", "VIEWER", "COMMAND", "TARGET", "RECORDS"}}
	for _, e := range entries {
		target := e.Target
		if target == "" {
			target = "-"
		}
		t.Rows = append(t.Rows, []string{e.Time.UTC().Format(time.RFC3339), e.Viewer, e.Command, target, strconv.Itoa(e.Records)})
	}
	return t
}
