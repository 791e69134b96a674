package esstore

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configtls"
)

// Flavors the store speaks.
const (
	FlavorElasticsearch = "elasticsearch" // Elasticsearch 8.x / 9.x through go-elasticsearch/v8
	FlavorOpenSearch    = "opensearch"    // OpenSearch 1.x – 3.x through opensearch-go/v4
)

// Index periods: how much time one index covers.
const (
	PeriodDay   = "day"   // <prefix>-YYYY.MM.DD
	PeriodMonth = "month" // <prefix>-YYYY.MM
)

// Config is the `elasticsearch:` section of the agentaudit exporter.
type Config struct {
	// Endpoints are the engine's HTTP(S) base URLs, e.g. https://es-1:9200.
	Endpoints []string `mapstructure:"endpoints"`
	// Flavor selects the client: elasticsearch or opensearch.
	Flavor string      `mapstructure:"flavor"`
	Index  IndexConfig `mapstructure:"index"`
	// Retention deletes indices whose whole period is older than this ("90d", "36h"); empty keeps all.
	Retention string `mapstructure:"retention"`
	// RetentionCheckInterval is how often retention runs while the store is up.
	RetentionCheckInterval time.Duration `mapstructure:"retention_check_interval"`

	User     string              `mapstructure:"user"`
	Password configopaque.String `mapstructure:"password"`
	// APIKey is the base64 "id:key" credential sent as `Authorization: ApiKey …` (Elasticsearch only).
	APIKey configopaque.String    `mapstructure:"api_key"`
	TLS    configtls.ClientConfig `mapstructure:"tls"`
	// Compression gzips request bodies on the wire.
	Compression bool `mapstructure:"compression"`
	// Timeout bounds one HTTP request to the engine.
	Timeout time.Duration `mapstructure:"timeout"`

	Bulk       BulkConfig       `mapstructure:"bulk"`
	Retry      RetryConfig      `mapstructure:"retry"`
	DeadLetter DeadLetterConfig `mapstructure:"dead_letter"`
}

// IndexConfig names the indices records go to and shapes the index template.
type IndexConfig struct {
	// Prefix starts every index name; the template matches "<prefix>-*".
	Prefix string `mapstructure:"prefix"`
	// Period is how much time one index covers: day or month (by record timestamp, UTC).
	Period   string `mapstructure:"period"`
	Shards   int    `mapstructure:"shards"`
	Replicas int    `mapstructure:"replicas"`
}

// BulkConfig tunes the official clients' bulk indexers.
type BulkConfig struct {
	// FlushBytes sends a bulk request once this many bytes are buffered.
	FlushBytes int `mapstructure:"flush_bytes"`
	// Workers is how many bulk requests run at once.
	Workers int `mapstructure:"workers"`
}

// RetryConfig governs item-level retries of 429 and 5xx bulk items inside one Write. When they are
// used up, Write fails and the exporter's queue retries the batch (writes are idempotent).
type RetryConfig struct {
	MaxAttempts     int           `mapstructure:"max_attempts"`
	InitialInterval time.Duration `mapstructure:"initial_interval"`
	MaxInterval     time.Duration `mapstructure:"max_interval"`
}

// DeadLetterConfig says where documents the engine rejects for good are kept.
type DeadLetterConfig struct {
	// Directory holds dead-letter JSONL files. Required: rejected records are never dropped.
	Directory string `mapstructure:"directory"`
}

// NewDefaultConfig returns the defaults; endpoints and dead_letter.directory must still be set.
func NewDefaultConfig() Config {
	return Config{
		Flavor:                 FlavorElasticsearch,
		Index:                  IndexConfig{Prefix: "agentaudit", Period: PeriodDay, Shards: 1, Replicas: 1},
		RetentionCheckInterval: time.Hour,
		TLS:                    configtls.NewDefaultClientConfig(),
		Compression:            true,
		Timeout:                30 * time.Second,
		Bulk:                   BulkConfig{FlushBytes: 5 << 20, Workers: 2},
		Retry:                  RetryConfig{MaxAttempts: 5, InitialInterval: 100 * time.Millisecond, MaxInterval: 5 * time.Second},
	}
}

