package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// Scan calls fn for every stored record matching q, in time order. It filters on the typed columns
// and indexes for what it knows of q, then checks every record with q.Matches, so query fields it
// does not know yet still hold.
func (s *Store) Scan(ctx context.Context, q store.Query, fn func(*auditrecord.Record) error) error {
	if err := s.ensureMigrated(ctx); err != nil {
		return err
	}
	where, args := queryFilter(q)
	rows, err := s.pool.Query(ctx, `SELECT record::text FROM agentaudit.records`+where+` ORDER BY "timestamp", stream, seq`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		var r auditrecord.Record
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("decode record: %w", err)
		}
		if !q.Matches(&r) {
			continue
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// queryFilter is the WHERE clause for q's time range, session, user and types.
func queryFilter(q store.Query) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	// The column holds microseconds (rounded), the record nanoseconds: the bounds are widened by one
	// microsecond and q.Matches then applies them exactly.
	if !q.From.IsZero() {
		add(`"timestamp" >= $%d`, q.From.UTC().Add(-time.Microsecond))
	}
	if !q.To.IsZero() {
		add(`"timestamp" < $%d`, q.To.UTC().Add(time.Microsecond))
	}
	// q.TraceIDs joins records stored without a session (user) to their trace's (store.Query).
	traces := make([]string, 0, len(q.TraceIDs))
	for id := range q.TraceIDs {
		traces = append(traces, id)
	}
	matchJoined := func(column, value string) {
		if len(traces) == 0 {
			add(column+` = $%d`, value)
			return
		}
		args = append(args, value, traces)
		conds = append(conds, fmt.Sprintf(`(%s = $%d OR (coalesce(%s, '') = '' AND trace_id = ANY($%d)))`, column, len(args)-1, column, len(args)))
	}
	if q.SessionID != "" {
		matchJoined("session_id", q.SessionID)
	}
	if q.UserID != "" {
		matchJoined("user_id", q.UserID)
	}
	if q.SessionID == "" && q.UserID == "" && len(traces) > 0 {
		add(`trace_id = ANY($%d)`, traces)
	}
	if len(q.Types) > 0 {
		types := make([]string, len(q.Types))
		for i, t := range q.Types {
			types[i] = string(t)
		}
		add(`type = ANY($%d)`, types)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}
