// Package kafkaauthcheckextension is an extension (kafka_auth_check) that connects to the Kafka
// brokers once at start and fails the start when they refuse the SASL credentials or the TLS
// certificate does not verify, naming the setting; an unreachable broker is only a warning. See
// README.md for why.
package kafkaauthcheckextension

import (
	"context"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/kafka/configkafka"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/agentaudit/otelcol-agentaudit/extension/kafkaauthcheckextension/internal/metadata"
)

const defaultTimeout = 10 * time.Second

// NewFactory creates the kafka_auth_check extension factory.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type, createDefaultConfig, createExtension, metadata.ExtensionStability)
}

func createDefaultConfig() component.Config {
	return &Config{ClientConfig: configkafka.NewDefaultClientConfig(), Timeout: defaultTimeout}
}

func createExtension(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	return &authCheck{cfg: cfg.(*Config), logger: set.Logger}, nil
}
