package clients

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/<client>.golden.jsonl from this run's records")

// volatile are the members that differ between two runs of one scenario (ids, clocks, ports,
// paths, hashes, the run's own session, user and instance): the golden file keeps the rest, the
// shape of the trail a framework leaves.
var volatile = map[string]bool{
	"record_id": true, "trace_id": true, "span_id": true, "parent_span_id": true, "timestamp": true,
	"observed_timestamp": true, "integrity": true, "session_id": true, "user_id": true, "service": true,
	"conversation_id": true, "duration_ms": true, "stack_trace": true, "related_record_id": true,
	"attributes": true, "propagated_to": true,
}

// goldenShape is the run's records without their volatile members, one JSON line each, sorted (the
// order in which batches reach the store is not the framework's).
func goldenShape(t *testing.T, recs []*auditrecord.Record) []byte {
	t.Helper()
	here, err := os.Getwd() // test/clients of this checkout
	if err != nil {
		t.Fatal(err)
	}
	lines := make([]string, 0, len(recs))
	for _, rec := range recs {
		raw, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		stripVolatile(doc)
		if agent, ok := doc["agent"].(map[string]any); ok {
			delete(agent, "id") // frameworks that generate one per run (Semantic Kernel's uuid4)
		}
		line, _ := json.Marshal(doc) // maps marshal with sorted keys
		// A traceback names the scripts by their path in this checkout: not the framework's shape.
		lines = append(lines, strings.ReplaceAll(string(line), here, "$CLIENTS"))
	}
	slices.Sort(lines)
	return []byte(strings.Join(lines, "\n") + "\n")
}

func stripVolatile(doc map[string]any) {
	for k, v := range doc {
		if volatile[k] {
			delete(doc, k)
			continue
		}
		if m, ok := v.(map[string]any); ok {
			stripVolatile(m)
		}
	}
}

// checkGolden compares the run's shape with testdata/<name>.golden.jsonl (go test -update writes it).
func checkGolden(t *testing.T, name string, recs []*auditrecord.Record) {
	t.Helper()
	got := goldenShape(t, recs)
	path := filepath.Join("testdata", name+".golden.jsonl")
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./test/clients -run %s -update writes it)", err, t.Name())
	}
	if string(want) != string(got) {
		t.Errorf("records differ from %s\n--- got ---\n%s--- want ---\n%s", path, got, want)
	}
}
