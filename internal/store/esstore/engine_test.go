package esstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/searchengine"
)

// testPrefix gives each test indices of its own on a shared engine.
func testPrefix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "aa" + hex.EncodeToString(b)
}

// forEachEngine runs test against the shared engine of each kind (or the one ES_URL names), with the
// store flavor that talks to it.
func forEachEngine(t *testing.T, test func(t *testing.T, url, flavor string)) {
	for _, kind := range searchengine.Kinds() {
		t.Run(string(kind), func(t *testing.T) { test(t, searchengine.SharedKind(t, kind), kind.StoreFlavor()) })
	}
}

func testConfig(t testing.TB, url, flavor string) Config {
	cfg := NewDefaultConfig()
	cfg.Endpoints = []string{url}
	cfg.Flavor = flavor
	cfg.Index.Prefix = testPrefix(t)
	cfg.Index.Replicas = 0
	cfg.DeadLetter.Directory = t.TempDir()
	cfg.Retry = RetryConfig{MaxAttempts: 3, InitialInterval: 20 * time.Millisecond, MaxInterval: 200 * time.Millisecond}
	return cfg
}

func startStore(t testing.TB, cfg Config) *Store {
	t.Helper()
	s, err := New(cfg, store.Settings{InstanceID: "test"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}

func write(t testing.TB, s *Store, recs []*auditrecord.Record) {
	t.Helper()
	if err := s.Write(context.Background(), store.Batch{Signal: "traces", Records: recs}); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

// engineJSON sends a plain request to the engine and decodes the answer.
func engineJSON(t testing.TB, method, url string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	payload, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(payload, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, payload)
		}
	}
	return resp.StatusCode
}

// countDocs refreshes the store's indices and counts their documents, optionally matching a query.
func countDocs(t testing.TB, url, prefix string, query map[string]any) int {
	t.Helper()
	engineJSON(t, http.MethodPost, url+"/"+prefix+"-*/_refresh?ignore_unavailable=true&allow_no_indices=true", nil, nil)
	var out struct {
		Count int `json:"count"`
	}
	var body any
	if query != nil {
		body = map[string]any{"query": query}
	}
	if status := engineJSON(t, http.MethodPost, url+"/"+prefix+"-*/_count?ignore_unavailable=true&allow_no_indices=true", body, &out); status != 200 {
		t.Fatalf("count: status %d", status)
	}
	return out.Count
}

func scanIDs(t testing.TB, s *Store, q store.Query) []string {
	t.Helper()
	var ids []string
	if err := s.Scan(context.Background(), q, func(r *auditrecord.Record) error {
		ids = append(ids, r.RecordID)
		return nil
	}); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return ids
}

func refresh(t testing.TB, url, prefix string) {
	engineJSON(t, http.MethodPost, url+"/"+prefix+"-*/_refresh?ignore_unavailable=true&allow_no_indices=true", nil, nil)
}

// richRecords are one record of each kind of content the mapping types: output with tokens and
// cost, input with metadata, a tool call whose parameters are not an object, attributes.
func richRecords(tag string) []*auditrecord.Record {
	recs := recordfixture.Records(tag, 3)
	in, out, cost := int64(120), int64(48), 0.0031
	recs[0].Type, recs[0].ToolCall = auditrecord.TypeOutput, nil
	recs[0].Output = &auditrecord.Output{
		Content: "The invoice total is 42 EUR.", Model: "gpt-4o", Provider: "openai",
		Tokens: &auditrecord.Tokens{Input: &in, Output: &out}, Cost: &cost, CostSource: "telemetry",
	}
	recs[1].Type, recs[1].ToolCall = auditrecord.TypeInput, nil
	recs[1].Input = &auditrecord.Input{Content: "What is the invoice total?", Role: "user", Metadata: map[string]any{"channel": "web"}}
	recs[1].Attributes = map[string]any{"app.custom.key": "v", "app.nested": map[string]any{"deep": 1}}
	recs[2].ToolCall.Parameters = "plain string parameters"
	return recs
}

func TestMappingsApplied(t *testing.T) { forEachEngine(t, testMappingsApplied) }

func testMappingsApplied(t *testing.T, url, flavor string) {
	cfg := testConfig(t, url, flavor)
	s := startStore(t, cfg)
	write(t, s, richRecords("mapping"))

	// A second store on the same prefix re-installs the same template without error.
	startStore(t, cfg)

	var mappings map[string]struct {
		Mappings struct {
			Dynamic    any            `json:"dynamic"`
			Properties map[string]any `json:"properties"`
		} `json:"mappings"`
	}
	if status := engineJSON(t, http.MethodGet, url+"/"+cfg.Index.Prefix+"-*/_mapping", nil, &mappings); status != 200 {
		t.Fatalf("GET _mapping: status %d", status)
	}
	index := indexName(cfg.Index.Prefix, PeriodDay, recordfixture.Base)
	m, ok := mappings[index]
	if !ok {
		t.Fatalf("index %s missing; have %v", index, mappings)
	}
	if fmt.Sprint(m.Mappings.Dynamic) != "false" {
		t.Errorf("dynamic = %v, want false", m.Mappings.Dynamic)
	}
	wantObject := "flattened"
	if cfg.Flavor == FlavorOpenSearch {
		wantObject = "flat_object"
	}
	for path, want := range map[string]string{
		"record_id":                "keyword",
		"session_id":               "keyword",
		"user_id":                  "keyword",
		"type":                     "keyword",
		"timestamp":                "date",
		"observed_timestamp":       "date",
		"input.content":            "text",
		"input.content.keyword":    "keyword",
		"output.content":           "text",
		"output.tokens.input":      "long",
		"output.cost":              "double",
		"llm_call.tokens.total":    "long",
		"tool_call.tool_name":      "keyword",
		"search.tool_parameters":   wantObject,
		"search.tool_result":       wantObject,
		"attributes":               wantObject,
		"tombstone.erased_at":      "date",
		"integrity.seq":            "long",
		"tool_call.parameters.???": "",
	} {
		if want == "" {
			continue
		}
		if got := fieldType(m.Mappings.Properties, path); got != want {
			t.Errorf("%s mapped as %q, want %q", path, got, want)
		}
	}
	// Attribute keys never become fields of their own: the mapping cannot explode.
	if _, ok := m.Mappings.Properties["app"]; ok {
		t.Errorf("attribute keys became top-level fields: %v", m.Mappings.Properties["app"])
	}
	// The flattened tool parameters are searchable even though they were a plain string.
	if n := countDocs(t, url, cfg.Index.Prefix, map[string]any{"term": map[string]any{"search.tool_parameters": "plain string parameters"}}); n != 1 {
		t.Errorf("search by tool parameters found %d, want 1", n)
	}
	if n := countDocs(t, url, cfg.Index.Prefix, map[string]any{"match": map[string]any{"output.content": "invoice"}}); n != 1 {
		t.Errorf("full-text search on output.content found %d, want 1", n)
	}
}

// fieldType walks "a.b.c" through properties (and multi-field "fields") to a field's type.
func fieldType(props map[string]any, path string) string {
	parts := strings.Split(path, ".")
	var node map[string]any
	for i, p := range parts {
		next, ok := props[p].(map[string]any)
		if !ok {
			return ""
		}
		node = next
		if i == len(parts)-1 {
			break
		}
		if sub, ok := node["properties"].(map[string]any); ok {
			props = sub
		} else if sub, ok := node["fields"].(map[string]any); ok {
			props = sub
		} else {
			return ""
		}
	}
	tp, _ := node["type"].(string)
	return tp
}

func TestSearchBySessionAndUser(t *testing.T) { forEachEngine(t, testSearchBySessionAndUser) }

func testSearchBySessionAndUser(t *testing.T, url, flavor string) {
	cfg := testConfig(t, url, flavor)
	s := startStore(t, cfg)

	alice := recordfixture.Records("alice", 4) // session-alice, user-1
	bob := recordfixture.Records("bob", 3)     // session-bob
	for _, r := range bob {
		r.UserID = "user-2"
		// A day later, so the records span two daily indices.
		r.Timestamp = r.Timestamp.Add(24 * time.Hour)
	}
	alice[3].Type, alice[3].ToolCall = auditrecord.TypeError, nil
	alice[3].Error = &auditrecord.Error{Type: "timeout", Message: "tool timed out"}
	write(t, s, append(append([]*auditrecord.Record{}, bob...), alice...))
	refresh(t, url, cfg.Index.Prefix)

	if got, want := scanIDs(t, s, store.Query{SessionID: "session-alice"}), recordfixture.IDs(alice); !equal(got, want) {
		t.Errorf("by session: got %v, want %v (in timestamp order)", got, want)
	}
	if got, want := scanIDs(t, s, store.Query{UserID: "user-2"}), recordfixture.IDs(bob); !equal(got, want) {
		t.Errorf("by user: got %v, want %v", got, want)
	}
	if got, want := scanIDs(t, s, store.Query{UserID: "user-1", Types: []auditrecord.Type{auditrecord.TypeError}}), []string{alice[3].RecordID}; !equal(got, want) {
		t.Errorf("by user and type: got %v, want %v", got, want)
	}
	// [alice[1], bob[0]) by time.
	q := store.Query{From: alice[1].Timestamp, To: bob[0].Timestamp}
	if got, want := scanIDs(t, s, q), recordfixture.IDs(alice[1:]); !equal(got, want) {
		t.Errorf("by time: got %v, want %v", got, want)
	}
	if got := scanIDs(t, s, store.Query{SessionID: "no-such-session"}); len(got) != 0 {
		t.Errorf("unknown session matched %v", got)
	}
	// The records read back equal the records written.
	var back []*auditrecord.Record
	_ = s.Scan(context.Background(), store.Query{SessionID: "session-alice"}, func(r *auditrecord.Record) error {
		back = append(back, r)
		return nil
	})
	for i := range back {
		// The store chains what it writes: the record comes back with its place in the chain.
		if in := back[i].Integrity; in == nil || in.Stream != "test-traces" || in.Seq == 0 || len(in.Hash) != 64 {
			t.Errorf("record %d read back without its chain integrity: %+v", i, in)
		}
		back[i].Integrity = nil
		want, _ := json.Marshal(alice[i])
		got, _ := json.Marshal(back[i])
		if !bytes.Equal(got, want) {
			t.Errorf("record %d read back as\n%s\nwant\n%s", i, got, want)
		}
	}
}

func TestScanPagesThroughLargeResults(t *testing.T) {
	forEachEngine(t, testScanPagesThroughLargeResults)
}

func testScanPagesThroughLargeResults(t *testing.T, url, flavor string) {
	cfg := testConfig(t, url, flavor)
	s := startStore(t, cfg)
	n := scanPageSize*2 + 17
	recs := recordfixture.Records("pages", n)
	for i, r := range recs {
		// Many records share a millisecond, so paging must break ties by record id.
		r.Timestamp = recordfixture.Base.Add(time.Duration(i/10) * time.Millisecond)
	}
	write(t, s, recs)
	refresh(t, url, cfg.Index.Prefix)
	ids := scanIDs(t, s, store.Query{SessionID: "session-pages"})
	if len(ids) != n {
		t.Fatalf("scan returned %d records, want %d", len(ids), n)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("record %s returned twice", id)
		}
		seen[id] = true
	}
}

