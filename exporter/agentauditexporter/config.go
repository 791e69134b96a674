package agentauditexporter

import (
	"errors"
	"fmt"
	"os"
	"time"

	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/agentaudit/otelcol-agentaudit/internal/mapping"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/esstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
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
	// and logs pipelines run independently, so logs often arrive first. 0 disables the wait.
	LogSpanWait time.Duration `mapstructure:"log_span_wait"`

	// MaxContentBytes bounds one content, parameters or result string in a record; longer ones are
	// truncated with a marker and counted.
	MaxContentBytes int `mapstructure:"max_content_bytes"`
}

// IntegrityConfig configures manifest signing for the file and S3 stores.
type IntegrityConfig struct {
	// SigningKeyFile is a PEM PKCS#8 Ed25519 private key (`openssl genpkey -algorithm ed25519`).
	// Without it manifests are written unsigned and `auditctl verify` says so.
	SigningKeyFile string `mapstructure:"signing_key_file"`
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
		if c.Integrity.SigningKeyFile != "" {
			return errors.New("integrity.signing_key_file: manifests are written by the file and s3 stores only; the elasticsearch store relies on op_type create and the engine's own access control")
		}
	case StorePostgres:
		if !c.Postgres.HasValue() {
			return errors.New("postgres: must be set when store is postgres (at least postgres.dsn)")
		}
		if c.Integrity.SigningKeyFile != "" {
			return errors.New("integrity.signing_key_file: manifests are written by the file and s3 stores only; the postgres store chains rows and relies on its append-only trigger and grants")
		}
	case "":
		return errors.New("store: must be set (file, s3, elasticsearch or postgres)")
	default:
		return fmt.Errorf("store: %q is not one of file, s3, elasticsearch, postgres", c.Store)
	}
	if c.LogSpanWait < 0 || c.LogSpanWait > time.Minute {
		return fmt.Errorf("log_span_wait: %v is outside 0s..1m", c.LogSpanWait)
	}
	if c.MaxContentBytes < 1024 {
		return fmt.Errorf("max_content_bytes: %d is below the minimum of 1024", c.MaxContentBytes)
	}
	if f := c.Integrity.SigningKeyFile; f != "" {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("integrity.signing_key_file: %w", err)
		}
	}
	if f := c.Pricing.File; f != "" {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("pricing.file: %w", err)
		}
	}
	for model, p := range c.Pricing.Models {
		if p.InputPerMillion < 0 || p.OutputPerMillion < 0 {
			return fmt.Errorf("pricing.models.%s: prices must not be negative", model)
		}
	}
	return nil
}
