// Package spoolstorageextension is a storage extension (spool_storage) built for exporterhelper's
// persistent sending queue: one append-only log per client, an in-memory index of where each
// value lies, values read back with pread. See README.md for the format and why.
package spoolstorageextension

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/agentaudit/otelcol-agentaudit/extension/spoolstorageextension/internal/metadata"
)

const defaultMinFileMiB = 64

// NewFactory creates the spool_storage extension factory.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type, createDefaultConfig, createExtension, metadata.ExtensionStability)
}

func createDefaultConfig() component.Config {
	return &Config{Compaction: CompactionConfig{MinFileMiB: defaultMinFileMiB}}
}

func createExtension(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	return newSpoolStorage(set.Logger, cfg.(*Config)), nil
}
