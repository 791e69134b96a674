// Written by hand in the shape mdatagen v0.161.0 generates from ../../metadata.yaml (mdatagen is
// not served here; regenerate with it when it is).

// Package metadata contains the build information for the extension/kafka_auth_check component.
package metadata

import (
	"go.opentelemetry.io/collector/component"
)

var (
	Type      = component.MustNewType("kafka_auth_check")
	ScopeName = "github.com/agentaudit/otelcol-agentaudit/extension/kafkaauthcheckextension"
)

const (
	ExtensionStability = component.StabilityLevelAlpha
)
