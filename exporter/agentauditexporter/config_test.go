package agentauditexporter

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/agentaudit/otelcol-agentaudit/exporter/agentauditexporter/internal/metadata"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg, confmap.Validate(cfg)
}

func TestDefaultConfigIsValidAndWritesGzipFilesUnderData(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, StoreFile, cfg.Store)
	assert.Equal(t, "./data", cfg.File.Directory)
	assert.Equal(t, "gzip", cfg.File.Compression)
	assert.Equal(t, "audit", cfg.File.Prefix)
	assert.Equal(t, defaultMaxContentBytes, cfg.MaxContentBytes)
	assert.Equal(t, defaultDedupWindow, cfg.DedupWindow)
}

func TestCustomConfigLoads(t *testing.T) {
	cfg, err := loadConfig(t, "custom")
	require.NoError(t, err)
	assert.Equal(t, "gateway-7", cfg.InstanceID)
	assert.Equal(t, "/var/lib/agentaudit", cfg.File.Directory)
	assert.Equal(t, "trail", cfg.File.Prefix)
	assert.Equal(t, "none", cfg.File.Compression)
	assert.Equal(t, 65536, cfg.MaxContentBytes)
	assert.Equal(t, 2*time.Second, cfg.LogSpanWait)
	assert.Equal(t, 5000, cfg.DedupWindow)
	assert.Equal(t, 10*time.Second, cfg.TimeoutConfig.Timeout)
	assert.Equal(t, 1.5, cfg.Pricing.Models["my-finetune"].InputPerMillion)
	require.True(t, cfg.QueueConfig.HasValue())
	assert.Equal(t, 2, cfg.QueueConfig.Get().NumConsumers)
	assert.Equal(t, time.Duration(0), cfg.RetryConfig.MaxElapsedTime)
}

func TestS3ConfigLoads(t *testing.T) {
	cfg, err := loadConfig(t, "s3")
	require.NoError(t, err)
	assert.Equal(t, StoreS3, cfg.Store)
	require.True(t, cfg.S3.HasValue())
	s3 := cfg.S3.Get()
	assert.Equal(t, "audit-trail", s3.Bucket)
	assert.Equal(t, "prod/audit", s3.Prefix)
	assert.Equal(t, "COMPLIANCE", s3.ObjectLock.Mode)
	assert.Equal(t, 2555, s3.ObjectLock.RetainDays)
	assert.Equal(t, "gzip", s3.Compression, "defaults kept")
}

func TestElasticsearchConfigLoads(t *testing.T) {
	cfg, err := loadConfig(t, "elasticsearch")
	require.NoError(t, err)
	require.True(t, cfg.Elasticsearch.HasValue())
	es := cfg.Elasticsearch.Get()
	assert.Equal(t, []string{"https://es-1:9200", "https://es-2:9200"}, es.Endpoints)
	assert.Equal(t, "audit_writer", es.User)
	assert.Equal(t, "90d", es.Retention)
	assert.Equal(t, "[REDACTED]", fmt.Sprint(es.Password), "the password never prints")
}

func TestInvalidConfigsNameTheField(t *testing.T) {
	for name, field := range map[string]string{
		"bad_store":                 "store:",
		"bad_compression":           "file: compression:",
		"no_directory":              "file: directory:",
		"small_content":             "max_content_bytes:",
		"negative_price":            "pricing.models.cheap:",
		"missing_key":               "integrity.signing_key_file:",
		"s3_no_bucket":              "s3:",
		"s3_bad_lock":               "s3: object_lock.mode:",
		"bad_wait":                  "log_span_wait:",
		"bad_dedup":                 "dedup_window:",
		"es_missing":                "elasticsearch:",
		"bad_hold_window":           "identity.hold_window:",
		"no_held_traces":            "identity.max_held_traces:",
		"small_held_bytes":          "identity.max_held_bytes:",
		"s3_no_identity_directory":  "identity.directory:",
		"pg_missing":                "postgres:",
		"pg_no_dsn":                 "postgres: dsn:",
		"pg_bad_dsn":                "postgres: dsn:",
		"ckpt_zero_every":           "integrity.checkpoints.every_records:",
		"ckpt_short_interval":       "integrity.checkpoints.interval:",
		"ckpt_witness_no_key":       "integrity.checkpoints.witness:",
		"ckpt_witness_inside_store": "integrity.checkpoints.witness.directory:",
		"ckpt_witness_http_bad":     "integrity.checkpoints.witness.http.endpoint:",
		"ckpt_witness_s3_no_bucket": "witness",
		"bad_log_mapping":           "log_mappings[1].event:",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(t, name)
			require.Error(t, err)
			assert.Contains(t, err.Error(), field)
		})
	}
}

