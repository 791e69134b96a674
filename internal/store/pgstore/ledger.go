package pgstore

import (
	"context"
	"fmt"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Ledger is the store as the evidence layer reads it: streams and heads from agentaudit.batches,
// records from the rows, checkpoints and keys from their tables. Rows keep no tree claims (no
// manifests): the checkpoints are the claims.
func (s *Store) Ledger() evidence.Ledger { return pgLedger{s} }

type pgLedger struct{ s *Store }

var _ evidence.Ledger = pgLedger{}

func (l pgLedger) Name() string { return "store" }

func (l pgLedger) strings(ctx context.Context, sql string, args ...any) ([]string, error) {
	if err := l.s.ensureMigrated(ctx); err != nil {
		return nil, err
	}
	rows, err := l.s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (l pgLedger) Streams(ctx context.Context) ([]string, error) {
	return l.strings(ctx, `SELECT DISTINCT stream FROM agentaudit.batches ORDER BY stream`)
}

func (l pgLedger) CheckpointStreams(ctx context.Context) ([]string, error) {
	return l.strings(ctx, `SELECT DISTINCT stream FROM agentaudit.checkpoints ORDER BY stream`)
}

func (l pgLedger) Head(ctx context.Context, stream string) (uint64, error) {
	var head int64
	err := l.s.pool.QueryRow(ctx, `SELECT coalesce(max(last_seq), 0) FROM agentaudit.batches WHERE stream = $1`, stream).Scan(&head)
	return uint64(head), err
}

func (l pgLedger) ReadStream(ctx context.Context, stream string, strict bool, fn func(evidence.StoredRecord) error) error {
	return l.s.readStream(ctx, stream, 0, strict, fn)
}

func (l pgLedger) TreeClaims(context.Context, string) ([]evidence.TreeClaim, error) { return nil, nil }

func (l pgLedger) Checkpoints(ctx context.Context, stream string) ([]evidence.StoredCheckpoint, error) {
	rows, err := l.s.pool.Query(ctx, `SELECT tree_size, checkpoint FROM agentaudit.checkpoints WHERE stream = $1 ORDER BY tree_size`, stream)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []evidence.StoredCheckpoint
	for rows.Next() {
		var size int64
		var signed string
		if err := rows.Scan(&size, &signed); err != nil {
			return nil, err
		}
		out = append(out, evidence.StoredCheckpoint{Size: uint64(size), Where: fmt.Sprintf("agentaudit.checkpoints tree_size=%d", size), Signed: []byte(signed)})
	}
	return out, rows.Err()
}

func (l pgLedger) PublicKeys(ctx context.Context) ([]evidence.PublishedKey, error) {
	if err := l.s.ensureMigrated(ctx); err != nil {
		return nil, err
	}
	rows, err := l.s.pool.Query(ctx, `SELECT fingerprint, pem FROM agentaudit.public_keys ORDER BY fingerprint`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []evidence.PublishedKey
	for rows.Next() {
		var fp, pemText string
		if err := rows.Scan(&fp, &pemText); err != nil {
			return nil, err
		}
		if k, err := objectstore.ParsePublicKey([]byte(pemText)); err == nil {
			out = append(out, evidence.PublishedKey{Fingerprint: fp, PEM: []byte(pemText), Key: k})
		}
	}
	return out, rows.Err()
}
