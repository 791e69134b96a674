package agentauditexporter

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"go.opentelemetry.io/collector/config/configoptional"

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
// is POSTed to <endpoint>/<stream>.
type HTTPWitnessConfig struct {
	Endpoint string `mapstructure:"endpoint"`
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
		if err := httpwitness.Validate(w.HTTP.Endpoint); err != nil {
			return fmt.Errorf("integrity.checkpoints.witness.http.endpoint: %w", err)
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
func (c CheckpointsConfig) checkpointOptions(ctx context.Context, signed bool) (*objectstore.CheckpointOptions, error) {
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
	if e := c.Witness.HTTP.Endpoint; e != "" {
		h, err := httpwitness.New(e)
		if err != nil {
			return nil, fmt.Errorf("integrity.checkpoints.witness.http.endpoint: %w", err)
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
