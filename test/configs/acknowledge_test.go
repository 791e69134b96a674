// Package configs checks every collector configuration the project ships — config/*.yaml, the
// Kubernetes manifests under deploy/, and the YAML examples in the docs and component READMEs —
// against the project's first promise: acknowledged means durable. A client's OTLP "ok" may only
// come once its data is on disk, so nothing that acknowledges before persisting (the batch processor
// and its kind) may sit in front of an exporter, and every exporter's sending queue must be
// persistent (file_storage, spool_storage) or disabled (synchronous writes).
package configs

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

// earlyAcknowledging are processors that answer the receiver before their data went on: they
// hold it in memory and pass it on later, so a crash loses what they held.
var earlyAcknowledging = map[string]bool{"batch": true, "groupbytrace": true, "tail_sampling": true, "interval": true}

// unqueued are exporters without a sending queue to check.
var unqueued = map[string]bool{"debug": true, "nop": true}

// storageExtensions are extensions that keep a queue on disk.
var storageExtensions = map[string]bool{"file_storage": true, "db_storage": true, "spool_storage": true}

// allowed lists the pipelines that may acknowledge before persisting, by shipped file, with why.
// An audit exporter (agentaudit) is never allowed: its pipeline must be durable whatever this says.
var allowed = map[string]map[string]string{
	"config/gateway-observability.yaml": {
		"traces/observability": "a best-effort copy of the already redacted traces to an observability platform " +
			"(Langfuse, Datadog, ...): losing a debugging span on a crash is acceptable, and the audit pipelines " +
			"that share its receiver still acknowledge only once both persistent audit queues hold the data, " +
			"because the receiver answers after every pipeline accepted.",
	},
}

// overlays are shipped files that are only loaded on top of another one.
var overlays = map[string]string{
	"config/gateway-observability.yaml": "config/gateway.yaml",
	"config/kafka-sidecar-sasl.yaml":    "config/kafka-sidecar.yaml",
	"config/kafka-gateway-sasl.yaml":    "config/kafka-gateway.yaml",
	// The Kafka gateway on the other stores (kafka_test.go checks they keep the group commit).
	"config/kafka-gateway-s3.yaml":            "config/kafka-gateway.yaml",
	"config/kafka-gateway-elasticsearch.yaml": "config/kafka-gateway.yaml",
	"config/kafka-gateway-postgres.yaml":      "config/kafka-gateway.yaml",
}

type violation struct{ where, what string }

func (v violation) String() string { return v.where + ": " + v.what }

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func typeOf(id string) string {
	typ, _, _ := strings.Cut(id, "/")
	return typ
}

// checkPipelines checks a complete collector configuration (one with service.pipelines).
func checkPipelines(name string, cfg map[string]any) []violation {
	var out []violation
	service := asMap(cfg["service"])
	enabledExtensions := asStrings(service["extensions"])
	extensions := asMap(cfg["extensions"])
	exporters := asMap(cfg["exporters"])
	pipelines := asMap(service["pipelines"])
	for _, pname := range slices.Sorted(mapsKeys(pipelines)) {
		p := asMap(pipelines[pname])
		where := fmt.Sprintf("%s pipeline %s", name, pname)
		exps := asStrings(p["exporters"])
		reason, isAllowed := allowed[name][pname]
		for _, e := range exps {
			if typeOf(e) == "agentaudit" {
				isAllowed = false
			}
		}
		if isAllowed && reason == "" {
			isAllowed = false
		}
		if isAllowed {
			continue
		}
		for _, proc := range asStrings(p["processors"]) {
			if earlyAcknowledging[typeOf(proc)] {
				out = append(out, violation{where, fmt.Sprintf("processor %s acknowledges before anything is persisted, in front of %v", proc, exps)})
			}
		}
		for _, e := range exps {
			out = append(out, checkQueue(where, e, asMap(exporters[e]), extensions, enabledExtensions)...)
		}
		out = append(out, checkKafkaReceivers(where, asStrings(p["receivers"]), asMap(cfg["receivers"]), exps, exporters)...)
	}
	return out
}

