package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations are the embedded migration files, by version (the number their name starts with).
func migrations() []migration {
	entries, _ := migrationFiles.ReadDir("migrations")
	var out []migration
	for _, e := range entries {
		v, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			panic("migration file without version: " + e.Name())
		}
		b, _ := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out
}

// SchemaVersion is the schema version this build needs.
func SchemaVersion() int {
	m := migrations()
	return m[len(m)-1].version
}

// ErrSchema wraps a schema that is missing or older and cannot be migrated by this user.
var ErrSchema = errors.New("postgres schema")

// Migrate brings the agentaudit schema to SchemaVersion. Every migration runs in its own transaction
// under a transaction-scoped advisory lock, so concurrent collectors apply each exactly once; a
// schema already current costs one query and needs no rights beyond reading it.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	want := SchemaVersion()
	have, err := currentVersion(ctx, pool)
	if err != nil {
		return err
	}
	if have > want {
		return fmt.Errorf("%w: the database is at version %d, newer than this build's %d; upgrade the collector", ErrSchema, have, want)
	}
	for _, m := range migrations() {
		if m.version <= have {
			continue
		}
		if err := apply(ctx, pool, m); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && (pgErr.Code == "42501" || strings.HasPrefix(pgErr.Code, "42")) {
				state := "missing"
				if have > 0 {
					state = fmt.Sprintf("at version %d", have)
				}
				return fmt.Errorf("%w: the agentaudit schema is %s, this build needs version %d, and user %q may not create it (%s: %s); "+
					"run the collector once with a user that may create roles and schemas, then use a member of agentaudit_writer (see docs/postgres.md)",
					ErrSchema, state, want, pool.Config().ConnConfig.User, pgErr.Code, pgErr.Message)
			}
			return fmt.Errorf("%w: migration %s: %w", ErrSchema, m.name, err)
		}
		have = m.version
	}
	return nil
}

func currentVersion(ctx context.Context, q querier) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('agentaudit.schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("postgres: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM agentaudit.schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: read schema version: %w", err)
	}
	return v, nil
}

// migrationLock is the advisory lock key migrations take ("agentaud" in ASCII).
const migrationLock = 0x6167656e74617564

func apply(ctx context.Context, pool *pgxpool.Pool, m migration) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return err
		}
		// Someone else may have applied it while we waited for the lock.
		have, err := currentVersion(ctx, tx)
		if err != nil || have >= m.version {
			return err
		}
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS agentaudit.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `GRANT SELECT ON agentaudit.schema_migrations TO agentaudit_writer, agentaudit_reader, agentaudit_admin`); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO agentaudit.schema_migrations (version) VALUES ($1)`, m.version)
		return err
	})
}
