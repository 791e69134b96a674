package production

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.yaml.in/yaml/v3"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/metadatatest"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

// yamlDocs decodes every document of a multi-document YAML file.
func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }() // read only: nothing to lose
	var docs []map[string]any
	dec := yaml.NewDecoder(f)
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			if err.Error() == "EOF" {
				return docs
			}
			t.Fatalf("%s: %v", path, err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
}

// dig walks nested maps by key.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func list(v any) []any { l, _ := v.([]any); return l }

// TestKubernetesManifestsMatchTheConfigs checks deploy/k8s: every collector container is locked down
// (non-root, read-only root, no privilege escalation, no capabilities, a memory limit), runs a config
// that kustomize generates from config/, and sets only environment variables that config reads — a
// misspelt variable would otherwise silently fall back to its default.
func TestKubernetesManifestsMatchTheConfigs(t *testing.T) {
	root := peers.RepoRoot(t)
	for dir, kinds := range map[string][]string{
		"deploy/k8s":       {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"},
		"deploy/k8s/kafka": {"StatefulSet", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"},
	} {
		t.Run(dir, func(t *testing.T) { checkKustomization(t, filepath.Join(root, dir), kinds) })
	}
}

// checkKustomization checks the manifests of one kustomization directory and that they include
// the wanted kinds.
func checkKustomization(t *testing.T, k8s string, wantKinds []string) {
	// configMap name → its files (key → config file), from the kustomization's configMapGenerator.
	configs := map[string]map[string]string{}
	kust := yamlDocs(t, filepath.Join(k8s, "kustomization.yaml"))[0]
	for _, g := range list(kust["configMapGenerator"]) {
		for _, f := range list(dig(g, "files")) {
			key, src, _ := strings.Cut(f.(string), "=")
			path := filepath.Join(k8s, src)
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("configMapGenerator file: %v", err)
			}
			name := dig(g, "name").(string)
			if configs[name] == nil {
				configs[name] = map[string]string{}
			}
			configs[name][key] = path
		}
	}
	kinds := map[string]bool{}
	for _, res := range list(kust["resources"]) {
		for _, doc := range yamlDocs(t, filepath.Join(k8s, res.(string))) {
			kinds[doc["kind"].(string)] = true
			spec := dig(doc, "spec", "template", "spec")
			if spec == nil {
				continue
			}
			name := dig(doc, "metadata", "name").(string)
			if dig(spec, "securityContext", "runAsNonRoot") != true {
				t.Errorf("%s: pod securityContext.runAsNonRoot is not true", name)
			}
			volumes := map[string]string{} // volume name → configMap name
			for _, v := range list(dig(spec, "volumes")) {
				if cm, ok := dig(v, "configMap", "name").(string); ok {
					volumes[dig(v, "name").(string)] = cm
				}
			}
			for _, c := range append(list(dig(spec, "initContainers")), list(dig(spec, "containers"))...) {
				image, _ := dig(c, "image").(string)
				if image != "agentaudit/otelcol-agentaudit" {
					continue
				}
				cname := name + "/" + dig(c, "name").(string)
				sc := dig(c, "securityContext")
				if dig(sc, "allowPrivilegeEscalation") != false || dig(sc, "readOnlyRootFilesystem") != true ||
					!slices.Contains(list(dig(sc, "capabilities", "drop")), any("ALL")) {
					t.Errorf("%s: container securityContext not locked down: %v", cname, sc)
				}
				if dig(c, "resources", "limits", "memory") == nil {
					t.Errorf("%s: no memory limit (memory_limiter works in fractions of it)", cname)
				}
				var text []byte
				var names []string
				for _, config := range mountedConfigs(t, cname, c, volumes, configs) {
					b, err := os.ReadFile(config)
					if err != nil {
						t.Fatal(err)
					}
					text = append(text, b...)
					names = append(names, filepath.Base(config))
				}
				for _, e := range list(dig(c, "env")) {
					env := dig(e, "name").(string)
					if (strings.HasPrefix(env, "AGENTAUDIT_") || strings.HasPrefix(env, "PII_") || env == "AWS_REGION") &&
						!strings.Contains(string(text), "${env:"+env) {
						t.Errorf("%s sets %s, which %v never read", cname, env, names)
					}
				}
			}
		}
	}
	for _, want := range wantKinds {
		if !kinds[want] {
			t.Errorf("deploy/k8s has no %s", want)
		}
	}
}

// mountedConfigs resolves a collector container's --config arguments to the config/ files behind them.
func mountedConfigs(t *testing.T, cname string, c any, volumes map[string]string, configs map[string]map[string]string) []string {
	t.Helper()
	args := list(dig(c, "args"))
	var out []string
	for i, a := range args {
		if a != "--config" {
			continue
		}
		if i+1 >= len(args) {
			t.Fatalf("%s: --config without a file", cname)
		}
		out = append(out, mountedConfig(t, cname, args[i+1].(string), c, volumes, configs))
	}
	if len(out) == 0 {
		t.Fatalf("%s: no --config argument", cname)
	}
	return out
}

// mountedConfig resolves one --config argument to the config/ file behind it.
func mountedConfig(t *testing.T, cname, arg string, c any, volumes map[string]string, configs map[string]map[string]string) string {
	t.Helper()
	for _, m := range list(dig(c, "volumeMounts")) {
		mount := dig(m, "mountPath").(string)
		if rest, ok := strings.CutPrefix(arg, mount+"/"); ok {
			cm := volumes[dig(m, "name").(string)]
			path, ok := configs[cm][rest]
			if !ok {
				t.Fatalf("%s: --config %s is not a config generated from config/ (configMap %q)", cname, arg, cm)
			}
			return path
		}
	}
	t.Fatalf("%s: --config %s is on no mounted volume", cname, arg)
	return ""
}

// alertMetrics are the metric names the alert rules query, with name-regex alternatives expanded;
// each entry lists the alternatives of one selector.
func alertMetrics(t *testing.T) [][]string {
	t.Helper()
	doc := yamlDocs(t, filepath.Join(peers.RepoRoot(t), "deploy", "prometheus", "alerts.yaml"))[0]
	nameRegex := regexp.MustCompile(`__name__=~"([a-z_]+)\(([a-z_|]+)\)([a-z_]*)"`)
	plain := regexp.MustCompile(`\b(?:otelcol|agentaudit)_[a-z_]+\b`)
	seen := map[string]bool{}
	var out [][]string
	for _, g := range list(doc["groups"]) {
		for _, r := range list(dig(g, "rules")) {
			expr := dig(r, "expr").(string)
			if alert, ok := dig(r, "alert").(string); ok {
				sev, _ := dig(r, "labels", "severity").(string)
				if !slices.Contains([]string{"critical", "warning", "info"}, sev) || dig(r, "annotations", "summary") == nil {
					t.Errorf("alert %s: needs labels.severity (critical|warning|info) and annotations.summary", alert)
				}
			}
			for _, m := range nameRegex.FindAllStringSubmatch(expr, -1) {
				var alts []string
				for _, alt := range strings.Split(m[2], "|") {
					alts = append(alts, m[1]+alt+m[3])
				}
				if key := strings.Join(alts, "|"); !seen[key] {
					seen[key] = true
					out = append(out, alts)
				}
			}
			for _, name := range plain.FindAllString(nameRegex.ReplaceAllString(expr, ""), -1) {
				if !seen[name] {
					seen[name] = true
					out = append(out, []string{name})
				}
			}
		}
	}
	return out
}

// TestAlertRulesQueryMetricsTheCollectorExposes drives a gateway through what the alerts are about —
// traffic, malformed telemetry, an S3 outage with a tiny queue (failed writes, a full queue, refused
// data), an observability platform that rejects everything (dropped data) — and checks that every metric the rules query is on its metrics page. The store
// counters (dead letters appear only with a search engine or PostgreSQL store) are checked against
// the exporter's metadata.yaml instead.
func TestAlertRulesQueryMetricsTheCollectorExposes(t *testing.T) {
	metrics := alertMetrics(t)
	s3t := startS3(t)
	rejecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "rejected", http.StatusBadRequest) // permanent: dropped without retry
	}))
	t.Cleanup(rejecting.Close)
	gw := startGateway(t, s3t, gatewayOptions{
		extraConfigs: []string{configPath(t, "gateway-observability.yaml")},
		env: map[string]string{
			"AGENTAUDIT_QUEUE_SIZE":             "2",
			"AGENTAUDIT_OBSERVABILITY_ENDPOINT": rejecting.URL,
		},
	})
	conn := dialGRPC(t, gw.GRPCEndpoint, gw.pki.ClientTLS())
	ctx := context.Background()
	malformed := chatTraces(1, 1)
	malformed.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutStr("gen_ai.input.messages", "[{not json")
	for _, td := range []ptrace.Traces{chatTraces(0, 5), malformed} {
		if err := exportGRPC(ctx, conn, gw.token, td); err != nil {
			t.Fatal(err)
		}
	}
	if !waitFor(60*time.Second, func() bool {
		return metricSum(t, gw.Metrics(), "otelcol_exporter_agentaudit_records_written", "") > 0
	}) {
		t.Fatalf("nothing written before the outage\n%s", gw.Logs())
	}
	s3t.srv.Stop()
	refused := waitFor(60*time.Second, func() bool {
		_ = exportGRPC(ctx, conn, gw.token, chatTraces(2, 5))
		page := gw.Metrics()
		return metricSum(t, page, "otelcol_receiver_refused_spans", "") > 0 &&
			metricSum(t, page, "otelcol_exporter_send_failed_spans", "") > 0 &&
			metricSum(t, page, "otelcol_exporter_agentaudit_records_failed", "") > 0
	})
	page := gw.Metrics()
	s3t.srv.Restart()
	if !refused {
		t.Fatalf("the outage did not produce refusals and failures\n%s", page)
	}
	storeMetrics := declaredMetrics(t, filepath.Join(peers.RepoRoot(t), "exporter", "agentauditexporter"))
	for _, alts := range metrics {
		found := false
		for _, name := range alts {
			if strings.HasPrefix(name, "otelcol_exporter_agentaudit_store_") {
				found = found || storeMetrics[name]
				continue
			}
			found = found || strings.Contains(page, "\n"+name+"{") || strings.Contains(page, "\n"+name+" ")
		}
		if !found {
			t.Errorf("alert rules query %v, which the collector does not expose", alts)
		}
	}
}

// declaredMetrics are the metric names a component's metadata.yaml declares (the component's own
// tests check it registers exactly these), as they appear on the metrics page.
func declaredMetrics(t *testing.T, dir string) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for key := range metadatatest.Load(t, dir).Telemetry.Metrics {
		names[metadatatest.Name(key)] = true
	}
	return names
}
