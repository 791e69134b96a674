package production

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

// validate runs `otelcol-agentaudit validate` on the config files (merged in order) with env.
func validate(t *testing.T, env map[string]string, configs ...string) (string, error) {
	t.Helper()
	args := []string{"validate"}
	for _, c := range configs {
		args = append(args, "--config", c)
	}
	cmd := exec.Command(collectortest.Binary(t), args...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// overlays are shipped config files that only make sense on top of another one.
var overlays = map[string]string{
	"gateway-observability.yaml":       "gateway.yaml",
	"kafka-sidecar-sasl.yaml":          "kafka-sidecar.yaml",
	"kafka-gateway-sasl.yaml":          "kafka-gateway.yaml",
	"kafka-gateway-s3.yaml":            "kafka-gateway.yaml",
	"kafka-gateway-elasticsearch.yaml": "kafka-gateway.yaml",
	"kafka-gateway-postgres.yaml":      "kafka-gateway.yaml",
}

// TestShippedConfigsValidate loads every config/*.yaml with the built binary, with the environment
// each one needs (endpoints of peers are only dialled at start, not at validation).
func TestShippedConfigsValidate(t *testing.T) {
	dir := t.TempDir()
	signingKey := writeFile(t, dir, "signing.pem", "placeholder: validate only checks the file exists\n")
	env := map[string]string{
		"AGENTAUDIT_S3_BUCKET":              "audit",
		"AGENTAUDIT_SIGNING_KEY_FILE":       signingKey,
		"AGENTAUDIT_OBSERVABILITY_ENDPOINT": "https://otlp.example.com",
		"AGENTAUDIT_POSTGRES_DSN":           "postgres://collector@db.example:5432/audit?sslmode=require",
		"AGENTAUDIT_KAFKA_USERNAME":         "sidecar",
		"AGENTAUDIT_KAFKA_PASSWORD":         "placeholder",
	}
	files, err := filepath.Glob(filepath.Join(peers.RepoRoot(t), "config", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no shipped configs found: %v", err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			configs := []string{f}
			if base, ok := overlays[name]; ok {
				configs = []string{configPath(t, base), f}
			}
			if out, err := validate(t, env, configs...); err != nil {
				t.Fatalf("validate %v: %v\n%s", configs, err, out)
			}
		})
	}
	for _, want := range []string{"local.yaml", "sidecar.yaml", "gateway.yaml", "gateway-observability.yaml", "kafka-sidecar.yaml", "kafka-gateway.yaml"} {
		if !seen[want] {
			t.Errorf("config/%s is not shipped", want)
		}
	}
}

// TestValidateRejectsBrokenConfig shows that validate really checks the components' settings: the
// gateway with an unknown store fails, naming the field.
func TestValidateRejectsBrokenConfig(t *testing.T) {
	broken := writeFile(t, t.TempDir(), "broken.yaml", "exporters:\n  agentaudit/s3:\n    store: tape\n")
	out, err := validate(t, map[string]string{"AGENTAUDIT_S3_BUCKET": "audit"}, configPath(t, "gateway.yaml"), broken)
	if err == nil {
		t.Fatalf("validate accepted store: tape\n%s", out)
	}
	if !strings.Contains(out, "store") {
		t.Errorf("error does not name the field:\n%s", out)
	}
}

// TestSidecarListensOnLoopbackOnly guards the sidecar's promise that nothing outside the Pod can
// send through it: both OTLP receivers default to 127.0.0.1, and the Kubernetes example does not
// move them.
func TestSidecarListensOnLoopbackOnly(t *testing.T) {
	text, err := os.ReadFile(configPath(t, "sidecar.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"AGENTAUDIT_OTLP_GRPC_ENDPOINT", "AGENTAUDIT_OTLP_HTTP_ENDPOINT"} {
		if !strings.Contains(string(text), "${env:"+v+":-127.0.0.1:") {
			t.Errorf("sidecar.yaml: %s does not default to a loopback address", v)
		}
	}
	manifest, err := os.ReadFile(filepath.Join(peers.RepoRoot(t), "deploy", "k8s", "agent-with-sidecar.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(manifest), "AGENTAUDIT_OTLP_") {
		t.Errorf("agent-with-sidecar.yaml overrides the sidecar's OTLP endpoints")
	}
}
