// Written by hand in the shape mdatagen v0.161.0 generates from ../../metadata.yaml (mdatagen is
// not served here; regenerate with it when it is).

// Package metadata contains the build information for the extension/spool_storage component.
package metadata

import (
	"go.opentelemetry.io/collector/component"
)

var (
	Type      = component.MustNewType("spool_storage")
	ScopeName = "github.com/agentaudit/otelcol-agentaudit/extension/spoolstorageextension"
)

const (
	ExtensionStability = component.StabilityLevelAlpha
)