// checkKafkaReceivers checks a pipeline fed by a kafka receiver, where acknowledging is committing
// the message's offset. The receiver commits once the pipeline returned (message_marking.after) and
// never for a failed message (on_error, on_permanent_error), and the pipeline must return only once
// the data is written: every exporter synchronous, i.e. sending_queue disabled or in memory with
// wait_for_result (each call returns the outcome of the write its data was batched into, a group
// commit). A queue that answers before the write, even on disk, would let the offset go before the
// store has the data, and the local disk then stands in for Kafka's replicated log (the
// at-least-once trap of contrib issue 37136).
func checkKafkaReceivers(where string, receivers []string, defined map[string]any, exps []string, exporters map[string]any) []violation {
	var out []violation
	for _, r := range receivers {
		if typeOf(r) != "kafka" {
			continue
		}
		marking := asMap(asMap(defined[r])["message_marking"])
		if marking["after"] != true || marking["on_error"] != false || marking["on_permanent_error"] != false {
			out = append(out, violation{where, fmt.Sprintf("receiver %s must commit only what the pipeline wrote: message_marking {after: true, on_error: false, on_permanent_error: false}, got %v", r, marking)})
		}
		for _, e := range exps {
			if unqueued[typeOf(e)] {
				continue
			}
			if q := asMap(asMap(exporters[e])["sending_queue"]); !waitsForWrite(q) {
				out = append(out, violation{where, fmt.Sprintf("exporter %s queues behind receiver %s: the offset would be committed before the store has the data (set sending_queue.enabled: false, or wait_for_result: true without storage)", e, r)})
			}
		}
	}
	return out
}

// waitsForWrite reports whether a sending queue answers its caller only after the export: disabled,
// or in memory with wait_for_result (a persistent queue answers once the data is in its file).
func waitsForWrite(q map[string]any) bool {
	if q == nil {
		return false // the exporterhelper default is an in-memory queue that answers at once
	}
	if q["enabled"] == false {
		return true
	}
	storage, _ := q["storage"].(string)
	return q["wait_for_result"] == true && storage == ""
}

// checkQueue checks that exporter e's sending queue is on disk, that its callers wait for the write
// (waitsForWrite), or that it has none.
func checkQueue(where, e string, exp, extensions map[string]any, enabledExtensions []string) []violation {
	if unqueued[typeOf(e)] {
		return nil
	}
	q, hasQueue := exp["sending_queue"]
	queue := asMap(q)
	if hasQueue && waitsForWrite(queue) {
		return nil // synchronous: the write finishes before the acknowledgement
	}
	storage, _ := queue["storage"].(string)
	if storage == "" {
		return []violation{{where, fmt.Sprintf("exporter %s queues in memory (sending_queue without storage): a crash loses what it acknowledged", e)}}
	}
	if enabledExtensions == nil {
		return nil // a fragment that names its storage; the file it is merged into enables it
	}
	if !storageExtensions[typeOf(storage)] {
		return []violation{{where, fmt.Sprintf("exporter %s queues in %s, which is not a disk storage extension", e, storage)}}
	}
	if _, ok := extensions[storage]; !ok || !slices.Contains(enabledExtensions, storage) {
		return []violation{{where, fmt.Sprintf("exporter %s queues in %s, which is not defined and enabled in service.extensions", e, storage)}}
	}
	return nil
}

// checkFragment checks a documentation example that is merged into a shipped config rather than run
// on its own: it must not define an early-acknowledging processor or an in-memory exporter queue.
func checkFragment(name string, cfg map[string]any) []violation {
	if asMap(asMap(cfg["service"])["pipelines"]) != nil {
		return checkPipelines(name, cfg)
	}
	var out []violation
	for _, proc := range slices.Sorted(mapsKeys(asMap(cfg["processors"]))) {
		if earlyAcknowledging[typeOf(proc)] {
			out = append(out, violation{name, fmt.Sprintf("example defines processor %s, which acknowledges before anything is persisted", proc)})
		}
	}
	exporters := asMap(cfg["exporters"])
	for _, e := range slices.Sorted(mapsKeys(exporters)) {
		exp := asMap(exporters[e])
		if _, ok := exp["sending_queue"]; ok {
			out = append(out, checkQueue(name, e, exp, nil, nil)...)
		}
	}
	return out
}

func mapsKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// merge lays over on base as the collector does with several --config files: maps merge, the rest
// is replaced.
func merge(base, over map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		if bm, om := asMap(out[k]), asMap(v); bm != nil && om != nil {
			out[k] = merge(bm, om)
		} else {
			out[k] = v
		}
	}
	return out
}

func parse(t *testing.T, name string, data []byte) map[string]any {
	t.Helper()
	var cfg map[string]any
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return cfg
}

func readConfig(t *testing.T, root, rel string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, rel, data)
}

func report(t *testing.T, vs []violation) {
	t.Helper()
	for _, v := range vs {
		t.Errorf("%s", v)
	}
}

