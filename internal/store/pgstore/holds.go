package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/hold"
)

// Legal holds on PostgreSQL: the markers of package evidence/hold (canonical JSON, signed by
// auditctl with the collector's key) as rows of agentaudit.holds. The table is append-only like the
// trail: a release is a further row for the hold, honoured only when validly signed (hold.Active).
// Adding a row takes agentaudit_admin, as erasure and retention do.

// PutHoldMarker appends the marker of hold id. Implements hold.Markers.
func (s *Store) PutHoldMarker(ctx context.Context, id string, raw []byte) error {
	if err := s.ensureMigrated(ctx); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO agentaudit.holds (hold_id, marker) VALUES ($1, $2)`, id, string(raw))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" {
		return fmt.Errorf("%w: %s", ErrNotAdmin, pgErr.Message)
	}
	return err
}

// HoldMarkers returns every hold marker, oldest first. Implements hold.Markers.
func (s *Store) HoldMarkers(ctx context.Context) ([]hold.Marker, error) {
	if err := s.ensureMigrated(ctx); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT n, marker FROM agentaudit.holds ORDER BY n`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []hold.Marker
	for rows.Next() {
		var n int64
		var raw string
		if err := rows.Scan(&n, &raw); err != nil {
			return nil, err
		}
		out = append(out, hold.Marker{Where: fmt.Sprintf("agentaudit.holds n=%d", n), Raw: []byte(raw)})
	}
	return out, rows.Err()
}

var _ hold.Markers = (*Store)(nil)