// Validate checks the configuration; each error names the field at fault.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Endpoints) == 0 {
		errs = append(errs, errors.New("endpoints: at least one endpoint is required"))
	}
	for i, e := range c.Endpoints {
		u, err := url.Parse(e)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("endpoints[%d]: %q is not an http(s) URL", i, e))
		}
	}
	switch c.Flavor {
	case FlavorElasticsearch, FlavorOpenSearch:
	default:
		errs = append(errs, fmt.Errorf("flavor: %q is not one of %s, %s", c.Flavor, FlavorElasticsearch, FlavorOpenSearch))
	}
	if err := validateIndexPrefix(c.Index.Prefix); err != nil {
		errs = append(errs, fmt.Errorf("index.prefix: %w", err))
	}
	if c.Index.Period != PeriodDay && c.Index.Period != PeriodMonth {
		errs = append(errs, fmt.Errorf("index.period: %q is not one of %s, %s", c.Index.Period, PeriodDay, PeriodMonth))
	}
	if c.Index.Shards < 1 {
		errs = append(errs, fmt.Errorf("index.shards: must be at least 1, got %d", c.Index.Shards))
	}
	if c.Index.Replicas < 0 {
		errs = append(errs, fmt.Errorf("index.replicas: must not be negative, got %d", c.Index.Replicas))
	}
	if _, err := ParseRetention(c.Retention); err != nil {
		errs = append(errs, fmt.Errorf("retention: %w", err))
	}
	if c.Retention != "" && c.RetentionCheckInterval <= 0 {
		errs = append(errs, errors.New("retention_check_interval: must be positive when retention is set"))
	}
	if c.Password != "" && c.User == "" {
		errs = append(errs, errors.New("password: set without user"))
	}
	if c.APIKey != "" && c.User != "" {
		errs = append(errs, errors.New("api_key: cannot be combined with user/password"))
	}
	if c.APIKey != "" && c.Flavor == FlavorOpenSearch {
		errs = append(errs, errors.New("api_key: OpenSearch has no API keys; use user/password"))
	}
	if err := c.TLS.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("tls: %w", err))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout: must be positive, got %s", c.Timeout))
	}
	if c.Bulk.FlushBytes < 1024 {
		errs = append(errs, fmt.Errorf("bulk.flush_bytes: must be at least 1024, got %d", c.Bulk.FlushBytes))
	}
	if c.Bulk.Workers < 1 {
		errs = append(errs, fmt.Errorf("bulk.workers: must be at least 1, got %d", c.Bulk.Workers))
	}
	if c.Retry.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("retry.max_attempts: must be at least 1, got %d", c.Retry.MaxAttempts))
	}
	if c.Retry.InitialInterval <= 0 {
		errs = append(errs, fmt.Errorf("retry.initial_interval: must be positive, got %s", c.Retry.InitialInterval))
	}
	if c.Retry.MaxInterval < c.Retry.InitialInterval {
		errs = append(errs, fmt.Errorf("retry.max_interval: %s is below retry.initial_interval %s", c.Retry.MaxInterval, c.Retry.InitialInterval))
	}
	if c.DeadLetter.Directory == "" {
		errs = append(errs, errors.New("dead_letter.directory: required, so that rejected records are kept rather than dropped"))
	}
	return errors.Join(errs...)
}

// validateIndexPrefix applies the engines' index-name rules to the prefix.
func validateIndexPrefix(p string) error {
	switch {
	case p == "":
		return errors.New("required")
	case p != strings.ToLower(p):
		return fmt.Errorf("%q must be lowercase", p)
	case strings.HasPrefix(p, "_") || strings.HasPrefix(p, "-") || strings.HasPrefix(p, "+") || strings.HasPrefix(p, "."):
		return fmt.Errorf("%q must not start with '_', '-', '+' or '.'", p)
	case strings.ContainsAny(p, `\/*?"<>| ,#:`):
		return fmt.Errorf("%q must not contain any of \\ / * ? \" < > | , # : or a space", p)
	case len(p) > 200:
		return fmt.Errorf("%q is longer than 200 bytes", p)
	}
	return nil
}

// ParseRetention reads "90d" (days) or any Go duration ("36h"); "" means keep forever (0).
func ParseRetention(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q is neither <days>d nor a duration like 36h", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is neither <days>d nor a duration like 36h", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be positive", s)
	}
	return d, nil
}
