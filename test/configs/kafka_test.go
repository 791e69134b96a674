package configs

import (
	"reflect"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

// kafkaStoreOverlays are the store overlays of the Kafka gateway and the store each selects.
var kafkaStoreOverlays = map[string]string{
	"config/kafka-gateway-s3.yaml":            "s3",
	"config/kafka-gateway-elasticsearch.yaml": "elasticsearch",
	"config/kafka-gateway-postgres.yaml":      "postgres",
}

// TestKafkaGatewayStoreOverlaysChangeOnlyTheStore: each store overlay, merged over
// config/kafka-gateway.yaml (with and without the SASL overlay, in the order the docs give), selects
// its store and leaves the gateway's receiver, pipelines and the exporter's group commit, retries
// and identity.hold_window exactly as the base has them, so what makes an offset commit wait for
// the store holds on every store.
func TestKafkaGatewayStoreOverlaysChangeOnlyTheStore(t *testing.T) {
	root := peers.RepoRoot(t)
	base := readConfig(t, root, "config/kafka-gateway.yaml")
	sasl := readConfig(t, root, "config/kafka-gateway-sasl.yaml")
	baseExp := asMap(asMap(base["exporters"])["agentaudit"])
	for overlay, store := range kafkaStoreOverlays {
		over := readConfig(t, root, overlay)
		for name, cfg := range map[string]map[string]any{
			"plain": merge(base, over),
			"sasl":  merge(merge(base, sasl), over),
		} {
			exp := asMap(asMap(cfg["exporters"])["agentaudit"])
			if exp["store"] != store {
				t.Errorf("%s (%s): store %v, want %s", overlay, name, exp["store"], store)
			}
			if asMap(exp[store]) == nil {
				t.Errorf("%s (%s): no %s section", overlay, name, store)
			}
			for _, key := range []string{"sending_queue", "retry_on_failure", "identity"} {
				if !reflect.DeepEqual(exp[key], baseExp[key]) {
					t.Errorf("%s (%s): exporter %s is %v, the gateway's is %v", overlay, name, key, exp[key], baseExp[key])
				}
			}
			for _, key := range []string{"service", "processors"} {
				if !reflect.DeepEqual(cfg[key], base[key]) {
					t.Errorf("%s (%s): %s changed", overlay, name, key)
				}
			}
			if name == "plain" && !reflect.DeepEqual(cfg["receivers"], base["receivers"]) {
				t.Errorf("%s: receivers changed", overlay)
			}
			report(t, checkPipelines(overlay, cfg))
		}
	}
}
