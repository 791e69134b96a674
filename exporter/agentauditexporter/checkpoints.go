package agentauditexporter

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.uber.org/zap"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/httpwitness"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/s3store"
)

// CheckpointsConfig configures the signed checkpoints of each stream's Merkle tree (every store,
// with integrity.signing_key_file): how often, and the witness they also go to.
type CheckpointsConfig struct {
	// EveryRecords writes a checkpoint each time a stream grew by this many records.
	EveryRecords uint64 `mapstructure:"every_records"`
	// Interval writes one for a stream that grew and whose last checkpoint is this old.
	Interval time.Duration `mapstructure:"interval"`
	// Origin names the store in checkpoint origins (default: bucket/prefix or directory/prefix).
	Origin string `mapstructure:"origin"`
	// Witness is an independent sink that gets a copy of every checkpoint.
	Witness WitnessConfig `mapstructure:"witness"`
}

// WitnessConfig is where checkpoints are copied: a second directory and/or a second S3 bucket
// (ideally with Object Lock), configured apart from the store so one compromise does not reach both.
type WitnessConfig struct {
	Directory string                                  `mapstructure:"directory"`
	S3        configoptional.Optional[s3store.Config] `mapstructure:"s3"`
	HTTP      HTTPWitnessConfig                       `mapstructure:"http"`
}

// HTTPWitnessConfig is a witness reached over HTTP (internal/evidence/httpwitness): each checkpoint
// is POSTed to <endpoint>/<stream>. It is the collector's HTTP client configuration (endpoint, tls,
// headers such as Authorization, auth, proxy_url, timeout), as every HTTP exporter has it.
type HTTPWitnessConfig struct {
	confighttp.ClientConfig `mapstructure:",squash"`
}

const (
	defaultCheckpointEvery    = 10_000
	defaultCheckpointInterval = time.Minute
)

func (c CheckpointsConfig) validate(cfg *Config) error {
	if c.EveryRecords < 1 {
		return fmt.Errorf("integrity.checkpoints.every_records: %d must be at least 1", c.EveryRecords)
	}
	if c.Interval < time.Second {
		return fmt.Errorf("integrity.checkpoints.interval: %v must be at least 1s", c.Interval)
	}
	w := c.Witness
	if w.Directory == "" && !w.S3.HasValue() && w.HTTP.Endpoint == "" {
		return nil
	}
	if cfg.Integrity.SigningKeyFile == "" {
		return errors.New("integrity.checkpoints.witness: checkpoints are signed with integrity.signing_key_file, which is not set")
	}
	if w.Directory != "" && cfg.Store == StoreFile {
		wd, _ := filepath.Abs(w.Directory)
		sd, _ := filepath.Abs(cfg.File.Directory)
		if rel, err := filepath.Rel(sd, wd); err == nil && (rel == "." || filepath.IsLocal(rel)) {
			return fmt.Errorf("integrity.checkpoints.witness.directory: %s lies inside file.directory %s; a witness must be independent of the store", w.Directory, cfg.File.Directory)
		}
	}
	if w.HTTP.Endpoint != "" {
		if err := httpwitness.Validate(&w.HTTP.ClientConfig); err != nil {
			return fmt.Errorf("integrity.checkpoints.witness.http.%w", err)
		}
	}
	if w.S3.HasValue() {
		if err := w.S3.Get().Validate(); err != nil {
			return fmt.Errorf("integrity.checkpoints.witness.s3: %w", err)
		}
	}
	return nil
}

// checkpointOptions builds the store's checkpoint options (nil without a signing key: a
// checkpoint is a signed statement).
func (c CheckpointsConfig) checkpointOptions(ctx context.Context, signed bool, host component.Host, set component.TelemetrySettings) (*objectstore.CheckpointOptions, error) {
	if !signed {
		return nil, nil
	}
	o := &objectstore.CheckpointOptions{EveryRecords: c.EveryRecords, Interval: c.Interval, Origin: c.Origin}
	if c.Witness.Directory != "" {
		b, err := filestore.NewBackend(c.Witness.Directory)
		if err != nil {
			return nil, fmt.Errorf("integrity.checkpoints.witness.directory: %w", err)
		}
		o.Witnesses = append(o.Witnesses, b)
	}
	if c.Witness.HTTP.Endpoint != "" {
		h, err := httpWitness(ctx, c.Witness.HTTP.ClientConfig, host, set)
		if err != nil {
			return nil, err
		}
		o.Sinks = append(o.Sinks, h)
	}
	if c.Witness.S3.HasValue() {
		b, err := s3store.NewBackend(ctx, *c.Witness.S3.Get())
		if err != nil {
			return nil, fmt.Errorf("integrity.checkpoints.witness.s3: %w", err)
		}
		o.Witnesses = append(o.Witnesses, b)
	}
	return o, nil
}

// httpWitness builds the HTTP witness and probes it once: a refused credential or a certificate
// that does not verify fails the start; a witness that is only down is logged (its checkpoints are
// retried with the next ones).
func httpWitness(ctx context.Context, cfg confighttp.ClientConfig, host component.Host, set component.TelemetrySettings) (*httpwitness.Witness, error) {
	var extensions map[component.ID]component.Component
	if host != nil {
		extensions = host.GetExtensions()
	}
	h, err := httpwitness.New(ctx, cfg, extensions, set)
	if err != nil {
		return nil, fmt.Errorf("integrity.checkpoints.witness.http: %w", err)
	}
	if err := h.Probe(ctx); err != nil {
		if httpwitness.Fatal(err) {
			return nil, fmt.Errorf("integrity.checkpoints.witness.http: %w", err)
		}
		set.Logger.Warn("HTTP witness not reachable at start; checkpoints are sent to it when it is", zap.String("witness", h.String()), zap.Error(err))
	}
	return h, nil
}
