package spoolstorageextension

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.yaml.in/yaml/v3"

	"github.com/agentaudit/otelcol-agentaudit/extension/spoolstorageextension/internal/metadata"
)

// TestMetadataAgreesWithTheFactory keeps metadata.yaml and the hand-written generated_status.go
// (mdatagen's shape) in agreement.
func TestMetadataAgreesWithTheFactory(t *testing.T) {
	raw, err := os.ReadFile("metadata.yaml")
	require.NoError(t, err)
	var md struct {
		Type   string `yaml:"type"`
		Status struct {
			Class     string              `yaml:"class"`
			Stability map[string][]string `yaml:"stability"`
		} `yaml:"status"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &md))
	assert.Equal(t, md.Type, NewFactory().Type().String())
	assert.Equal(t, "extension", md.Status.Class)
	var level component.StabilityLevel
	for name, classes := range md.Status.Stability {
		if assert.Equal(t, []string{"extension"}, classes) {
			require.NoError(t, level.UnmarshalText([]byte(name)))
		}
	}
	assert.Equal(t, metadata.ExtensionStability, level)
	assert.Equal(t, metadata.ExtensionStability, NewFactory().Stability())
}
