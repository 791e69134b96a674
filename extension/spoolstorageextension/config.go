package spoolstorageextension

import (
	"errors"
	"fmt"
	"os"
)

// maxMinFileMiB (1 TiB) keeps the threshold in bytes far from overflowing.
const maxMinFileMiB = 1 << 20

// Config is the spool_storage extension's configuration.
type Config struct {
	// Directory holds one log file per client (per exporter and signal).
	Directory string `mapstructure:"directory"`
	// CreateDirectory creates Directory (and its parents, mode 0750) at start when it is missing.
	CreateDirectory bool `mapstructure:"create_directory"`
	// FSync makes every write durable against power loss (fdatasync after each record, and a
	// directory sync after a log file is created or replaced). Without it a process crash or
	// kill -9 keeps everything written, as the OS holds it.
	FSync bool `mapstructure:"fsync"`
	// Compaction bounds the space a log takes.
	Compaction CompactionConfig `mapstructure:"compaction"`
}

// CompactionConfig says when a log is rewritten with only its live entries.
type CompactionConfig struct {
	// MinFileMiB: a log is compacted once it is larger than this and at most a quarter of it is live.
	MinFileMiB int64 `mapstructure:"min_file_mib"`
}

// Validate names the field at fault.
func (cfg *Config) Validate() error {
	if cfg.Directory == "" {
		return errors.New("directory: must be set (the folder that holds the queue's log files)")
	}
	info, err := os.Stat(cfg.Directory)
	switch {
	case err == nil && !info.IsDir():
		return fmt.Errorf("directory: %s is not a directory", cfg.Directory)
	case os.IsNotExist(err) && !cfg.CreateDirectory:
		return fmt.Errorf("directory: %s does not exist (create it, or set create_directory: true)", cfg.Directory)
	case err != nil && !os.IsNotExist(err):
		return fmt.Errorf("directory: cannot access %s: %w", cfg.Directory, err)
	}
	if cfg.Compaction.MinFileMiB < 1 || cfg.Compaction.MinFileMiB > maxMinFileMiB {
		return fmt.Errorf("compaction.min_file_mib: must be between 1 and %d, got %d", maxMinFileMiB, cfg.Compaction.MinFileMiB)
	}
	return nil
}
