package pgstore

import (
	"context"
	"crypto/ed25519"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Retention cuts on PostgreSQL. A dropped partition takes a stream's oldest rows with it; so that
// verify --checkpoints can still rebuild the stream's tree from what is kept, the expired range of
// the stream's last dropped row carries a retention marker: the objectstore retention manifest
// (stream, last_seq, last_hash, tree_size/root/frontier after that row), signed with the collector's
// key as the file and S3 stores' marker is, and read back through objectstore.MarkerCut.

// ErrSigningKeyRequired: the stream's checkpoints are signed, so its retention marker must be too.
var ErrSigningKeyRequired = errors.New("the expired rows belong to streams with signed checkpoints: the retention marker must be signed too; pass the collector's signing key (--signing-key)")

// cutMarker returns the signed retention marker of a cut of stream after seq last (the greatest seq
// a partition about to be dropped holds), or "" when the tree at last cannot be rebuilt from the
// rows still present (an earlier cut made without a marker). Called inside the dropping transaction,
// before the drop.
func cutMarker(ctx context.Context, tx pgx.Tx, signer *objectstore.Signer, stream string, last int64, now time.Time) (string, error) {
	base, err := cutBase(ctx, tx, signer, stream, last)
	if err != nil {
		return "", err
	}
	rows, err := tx.Query(ctx, `SELECT seq, hash FROM agentaudit.records WHERE stream = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`,
		stream, int64(base.Size), last)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	lastHash := ""
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq, &lastHash); err != nil {
			return "", err
		}
		leaf, err := evidence.LeafHash(lastHash)
		if seq != int64(base.Size)+1 || err != nil {
			return "", nil // a gap the tree cannot bridge: no marker, verify says checkpoints_unverifiable
		}
		base.Append(leaf)
	}
	if err := rows.Err(); err != nil || base.Size != uint64(last) {
		return "", err
	}
	m := objectstore.Manifest{
		ManifestVersion: 1, Kind: objectstore.ManifestKindRetention, Stream: stream,
		LastSeq: uint64(last), LastHash: lastHash, CreatedAt: now,
		TreeSize: base.Size, TreeRoot: evidence.Hex(base.Root()), TreeFrontier: base.Encode(),
	}
	if err := signer.Sign(&m); err != nil {
		return "", err
	}
	enc, err := m.Encode()
	return string(enc), err
}

// cutBase is the stream's newest tree frontier at or before seq last that the store holds and the
// signer's key vouches for: that of an earlier cut's marker or of a checkpoint whose signed root it
// hashes to; the empty tree when none.
func cutBase(ctx context.Context, tx pgx.Tx, signer *objectstore.Signer, stream string, last int64) (evidence.Frontier, error) {
	var best evidence.Frontier
	prev, err := markerAt(ctx, tx, stream, last)
	if err != nil {
		return best, err
	}
	if cut := objectstore.MarkerCut("", []byte(prev)); prev != "" && cut != nil && cut.Err == nil &&
		cut.SignedBy([]ed25519.PublicKey{signer.PublicKey()}) {
		best = cut.Frontier
	}
	var size int64
	var signed string
	var frontier []string
	err = tx.QueryRow(ctx, `SELECT tree_size, checkpoint, frontier FROM agentaudit.checkpoints
WHERE stream = $1 AND tree_size <= $2 ORDER BY tree_size DESC LIMIT 1`, stream, last).Scan(&size, &signed, &frontier)
	if errors.Is(err, pgx.ErrNoRows) {
		return best, nil
	}
	if err != nil || uint64(size) <= best.Size {
		return best, err
	}
	trusted, err := evidence.Verifiers(signer.PublicKey())
	if err != nil {
		return best, err
	}
	cp, cerr := evidence.Open([]byte(signed), trusted)
	f, ferr := evidence.DecodeFrontier(uint64(size), frontier)
	if cerr == nil && ferr == nil && cp.Size == uint64(size) && cp.Root == f.Root() {
		best = f
	}
	return best, nil
}

// markerAt is the marker of the stream's newest expired range ending at or before seq upTo (any,
// when upTo is 0), "" when that range has none.
func markerAt(ctx context.Context, q querier, stream string, upTo int64) (string, error) {
	var marker *string
	err := q.QueryRow(ctx, `SELECT marker FROM agentaudit.expired_ranges WHERE stream = $1 AND ($2 = 0 OR last_seq <= $2)
ORDER BY last_seq DESC LIMIT 1`, stream, upTo).Scan(&marker)
	if errors.Is(err, pgx.ErrNoRows) || marker == nil {
		return "", nil
	}
	return *marker, err
}

// anyCheckpointed reports whether one of streams has signed checkpoints.
func anyCheckpointed(ctx context.Context, tx pgx.Tx, streams []string) (bool, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM agentaudit.checkpoints WHERE stream = ANY($1)`, streams).Scan(&n)
	return n > 0, err
}

var _ evidence.CutLedger = pgLedger{}

// RetentionCut is the cut stated by the marker on the stream's newest expired range (nil when
// there is none: never expired, or expired before markers).
func (l pgLedger) RetentionCut(ctx context.Context, stream string) (*evidence.Cut, error) {
	raw, err := markerAt(ctx, l.s.pool, stream, 0)
	if err != nil || raw == "" {
		return nil, err
	}
	return objectstore.MarkerCut("agentaudit.expired_ranges marker of stream "+stream, []byte(raw)), nil
}