func equal(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func TestSameBatchTwiceNoDuplicates(t *testing.T) { forEachEngine(t, testSameBatchTwiceNoDuplicates) }

func testSameBatchTwiceNoDuplicates(t *testing.T, url, flavor string) {
	cfg := testConfig(t, url, flavor)
	s := startStore(t, cfg)
	recs := recordfixture.Records("twice", 50)
	write(t, s, recs)
	write(t, s, recs)
	if n := countDocs(t, url, cfg.Index.Prefix, nil); n != len(recs) {
		t.Errorf("engine holds %d documents, want %d", n, len(recs))
	}
	if got := s.Stats().Indexed.Load(); got != int64(len(recs)) {
		t.Errorf("indexed = %d, want %d", got, len(recs))
	}
	if got := s.Stats().AlreadyPresent.Load(); got != int64(len(recs)) {
		t.Errorf("already present = %d, want %d", got, len(recs))
	}
	if dl, _ := ReadDeadLetters(cfg.DeadLetter.Directory); len(dl) != 0 {
		t.Errorf("dead letters: %v", dl)
	}
}

func TestRejectedDocumentGoesToDeadLetter(t *testing.T) {
	forEachEngine(t, testRejectedDocumentGoesToDeadLetter)
}

func testRejectedDocumentGoesToDeadLetter(t *testing.T, url, flavor string) {
	cfg := testConfig(t, url, flavor)
	s := startStore(t, cfg)
	recs := recordfixture.Records("reject", 5)
	// A keyword over Lucene's 32766-byte term limit: the engine rejects this document for good.
	recs[2].SessionID = strings.Repeat("x", 40000)
	write(t, s, recs)

	if n := countDocs(t, url, cfg.Index.Prefix, nil); n != 4 {
		t.Errorf("engine holds %d documents, want the 4 accepted ones", n)
	}
	letters, err := ReadDeadLetters(cfg.DeadLetter.Directory)
	if err != nil {
		t.Fatal(err)
	}
	if len(letters) != 1 {
		t.Fatalf("dead letters = %d, want 1", len(letters))
	}
	dl := letters[0]
	if dl.RecordID != recs[2].RecordID || dl.Record == nil || dl.Record.SessionID != recs[2].SessionID {
		t.Errorf("dead letter holds %s, want the whole rejected record %s", dl.RecordID, recs[2].RecordID)
	}
	if dl.Status != http.StatusBadRequest || dl.Reason == "" || dl.ErrorType == "" {
		t.Errorf("dead letter lacks the engine's answer: status %d type %q reason %q", dl.Status, dl.ErrorType, dl.Reason)
	}
	if !strings.Contains(dl.Reason, "immense term") {
		t.Errorf("reason %q does not carry the engine's reason", dl.Reason)
	}
	if dl.Index != indexName(cfg.Index.Prefix, PeriodDay, recs[2].Timestamp) {
		t.Errorf("dead letter index %q", dl.Index)
	}
	// The rejected record holds no seq: the accepted ones were chained again without it.
	if rep, err := s.Verify(context.Background(), url); err != nil || !rep.OK || rep.Counts.Records != 4 {
		t.Errorf("verify after a rejection: %+v (%v)", rep, err)
	}
	if got := s.Stats().DeadLettered.Load(); got != 1 {
		t.Errorf("dead-lettered = %d, want 1", got)
	}
	files, _ := os.ReadDir(cfg.DeadLetter.Directory)
	for _, f := range files {
		info, _ := f.Info()
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v; dead letters hold record contents and must be 0600", f.Name(), info.Mode().Perm())
		}
	}
}

