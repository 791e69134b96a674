package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/esstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/searchengine"
)

// writeCheckpointedES writes one batch of 3 records per tag to the search engine at url under
// prefix as the exporter does with a signing key: checkpoints every 3 records into the evidence
// index and the witness directory (none when ""), and a final one at shutdown.
func writeCheckpointedES(t *testing.T, url, prefix, witnessDir string, signer *objectstore.Signer, tags ...string) {
	t.Helper()
	writeTagged(t, checkpointedES(t, url, prefix, witnessDir, signer), tags...)
}

// checkpointedES is the store writeCheckpointedES writes with.
func checkpointedES(t *testing.T, url, prefix, witnessDir string, signer *objectstore.Signer) store.Store {
	t.Helper()
	cfg := esstore.NewDefaultConfig()
	cfg.Endpoints, cfg.Index.Prefix, cfg.Index.Replicas = []string{url}, prefix, 0
	cfg.DeadLetter.Directory = t.TempDir()
	s, err := esstore.New(cfg, store.Settings{InstanceID: "gw-1"})
	if err != nil {
		t.Fatal(err)
	}
	o := &objectstore.CheckpointOptions{EveryRecords: 3}
	if witnessDir != "" {
		w, err := filestore.NewBackend(witnessDir)
		if err != nil {
			t.Fatal(err)
		}
		o.Witnesses = []objectstore.Backend{w}
	}
	s.SetCheckpoints(signer, o)
	return s
}

// TestEvidenceOnSearchEngine: the attacks of TestVerifyCheckpointsCatchesTruncationAndKeyHolderRewrite
// on Elasticsearch (documents deleted and written again through the engine's own API), and a bundle
// of its documents that verifies offline.
func TestEvidenceOnSearchEngine(t *testing.T) {
	url, _, _ := searchengine.Start(t)
	signer, _, pubFile := signingKeys(t)
	setup := func(prefix string) (storeURL, witnessURL string) {
		wdir := t.TempDir()
		writeCheckpointedES(t, url, prefix, wdir, signer, "a", "b", "c")
		return url + "/" + prefix, "file://" + filepath.ToSlash(wdir)
	}

	t.Run("head truncation", func(t *testing.T) {
		st, witnessURL := setup("ev-truncation")
		expectRun(t, exitOK, "verify", "--store", st, "--pubkey", pubFile, "--checkpoints", witnessURL)
		// The newest batch's documents deleted with the store's newest checkpoint.
		esDelete(t, url, "ev-truncation-2*", streamAbove("integrity.stream", "integrity.seq", 6))
		esDelete(t, url, "ev-truncation_evidence", streamAbove("stream", "tree_size", 6))
		expectRun(t, exitOK, "verify", "--store", st, "--pubkey", pubFile) // what the chain alone cannot see
		out := expectRun(t, exitFindings, "verify", "--store", st, "--pubkey", pubFile, "--checkpoints", witnessURL)
		if !strings.Contains(out, "FAIL truncated_head") || !strings.Contains(out, "seq=7..9") {
			t.Fatalf("truncation:\n%s", out)
		}
	})

	t.Run("rewrite with the key", func(t *testing.T) {
		st, witnessURL := setup("ev-rewrite")
		// The stream written again, as long, with other records, and re-checkpointed in the store
		// with the same key (the witness is out of the attacker's reach).
		esDelete(t, url, "ev-rewrite-2*", streamAbove("integrity.stream", "integrity.seq", 0))
		esDelete(t, url, "ev-rewrite_evidence", streamAbove("stream", "tree_size", 0))
		writeCheckpointedES(t, url, "ev-rewrite", "", signer, "a", "x", "c")
		expectRun(t, exitOK, "verify", "--store", st, "--pubkey", pubFile)
		out := expectRun(t, exitFindings, "verify", "--store", st, "--pubkey", pubFile, "--checkpoints", witnessURL)
		if !strings.Contains(out, "FAIL rewritten_history") || strings.Contains(out, "truncated_head") {
			t.Fatalf("rewrite:\n%s", out)
		}
	})

	t.Run("bundle verifies offline", func(t *testing.T) {
		st, _ := setup("ev-bundle")
		file := filepath.Join(t.TempDir(), "bundle.zip")
		out := expectRun(t, exitOK, "export", "--store", st, "--session", "session-b", "-o", file, "--as", "auditor@example.com")
		if !strings.Contains(out, "3 records (0 without a covering checkpoint)") {
			t.Fatalf("export: %s", out)
		}
		if log := expectRun(t, exitOK, "access-log", "--store", st); !strings.Contains(log, "evidence bundle of session session-b") {
			t.Fatalf("access log:\n%s", log)
		}
		var indices []struct {
			Index string `json:"index"`
		}
		if err := json.Unmarshal(esRequest(t, http.MethodGet, url+"/_cat/indices/ev-bundle-*,ev-bundle_evidence?format=json&h=index", nil), &indices); err != nil || len(indices) < 2 {
			t.Fatalf("indices %v (%v)", indices, err)
		}
		names := make([]string, len(indices))
		for i, ix := range indices {
			names[i] = ix.Index
		}
		esRequest(t, http.MethodDelete, url+"/"+strings.Join(names, ","), nil) // offline: the store is gone
		rep := expectRun(t, exitOK, "verify", "--bundle", file, "--pubkey", pubFile)
		if !strings.Contains(rep, "3 checked, 3 proven") {
			t.Fatalf("bundle report:\n%s", rep)
		}
		if rep := expectRun(t, exitOK, "verify", "--bundle", file); !strings.Contains(rep, "WARNING") {
			t.Fatalf("the bundle's own keys (published in the evidence index) are not used:\n%s", rep)
		}
	})
}

