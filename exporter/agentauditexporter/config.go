package agentauditexporter

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/agentaudit/otelcol-agentaudit/internal/mapping"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/esstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/pgstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/s3store"
)

// Store kinds.
const (
	StoreFile          = "file"
	StoreS3            = "s3"
	StoreElasticsearch = "elasticsearch"
	StorePostgres      = "postgres"
)

// maxDedupWindow bounds the dedup window's memory (about 400 MB at the maximum).
const maxDedupWindow = 10_000_000

// Config configures the agentaudit exporter.
type Config struct {
	TimeoutConfig exporterhelper.TimeoutConfig                             `mapstructure:",squash"`
	QueueConfig   configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	RetryConfig   configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`

	// Store selects where records go: file (default), s3, elasticsearch or postgres.
	Store string `mapstructure:"store"`
	// InstanceID names this collector's writer streams (default: the host name). Every instance that
	// writes to one store needs its own.
	InstanceID string `mapstructure:"instance_id"`

	File filestore.Config `mapstructure:"file"`
	// S3 is validated only when given (the collector validates nested sections itself).
	S3            configoptional.Optional[s3store.Config] `mapstructure:"s3"`
	Elasticsearch configoptional.Optional[esstore.Config] `mapstructure:"elasticsearch"`
	Postgres      configoptional.Optional[pgstore.Config] `mapstructure:"postgres"`

	Integrity IntegrityConfig `mapstructure:"integrity"`
	Pricing   PricingConfig   `mapstructure:"pricing"`

	// LogSpanWait is how long a log batch waits for the model-call spans its GenAI events belong to
	// (a gen_ai.choice log takes model, tokens and cost from its chat span). The collector's traces
	// and logs pipelines run independently, so logs often arrive first. The same bound applies the
	// other way: spans whose model reasoning the service also logs as agent.reasoning wait for those
	// logs, so the thought is one record (the log's, with plan and confidence). 0 disables the wait.
	LogSpanWait time.Duration `mapstructure:"log_span_wait"`

	// DedupWindow is how many of the record ids written last the exporter remembers, to drop copies
	// that at-least-once delivery brings back (resent exports, retried sidecars, replayed queues)
	// before they reach the store; it is seeded at start from the store's last objects, so a queue
	// replayed after a crash is not stored twice. 0 disables it. Each id costs about 40 bytes.
	DedupWindow int `mapstructure:"dedup_window"`

	// MaxContentBytes bounds one content, parameters or result string in a record; longer ones are
	// truncated with a marker and counted.
	MaxContentBytes int `mapstructure:"max_content_bytes"`

	Identity IdentityConfig `mapstructure:"identity"`

	// LogMappings are user-defined conventions for in-house log shapes: a log record whose fields
	// match is one agent event, and fields say which of its members feed which record field
	// (README, "User-defined log mappings"). They are tried before the built-in conventions.
	LogMappings []mapping.LogMapping `mapstructure:"log_mappings"`
}

// IdentityConfig configures how records of a trace wait for the trace's session and user, which
// often come on the root span, exported last (docs/audit-record.md, "Identity inheritance").
type IdentityConfig struct {
	// HoldWindow is how long records of a trace without a known identity wait for it; 0 writes them
	// at once (readers still join them to the trace's identity).
	HoldWindow time.Duration `mapstructure:"hold_window"`
	// MaxHeldTraces and MaxHeldBytes cap what waits; beyond them the oldest trace is written
	// without identity (counted), never dropped.
	MaxHeldTraces int   `mapstructure:"max_held_traces"`
	MaxHeldBytes  int64 `mapstructure:"max_held_bytes"`
	// Directory keeps the journal of waiting records, so nothing acknowledged is lost in a crash.
	// Default for the file store: <file.directory>/.identity-hold/<instance_id>-hold (instances
	// sharing a store directory keep apart); required for the other stores. One exporter per directory.
	Directory string `mapstructure:"directory"`
}

// identityHoldDir is the hold journal's directory under the file store's data directory: outside the
// store's prefix, so no reader lists it.
const identityHoldDir = ".identity-hold"

// holdDirectory is where the hold journal of the writer instance lives ("" when holding is off).
func (c *Config) holdDirectory(instance string) string {
	switch {
	case c.Identity.HoldWindow == 0:
		return ""
	case c.Identity.Directory != "":
		return c.Identity.Directory
	case c.Store == StoreFile:
		return filepath.Join(c.File.Directory, identityHoldDir, objectstore.StreamName(instance, "hold"))
	}
	return ""
}

func (c IdentityConfig) validate(store string) error {
	if c.HoldWindow < 0 || c.HoldWindow > time.Hour {
		return fmt.Errorf("identity.hold_window: %v is outside 0s..1h", c.HoldWindow)
	}
	if c.HoldWindow == 0 {
		return nil
	}
	if c.MaxHeldTraces < 1 {
		return fmt.Errorf("identity.max_held_traces: %d must be at least 1", c.MaxHeldTraces)
	}
	if c.MaxHeldBytes < 1<<20 {
		return fmt.Errorf("identity.max_held_bytes: %d is below the minimum of 1048576 (1 MiB)", c.MaxHeldBytes)
	}
	if c.Directory == "" && store != StoreFile {
		return fmt.Errorf("identity.directory: must be set when store is %s (a local directory for the journal of records waiting for their trace's identity), or set identity.hold_window: 0", store)
	}
	return nil
}

// IntegrityConfig configures manifest signing for the file and S3 stores and checkpoint signing
// for them, PostgreSQL and the search engine.
type IntegrityConfig struct {
	// SigningKeyFile is a PEM PKCS#8 Ed25519 private key (`openssl genpkey -algorithm ed25519`).
	// Without it manifests are written unsigned and `auditctl verify` says so; PostgreSQL rows and
	// search engine documents stay unsigned, but their streams' checkpoints are signed with it.
	SigningKeyFile string `mapstructure:"signing_key_file"`
	// Checkpoints are signed tree heads, written with the signing key (checkpoints.go).
	Checkpoints CheckpointsConfig `mapstructure:"checkpoints"`
}

// PricingConfig overrides the shipped model price table used when telemetry carries no cost.
type PricingConfig struct {
	// File is a price table file (same format as the shipped one) merged over the defaults.
	File string `mapstructure:"file"`
	// Models are per-model prices in USD per million tokens, merged last.
	Models map[string]mapping.ModelPrice `mapstructure:"models"`
}

// storeSection is the config section of the selected store kind, as registry.Kind.NewStore takes it
// (nil when it is not set).
func (c *Config) storeSection() any {
	switch c.Store {
	case StoreFile:
		return &c.File
	case StoreS3:
		return c.S3.Get()
	case StoreElasticsearch:
		return c.Elasticsearch.Get()
	case StorePostgres:
		return c.Postgres.Get()
	}
	return nil
}

// Validate reports the first invalid field, naming it.
func (c *Config) Validate() error {
	switch c.Store {
	case StoreFile:
	case StoreS3:
		if !c.S3.HasValue() {
			return errors.New("s3: must be set when store is s3 (at least s3.bucket)")
		}
	case StoreElasticsearch:
		if !c.Elasticsearch.HasValue() {
			return errors.New("elasticsearch: must be set when store is elasticsearch (at least elasticsearch.endpoints)")
		}
	case StorePostgres:
		if !c.Postgres.HasValue() {
			return errors.New("postgres: must be set when store is postgres (at least postgres.dsn)")
		}
	case "":
		return errors.New("store: must be set (file, s3, elasticsearch or postgres)")
	default:
		return fmt.Errorf("store: %q is not one of file, s3, elasticsearch, postgres", c.Store)
	}
	if c.LogSpanWait < 0 || c.LogSpanWait > time.Minute {
		return fmt.Errorf("log_span_wait: %v is outside 0s..1m", c.LogSpanWait)
	}
	if c.DedupWindow < 0 || c.DedupWindow > maxDedupWindow {
		return fmt.Errorf("dedup_window: %d is outside 0..%d", c.DedupWindow, maxDedupWindow)
	}
	if err := c.Identity.validate(c.Store); err != nil {
		return err
	}
	if c.MaxContentBytes < 1024 {
		return fmt.Errorf("max_content_bytes: %d is below the minimum of 1024", c.MaxContentBytes)
	}
	if f := c.Integrity.SigningKeyFile; f != "" {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("integrity.signing_key_file: %w", err)
		}
	}
	if err := c.Integrity.Checkpoints.validate(c); err != nil {
		return err
	}
	if f := c.Pricing.File; f != "" {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("pricing.file: %w", err)
		}
	}
	for model, p := range c.Pricing.Models {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("pricing.models.%s: %w", model, err)
		}
	}
	var mappingErrs []error
	for i, lm := range c.LogMappings {
		for _, err := range lm.Problems() {
			mappingErrs = append(mappingErrs, fmt.Errorf("log_mappings[%d].%w", i, err))
		}
	}
	if len(mappingErrs) > 0 {
		return errors.Join(mappingErrs...)
	}
	return nil
}