func TestEngineOutageLosesNothing(t *testing.T) {
	for _, kind := range searchengine.Kinds() {
		t.Run(string(kind), func(t *testing.T) { testEngineOutageLosesNothing(t, kind) })
	}
}

func testEngineOutageLosesNothing(t *testing.T, kind searchengine.Kind) {
	url, stop, restart := searchengine.StartKind(t, kind)
	if stop == nil {
		t.Skip("external cluster (ES_URL): cannot stop it")
	}
	cfg := testConfig(t, url, kind.StoreFlavor())
	cfg.Retry.MaxAttempts = 2
	cfg.Timeout = 5 * time.Second
	s := startStore(t, cfg)

	const batches, perBatch = 12, 40
	sent := 0
	writeWithRetries := func(b int, recs []*auditrecord.Record) (failures int) {
		// What exporterhelper's queue does with a failed batch: send it again until it is stored.
		for attempt := 0; ; attempt++ {
			err := s.Write(context.Background(), store.Batch{Signal: "logs", Records: recs})
			if err == nil {
				return failures
			}
			failures++
			if attempt > 100 {
				t.Fatalf("batch %d still failing: %v", b, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	for b := range batches {
		recs := recordfixture.Records(fmt.Sprintf("outage-%d", b), perBatch)
		t.Logf("%s batch %d", time.Now().Format("15:04:05.0"), b)
		switch b {
		case 4:
			stop()
			t.Logf("%s stopped", time.Now().Format("15:04:05.0"))
			if searchengine.Healthy(url) {
				t.Fatal("engine still answers after stop")
			}
			if err := s.Write(context.Background(), store.Batch{Signal: "logs", Records: recs}); err == nil {
				t.Fatal("Write succeeded while the engine was down")
			}
			t.Logf("%s write failed", time.Now().Format("15:04:05.0"))
			restart()
			t.Logf("%s restarted", time.Now().Format("15:04:05.0"))
		case 8:
			// Stop while the stream goes on: the restart comes from elsewhere, mid-retries.
			stop()
			done := make(chan struct{})
			go func() {
				defer close(done)
				time.Sleep(time.Second)
				restart()
			}()
			if failures := writeWithRetries(b, recs); failures == 0 {
				t.Error("a batch written during the outage never failed")
			}
			<-done
			sent += len(recs)
			continue
		}
		writeWithRetries(b, recs)
		sent += len(recs)
	}
	if n := countDocs(t, url, cfg.Index.Prefix, nil); n != sent {
		t.Errorf("engine holds %d documents, want exactly %d", n, sent)
	}
	// A request whose answer was lost in the outage may have created records: its retry finds them
	// present (409). So each record is counted once as indexed or more than once in total, never lost.
	indexed, already := s.Stats().Indexed.Load(), s.Stats().AlreadyPresent.Load()
	if indexed > int64(sent) || indexed+already < int64(sent) {
		t.Errorf("indexed %d, already present %d for %d records sent", indexed, already, sent)
	}
	if dl, _ := ReadDeadLetters(cfg.DeadLetter.Directory); len(dl) != 0 {
		t.Errorf("an outage must not dead-letter anything; got %d", len(dl))
	}
}

func TestRetentionDeletesOnlyOldIndices(t *testing.T) {
	forEachEngine(t, testRetentionDeletesOnlyOldIndices)
}

func testRetentionDeletesOnlyOldIndices(t *testing.T, url, flavor string) {
	cfg := testConfig(t, url, flavor)
	cfg.Retention = "90d"
	cfg.RetentionCheckInterval = time.Hour
	s := startStore(t, cfg)
	p := cfg.Index.Prefix
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	day := func(daysAgo int) string { return p + "-" + now.AddDate(0, 0, -daysAgo).Format("2006.01.02") }
	expired := []string{p + "-2020.01.01", day(120), day(91)}
	kept := []string{
		day(90), // its day ends 89.5 days before now: still inside the retention
		day(30), day(0),
		p + "-2020.01.01-restored", // not <prefix>-<date>: never touched
	}
	other := testPrefix(t) + "-2020.01.01" // another store's index
	for _, name := range append(append(append([]string{}, expired...), kept...), other) {
		if status := engineJSON(t, http.MethodPut, url+"/"+name, nil, nil); status != 200 {
			t.Fatalf("create %s: status %d", name, status)
		}
	}
	t.Cleanup(func() { engineJSON(t, http.MethodDelete, url+"/"+other, nil, nil) })

	deleted, err := s.ApplyRetention(context.Background(), now)
	if err != nil {
		t.Fatalf("ApplyRetention: %v", err)
	}
	sort.Strings(expired)
	if !equal(deleted, expired) {
		t.Errorf("deleted %v, want %v", deleted, expired)
	}
	for _, name := range expired {
		if status := engineJSON(t, http.MethodHead, url+"/"+name, nil, nil); status != 404 {
			t.Errorf("%s still exists (status %d)", name, status)
		}
	}
	for _, name := range append(kept, other) {
		if status := engineJSON(t, http.MethodHead, url+"/"+name, nil, nil); status != 200 {
			t.Errorf("%s was deleted (status %d)", name, status)
		}
	}
	// A second run finds nothing more to delete.
	if again, err := s.ApplyRetention(context.Background(), now); err != nil || len(again) != 0 {
		t.Errorf("second run deleted %v, %v", again, err)
	}
}
