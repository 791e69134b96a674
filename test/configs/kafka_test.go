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
			want := base
			if name == "sasl" {
				want = merge(base, sasl) // the SASL overlay adds its start check to service.extensions
			}
			for _, key := range []string{"service", "processors"} {
				if !reflect.DeepEqual(cfg[key], want[key]) {
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

// TestKafkaSASLOverlaysCheckCredentialsAtStart: each SASL overlay, merged over its base as the docs
// give, keeps every extension of the base and adds kafka_auth_check (a later --config replaces a
// list: an overlay that forgot one would drop the sidecar's queue storage), and the check connects
// with exactly the brokers, tls and auth the kafka component uses, so what it accepts at start is
// what the component will be given.
func TestKafkaSASLOverlaysCheckCredentialsAtStart(t *testing.T) {
	root := peers.RepoRoot(t)
	for _, c := range []struct{ base, overlay, kind, component string }{
		{"config/kafka-sidecar.yaml", "config/kafka-sidecar-sasl.yaml", "exporters", "kafka"},
		{"config/kafka-gateway.yaml", "config/kafka-gateway-sasl.yaml", "receivers", "kafka"},
	} {
		base := readConfig(t, root, c.base)
		cfg := merge(base, readConfig(t, root, c.overlay))
		wantExt := append(append([]any{}, asMap(base["service"])["extensions"].([]any)...), "kafka_auth_check")
		if got := asMap(cfg["service"])["extensions"]; !reflect.DeepEqual(got, wantExt) {
			t.Errorf("%s: service.extensions %v, want %v", c.overlay, got, wantExt)
		}
		check := asMap(asMap(cfg["extensions"])["kafka_auth_check"])
		comp := asMap(asMap(cfg[c.kind])[c.component])
		if check == nil {
			t.Fatalf("%s: no kafka_auth_check extension", c.overlay)
		}
		for _, key := range []string{"brokers", "client_id", "tls", "auth"} {
			if !reflect.DeepEqual(check[key], comp[key]) {
				t.Errorf("%s: kafka_auth_check %s is %v, the %s %s's is %v", c.overlay, key, check[key], c.component, c.kind, comp[key])
			}
		}
		if asMap(asMap(check["auth"])["sasl"])["password"] == nil {
			t.Errorf("%s: kafka_auth_check has no auth.sasl.password", c.overlay)
		}
	}
}