// streamAbove is a query for the documents of gw-1-traces (in its field) whose num field is above n.
func streamAbove(field, num string, n int) map[string]any {
	return map[string]any{"bool": map[string]any{"filter": []any{
		map[string]any{"term": map[string]any{field: "gw-1-traces"}},
		map[string]any{"range": map[string]any{num: map[string]any{"gt": n}}},
	}}}
}

// esDelete deletes the documents of indices matching query (search, then bulk delete: minimal
// nodes have no _delete_by_query), as someone with write access to the engine could.
func esDelete(t *testing.T, url, indices string, query map[string]any) {
	t.Helper()
	esRequest(t, http.MethodPost, url+"/"+indices+"/_refresh", nil)
	var page struct {
		Hits struct {
			Hits []struct {
				Index string `json:"_index"`
				ID    string `json:"_id"`
			} `json:"hits"`
		} `json:"hits"`
	}
	body, _ := json.Marshal(map[string]any{"size": 10000, "query": query, "_source": false})
	if err := json.Unmarshal(esRequest(t, http.MethodPost, url+"/"+indices+"/_search", body), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Hits.Hits) == 0 {
		t.Fatalf("nothing to delete in %s", indices)
	}
	var bulk bytes.Buffer
	for _, h := range page.Hits.Hits {
		fmt.Fprintf(&bulk, `{"delete":{"_index":%q,"_id":%q}}`+"\n", h.Index, h.ID)
	}
	esRequest(t, http.MethodPost, url+"/_bulk?refresh=true", bulk.Bytes())
}

func esRequest(t *testing.T, method, url string, body []byte) []byte {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if strings.Contains(url, "/_bulk") {
		req.Header.Set("Content-Type", "application/x-ndjson")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: status %d: %s", method, url, resp.StatusCode, out)
	}
	return out
}

// TestErasureOnSearchEngine: forget on the search engine replaces the user's documents by tombstones
// in place: verify (with the witnessed checkpoints) passes and reports them erased, the erased text
// is no longer in the engine, and a bundle of the range proves each tombstone and says when and by
// which erasure its record was erased.
func TestErasureOnSearchEngine(t *testing.T) {
	url, _, _ := searchengine.Start(t)
	signer, _, pubFile := signingKeys(t)
	wdir := t.TempDir()
	writeCheckpointedES(t, url, "ev-erasure", wdir, signer, "a", "b", "c")
	st, witnessURL := url+"/ev-erasure", "file://"+filepath.ToSlash(wdir)
	callA := map[string]any{"term": map[string]any{"tool_call.call_id": "call-a-0"}}
	if n := esCount(t, url, "ev-erasure-2*", callA); n != 1 {
		t.Fatalf("before erasure: %d documents with the call id", n)
	}

	out := expectRun(t, exitOK, "forget", "--store", st, "--user", "user-1", "--as", "dpo@example.com")
	if !strings.Contains(out, "replaced 9 records of user user-1") || !strings.Contains(out, "recorded as erasure record") {
		t.Fatalf("forget:\n%s", out)
	}
	rep := expectRun(t, exitOK, "verify", "--store", st, "--pubkey", pubFile, "--checkpoints", witnessURL)
	if !strings.Contains(rep, "erased") || !strings.Contains(rep, "9 records replaced by tombstones") || strings.Contains(rep, "missing_seq") {
		t.Fatalf("verify after erasure:\n%s", rep)
	}
	if n := esCount(t, url, "ev-erasure-2*", callA); n != 0 {
		t.Fatalf("erased content still in the engine: %d documents with the call id", n)
	}
	var hits struct {
		Hits struct {
			Hits []json.RawMessage `json:"hits"`
		} `json:"hits"`
	}
	all, _ := json.Marshal(map[string]any{"size": 100, "query": map[string]any{"match_all": map[string]any{}}})
	if err := json.Unmarshal(esRequest(t, http.MethodPost, url+"/ev-erasure-2*/_search", all), &hits); err != nil {
		t.Fatal(err)
	}
	for _, h := range hits.Hits.Hits {
		if strings.Contains(string(h), "call-a-") || strings.Contains(string(h), "lookup") || strings.Contains(string(h), `"session-`) {
			t.Fatalf("a stored document still carries erased content: %s", h)
		}
	}

	file := filepath.Join(t.TempDir(), "bundle.zip")
	expectRun(t, exitOK, "export", "--store", st, "--from", "2000-01-01", "-o", file)
	rep = expectRun(t, exitOK, "verify", "--bundle", file, "--pubkey", pubFile)
	if strings.Count(rep, "info erased") != 9 || !strings.Contains(rep, "by erasure ") || !strings.Contains(rep, "9 proven") {
		t.Fatalf("bundle after erasure:\n%s", rep)
	}
}

