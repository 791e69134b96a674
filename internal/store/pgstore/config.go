package pgstore

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/collector/config/configopaque"
)

// Config is the `postgres:` section of the agentaudit exporter.
type Config struct {
	// DSN is a libpq connection string or URL (postgres://user@host:5432/db?sslmode=verify-full&sslrootcert=ca.pem).
	// TLS is configured in it (sslmode, sslrootcert, sslcert, sslkey). Keep the password out of it:
	// use password_file, ${env:VAR} in the collector config, or libpq's PGPASSWORD/PGPASSFILE.
	DSN configopaque.String `mapstructure:"dsn"`
	// PasswordFile holds the password (one line; surrounding white space is trimmed).
	PasswordFile string `mapstructure:"password_file"`
	// MaxConnections bounds the connection pool.
	MaxConnections int32 `mapstructure:"max_connections"`
	// PartitionsAhead is how many monthly partitions after the current one exist at any time.
	PartitionsAhead int `mapstructure:"partitions_ahead"`
	// DeadLetter says where records the database rejects for good are kept.
	DeadLetter DeadLetterConfig `mapstructure:"dead_letter"`
}

// DeadLetterConfig says where rejected records go.
type DeadLetterConfig struct {
	Directory string `mapstructure:"directory"`
}

// NewDefaultConfig is the section's defaults (without a DSN).
func NewDefaultConfig() Config {
	return Config{MaxConnections: 4, PartitionsAhead: 2, DeadLetter: DeadLetterConfig{Directory: "./data/postgres-dead-letter"}}
}

// Validate reports the first invalid field, naming it.
func (c *Config) Validate() error {
	if strings.TrimSpace(string(c.DSN)) == "" {
		return errors.New("dsn: must be set (postgres://user@host:5432/db?sslmode=verify-full)")
	}
	if _, err := pgxpool.ParseConfig(string(c.DSN)); err != nil {
		// pgx's parse errors mask the DSN's password; they name what is wrong (a port, an sslrootcert file).
		return fmt.Errorf("dsn: %w", err)
	}
	if c.PasswordFile != "" {
		if _, err := os.Stat(c.PasswordFile); err != nil {
			return fmt.Errorf("password_file: %w", err)
		}
	}
	if c.MaxConnections < 1 || c.MaxConnections > 100 {
		return fmt.Errorf("max_connections: %d is outside 1..100", c.MaxConnections)
	}
	if c.PartitionsAhead < 0 || c.PartitionsAhead > 24 {
		return fmt.Errorf("partitions_ahead: %d is outside 0..24", c.PartitionsAhead)
	}
	if c.DeadLetter.Directory == "" {
		return errors.New("dead_letter.directory: must be set")
	}
	return nil
}

// poolConfig parses the DSN and applies password_file.
func (c *Config) poolConfig() (*pgxpool.Config, error) {
	pc, err := pgxpool.ParseConfig(string(c.DSN))
	if err != nil {
		return nil, fmt.Errorf("postgres.dsn: %w", err)
	}
	if c.PasswordFile != "" {
		b, err := os.ReadFile(c.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("password_file: %w", err)
		}
		pc.ConnConfig.Password = strings.TrimSpace(string(b))
	}
	pc.MaxConns = c.MaxConnections
	return pc, nil
}
