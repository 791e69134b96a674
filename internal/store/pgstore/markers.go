package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/hold"
)

// auditctl's markers on PostgreSQL: legal holds and the retention floor of package evidence/hold
// (canonical JSON, signed with the collector's key) as rows of agentaudit.markers. The table is
// append-only like the trail: a release is a further row for the hold, honoured only when validly
// signed (hold.Active); the newest floor row is the floor. Adding a row takes agentaudit_admin, as
// erasure and retention do.

const policyID = "retention"

var (
	_ hold.Markers       = (*Store)(nil)
	_ hold.PolicyMarkers = (*Store)(nil)
)

func (s *Store) putMarker(ctx context.Context, kind, id string, raw []byte) error {
	if err := s.ensureMigrated(ctx); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO agentaudit.markers (kind, marker_id, marker) VALUES ($1, $2, $3)`, kind, id, string(raw))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" {
		return fmt.Errorf("%w: %s", ErrNotAdmin, pgErr.Message)
	}
	return err
}

func where(n int64) string { return fmt.Sprintf("agentaudit.markers n=%d", n) }

// PutHoldMarker appends a marker of hold id.
func (s *Store) PutHoldMarker(ctx context.Context, id string, raw []byte) error {
	return s.putMarker(ctx, hold.Kind, id, raw)
}

// HoldMarkers returns every hold marker, oldest first.
func (s *Store) HoldMarkers(ctx context.Context) ([]hold.Marker, error) {
	if err := s.ensureMigrated(ctx); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT n, marker FROM agentaudit.markers WHERE kind = $1 ORDER BY n`, hold.Kind)
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
		out = append(out, hold.Marker{Where: where(n), Raw: []byte(raw)})
	}
	return out, rows.Err()
}

// PutPolicyMarker appends the retention floor.
func (s *Store) PutPolicyMarker(ctx context.Context, raw []byte) error {
	return s.putMarker(ctx, hold.PolicyKind, policyID, raw)
}

// PolicyMarker is the newest retention floor row.
func (s *Store) PolicyMarker(ctx context.Context) (hold.Marker, bool, error) {
	if err := s.ensureMigrated(ctx); err != nil {
		return hold.Marker{}, false, err
	}
	var n int64
	var raw string
	err := s.pool.QueryRow(ctx, `SELECT n, marker FROM agentaudit.markers WHERE kind = $1 ORDER BY n DESC LIMIT 1`, hold.PolicyKind).Scan(&n, &raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return hold.Marker{}, false, nil
	}
	return hold.Marker{Where: where(n), Raw: []byte(raw)}, err == nil, err
}