// esCount counts the documents of indices matching query.
func esCount(t *testing.T, url, indices string, query map[string]any) int {
	t.Helper()
	esRequest(t, http.MethodPost, url+"/"+indices+"/_refresh", nil)
	body, _ := json.Marshal(map[string]any{"query": query})
	var out struct {
		Count int `json:"count"`
	}
	if err := json.Unmarshal(esRequest(t, http.MethodPost, url+"/"+indices+"/_count", body), &out); err != nil {
		t.Fatal(err)
	}
	return out.Count
}

// TestLegalHoldOnSearchEngine: holds are signed markers in the evidence index; records under a hold
// survive forget and retention, which report them; an override deletes and leaves an access-log
// entry; a signed release ends the hold.
func TestLegalHoldOnSearchEngine(t *testing.T) {
	url, _, _ := searchengine.Start(t)
	signer, privFile, pubFile := signingKeys(t)
	writeCheckpointedES(t, url, "ev-hold", "", signer, "a", "b", "c")
	st := url + "/ev-hold"
	with := func(args ...string) []string { return append(args, "--store", st, "--signing-key", privFile) }

	out := expectRun(t, exitOK, with("hold", "add", "--session", "session-b", "--reason", "case 2026-17", "--as", "legal@example.com")...)
	id := strings.TrimSuffix(strings.Fields(out)[1], ":")
	if n := esCount(t, url, "ev-hold_evidence", map[string]any{"term": map[string]any{"kind": "legal_hold"}}); n != 1 {
		t.Fatalf("%d hold markers in the evidence index, want 1", n)
	}
	if list := expectRun(t, exitOK, with("hold", "list")...); !strings.Contains(list, id) || !strings.Contains(list, "session session-b") {
		t.Fatalf("hold list:\n%s", list)
	}
	out = expectRun(t, exitOK, with("forget", "--user", "user-1")...)
	if !strings.Contains(out, "replaced 6 records") || !strings.Contains(out, "kept 3 records under legal hold "+id) {
		t.Fatalf("forget under hold:\n%s", out)
	}
	if tl := expectRun(t, exitOK, with("timeline", "session-b")...); strings.Count(tl, "\n") != 4 {
		t.Fatalf("held session after forget:\n%s", tl)
	}
	expectRun(t, exitOK, "verify", "--store", st, "--pubkey", pubFile)
	out = expectRun(t, exitOK, with("retention", "--older-than", "1h")...)
	if !strings.Contains(out, "deleted 0 indices") || !strings.Contains(out, "legal hold "+id) {
		t.Fatalf("retention under hold:\n%s", out)
	}
	if tl := expectRun(t, exitOK, with("timeline", "session-b")...); strings.Count(tl, "\n") != 4 {
		t.Fatalf("held session after retention:\n%s", tl)
	}

	out = expectRun(t, exitOK, with("retention", "--older-than", "1h", "--override-hold", "--as", "cto@example.com")...)
	if !strings.Contains(out, "deleted 1 indices") {
		t.Fatalf("retention with override:\n%s", out)
	}
	if log := expectRun(t, exitOK, with("access-log")...); !strings.Contains(log, "override of legal holds "+id+" for retention") ||
		!strings.Contains(log, "cto@example.com") {
		t.Fatalf("access log after override:\n%s", log)
	}
	expectRun(t, exitOK, with("hold", "release", id)...)
	if list := expectRun(t, exitOK, with("hold", "list")...); strings.Contains(list, id) {
		t.Fatalf("released hold still listed:\n%s", list)
	}
}