// TestShippedConfigsAcknowledgeOnlyWhatIsOnDisk checks config/*.yaml (overlays merged over their
// base, as they are loaded).
func TestShippedConfigsAcknowledgeOnlyWhatIsOnDisk(t *testing.T) {
	root := peers.RepoRoot(t)
	files, err := filepath.Glob(filepath.Join(root, "config", "*.yaml"))
	if err != nil || len(files) < 10 {
		t.Fatalf("shipped configs: %v, %v", files, err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg := readConfig(t, root, rel)
			if base, ok := overlays[rel]; ok {
				cfg = merge(readConfig(t, root, base), cfg)
			}
			if len(asMap(asMap(cfg["service"])["pipelines"])) == 0 {
				t.Fatalf("%s has no pipelines (an overlay missing from the overlays list?)", rel)
			}
			report(t, checkPipelines(rel, cfg))
		})
	}
	for file, pipelines := range allowed {
		if _, err := os.Stat(filepath.Join(root, file)); err != nil {
			t.Errorf("allow-list names %s, which is not shipped: drop the entry", file)
		}
		for p, why := range pipelines {
			if why == "" {
				t.Errorf("allow-list entry %s %s gives no reason", file, p)
			}
		}
	}
}

// TestDeployManifestsAcknowledgeOnlyWhatIsOnDisk checks every collector configuration under
// deploy/: whole files and ConfigMap values that are collector configs. The kustomization's
// configMapGenerator takes its files from config/, which the test above checks.
func TestDeployManifestsAcknowledgeOnlyWhatIsOnDisk(t *testing.T) {
	root := peers.RepoRoot(t)
	checked, referenced := 0, 0
	err := filepath.WalkDir(filepath.Join(root, "deploy"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || (!strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, ".yml")) {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p) //nolint:gosec // G122: walks the repository's own deploy/ tree in a test
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		for {
			var doc map[string]any
			if err := dec.Decode(&doc); err != nil {
				break
			}
			for _, cfg := range collectorConfigs(doc) {
				checked++
				report(t, checkPipelines(rel, cfg))
			}
			for _, gen := range asSlice(doc["configMapGenerator"]) {
				for _, f := range asStrings(asMap(gen)["files"]) {
					_, src, _ := strings.Cut(f, "=")
					if rel, err := filepath.Rel(root, filepath.Join(filepath.Dir(p), src)); err == nil && strings.HasPrefix(rel, "config"+string(filepath.Separator)) {
						referenced++
					} else {
						t.Errorf("%s: ConfigMap file %s is not a shipped config/ file, so no test checks it", p, src)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked+referenced == 0 {
		t.Fatal("no collector configuration found under deploy/")
	}
	t.Logf("deploy/: %d embedded collector configs checked, %d config/ files referenced", checked, referenced)
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// collectorConfigs returns doc if it is a collector config, or the collector configs in its values
// (a ConfigMap's data).
func collectorConfigs(doc map[string]any) []map[string]any {
	if asMap(asMap(doc["service"])["pipelines"]) != nil {
		return []map[string]any{doc}
	}
	var out []map[string]any
	for _, v := range asMap(doc["data"]) {
		s, ok := v.(string)
		if !ok {
			continue
		}
		var cfg map[string]any
		if yaml.Unmarshal([]byte(s), &cfg) == nil && asMap(asMap(cfg["service"])["pipelines"]) != nil {
			out = append(out, cfg)
		}
	}
	return out
}

var yamlBlock = regexp.MustCompile("(?s)```ya?ml\n(.*?)```")

// TestDocExamplesAcknowledgeOnlyWhatIsOnDisk checks the YAML examples in README.md, docs/*.md and
// every component README: complete examples like shipped configs, fragments (merged into a shipped
// config) for batch processors and in-memory exporter queues.
func TestDocExamplesAcknowledgeOnlyWhatIsOnDisk(t *testing.T) {
	root := peers.RepoRoot(t)
	var docs []string
	for _, pattern := range []string{"README.md", "docs/*.md", "*/*/README.md", "test/*/README.md"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, m...)
	}
	sort.Strings(docs)
	blocks := 0
	for _, f := range docs {
		rel, _ := filepath.Rel(root, f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range yamlBlock.FindAllStringSubmatch(string(data), -1) {
			var cfg map[string]any
			if err := yaml.Unmarshal([]byte(m[1]), &cfg); err != nil {
				continue // a list fragment (e.g. builder-config lines), not a collector config
			}
			blocks++
			report(t, checkFragment(fmt.Sprintf("%s (YAML example %d)", rel, i+1), cfg))
		}
	}
	if blocks == 0 {
		t.Fatal("no YAML examples found in the docs")
	}
	t.Logf("%d YAML examples in %d documents checked", blocks, len(docs))
}

// TestCheckerCatchesEarlyAcknowledgement shows the checks fail where they should: the embedded
// default as it was before issue 17 (a batch processor and an in-memory queue), a queue on a storage
// extension that is not enabled, an allow-listed pipeline that writes audit records, and a doc
// fragment with a batch processor.
func TestCheckerCatchesEarlyAcknowledgement(t *testing.T) {
	old := parse(t, "old local.yaml", []byte(`
processors:
  memory_limiter: {}
  piiredaction: {}
  batch: {timeout: 1s}
exporters:
  agentaudit:
    sending_queue:
      batch: {flush_timeout: 1s}
service:
  pipelines:
    traces: {receivers: [otlp], processors: [memory_limiter, piiredaction, batch], exporters: [agentaudit]}
`))
	if vs := checkPipelines("config/local.yaml", old); len(vs) != 2 {
		t.Errorf("old local.yaml: %d violations, want the batch processor and the in-memory queue: %v", len(vs), vs)
	}
	notEnabled := parse(t, "not enabled", []byte(`
extensions:
  file_storage/queue: {directory: /q}
exporters:
  otlp_grpc/gateway:
    sending_queue: {storage: file_storage/queue}
service:
  extensions: [health_check]
  pipelines:
    traces: {receivers: [otlp], exporters: [otlp_grpc/gateway]}
`))
	if vs := checkPipelines("x.yaml", notEnabled); len(vs) != 1 || !strings.Contains(vs[0].what, "not defined and enabled") {
		t.Errorf("storage not enabled: %v", vs)
	}
	auditInAllowed := parse(t, "audit in allowed", []byte(`
processors:
  batch/observability: {}
exporters:
  agentaudit: {sending_queue: {storage: file_storage/queue}}
service:
  extensions: [file_storage/queue]
  pipelines:
    traces/observability: {receivers: [otlp], processors: [batch/observability], exporters: [agentaudit]}
extensions:
  file_storage/queue: {}
`))
	if vs := checkPipelines("config/gateway-observability.yaml", auditInAllowed); len(vs) != 1 {
		t.Errorf("the allow-list must not cover an audit exporter: %v", vs)
	}
	fragment := parse(t, "fragment", []byte("processors:\n  batch: {}\nexporters:\n  agentaudit:\n    sending_queue: {queue_size: 10}\n"))
	if vs := checkFragment("doc", fragment); len(vs) != 2 {
		t.Errorf("fragment: %v", vs)
	}
	disabled := parse(t, "disabled", []byte("exporters:\n  agentaudit:\n    sending_queue: {enabled: false}\n"))
	if vs := checkFragment("doc", disabled); len(vs) != 0 {
		t.Errorf("a disabled queue writes before acknowledging: %v", vs)
	}
}

// TestKafkaReceiverCommitsOnlyWrittenData: behind a kafka receiver, a queue (even on disk), marking
// before processing and marking a failed message are each reported; the synchronous path is not.
func TestKafkaReceiverCommitsOnlyWrittenData(t *testing.T) {
	base := `
receivers:
  kafka:
    message_marking: {after: %s, on_error: %s, on_permanent_error: false}
exporters:
  agentaudit: {sending_queue: %s}
extensions:
  spool_storage/queue: {}
service:
  extensions: [spool_storage/queue]
  pipelines:
    logs: {receivers: [kafka], processors: [piiredaction], exporters: [agentaudit]}
`
	for _, c := range []struct {
		after, onError, queue string
		want                  int
	}{
		{"true", "false", "{enabled: false}", 0},
		{"true", "false", "{storage: spool_storage/queue}", 1},
		{"false", "false", "{enabled: false}", 1},
		{"true", "true", "{enabled: false}", 1},
		{"true", "false", "{queue_size: 10}", 2}, // in memory: the queue rule and the kafka rule
		// A group commit: in memory, each caller waits for the batch write its data went into.
		{"true", "false", "{wait_for_result: true, batch: {min_size: 1024}}", 0},
		{"true", "false", "{wait_for_result: false, batch: {min_size: 1024}}", 2},
		// wait_for_result on disk answers once the queue file has the data, not the store.
		{"true", "false", "{wait_for_result: true, storage: spool_storage/queue}", 1},
	} {
		cfg := parse(t, "kafka", fmt.Appendf(nil, base, c.after, c.onError, c.queue))
		if vs := checkPipelines("x.yaml", cfg); len(vs) != c.want {
			t.Errorf("after %s, on_error %s, queue %s: %d violations, want %d: %v", c.after, c.onError, c.queue, len(vs), c.want, vs)
		}
	}
}

// TestSpoolStorageQueueCountsAsDurable: a sending queue on the distribution's own spool_storage
// extension is as durable as one on file_storage.
func TestSpoolStorageQueueCountsAsDurable(t *testing.T) {
	cfg := parse(t, "spool", []byte(`
extensions:
  spool_storage/queue: {directory: /q}
exporters:
  agentaudit: {sending_queue: {storage: spool_storage/queue}}
service:
  extensions: [spool_storage/queue]
  pipelines:
    traces: {receivers: [otlp], processors: [piiredaction], exporters: [agentaudit]}
`))
	if vs := checkPipelines("x.yaml", cfg); len(vs) != 0 {
		t.Errorf("a queue on spool_storage: %v", vs)
	}
}