func TestCheckpointConfigLoads(t *testing.T) {
	// PostgreSQL signs its streams' checkpoints with the key (its rows stay unsigned).
	pg, err := loadConfig(t, "pg_signing")
	require.NoError(t, err)
	assert.Equal(t, "testdata/config.yaml", pg.Integrity.SigningKeyFile)
	// So does the search engine (its documents stay unsigned).
	es, err := loadConfig(t, "es_signing")
	require.NoError(t, err)
	assert.Equal(t, "testdata/config.yaml", es.Integrity.SigningKeyFile)
	def, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, CheckpointsConfig{EveryRecords: 10_000, Interval: time.Minute, Witness: def.Integrity.Checkpoints.Witness}, def.Integrity.Checkpoints)
	assert.False(t, def.Integrity.Checkpoints.Witness.S3.HasValue())
	cfg, err := loadConfig(t, "ckpt_witness")
	require.NoError(t, err)
	c := cfg.Integrity.Checkpoints
	assert.Equal(t, uint64(500), c.EveryRecords)
	assert.Equal(t, 30*time.Second, c.Interval)
	assert.Equal(t, "acme-audit/audit", c.Origin)
	assert.Equal(t, "/mnt/witness", c.Witness.Directory)
	require.True(t, c.Witness.S3.HasValue())
	assert.Equal(t, "acme-witness", c.Witness.S3.Get().Bucket)
}

func TestIdentityHoldDefaultsToTheFileStoresDataDirectory(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, defaultHoldWindow, cfg.Identity.HoldWindow)
	assert.Equal(t, filepath.Join("data", ".identity-hold", "gw_1-hold"), cfg.holdDirectory("gw/1"))

	cfg, err = loadConfig(t, "s3")
	require.NoError(t, err)
	assert.Equal(t, "/var/lib/agentaudit/identity-hold", cfg.holdDirectory("gw-1"))

	cfg, err = loadConfig(t, "s3_no_hold")
	require.NoError(t, err, "no hold needs no directory")
	assert.Equal(t, "", cfg.holdDirectory("gw-1"))
}

// A store section's error names its field once: the collector adds the section's path (here "file"),
// so the store's own message must not repeat it ("file: file.compression: …" before).
func TestStoreSectionErrorNamesTheFieldOnce(t *testing.T) {
	_, err := loadConfig(t, "bad_compression")
	require.Error(t, err)
	assert.Equal(t, `file: compression: "zstd" is not one of gzip, none`, err.Error())
	_, err = loadConfig(t, "no_directory")
	require.Error(t, err)
	assert.Equal(t, "file: directory: must be set", err.Error())
}

func TestPostgresConfigLoads(t *testing.T) {
	cfg, err := loadConfig(t, "postgres")
	require.NoError(t, err)
	require.True(t, cfg.Postgres.HasValue())
	pg := cfg.Postgres.Get()
	assert.Contains(t, string(pg.DSN), "sslmode=verify-full")
	assert.Equal(t, int32(8), pg.MaxConnections)
	assert.Equal(t, 2, pg.PartitionsAhead, "defaults kept for fields not given")
	assert.Equal(t, "/var/lib/agentaudit/pg-dead-letter", pg.DeadLetter.Directory)
}

func TestPostgresDSNErrorDoesNotEchoThePassword(t *testing.T) {
	_, err := loadConfig(t, "pg_bad_dsn")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secret")
}

func TestLogMappingsLoadAndNameTheInvalidField(t *testing.T) {
	cfg, err := loadConfig(t, "log_mappings")
	require.NoError(t, err)
	require.Len(t, cfg.LogMappings, 1)
	lm := cfg.LogMappings[0]
	assert.Equal(t, "acme", lm.Name)
	assert.Equal(t, "tool_call", lm.Event)
	assert.Equal(t, "acme.tool", lm.Match[0].Equals)
	assert.Equal(t, "payload.args", lm.Fields["tool_call.parameters"])

	_, err = loadConfig(t, "bad_log_mapping")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `log_mappings[1].event: "answer" is not one of input, reasoning, tool_call, output, error`)
	assert.Contains(t, err.Error(), "log_mappings[1].fields.output.text: not a record field")
}
