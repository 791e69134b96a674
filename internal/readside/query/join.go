package query

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// Identity joins (docs/audit-record.md, "Identity inheritance"): a record stored without session or
// user (its trace's root arrived after the collector's hold window, or at another collector
// instance) belongs to the session and user its trace's other records carry. Readers join on
// trace_id in two passes over any store.Reader: the traces of the session or user first, then every
// record of those traces, with the trace filter pushed to the store (Query.TraceIDs).

// traceJoinChunk bounds the trace ids of one pushed-down query (a search engine's terms query
// accepts 65,536 by default).
const traceJoinChunk = 10_000

// traceSlack widens the time range of the first pass: a trace's identity may be on a record
// outside the range asked for (the root's agent_run starts before its children; an identity record
// is stamped when it arrived), as long as the trace is not longer than this.
const traceSlack = time.Hour

// traceIdentity is the session and user a trace's records carry.
type traceIdentity struct{ session, user string }

// TraceIDsOf returns the traces that have a record matching q's session and user within q's time
// range widened by traceSlack (its types are ignored: the identity may be on any record of the trace).
func TraceIDsOf(ctx context.Context, r store.Reader, q store.Query, p *Progress) (map[string]bool, error) {
	ids, err := traceIdentities(ctx, r, q, p)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ids))
	for id := range ids {
		out[id] = true
	}
	return out, nil
}

func traceIdentities(ctx context.Context, r store.Reader, q store.Query, p *Progress) (map[string]traceIdentity, error) {
	idq := store.Query{From: q.From, To: q.To, SessionID: q.SessionID, UserID: q.UserID}
	if !idq.From.IsZero() {
		idq.From = idq.From.Add(-traceSlack)
	}
	if !idq.To.IsZero() {
		idq.To = idq.To.Add(traceSlack)
	}
	ids := map[string]traceIdentity{}
	err := Scan(ctx, r, idq, p, func(rec *auditrecord.Record) error {
		if rec.TraceID == "" || (rec.SessionID == "" && rec.UserID == "") || isAuditorRecord(rec) {
			return nil
		}
		id := ids[rec.TraceID]
		if id.session == "" {
			id.session = rec.SessionID
		}
		if id.user == "" {
			id.user = rec.UserID
		}
		ids[rec.TraceID] = id
		return nil
	})
	return ids, err
}

// ScanJoined is the scan every reader of agent activity uses: Scan with identity joined by trace
// (with q.SessionID or q.UserID set it also yields the records stored without a session (user)
// whose trace belongs to it, with the trace's session and user filled in), and the copies of one
// event folded into one record (fold.go). The records that may be copies come after the others,
// once the scan has seen them all.
func ScanJoined(ctx context.Context, r store.Reader, q store.Query, p *Progress, fn func(*auditrecord.Record) error) error {
	return scanJoined(ctx, r, q, p, false, fn)
}

// scanJoined with fillAll also fills the identity of every record when q selects no session or user
// (listing sessions), at the cost of a first pass over q's time range.
func scanJoined(ctx context.Context, r store.Reader, q store.Query, p *Progress, fillAll bool, fn func(*auditrecord.Record) error) error {
	f := newFolder(q.Types, fn)
	q.Types = widenTypes(q.Types)
	if err := scanIdentity(ctx, r, q, p, fillAll, f.add); err != nil {
		return err
	}
	return f.flush()
}

func scanIdentity(ctx context.Context, r store.Reader, q store.Query, p *Progress, fillAll bool, fn func(*auditrecord.Record) error) error {
	filtered := q.SessionID != "" || q.UserID != ""
	if !filtered && !fillAll {
		return Scan(ctx, r, q, p, fn)
	}
	ids, err := traceIdentities(ctx, r, q, p)
	if err != nil {
		return err
	}
	fill := func(rec *auditrecord.Record) error {
		if id, ok := ids[rec.TraceID]; ok && rec.TraceID != "" && !isAuditorRecord(rec) {
			if rec.SessionID == "" {
				rec.SessionID = id.session
			}
			if rec.UserID == "" {
				rec.UserID = id.user
			}
		}
		return fn(rec)
	}
	if !filtered || len(ids) == 0 {
		return Scan(ctx, r, q, p, fill)
	}
	traces := slices.Sorted(maps.Keys(ids))
	if len(traces) <= traceJoinChunk {
		q.TraceIDs = make(map[string]bool, len(traces))
		for _, id := range traces {
			q.TraceIDs[id] = true
		}
		return Scan(ctx, r, q, p, fill)
	}
	// Records that match by their own id come back with every chunk: yield them once.
	seen := map[string]bool{}
	for start := 0; start < len(traces); start += traceJoinChunk {
		q.TraceIDs = map[string]bool{}
		for _, id := range traces[start:min(start+traceJoinChunk, len(traces))] {
			q.TraceIDs[id] = true
		}
		err := Scan(ctx, r, q, p, func(rec *auditrecord.Record) error {
			if seen[rec.RecordID] {
				return nil
			}
			seen[rec.RecordID] = true
			return fill(rec)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// notAgentActivity: records about the trail (reads, erasures) and identity records, which only say
// whose a trace is, stay out of activity counts.
func notAgentActivity(r *auditrecord.Record) bool {
	return isAuditorRecord(r) || r.Type == auditrecord.TypeIdentity
}
