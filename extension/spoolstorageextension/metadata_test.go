package spoolstorageextension

import (
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/extension/spoolstorageextension/internal/metadata"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/metadatatest"
)

// TestMetadataAgreesWithTheFactory keeps metadata.yaml and the hand-written generated_status.go
// (mdatagen's shape) in agreement.
func TestMetadataAgreesWithTheFactory(t *testing.T) {
	f := NewFactory()
	metadatatest.CheckExtension(t, ".", f.Type(), f.Stability(), metadata.ExtensionStability)
}
