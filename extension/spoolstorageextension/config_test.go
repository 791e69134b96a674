package spoolstorageextension

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/agentaudit/otelcol-agentaudit/extension/spoolstorageextension/internal/metadata"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg, confmap.Validate(cfg)
}

func TestDefaultsAreNoFsyncAnd64MiBCompaction(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, "./testdata", cfg.Directory)
	assert.False(t, cfg.FSync)
	assert.False(t, cfg.CreateDirectory)
	assert.Equal(t, int64(64), cfg.Compaction.MinFileMiB)
}

func TestDurableConfigLoads(t *testing.T) {
	cfg, err := loadConfig(t, "durable")
	require.NoError(t, err, "a missing directory is fine when create_directory is set")
	assert.True(t, cfg.FSync)
	assert.True(t, cfg.CreateDirectory)
	assert.Equal(t, int64(8), cfg.Compaction.MinFileMiB)
}

func TestInvalidConfigsNameTheirField(t *testing.T) {
	for name, want := range map[string]string{
		"missing_directory": "directory: ./testdata/does-not-exist does not exist",
		"no_directory":      "directory: must be set",
		"bad_compaction":    "compaction.min_file_mib: must be between 1 and 1048576, got 0",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(t, name)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}

func TestDirectoryThatIsAFileIsRejected(t *testing.T) {
	cfg := &Config{Directory: filepath.Join("testdata", "config.yaml"), Compaction: CompactionConfig{MinFileMiB: 1}}
	require.ErrorContains(t, cfg.Validate(), "is not a directory")
}
