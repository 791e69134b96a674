package pgstore_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/pgstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/postgres"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

// TestCheckpointsOnPostgres: checkpoints land in agentaudit.checkpoints signed and matching the
// rows' tree; a restarted writer resumes the tree from the newest checkpoint's frontier (the
// checkpoint after the restart still matches a tree rebuilt from every row); and the interval
// ticker checkpoints a stream that stopped growing before any count is reached.
func TestCheckpointsOnPostgres(t *testing.T) {
	srv := postgres.Start(t)
	ctx := context.Background()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	signer := objectstore.NewSigner(priv)
	trusted, err := evidence.Verifiers(pub)
	require.NoError(t, err)

	t.Run("restart resumes from the frontier", func(t *testing.T) {
		dsn := srv.CreateDatabase(t, "ckpt_resume")
		for _, tags := range [][]string{{"a", "b"}, {"c", "d", "e"}} {
			s := openStoreWith(t, dsn, signer, &objectstore.CheckpointOptions{EveryRecords: 4})
			for _, tag := range tags {
				require.NoError(t, s.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records(tag, 3)}))
			}
			require.NoError(t, s.Shutdown(ctx))
		}
		// 6 (count) and 6 again at shutdown is one row; then 12 (count) and 15 (shutdown).
		assert.Equal(t, "6,12,15", srv.Psql(t, "ckpt_resume", `SELECT string_agg(tree_size::text, ',' ORDER BY tree_size) FROM agentaudit.checkpoints`))
		s := openStore(t, dsn)
		var l evidence.Log
		require.NoError(t, s.Ledger().ReadStream(ctx, "gw-1-traces", true, func(r evidence.StoredRecord) error {
			leaf, err := evidence.LeafHash(r.Hash)
			require.NoError(t, err)
			return l.Append(leaf)
		}))
		cps, err := s.Ledger().Checkpoints(ctx, "gw-1-traces")
		require.NoError(t, err)
		require.Len(t, cps, 3)
		for _, c := range cps {
			cp, err := evidence.Open(c.Signed, trusted)
			require.NoError(t, err)
			root, err := l.Root(cp.Size)
			require.NoError(t, err)
			assert.Equal(t, root, cp.Root, "checkpoint of size %d", cp.Size)
		}
		keys, err := s.Ledger().PublicKeys(ctx)
		require.NoError(t, err)
		require.Len(t, keys, 1)
		assert.Equal(t, pub, keys[0].Key)
	})

	t.Run("interval ticker", func(t *testing.T) {
		dsn := srv.CreateDatabase(t, "ckpt_ticker")
		s := openStoreWith(t, dsn, signer, &objectstore.CheckpointOptions{EveryRecords: 1000, Interval: 50 * time.Millisecond})
		require.NoError(t, s.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records("t", 2)}))
		require.Eventually(t, func() bool {
			return srv.Psql(t, "ckpt_ticker", `SELECT count(*) FROM agentaudit.checkpoints WHERE tree_size = 2`) == "1"
		}, 10*time.Second, 50*time.Millisecond, "the ticker wrote no checkpoint for a stream that stopped growing")
		require.NoError(t, s.Shutdown(ctx))
		assert.Equal(t, "1", srv.Psql(t, "ckpt_ticker", `SELECT count(*) FROM agentaudit.checkpoints`), "shutdown adds none: nothing grew since")
	})
}

func openStoreWith(t testing.TB, dsn string, signer *objectstore.Signer, o *objectstore.CheckpointOptions) *pgstore.Store {
	t.Helper()
	cfg := pgstore.NewDefaultConfig()
	cfg.DSN = configopaque.String(dsn)
	cfg.DeadLetter.Directory = t.TempDir()
	s, err := pgstore.New(cfg, store.Settings{InstanceID: "gw-1"})
	require.NoError(t, err)
	s.SetCheckpoints(signer, o)
	require.NoError(t, s.Start(context.Background()))
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}
