// Written by hand in the shape mdatagen v0.161.0 generates from ../../metadata.yaml (mdatagen is
// not served here; regenerate with it when it is). The package's metadata test keeps this file,
// metadata.yaml and documentation.md in agreement.

// Package metadata contains the telemetry and build information for the exporter/agentaudit component.
package metadata

import (
	"go.opentelemetry.io/collector/component"
)

var (
	Type      = component.MustNewType("agentaudit")
	ScopeName = "github.com/agentaudit/otelcol-agentaudit/exporter/agentauditexporter"
)

const (
	TracesStability = component.StabilityLevelAlpha
	LogsStability   = component.StabilityLevelAlpha
)
